package io.relspec.spark.gen;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.SparkTestSession;
import io.relspec.spark.run.RunReport;
import io.relspec.spark.run.SparkRunner;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generators are deterministic by seed and feed the example bundles. */
class ExampleDataTest {
  @TempDir Path dir;

  private static SparkSession spark() {
    return SparkTestSession.spark();
  }

  private static Dataset<Row> read(Path path) {
    return spark().read().parquet(path.toString());
  }

  @Test
  void sameSeedSameRowsOtherSeedOtherRows() {
    ExampleData.cpg(spark(), dir.resolve("a"), 500, 7);
    ExampleData.cpg(spark(), dir.resolve("b"), 500, 7);
    ExampleData.cpg(spark(), dir.resolve("c"), 500, 8);
    for (String table : List.of("files", "name_refs", "call_sites", "symbol_occurrences")) {
      Dataset<Row> a = read(dir.resolve("a/cpg/" + table));
      Dataset<Row> b = read(dir.resolve("b/cpg/" + table));
      assertThat(a.exceptAll(b).count()).as(table).isZero();
      assertThat(b.exceptAll(a).count()).as(table).isZero();
    }
    Dataset<Row> other = read(dir.resolve("c/cpg/name_refs"));
    assertThat(other.exceptAll(read(dir.resolve("a/cpg/name_refs"))).count()).isPositive();
    Dataset<Row> calls = read(dir.resolve("a/cpg/call_sites"));
    assertThat(calls.count()).isEqualTo(250);
    assertThat(calls.filter(functions.col("callees").isNull()).count()).isPositive();
    assertThat(calls.filter(functions.size(functions.col("callees")).equalTo(0)).count())
        .isPositive();
  }

  @Test
  void exampleBundlesRunOnGeneratedDataAndAccountForEveryRow() {
    Path data = dir.resolve("data");
    ExampleData.cpg(spark(), data, 2000, 42);
    ExampleData.analytics(spark(), data, 2000, 42);
    for (String example : List.of("cpg.json", "analytics.json")) {
      ValidatedBundle bundle = BundleValidator.validate(Path.of("..", "examples", example));
      RunReport report =
          new SparkRunner(
                  spark(),
                  new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
              .run(bundle, data, dir.resolve("out-" + example), Map.of());
      for (RunReport.OutputReport output : report.outputs()) {
        assertThat(output.rowsIn())
            .as(example + " " + output.name())
            .isEqualTo(
                output.rowsOut() + output.quarantined() + output.dropped() + output.deduplicated());
        assertThat(read(dir.resolve("out-" + example).resolve(output.name())).count())
            .isEqualTo(output.rowsOut());
      }
      assertThat(report.outputs()).allSatisfy(o -> assertThat(o.rowsIn()).isPositive());
    }
  }
}
