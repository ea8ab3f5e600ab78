package io.relspec.spark.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.spark.SparkTestSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class IntegralKeyCountTest {
  private static Dataset<Row> keys(List<Long> values, int partitions) {
    SparkSession spark = SparkTestSession.spark();
    List<Row> rows = new ArrayList<>();
    values.forEach(value -> rows.add(RowFactory.create(value)));
    return spark
        .createDataFrame(rows, new StructType().add("k", DataTypes.LongType, true))
        .repartition(partitions);
  }

  /** The keys seen more than once, with their counts, as a plain map count gives them. */
  private static Map<Long, Long> expected(List<Long> values) {
    Map<Long, Long> counts = new HashMap<>();
    values.forEach(value -> counts.merge(value, 1L, Long::sum));
    counts.values().removeIf(count -> count < 2);
    return counts;
  }

  private static Map<Long, Long> found(IntegralKeyCount counted) {
    Map<Long, Long> found = new HashMap<>();
    for (Row row : counted.rows()) {
      assertThat(found.put(row.isNullAt(0) ? null : row.getLong(0), row.getLong(1)))
          .as("each duplicate key once")
          .isNull();
    }
    return found;
  }

  /**
   * Random keys (negative, extreme, runs of one key, nulls) over 1 to 7 partitions: the count and
   * the duplicates are those a map count gives.
   */
  @Test
  void findsTheKeysAMapCountFinds() {
    SplittableRandom random = new SplittableRandom(20261208L);
    for (int trial = 0; trial < 6; trial++) {
      List<Long> values = new ArrayList<>();
      int size = 1 + random.nextInt(5_000);
      long range = 1L + random.nextInt(3 * size);
      for (int i = 0; i < size; i++) {
        int kind = random.nextInt(50);
        values.add(
            kind == 0
                ? null
                : kind == 1
                    ? Long.MIN_VALUE
                    : kind == 2 ? Long.MAX_VALUE : random.nextLong(range) - range / 2);
      }
      Map<Long, Long> expected = expected(values);
      IntegralKeyCount counted = IntegralKeyCount.of(keys(values, 1 + random.nextInt(7)));
      assertThat(counted.count()).as("trial %d", trial).isEqualTo(expected.size());
      assertThat(found(counted)).as("trial %d", trial).isEqualTo(expected);
    }
  }

  @Test
  void uniqueKeysHaveNoDuplicates() {
    List<Long> values = new ArrayList<>();
    for (long i = 0; i < 20_000; i++) {
      values.add(i * 1_000_003L);
    }
    values.add(null);
    IntegralKeyCount counted = IntegralKeyCount.of(keys(values, 4));
    assertThat(counted.count()).isZero();
    assertThat(counted.rows()).isEmpty();
    assertThat(IntegralKeyCount.of(keys(List.of(), 2)).count()).as("no rows").isZero();
  }

  @Test
  void narrowKeysComeBackInTheirOwnType() {
    SparkSession spark = SparkTestSession.spark();
    Dataset<Row> shorts =
        spark.createDataFrame(
            List.of(
                RowFactory.create((short) -7),
                RowFactory.create((short) -7),
                RowFactory.create((short) 300)),
            new StructType().add("k", DataTypes.ShortType, false));
    IntegralKeyCount counted = IntegralKeyCount.of(shorts);
    assertThat(counted.count()).isEqualTo(1);
    assertThat(counted.rows()).containsExactly(RowFactory.create((short) -7, 2L));
    assertThatThrownBy(() -> IntegralKeyCount.of(shorts.selectExpr("cast(k as string) k")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not one integral column");
  }
}
