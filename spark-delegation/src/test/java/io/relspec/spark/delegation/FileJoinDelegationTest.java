package io.relspec.spark.delegation;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.run.InputReader;
import io.relspec.spark.run.SparkRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rule that starts with an inner or semi join of two Parquet inputs stored clustered by the join
 * key runs that join in one Spark task per key range, the engine reading the files itself (no Spark
 * rows in); outputs, order and signatures equal vanilla Spark's. A join by a key the files are not
 * clustered by stays on Spark.
 */
class FileJoinDelegationTest {
  static final Path BUNDLE = Path.of("src", "test", "resources", "clustered-join.json");

  static SparkSession spark;
  @TempDir static Path data;
  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    // local[2]: 2 key ranges, one per core
    spark = SparkRunner.localSession("local[2]");
    // orders 1..3000 in 3 files, items (two per order, every 97th without one) in 6, each
    // written in order_id order as a table sorted by its key is
    spark
        .range(3000)
        .select(
            col("id").plus(1).as("order_id"),
            when(col("id").mod(50).equalTo(0), lit(null))
                .otherwise(col("id").multiply(7919).mod(500).plus(1))
                .as("customer_id"),
            when(col("id").mod(4).equalTo(0), lit("shipped"))
                .when(col("id").mod(4).equalTo(1), lit("delivered"))
                .when(col("id").mod(4).equalTo(2), lit("pending"))
                .otherwise(lit(null))
                .as("status"))
        .repartitionByRange(3, col("order_id"))
        .sortWithinPartitions("order_id")
        .write()
        .parquet(data.resolve("orders").toString());
    spark
        .range(6000)
        .select(
            when(col("id").mod(97).equalTo(0), lit(null))
                .otherwise(col("id").divide(2).cast("long").plus(1))
                .as("order_id"),
            org.apache.spark.sql.functions.format_string("SKU-%03d", col("id").mod(7)).as("sku"),
            col("id").mod(10).plus(1).cast("int").as("qty"))
        .repartitionByRange(6, col("order_id"))
        .sortWithinPartitions("order_id")
        .write()
        .parquet(data.resolve("order_items").toString());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void clusteredJoinsRunPerKeyRangeOnFilesAndEqualVanillaSpark() {
    ValidatedBundle bundle = BundleValidator.validate(BUNDLE);
    RunManifest vanilla =
        new SparkRunner(spark, DelegationParityTest.quiet())
            .run(bundle, data, tmp.resolve("vanilla"), Map.of());
    PartitionDelegate delegate =
        new PartitionDelegate(spark, DelegationPolicy.ALL, RuntimeProfile.DEFAULT);
    RunManifest delegated =
        new SparkRunner(spark, DelegationParityTest.quiet())
            .delegate(delegate)
            .run(bundle, data, tmp.resolve("delegated"), Map.of(), RuntimeProfile.DEFAULT);

    // every output has a canonical sort: the rows compare in order
    assertThat(bundle.outputs()).allSatisfy(o -> assertThat(o.ordering().isExplicit()).isTrue());
    DelegationParityTest.assertSameOutputs(
        bundle, vanilla, tmp.resolve("vanilla"), delegated, tmp.resolve("delegated"));

    RunManifest.RuleReport statusUnits =
        IntervalAlignDelegationTest.rule(delegated, "status_units");
    assertThat(statusUnits.execution())
        .extracting(
            RunManifest.OpExecution::path,
            RunManifest.OpExecution::op,
            RunManifest.OpExecution::lane)
        .containsExactly(
            tuple("ops[0..2]", "delegate", "spark->" + PartitionDelegate.LANE),
            tuple("ops[0]", "scan", PartitionDelegate.LANE),
            tuple("ops[1]", "filter", PartitionDelegate.LANE),
            tuple("ops[2]", "join", PartitionDelegate.LANE),
            tuple("ops[2].right.ops[0]", "scan", PartitionDelegate.LANE),
            tuple("ops[2].right.ops[1]", "project", PartitionDelegate.LANE));
    assertThat(statusUnits.execution().get(0).reason())
        .startsWith("order_items and orders split into 2 ranges of the join key [(-inf, ")
        .contains("(order_items.order_id = orders.order_id)")
        .contains("one Spark task per range")
        .contains("no Spark rows in");
    DelegationMetrics metrics = delegate.metrics("status_units");
    assertThat(metrics.executions()).isEqualTo(2);
    assertThat(metrics.nativeExecutions()).isEqualTo(2);
    assertThat(metrics.rowsIn()).isZero();
    // every item with an order but those of SKU-003 joined
    long joined =
        spark
            .read()
            .parquet(data.resolve("order_items").toString())
            .where("order_id is not null and sku != 'SKU-003'")
            .count();
    assertThat(metrics.rowsOut()).isEqualTo(joined);
    assertThat(delegate.explain("status_units"))
        .contains("ranges of the join key")
        .contains("Spark rows in: none");

    // the semi join too; the filter after it is a delegated segment of its own over Spark rows
    RunManifest.RuleReport shipped = IntervalAlignDelegationTest.rule(delegated, "shipped_items");
    assertThat(shipped.execution())
        .extracting(RunManifest.OpExecution::path, RunManifest.OpExecution::op)
        .startsWith(
            tuple("ops[0..1]", "delegate"), tuple("ops[0]", "scan"), tuple("ops[1]", "join"))
        .contains(tuple("ops[2]", "filter"));
    assertThat(delegate.metrics("shipped_items").executions()).isGreaterThanOrEqualTo(3);

    // customer_id is spread over every orders file: the join stays on Spark, nothing delegated
    assertThat(IntervalAlignDelegationTest.rule(delegated, "customer_units").execution())
        .extracting(RunManifest.OpExecution::op)
        .doesNotContain("delegate");
  }

  @Test
  void aColumnDeclaredNonNullButStoredOptionalKeepsTheJoinOnSpark(@TempDir Path optional)
      throws Exception {
    // the same orders with order_id stored OPTIONAL (Parquet may hold nulls there): Spark checks
    // the declared non-null column for nulls as it reads it, the engine would not, so Spark reads
    spark
        .read()
        .parquet(data.resolve("orders").toString())
        .select(
            when(col("order_id").isNull(), lit(null)).otherwise(col("order_id")).as("order_id"),
            col("customer_id"),
            col("status"))
        .write()
        .parquet(optional.resolve("orders").toString());
    org.apache.commons.io.FileUtils.copyDirectory(
        data.resolve("order_items").toFile(), optional.resolve("order_items").toFile());
    ValidatedBundle bundle = BundleValidator.validate(BUNDLE);
    RunManifest delegated =
        new SparkRunner(spark, DelegationParityTest.quiet())
            .delegate(new PartitionDelegate(spark, DelegationPolicy.ALL, RuntimeProfile.DEFAULT))
            .run(bundle, optional, tmp.resolve("delegated"), Map.of(), RuntimeProfile.DEFAULT);
    // only the filter before the join is delegated, over Spark rows
    assertThat(IntervalAlignDelegationTest.rule(delegated, "status_units").execution())
        .extracting(RunManifest.OpExecution::path, RunManifest.OpExecution::op)
        .containsExactly(tuple("ops[1..1]", "delegate"), tuple("ops[1]", "filter"));
  }

  @Test
  void filesThatNoLongerReadNativelyFailTheTaskNamingTheDataset(@TempDir Path changing)
      throws Exception {
    for (String name : List.of("orders", "order_items")) {
      org.apache.commons.io.FileUtils.copyDirectory(
          data.resolve(name).toFile(), changing.resolve(name).toFile());
    }
    ValidatedBundle bundle = BundleValidator.validate(BUNDLE);
    RelPlan plan = bundle.plan("status_units").orElseThrow();
    DatasetResolver resolver =
        (dataset, where) ->
            InputReader.read(
                spark, bundle.bundle().dataset(dataset).orElseThrow(), changing, where);
    Dataset<Row> rows =
        new PartitionDelegate(spark, DelegationPolicy.ALL, RuntimeProfile.DEFAULT)
            .compile(bundle, plan, new PlanCompiler(resolver), resolver)
            .orElseThrow()
            .rows();
    // after compiling, the orders are rewritten without their status column: NativeScan cannot
    // read them as declared any more
    org.apache.commons.io.FileUtils.deleteDirectory(changing.resolve("orders").toFile());
    spark
        .read()
        .parquet(data.resolve("orders").toString())
        .drop("status")
        .write()
        .parquet(changing.resolve("orders").toString());
    assertThatThrownBy(rows::collectAsList)
        .hasMessageContaining("Cannot run delegated ops[0..2] scan, filter, join of rule")
        .hasMessageContaining(
            "the files of dataset 'orders' under "
                + changing.resolve("orders")
                + " cannot be read natively any more")
        .hasMessageContaining("Nothing was written");
  }
}
