package io.relspec.reference;

import static io.relspec.reference.Fixture.dec;
import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every scalar function of the v1 registry, casts and case on hand-computed values. */
class FunctionConformanceTest {

  /** Evaluates each expression (JSON) over a one-row dataset and returns the values. */
  static List<Object> eval(String... exprs) {
    try (Fixture f = new Fixture()) {
      f.dataset("one", "n:int64").rows("one", row((Object) null));
      List<String> columns = new ArrayList<>();
      for (int i = 0; i < exprs.length; i++) {
        columns.add("{\"name\":\"e" + i + "\",\"expr\":" + exprs[i] + "}");
      }
      List<List<Object>> rows =
          f.run(
              "[{\"op\":\"scan\",\"dataset\":\"one\"},{\"op\":\"project\",\"columns\":["
                  + String.join(",", columns)
                  + "]}]");
      assertThat(rows).hasSize(1);
      return rows.get(0);
    }
  }

  static String lit(Object value, String type) {
    String json =
        value == null ? "null" : value instanceof String s ? "\"" + s + "\"" : value.toString();
    return "{\"lit\":" + json + ",\"type\":\"" + type + "\"}";
  }

  static String fn(String name, String... args) {
    return "{\"fn\":\"" + name + "\",\"args\":[" + String.join(",", args) + "]}";
  }

  private static final String NULL_INT = "{\"col\":\"n\"}";
  private static final String NULL_BOOL = lit(null, "boolean");
  private static final String TRUE = lit(true, "boolean");
  private static final String FALSE = lit(false, "boolean");

  private static String i32(int v) {
    return lit(v, "int32");
  }

  private static String i64(long v) {
    return lit(v, "int64");
  }

  private static String str(String v) {
    return lit(v, "string");
  }

  @Test
  void integerArithmeticTruncatesWrapsAndDivisionByZeroIsNull() {
    assertThat(
            eval(
                fn("div", i64(7), i64(-2)),
                fn("div", i64(-7), i64(2)),
                fn("div", i64(7), i64(0)),
                fn("mod", i64(-7), i64(2)),
                fn("mod", i64(7), i64(0)),
                fn("add", i32(Integer.MAX_VALUE), i32(1)),
                fn("sub", i32(1), i64(3)),
                fn("neg", NULL_INT),
                fn("abs", i64(-4)),
                fn("bit_and", i64(12), i32(10)),
                fn("bit_or", i64(12), i32(3)),
                fn("mul", i64(3), NULL_INT)))
        .containsExactly(
            -3L, -3L, null, -1L, null, (long) Integer.MIN_VALUE, -2L, null, 4L, 8L, 15L, null);
  }

  @Test
  void floatingDivisionByZeroIsNullAndIntsWidenToFloat() {
    assertThat(
            eval(
                fn("div", lit(1.0, "float64"), lit(0.0, "float64")),
                fn("mod", lit(5.5, "float64"), i32(2)),
                fn("add", i64(1), lit(0.5, "float64"))))
        .containsExactly(null, 1.5, 1.5);
  }

  @Test
  void decimalArithmeticFollowsSparkResultTypesAndRoundsHalfUp() {
    assertThat(
            eval(
                fn("mul", lit("1.10", "decimal(3,2)"), lit("2.5", "decimal(2,1)")),
                fn("add", lit("1.10", "decimal(3,2)"), lit("2.5", "decimal(2,1)")),
                fn("div", lit("1.10", "decimal(3,2)"), lit("2.5", "decimal(2,1)")),
                fn("div", lit("2", "decimal(1,0)"), lit("3", "decimal(1,0)")),
                fn("div", lit("2", "decimal(1,0)"), lit("0", "decimal(1,0)")),
                fn("add", lit("1.5", "decimal(2,1)"), i32(1))))
        .containsExactly(
            dec("2.750"), dec("3.60"), dec("0.440000"), dec("0.666667"), null, dec("2.5"));
  }

  @Test
  void comparisonsAndBooleanLogicAreThreeValued() {
    assertThat(
            eval(
                fn("lt", str("\uFF5E"), str("\uD83D\uDE00")),
                fn("eq", i32(1), i64(1)),
                fn("ne", NULL_INT, i64(1)),
                fn("and", NULL_BOOL, FALSE),
                fn("and", NULL_BOOL, TRUE),
                fn("or", NULL_BOOL, TRUE),
                fn("or", NULL_BOOL, FALSE),
                fn("not", NULL_BOOL),
                fn("in", i64(2), i64(1), NULL_INT),
                fn("in", i64(1), i64(1), NULL_INT),
                fn("in", NULL_INT, i64(1)),
                fn("between", i64(5), i64(1), i64(10)),
                fn("between", i64(5), NULL_INT, i64(4)),
                fn("is_null", NULL_INT),
                fn("is_not_null", NULL_INT),
                fn("eq", lit(0.0, "float64"), lit(-0.0, "float64"))))
        .containsExactly(
            true, true, null, false, null, true, null, null, null, true, null, true, false, true,
            false, true);
  }

  @Test
  void nullFunctionsAndStrings() {
    assertThat(
            eval(
                fn("coalesce", NULL_INT, i64(2), i64(3)),
                fn("nullif", i64(1), i64(1)),
                fn("nullif", i64(1), i64(2)),
                fn("concat", str("a"), lit(null, "string")),
                fn("concat", str("a"), str("b"), str("c")),
                fn("lower", str("AbC")),
                fn("upper", str("AbC")),
                fn("trim", str("  a b  ")),
                fn("trim", str("\\ta ")),
                fn("length", str("a\uD83D\uDE00")),
                fn("substr", str("hello"), i32(2), i32(3)),
                fn("substr", str("hello"), i32(-3), i32(2)),
                fn("substr", str("hello"), i32(0), i32(2)),
                fn("substr", str("hello"), i32(2), i32(-1))))
        .containsExactly(
            2L, null, 1L, null, "abc", "abc", "ABC", "a b", "\ta", 2L, "ell", "", "h", "");
  }

  /**
   * relspec clarification: substr is the SQL standard's window [start, start + len) over 1-based
   * character positions, clipped to the string. A start of 0 or below lies before the first
   * character (it never counts from the end, as Spark's own substring does).
   */
  @Test
  void substrTakesTheSqlWindowOfCharacters() {
    assertThat(
            eval(
                fn("substr", str("ab"), i32(0), i32(1)),
                fn("substr", str("hello"), i32(-1), i32(3)),
                fn("substr", str("hello"), i32(-5), i32(20)),
                fn("substr", str("hello"), i32(1), i32(0)),
                fn("substr", str("hello"), i32(4), i32(10)),
                fn("substr", str("hello"), i32(6), i32(1)),
                fn("substr", str("a\uD83D\uDE00b"), i32(2), i32(1)),
                fn("substr", str("hello"), i32(Integer.MIN_VALUE), i32(Integer.MAX_VALUE)),
                fn("substr", str("hello"), i32(2), i32(Integer.MAX_VALUE)),
                fn("substr", str("hello"), lit(null, "int32"), i32(1))))
        .containsExactly("", "h", "hello", "", "lo", "", "\uD83D\uDE00", "", "ello", null);
  }

  @Test
  void stringPredicatesAndLike() {
    assertThat(
            eval(
                fn("starts_with", str("hello"), str("he")),
                fn("ends_with", str("hello"), str("lo")),
                fn("contains", str("hello"), str("ell")),
                fn("like", str("abc"), str("a_c")),
                fn("like", str("abc"), str("a%")),
                fn("like", str("a%c"), str("a\\\\%c")),
                fn("like", str("abc"), str("a\\\\%c")),
                fn("like", str("a.c"), str("a.c")),
                fn("like", str("abc"), str("a.c")),
                fn("like", lit(null, "string"), str("%"))))
        .containsExactly(true, true, true, true, true, true, false, true, false, null);
  }

  @Test
  void datesAndSpans() {
    assertThat(
            eval(
                fn("year", lit("2024-01-31", "date32")),
                fn("year", lit("1969-12-31T23:59:59Z", "timestamp_us")),
                fn("date_add_days", lit("2024-02-28", "date32"), i32(2)),
                fn("span_len", i64(3), i32(10)),
                fn("span_contains", i64(0), i64(10), i64(2), i64(5)),
                fn("span_contains", i64(0), i64(10), i64(2), i64(11)),
                fn("span_overlaps", i64(0), i64(10), i64(10), i64(12)),
                fn("span_overlaps", i64(0), i64(10), i64(9), i64(12)),
                fn("span_contains", NULL_INT, i64(10), i64(2), i64(5)),
                // null in, null out, even where "rs >= ls and ..." alone would be false
                fn("span_contains", i64(4), NULL_INT, i64(3), i64(1)),
                fn("not", fn("span_contains", i64(4), NULL_INT, i64(3), i64(1))),
                fn("span_overlaps", i64(4), NULL_INT, i64(0), i64(1))))
        .containsExactly(
            2024L,
            1969L,
            (int) LocalDate.of(2024, 3, 1).toEpochDay(),
            7L,
            true,
            false,
            false,
            true,
            null,
            null,
            null,
            null);
  }

  @Test
  void failedCastsAreNull() {
    assertThat(
            eval(
                "{\"cast\":" + str("12x") + ",\"to\":\"int32\"}",
                "{\"cast\":" + str(" 42 ") + ",\"to\":\"int32\"}",
                "{\"cast\":" + i32(300) + ",\"to\":\"int8\"}",
                "{\"cast\":" + lit(3.7, "float64") + ",\"to\":\"int32\"}",
                "{\"cast\":" + lit(-3.7, "float64") + ",\"to\":\"int32\"}",
                "{\"cast\":" + str("2024-01-31") + ",\"to\":\"date32\"}",
                "{\"cast\":" + lit(1.005, "float64") + ",\"to\":\"decimal(3,2)\"}",
                "{\"cast\":" + lit("123.45", "decimal(5,2)") + ",\"to\":\"decimal(3,1)\"}",
                "{\"cast\":" + lit("2024-01-31T12:00:00Z", "timestamp_us") + ",\"to\":\"string\"}",
                "{\"cast\":" + str("yes") + ",\"to\":\"boolean\"}",
                "{\"cast\":" + lit("2024-01-31T23:00:00Z", "timestamp_us") + ",\"to\":\"date32\"}"))
        .containsExactly(
            null,
            42L,
            null,
            3L,
            -3L,
            (int) LocalDate.of(2024, 1, 31).toEpochDay(),
            dec("1.01"),
            null,
            "2024-01-31 12:00:00",
            true,
            (int) LocalDate.of(2024, 1, 31).toEpochDay());
  }

  @Test
  void caseTakesTheFirstTrueBranchAndDefaultsToNull() {
    String kase =
        "{\"case\":[{\"when\":"
            + NULL_BOOL
            + ",\"then\":"
            + i32(1)
            + "},{\"when\":"
            + TRUE
            + ",\"then\":"
            + i64(2)
            + "},{\"when\":"
            + TRUE
            + ",\"then\":"
            + i64(3)
            + "}]}";
    String noMatch = "{\"case\":[{\"when\":" + FALSE + ",\"then\":" + i64(1) + "}]}";
    assertThat(eval(kase, noMatch)).containsExactly(2L, null);
  }

  @Test
  void stableHash64SkipsNullArguments() {
    List<Object> values =
        eval(
            fn("stable_hash64", str("Spark"), i32(2)),
            fn("stable_hash64", str("Spark"), NULL_INT, i32(2)),
            fn("stable_hash64", NULL_INT));
    assertThat(values.get(0)).isEqualTo(values.get(1));
    assertThat(values.get(2)).isEqualTo(42L);
  }
}
