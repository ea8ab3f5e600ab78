package io.relspec.spark.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.run.RunManifest;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.SparkTestSession;
import io.relspec.spark.datagen.AnalyticsGenerator;
import io.relspec.spark.datagen.CpgGenerator;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both example bundles on the generated data: every output row is accounted for. */
class GeneratedDataRunTest {
  @TempDir Path dir;

  private static SparkSession spark() {
    return SparkTestSession.spark();
  }

  @Test
  void exampleBundlesRunOnGeneratedDataAndAccountForEveryRow() {
    Path data = dir.resolve("data");
    CpgGenerator.write(spark(), 2000, 42, data.resolve("cpg"));
    AnalyticsGenerator.write(spark(), 2000, 42, data.resolve("analytics"));
    for (String example : List.of("cpg.json", "analytics.json")) {
      ValidatedBundle bundle = BundleValidator.validate(Path.of("..", "examples", example));
      Path out = dir.resolve("out-" + example);
      RunManifest report =
          new SparkRunner(
                  spark(),
                  new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
              .run(bundle, data, out, Map.of());
      for (RunManifest.OutputReport output : report.outputs()) {
        assertThat(output.rowsIn())
            .as(example + " " + output.name())
            .isEqualTo(
                output.rowsOut() + output.quarantined() + output.dropped() + output.deduplicated());
        assertThat(spark().read().parquet(out.resolve(output.name()).toString()).count())
            .isEqualTo(output.rowsOut());
        assertThat(output.rowsOut()).as(example + " " + output.name()).isPositive();
      }
    }
  }
}
