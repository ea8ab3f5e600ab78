package io.relspec.spark.delegation;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.op.SortKey;
import io.relspec.spark.run.SparkRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shared range partitioning: real Spark shuffles each row to the partition of its key's range, in
 * the sort key's direction, nulls first or last; equal keys of two datasets meet.
 */
class RangeBucketsTest {
  static SparkSession spark;
  static Dataset<Row> keys;

  @BeforeAll
  static void start() {
    spark = SparkRunner.localSession("local[2]");
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      // shared prefixes and skew: "src/pkg/f" followed by 0..99, a fifth of the rows one key
      String key = i % 5 == 0 ? "src/pkg/f42" : i % 97 == 0 ? null : "src/pkg/f" + (i % 100);
      rows.add(RowFactory.create(key));
    }
    keys =
        spark.createDataFrame(rows, new StructType().add("k", DataTypes.StringType)).repartition(3);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** key -> the partitions it went to (nulls under ""). */
  private static Map<String, List<Integer>> placed(Dataset<Row> rows, RangeBuckets buckets, int n) {
    Column bucket = buckets.bucket(rows.col("k"));
    Map<String, List<Integer>> out = new TreeMap<>();
    for (Row row :
        rows.repartition(n, bucket)
            .select(rows.col("k"), functions.spark_partition_id())
            .distinct()
            .collectAsList()) {
      out.computeIfAbsent(row.isNullAt(0) ? "" : row.getString(0), k -> new ArrayList<>())
          .add(row.getInt(1));
    }
    return out;
  }

  private static RangeBuckets sampled(SortKey order, int n) {
    return RangeBuckets.sample(keys, order, n);
  }

  @Test
  void ascendingRangesFollowTheKeysWithNullsLast() {
    int n = 4;
    Map<String, List<Integer>> placed = placed(keys, sampled(SortKey.asc("k"), n), n);
    List<Integer> order = new ArrayList<>();
    placed.forEach(
        (key, partitions) -> {
          assertThat(partitions).as(key).hasSize(1);
          if (!key.isEmpty()) {
            order.add(partitions.get(0));
          }
        });
    // TreeMap order is String order, which is Spark's for these ASCII keys
    assertThat(order).isSorted();
    assertThat(placed.get("")).containsExactly(n - 1);
    // the sampled bounds spread the keys over more than one partition
    assertThat(order.stream().distinct().count()).isGreaterThan(1);
  }

  @Test
  void descendingRangesWithNullsFirstAndAnotherDatasetMeetsTheSameKeys() {
    int n = 5;
    SortKey order = new SortKey("k", SortKey.Direction.DESC, SortKey.NullOrder.FIRST);
    RangeBuckets buckets = sampled(order, n);
    Map<String, List<Integer>> placed = placed(keys, buckets, n);
    List<Integer> partitions = new ArrayList<>();
    placed.forEach(
        (key, where) -> {
          if (!key.isEmpty()) {
            partitions.add(where.get(0));
          }
        });
    assertThat(partitions).isSortedAccordingTo((a, b) -> Integer.compare(b, a));
    assertThat(placed.get("")).containsExactly(0);
    // another dataset's keys, partitioned with the same buckets, land where the sampled ones did
    Dataset<Row> other =
        spark.createDataFrame(
            List.of(RowFactory.create("src/pkg/f7"), RowFactory.create("src/pkg/f42")),
            new StructType().add("k", DataTypes.StringType));
    Map<String, List<Integer>> otherPlaced = placed(other, buckets, n);
    assertThat(otherPlaced.get("src/pkg/f7")).isEqualTo(placed.get("src/pkg/f7"));
    assertThat(otherPlaced.get("src/pkg/f42")).isEqualTo(placed.get("src/pkg/f42"));
  }

  @Test
  void noBoundsPutsEveryKeyInOnePartition() {
    RangeBuckets none = RangeBuckets.of(List.of(), DataTypes.StringType, SortKey.asc("k"), 3);
    assertThat(none.ranges()).isEqualTo(1);
    Map<String, List<Integer>> placed = placed(keys, none, 3);
    placed.forEach(
        (key, where) -> assertThat(where).as(key).containsExactly(key.isEmpty() ? 2 : 0));
  }

  @Test
  void everyPartitionHasAnIntThatSparkHashesToIt() {
    for (int n = 1; n <= 64; n++) {
      int[] preimages = RangeBuckets.preimages(n);
      assertThat(preimages).hasSize(n).doesNotHaveDuplicates();
    }
  }
}
