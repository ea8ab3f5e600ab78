package io.relspec.spark.delegation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.run.InputReader;
import io.relspec.spark.run.RuleDelegate;
import io.relspec.spark.run.SparkRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-partition delegation on a small rule (filter, then dedupe + derive + project after a
 * repartition by the dedupe key) over the analytics example's orders: explain, manifest, counters,
 * the policy and the error path.
 */
class DelegationBehaviourTest {
  static final Path DATA = DelegationParityTest.DATA;
  static final Path BUNDLE = Path.of("src", "test", "resources", "latest-orders.json");

  static SparkSession spark;
  static ValidatedBundle bundle;
  static RelPlan plan;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkRunner.localSession("local[2]");
    bundle = BundleValidator.validate(BUNDLE);
    plan = bundle.plans().get(0);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static DatasetResolver resolver() {
    return (dataset, where) ->
        InputReader.read(spark, bundle.bundle().dataset(dataset).orElseThrow(), DATA, where);
  }

  @Test
  void segmentsAreTheRowLocalRunsAndTheKeyedDedupe() {
    assertThat(Segment.split(plan.ops()))
        .containsExactly(new Segment(1, 3, List.of()), new Segment(3, 6, List.of("customer_id")));
    assertThat(Segment.split(plan.ops()).get(1).describe(plan.ops()))
        .isEqualTo("ops[3..5] dedupe, derive, project");
  }

  @Test
  void explainShowsRulePlanSignatureAndOpsAndRowsEqualSpark() {
    PartitionDelegate delegate =
        new PartitionDelegate(spark, DelegationPolicy.ALL, RuntimeProfile.DEFAULT);
    RuleDelegate.Delegated delegated =
        delegate.compile(bundle, plan, new PlanCompiler(resolver()), resolver()).orElseThrow();

    String analyzed = delegated.rows().queryExecution().analyzed().toString();
    String prefix = "relspec_delegated.latest_order.plan_" + plan.planSignature();
    // Spark's plans show the topmost delegated segment (the rows below it come through its RDD).
    assertThat(analyzed)
        .contains(prefix + ".ops_3_5_dedupe_derive_project")
        .contains("relspec.latest_order.plan_" + plan.planSignature());
    String explain = delegate.explain("latest_order");
    assertThat(explain)
        .contains(
            "== relspec delegated: rule latest_order plan "
                + plan.planSignature()
                + " ops[3..5] dedupe, derive, project (hash-partitioned by [customer_id] into 2"
                + " partitions, whole partitions)")
        .contains(
            "== relspec delegated: rule latest_order plan "
                + plan.planSignature()
                + " ops[1..2] filter, project (row-local)")
        .contains(prefix + ".ops_1_2_filter_project")
        // the dedupe on the reference lane inside the task (the engine's default), the rest native
        .contains(
            "runs 3 out of 4 ops natively; cannot run: [ops[1] (dedupe): runs on the reference"
                + " lane's hash-based dedupe by choice")
        .contains("runs 3 out of 3 ops natively");
    // The physical plan's scan of the delegated rows is named after the segment.
    assertThat(delegated.rows().queryExecution().executedPlan().toString())
        .contains(
            "Scan ExistingRDD relspec delegated rule latest_order plan "
                + plan.planSignature()
                + " ops[3..5] dedupe, derive, project");
    assertThat(delegated.rows().queryExecution().toRdd().toDebugString())
        .contains("relspec delegated rule latest_order plan " + plan.planSignature())
        .contains("ops[3..5] dedupe, derive, project")
        .contains("ops[1..2] filter, project")
        .contains("ShuffledRowRDD");
    // Nothing ran yet.
    assertThat(delegate.metrics("latest_order").batchesIn()).isZero();

    List<Row> onSpark = new PlanCompiler(resolver()).compile(plan).collectAsList();
    List<Row> withDelegation = delegated.rows().collectAsList();
    assertThat(withDelegation).isNotEmpty().containsExactlyInAnyOrderElementsOf(onSpark);

    DelegationMetrics metrics = delegate.metrics("latest_order");
    assertThat(metrics.batchesIn()).isPositive();
    // The row-local segment runs fully natively; the dedupe segment's executions mix native plans
    // with the reference lane's dedupe (the standalone engine's default).
    assertThat(metrics.nativeExecutions()).isPositive().isLessThan(metrics.executions());
    assertThat(metrics.rowsOut()).isGreaterThanOrEqualTo(withDelegation.size());

    List<RunManifest.OpExecution> execution = delegated.execution().get();
    assertThat(execution)
        .extracting(
            RunManifest.OpExecution::path,
            RunManifest.OpExecution::op,
            RunManifest.OpExecution::lane)
        .contains(
            org.assertj.core.groups.Tuple.tuple("ops[1]", "filter", PartitionDelegate.LANE),
            org.assertj.core.groups.Tuple.tuple("ops[2]", "project", PartitionDelegate.LANE),
            org.assertj.core.groups.Tuple.tuple(
                "ops[3]", "dedupe", PartitionDelegate.FALLBACK_LANE),
            org.assertj.core.groups.Tuple.tuple("ops[4]", "derive", PartitionDelegate.LANE),
            org.assertj.core.groups.Tuple.tuple("ops[5]", "project", PartitionDelegate.LANE));
    assertThat(execution)
        .filteredOn(e -> e.mode().equals("fallback"))
        .extracting(RunManifest.OpExecution::op)
        .containsExactly("dedupe");
    assertThat(execution)
        .filteredOn(e -> e.op().equals("delegate"))
        .extracting(RunManifest.OpExecution::path)
        .containsExactly("ops[1..2]", "ops[3..5]");
  }

  @Test
  void onlyTheNamedRulesAreDelegated() {
    PartitionDelegate other =
        new PartitionDelegate(
            spark, new DelegationPolicy(false, Set.of("another_rule")), RuntimeProfile.DEFAULT);
    assertThat(other.compile(bundle, plan, new PlanCompiler(resolver()), resolver())).isEmpty();
    assertThat(DelegationPolicy.parse("none").none()).isTrue();
    assertThat(DelegationPolicy.parse("").none()).isTrue();
    assertThat(DelegationPolicy.parse("all").applies("x")).isTrue();
    DelegationPolicy named = DelegationPolicy.parse(" a, b ");
    assertThat(named.rules()).containsExactlyInAnyOrder("a", "b");
    assertThat(named.applies("c")).isFalse();
  }

  @Test
  void checkRefusesUnknownRulesOnEitherSparkEngine() {
    PartitionDelegate unknown =
        new PartitionDelegate(
            spark, new DelegationPolicy(false, Set.of("no_such_rule")), RuntimeProfile.DEFAULT);
    assertThatThrownBy(() -> unknown.check(bundle, "spark"))
        .isInstanceOf(RelspecException.class)
        .hasMessage(
            "Cannot delegate rules [no_such_rule] to DataFusion: the bundle has no such rules; its"
                + " rules are [latest_order]. Use one of those names, or all.");
    assertThatThrownBy(() -> unknown.check(bundle, "spark-datafusion"))
        .isInstanceOf(RelspecException.class)
        .hasMessageStartingWith("Cannot delegate rules [no_such_rule] to DataFusion");
    // both Spark engines run delegated segments (CometDelegationParityTest runs spark-datafusion)
    PartitionDelegate all =
        new PartitionDelegate(spark, DelegationPolicy.ALL, RuntimeProfile.DEFAULT);
    all.check(bundle, "spark");
    all.check(bundle, "spark-datafusion");
  }

  @Test
  void aDelegatedOpFailingNativelyNamesRuleAndOpsAndCommitsNothing() throws IOException {
    Path out = tmp.resolve("out");
    new SparkRunner(spark, DelegationParityTest.quiet()).run(bundle, DATA, out, Map.of());
    byte[] manifestBefore = Files.readAllBytes(out.resolve(RunManifest.FILE_NAME));
    List<Path> before = listing(out);
    // 1 KiB for each native plan: the filter needs no pool memory, the dedupe's sort does.
    RuntimeProfile tiny =
        new RuntimeProfile(0, 64, Optional.empty(), MemoryPool.GREEDY, Optional.of(1024L));

    assertThatThrownBy(
            () ->
                new SparkRunner(spark, DelegationParityTest.quiet())
                    .delegate(new PartitionDelegate(spark, DelegationPolicy.ALL, tiny))
                    .run(bundle, DATA, out, Map.of(), tiny))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES))
        .hasMessageStartingWith(
            "Cannot run delegated ops[3..5] dedupe, derive, project of rule 'latest_order' (plan "
                + plan.planSignature().substring(0, 12)
                + ") on DataFusion in partition ")
        .hasMessageContaining("Nothing was written.");
    assertThat(Files.readAllBytes(out.resolve(RunManifest.FILE_NAME))).isEqualTo(manifestBefore);
    assertThat(listing(out)).isEqualTo(before);
  }

  private static List<Path> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.map(dir::relativize).sorted().toList();
    }
  }
}
