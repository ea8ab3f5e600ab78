package io.relspec.spark.delegation;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.run.RunOutputs;
import io.relspec.spark.run.SparkRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lane parity: both example bundles give the same outputs (as multisets, and in order where the
 * output's ordering is explicit), signatures and counts with every rule delegated as on vanilla
 * Spark, and the delegated ops really ran on DataFusion inside the tasks.
 */
class DelegationParityTest {
  static final Path EXAMPLES = Path.of("..", "examples");
  static final Path DATA = EXAMPLES.resolve("data");

  static SparkSession spark;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkRunner.localSession("local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpg", "analytics"})
  void delegatedRunEqualsVanillaSpark(String name) {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve(name + ".json"));
    RunManifest vanilla =
        new SparkRunner(spark, quiet()).run(bundle, DATA, tmp.resolve("vanilla"), Map.of());
    PartitionDelegate delegate =
        new PartitionDelegate(spark, DelegationPolicy.ALL, RuntimeProfile.DEFAULT);
    RunManifest delegated =
        new SparkRunner(spark, quiet())
            .delegate(delegate)
            .run(bundle, DATA, tmp.resolve("delegated"), Map.of(), RuntimeProfile.DEFAULT);

    assertThat(delegated.engine()).isEqualTo("spark");
    assertSameOutputs(bundle, vanilla, tmp.resolve("vanilla"), delegated, tmp.resolve("delegated"));
    // The delegated path ran: every rule with a partition-local op has delegated entries, and its
    // tasks sent Arrow batches to the engine.
    List<String> delegatedRules =
        delegated.outputs().stream()
            .flatMap(o -> o.rules().stream())
            .filter(r -> r.execution().stream().anyMatch(e -> e.op().equals("delegate")))
            .map(RunManifest.RuleReport::name)
            .toList();
    assertThat(delegatedRules).isNotEmpty();
    for (String rule : delegatedRules) {
      DelegationMetrics metrics = delegate.metrics(rule);
      assertThat(metrics.batchesIn()).as(rule).isPositive();
      assertThat(metrics.executions()).as(rule).isPositive();
      assertThat(metrics.rowsIn()).as(rule).isPositive();
    }
    assertThat(delegated.versions()).containsKey("delegation");
    assertThat(vanilla.outputs().stream().flatMap(o -> o.rules().stream()))
        .allSatisfy(r -> assertThat(r.execution()).isEmpty());
  }

  /**
   * Two runs of a bundle agree: the same signature and counts, and every output the same rows (none
   * empty), in the same order where the output's ordering is explicit.
   */
  static void assertSameOutputs(
      ValidatedBundle bundle,
      RunManifest vanilla,
      Path vanillaOut,
      RunManifest delegated,
      Path delegatedOut) {
    assertThat(delegated.bundleSignature()).isEqualTo(vanilla.bundleSignature());
    assertThat(RunOutputs.summary(delegated)).isEqualTo(RunOutputs.summary(vanilla));
    for (OutputPlan output : bundle.outputs()) {
      List<List<Object>> expected = readBack(vanillaOut, output.name(), output.schema());
      List<List<Object>> actual = readBack(delegatedOut, output.name(), output.schema());
      assertThat(actual).as(output.name()).isNotEmpty();
      assertThat(actual).as(output.name()).containsExactlyInAnyOrderElementsOf(expected);
      if (output.ordering().isExplicit()) {
        assertThat(actual).as(output.name() + " in order").containsExactlyElementsOf(expected);
      }
    }
  }

  static List<List<Object>> readBack(Path out, String name, RelSchema schema) {
    return RunOutputs.rows(out, name, schema);
  }
}
