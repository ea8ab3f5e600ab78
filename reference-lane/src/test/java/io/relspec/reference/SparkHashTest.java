package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.type.DataType;
import io.relspec.ir.type.TypeParser;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** stable_hash64 = Spark's xxhash64 with seed 42 and Spark's per-type encoding. */
class SparkHashTest {
  private static List<DataType> types(String... types) {
    return Arrays.stream(types).map(TypeParser::of).toList();
  }

  @Test
  void matchesTheExampleInSparksFunctionDocumentation() {
    // Spark SQL reference: SELECT xxhash64('Spark', array(123), 2) -> 5602566077635097486
    long hash =
        SparkHash.hash(
            Arrays.asList("Spark", List.of(123L), 2L), types("string", "list<int32>", "int32"));
    assertThat(hash).isEqualTo(5602566077635097486L);
  }

  @Test
  void nullArgumentsAreSkippedAndNarrowIntsHashAsInt() {
    long withNull = SparkHash.hash(Arrays.asList("a", null, 7L), types("string", "int64", "int32"));
    long withoutNull = SparkHash.hash(Arrays.asList("a", 7L), types("string", "int32"));
    assertThat(withNull).isEqualTo(withoutNull);
    assertThat(SparkHash.hash(List.of(7L), types("int8")))
        .isEqualTo(SparkHash.hash(List.of(7L), types("int32")))
        .isNotEqualTo(SparkHash.hash(List.of(7L), types("int64")));
    assertThat(SparkHash.hash(Arrays.asList((Object) null), types("string"))).isEqualTo(42L);
  }

  @Test
  void negativeZeroHashesAsZeroAndDecimalsByPrecision() {
    assertThat(SparkHash.hash(List.of(-0.0), types("float64")))
        .isEqualTo(SparkHash.hash(List.of(0.0), types("float64")));
    assertThat(SparkHash.hash(List.of(new BigDecimal("1.50")), types("decimal(10,2)")))
        .isEqualTo(SparkHash.hashLong(150L, 42L));
    assertThat(SparkHash.hash(List.of(new BigDecimal("1.50")), types("decimal(20,2)")))
        .isEqualTo(SparkHash.hashBytes(new byte[] {0, (byte) 150}, 42L));
  }

  @Test
  void longStringsUseTheFourLaneLoop() {
    String text = "the quick brown fox jumps over the lazy dog, twice over";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    assertThat(bytes.length).isGreaterThan(32);
    assertThat(SparkHash.hash(List.of(text), types("string")))
        .isEqualTo(SparkHash.hashBytes(bytes, 42L))
        .isNotEqualTo(SparkHash.hashBytes(Arrays.copyOf(bytes, bytes.length - 1), 42L));
  }
}
