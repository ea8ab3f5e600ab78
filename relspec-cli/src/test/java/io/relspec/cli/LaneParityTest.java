package io.relspec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ReferenceExecutor;
import io.relspec.reference.run.ArrowLaneRunner;
import io.relspec.reference.run.RunOutputs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lane parity on the example bundles over {@code examples/data}: {@code relspec run --engine
 * datafusion} writes the same outputs (as multisets, and in order where the output's ordering is
 * explicit), the same accounting and the same signatures as {@code --engine spark} and as the
 * reference lane's runner.
 */
class LaneParityTest {
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final Path DATA = EXAMPLES.resolve("data");

  @TempDir Path tmp;

  private static RunManifest cli(String bundle, String engine, Path out) throws IOException {
    RelspecCommandTest.Result result =
        RelspecCommandTest.run(
            "run",
            EXAMPLES.resolve(bundle + ".json").toString(),
            "--data",
            DATA.toString(),
            "--out",
            out.toString(),
            "--engine",
            engine,
            "--master",
            "local[2]");
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains(" on " + engine + "; manifest ");
    return RunManifest.read(out.resolve(RunManifest.FILE_NAME));
  }

  private static List<List<Object>> readBack(Path out, String name, RelSchema schema) {
    return RunOutputs.rows(out, name, schema).stream().map(LaneParityTest::roundDoubles).toList();
  }

  /**
   * float64 values to 12 significant digits: a float sum or avg depends on the order rows are added
   * in, which differs between lanes (Spark's partitions, DataFusion's hash table, the reference
   * lane's hash map) in the last bits, e.g. 1120.71 vs 1120.7099999999998.
   */
  private static List<Object> roundDoubles(List<Object> row) {
    return row.stream()
        .map(
            v ->
                v instanceof Double d && Double.isFinite(d)
                    ? (Object)
                        new java.math.BigDecimal(d)
                            .round(new java.math.MathContext(12))
                            .doubleValue()
                    : v)
        .toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpg", "analytics"})
  void datafusionEqualsSparkAndTheReferenceLane(String name) throws IOException {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve(name + ".json"));
    RunManifest spark = cli(name, "spark", tmp.resolve("spark"));
    RunManifest datafusion = cli(name, "datafusion", tmp.resolve("datafusion"));
    Path referenceOut = tmp.resolve("reference");
    RuntimeProfile profile = RuntimeProfile.DEFAULT;
    RunManifest reference =
        new ArrowLaneRunner(
                new ReferenceExecutor(profile.batchSize(), Long.MAX_VALUE),
                profile,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
            .run(bundle, DATA, referenceOut, Map.of());

    assertThat(spark.engine()).isEqualTo("spark");
    assertThat(datafusion.engine()).isEqualTo("datafusion");
    for (RunManifest other : List.of(spark, reference)) {
      assertThat(datafusion.bundleSignature()).isEqualTo(other.bundleSignature());
      assertThat(RunOutputs.summary(datafusion)).isEqualTo(RunOutputs.summary(other));
    }
    for (OutputPlan output : bundle.outputs()) {
      List<List<Object>> fromSpark = readBack(tmp.resolve("spark"), output.name(), output.schema());
      List<List<Object>> fromReference = readBack(referenceOut, output.name(), output.schema());
      List<List<Object>> fromDataFusion =
          readBack(tmp.resolve("datafusion"), output.name(), output.schema());
      assertThat(fromDataFusion).as(output.name()).isNotEmpty();
      assertThat(fromDataFusion)
          .as(output.name() + " vs spark")
          .containsExactlyInAnyOrderElementsOf(fromSpark);
      if (output.ordering().isExplicit()) {
        assertThat(fromDataFusion)
            .as(output.name() + " in order vs spark")
            .containsExactlyElementsOf(fromSpark);
      }
      assertThat(fromDataFusion)
          .as(output.name() + " in order vs reference")
          .containsExactlyElementsOf(fromReference);
    }
  }
}
