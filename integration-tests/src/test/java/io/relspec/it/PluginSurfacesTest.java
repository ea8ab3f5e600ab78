package io.relspec.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.json.BundleReader;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.plugin.RelspecSparkPlugin;
import io.relspec.spark.run.SparkRunner;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginSurfacesTest {
  private final SparkSession spark = PluginSession.spark();

  @Test
  void relspecFunctionsAreCallableFromSqlAndAgreeWithSpark() {
    Row row =
        spark
            .sql(
                "SELECT stable_hash64('a', 1L, CAST(NULL AS INT)) AS h, xxhash64('a', 1L) AS x,"
                    + " span_contains(0, 10, 2, 5) AS c, span_contains(0, 10, 2, 11) AS nc,"
                    + " span_overlaps(0, 10, 10, 12) AS o, span_len(3, 10) AS l FROM range(1)")
            .collectAsList()
            .get(0);
    assertThat(row.getLong(0)).isEqualTo(row.getLong(1));
    assertThat(row.getBoolean(2)).isTrue();
    assertThat(row.getBoolean(3)).isFalse();
    assertThat(row.getBoolean(4)).isFalse();
    assertThat(row.getLong(5)).isEqualTo(7L);
  }

  @Test
  void relspecFunctionsCheckTheirArguments() {
    assertThatThrownBy(() -> spark.sql("SELECT span_len('a', 3)").collectAsList())
        .hasMessageContaining("span_len");
  }

  @Test
  void driverValidatesTheConfiguredBundleOnceAndExecutorsReceiveIt() {
    ValidatedBundle expected = BundleValidator.validate(PluginSession.CPG);
    assertThat(RelspecSparkPlugin.driverBundle())
        .get()
        .extracting(ValidatedBundle::signature)
        .isEqualTo(expected.signature());
    // local mode runs the executor plugin in this JVM: it received the bundle and re-checked its
    // signature
    assertThat(RelspecSparkPlugin.executorBundle())
        .get()
        .extracting(ValidatedBundle::signature)
        .isEqualTo(expected.signature());
  }

  @Test
  void irValuesShuffleThroughKryoWithRegistrationRequired() throws IOException {
    String json = Files.readString(PluginSession.CPG);
    List<RelPlan> expected = BundleValidator.validate(PluginSession.CPG).plans();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<RelPlan> shuffled =
        jsc.parallelize(List.of(0, 1, 2), 3)
            .map(
                i ->
                    BundleValidator.validate(
                            BundleReader.read(json, "cpg.json"), "cpg.json", Map.of())
                        .plans()
                        .get(i))
            .repartition(2)
            .collect();
    assertThat(shuffled).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void cpgExampleRunsEndToEndWithKryoRegistrationRequired(@TempDir Path out) throws IOException {
    assertThat(spark.conf().get("spark.kryo.registrationRequired")).isEqualTo("true");
    Path data = Path.of("..", "examples", "data").toAbsolutePath().normalize();
    RunManifest manifest =
        new SparkRunner(spark, new PrintStream(OutputStream.nullOutputStream()))
            .run(BundleValidator.validate(PluginSession.CPG), data, out, Map.of());
    assertThat(manifest.outputs()).hasSize(2);
    for (RunManifest.OutputReport output : manifest.outputs()) {
      assertThat(output.rowsOut()).as(output.name()).isPositive();
      assertThat(spark.read().parquet(out.resolve(output.name()).toString()).count())
          .as(output.name())
          .isEqualTo(output.rowsOut());
    }
  }
}
