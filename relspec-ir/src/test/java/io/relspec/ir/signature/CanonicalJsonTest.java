package io.relspec.ir.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanonicalJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private static String canonical(String json) throws Exception {
    return CanonicalJson.write(MAPPER.readTree(json));
  }

  /** RFC 8785, Appendix B: IEEE 754 bit patterns and their ECMAScript number form. */
  @ParameterizedTest
  @CsvSource({
    "0000000000000000, 0",
    "8000000000000000, 0",
    "0000000000000001, 5e-324",
    "8000000000000001, -5e-324",
    "7fefffffffffffff, 1.7976931348623157e+308",
    "ffefffffffffffff, -1.7976931348623157e+308",
    "4340000000000000, 9007199254740992",
    "c340000000000000, -9007199254740992",
    "4430000000000000, 295147905179352830000",
    "44b52d02c7e14af5, 9.999999999999997e+22",
    "44b52d02c7e14af6, 1e+23",
    "44b52d02c7e14af7, 1.0000000000000001e+23",
    "444b1ae4d6e2ef4e, 999999999999999700000",
    "444b1ae4d6e2ef4f, 999999999999999900000",
    "444b1ae4d6e2ef50, 1e+21",
    "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
    "3eb0c6f7a0b5ed8d, 0.000001",
    "41b3de4355555553, 333333333.3333332",
    "41b3de4355555554, 333333333.33333325",
    "41b3de4355555555, 333333333.3333333",
    "41b3de4355555556, 333333333.3333334",
    "41b3de4355555557, 333333333.33333343",
    "becbf647612f3696, -0.0000033333333333333333",
    "43143ff3c1cb0959, 1424953923781206.2"
  })
  void rfc8785AppendixBNumbers(String bits, String expected) {
    double value = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));

    assertThat(CanonicalJson.number(value)).isEqualTo(expected);
    assertThat(CanonicalJson.write(JSON.numberNode(value))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "-0.0, 0",
    "1, 1",
    "-1.5, -1.5",
    "1e21, 1e+21",
    "1e20, 100000000000000000000",
    "1e-7, 1e-7",
    "1.5e-7, 1.5e-7",
    "1e-6, 0.000001",
    "0.000001, 0.000001",
    "0.0000012345, 0.0000012345",
    "123456789012345680000, 123456789012345680000",
    "5e-324, 5e-324",
    "1.7976931348623157e308, 1.7976931348623157e+308",
    "9007199254740992, 9007199254740992",
    "9007199254740993, 9007199254740992",
    "0.1, 0.1",
    "100, 100",
    "1E30, 1e+30",
    "4.50, 4.5",
    "2e-3, 0.002",
    "0.000000000000000000000000001, 1e-27",
    "-1e-7, -1e-7",
    "123e-20, 1.23e-18",
    "2.2250738585072014e-308, 2.2250738585072014e-308"
  })
  void es6NumberForms(String literal, String expected) {
    double value = Double.parseDouble(literal);

    assertThat(CanonicalJson.number(value)).isEqualTo(expected);
  }

  /**
   * Near a power of two the decimals that read back as the double lie further on one side than the
   * other, so the shortest form may be the one farther from the value (found by comparing with
   * Python's shortest repr, which uses David Gay's correctly rounded algorithm).
   */
  @ParameterizedTest
  @CsvSource({
    "0060000000000000, 7.120236347223045e-307",
    "0100000000000000, 7.291122019556398e-304",
    "0420000000000000, 8.209073602596753e-289",
    "13e0000000000000, 5.940911144672375e-213"
  })
  void shortestFormAtPowersOfTwo(String bits, String expected) {
    double value = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));

    assertThat(CanonicalJson.number(value)).isEqualTo(expected);
    assertThat(Double.parseDouble(expected)).isEqualTo(value);
  }

  @Test
  void everyFormReadsBackAsTheSameDouble() {
    Random random = new Random(8785);
    for (int i = 0; i < 20_000; i++) {
      double value = Double.longBitsToDouble(random.nextLong());
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        continue;
      }
      String text = CanonicalJson.number(value);

      assertThat(Double.parseDouble(text)).as(text).isEqualTo(value == 0 ? 0.0 : value);
      assertThat(new BigDecimal(text.replace("e+", "e")).stripTrailingZeros().precision())
          .as(text)
          .isLessThanOrEqualTo(17);
    }
  }

  @Test
  void nanAndInfinityAreNotJsonNumbers() {
    assertThatThrownBy(() -> CanonicalJson.number(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot canonicalize NaN: JSON has no such number");
    assertThatThrownBy(() -> CanonicalJson.write(JSON.numberNode(Double.POSITIVE_INFINITY)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Infinity");
  }

  @Test
  void integerNodesAreWrittenAsDoubles() {
    assertThat(CanonicalJson.write(JSON.numberNode(9007199254740992L)))
        .isEqualTo("9007199254740992");
    assertThat(CanonicalJson.write(JSON.numberNode(-9007199254740993L)))
        .isEqualTo("-9007199254740992");
    assertThat(CanonicalJson.write(JSON.numberNode(Long.MIN_VALUE)))
        .isEqualTo("-9223372036854776000");
    assertThat(CanonicalJson.write(JSON.numberNode(Long.MAX_VALUE)))
        .isEqualTo("9223372036854776000");
    assertThat(CanonicalJson.write(JSON.numberNode(BigInteger.TEN.pow(21)))).isEqualTo("1e+21");
    assertThat(CanonicalJson.write(JSON.numberNode(42))).isEqualTo("42");
  }

  /** RFC 8785, section 3.2.2 / appendix: the example of the specification. */
  @Test
  void rfc8785Example() throws Exception {
    String input =
        "{\n"
            + "  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
            + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
            + "  \"literals\": [null, true, false]\n"
            + "}";

    assertThat(canonical(input))
        .isEqualTo(
            "{\"literals\":[null,true,false],"
                + "\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
  }

  /** RFC 8785, section 3.2.3: keys sort by UTF-16 code units, not by code points. */
  @Test
  void rfc8785KeySortingExample() throws Exception {
    String input =
        "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\","
            + " \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\","
            + " \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": \"Control\","
            + " \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}";

    JsonNode sorted = MAPPER.readTree(canonical(input));

    List<String> keys = new ArrayList<>();
    sorted.fieldNames().forEachRemaining(keys::add);
    assertThat(keys)
        .containsExactly("\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33");
  }

  @Test
  void nonBmpKeySortsBeforeAPrivateUseBmpKey() {
    ObjectNode node = JSON.objectNode();
    node.put("\uE000", 1);
    node.put("\uD83D\uDE00", 2);
    node.put("a", 3);

    // U+1F600 is above U+E000 as a code point, but its first UTF-16 unit 0xD83D is below 0xE000
    assertThat(CanonicalJson.write(node)).isEqualTo("{\"a\":3,\"\uD83D\uDE00\":2,\"\uE000\":1}");
  }

  @Test
  void keysSortByCodeUnitsIncludingPrefixesAndCase() {
    ObjectNode node = JSON.objectNode();
    node.put("b", 1);
    node.put("ab", 2);
    node.put("a", 3);
    node.put("B", 4);
    node.put("", 5);

    assertThat(CanonicalJson.write(node)).isEqualTo("{\"\":5,\"B\":4,\"a\":3,\"ab\":2,\"b\":1}");
  }

  @Test
  void controlCharactersAreEscapedWithLowercaseHex() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      all.append(c);
    }

    assertThat(CanonicalJson.write(JSON.textNode(all.toString())))
        .isEqualTo(
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
                + "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
                + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
                + "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
  }

  @Test
  void onlyQuoteBackslashAndControlCharactersAreEscaped() {
    String text = "a/b \"q\" \\ \u007f \u00e9 \u2028 \uD83D\uDE00 <>&'";

    assertThat(CanonicalJson.write(JSON.textNode(text)))
        .isEqualTo("\"a/b \\\"q\\\" \\\\ \u007f \u00e9 \u2028 \uD83D\uDE00 <>&'\"");
  }

  @Test
  void loneSurrogatesAreRejected() {
    assertThatThrownBy(() -> CanonicalJson.write(JSON.textNode("a\uD800b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot canonicalize a string with a lone surrogate \\ud800 at character 1:"
                + " RFC 8785 needs Unicode text (I-JSON)");
    ObjectNode node = JSON.objectNode();
    node.put("\uDE00", 1);
    assertThatThrownBy(() -> CanonicalJson.write(node))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void noWhitespaceAnywhere() throws Exception {
    assertThat(canonical(" { \"b\" : [ 1 , { \"d\" : null , \"c\" : [ ] } ] , \"a\" : { } } "))
        .isEqualTo("{\"a\":{},\"b\":[1,{\"c\":[],\"d\":null}]}");
  }

  @Test
  void arraysKeepTheirOrder() throws Exception {
    assertThat(canonical("[3, 1, 2, \"b\", \"a\"]")).isEqualTo("[3,1,2,\"b\",\"a\"]");
  }
}
