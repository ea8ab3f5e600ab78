package io.relspec.spark.delegation;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.run.RunOutputs;
import io.relspec.spark.engine.SparkEngine;
import io.relspec.spark.run.SparkRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Delegation on engine spark-datafusion: Comet runs the Spark plan's operators it supports, the
 * partition-local ops (interval_align and dedupe after Spark co-partitions by their keys) run on
 * the standalone DataFusion engine in the tasks, and both example bundles give what vanilla Spark
 * gives. One session started with Comet's plugin, Comet switched off for the vanilla run.
 */
class CometDelegationParityTest {
  private static SparkSession spark;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkRunner.localSession("local[2]", SparkEngine.SPARK_DATAFUSION, 512L << 20);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static void engine(SparkEngine engine) {
    spark.conf().set("spark.comet.enabled", String.valueOf(engine == SparkEngine.SPARK_DATAFUSION));
    spark.conf().set(SparkEngine.CONF, engine.jsonName());
  }

  @Test
  void rangePartitionedAlignmentOnCometEqualsVanillaSpark() {
    Path data = tmp.resolve("data");
    IntervalAlignDelegationTest.writeInputs(spark, data);
    ValidatedBundle bundle = BundleValidator.validate(IntervalAlignDelegationTest.BUNDLE);
    String partitions = spark.conf().get("spark.sql.shuffle.partitions");
    spark.conf().set("spark.sql.shuffle.partitions", "8");
    RunManifest delegated;
    try {
      engine(SparkEngine.SPARK);
      new SparkRunner(spark, DelegationParityTest.quiet())
          .run(bundle, data, tmp.resolve("vanilla"), Map.of());
      engine(SparkEngine.SPARK_DATAFUSION);
      delegated =
          new SparkRunner(spark, DelegationParityTest.quiet())
              .delegate(new PartitionDelegate(spark, DelegationPolicy.ALL, RuntimeProfile.DEFAULT))
              .run(bundle, data, tmp.resolve("delegated"), Map.of(), RuntimeProfile.DEFAULT);
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", partitions);
    }
    // Comet's shuffle places the rows by the same range expression as Spark's would
    OutputPlan links = bundle.output("span_links").orElseThrow();
    RunManifest.OutputReport report =
        delegated.outputs().stream()
            .filter(o -> o.name().equals(links.name()))
            .findFirst()
            .orElseThrow();
    assertThat(report.rules().get(0).execution())
        .filteredOn(e -> e.op().equals("delegate"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.reason())
                    .startsWith("left and right co-partitioned by ranges of path=path"));
    List<List<Object>> expected =
        RunOutputs.rows(tmp.resolve("vanilla"), links.name(), links.schema());
    assertThat(RunOutputs.rows(tmp.resolve("delegated"), links.name(), links.schema()))
        .isNotEmpty()
        .containsExactlyElementsOf(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpg", "analytics"})
  void delegatedRunOnCometEqualsVanillaSpark(String name) {
    ValidatedBundle bundle =
        BundleValidator.validate(DelegationParityTest.EXAMPLES.resolve(name + ".json"));
    engine(SparkEngine.SPARK);
    RunManifest vanilla =
        new SparkRunner(spark, DelegationParityTest.quiet())
            .run(bundle, DelegationParityTest.DATA, tmp.resolve("vanilla"), Map.of());

    engine(SparkEngine.SPARK_DATAFUSION);
    PartitionDelegate delegate =
        new PartitionDelegate(spark, DelegationPolicy.ALL, RuntimeProfile.DEFAULT);
    RunManifest delegated =
        new SparkRunner(spark, DelegationParityTest.quiet())
            .delegate(delegate)
            .run(
                bundle,
                DelegationParityTest.DATA,
                tmp.resolve("delegated"),
                Map.of(),
                RuntimeProfile.DEFAULT);

    assertThat(delegated.engine()).isEqualTo("spark-datafusion");
    assertThat(delegated.versions()).containsKeys("comet", "delegation");
    DelegationParityTest.assertSameOutputs(
        bundle, vanilla, tmp.resolve("vanilla"), delegated, tmp.resolve("delegated"));
    List<RunManifest.RuleReport> rules =
        delegated.outputs().stream().flatMap(o -> o.rules().stream()).toList();
    List<RunManifest.RuleReport> withDelegation =
        rules.stream()
            .filter(r -> r.execution().stream().anyMatch(e -> e.op().equals("delegate")))
            .toList();
    assertThat(withDelegation).isNotEmpty();
    for (RunManifest.RuleReport rule : withDelegation) {
      assertThat(delegate.metrics(rule.name()).executions()).as(rule.name()).isPositive();
      assertThat(rule.execution())
          .as(rule.name())
          .anyMatch(e -> e.lane().equals(PartitionDelegate.LANE));
    }
    // Comet ran operators of the Spark plans around the delegated segments (scans, exchanges)
    assertThat(rules.stream().mapToInt(r -> r.acceleration().nativeOperators()).sum()).isPositive();
  }
}
