package io.relspec.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.validate.BundleValidator;
import io.relspec.spark.run.SparkRunner;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relspec(...) table function from spark.sql, against the runner's written outputs. */
class TableFunctionTest {
  private static final Path DATA = Path.of("..", "examples", "data").toAbsolutePath().normalize();

  private final SparkSession spark = PluginSession.spark(false);

  @TempDir Path out;

  private List<Row> sql(String name) {
    return spark
        .sql("SELECT * FROM relspec('" + PluginSession.CPG + "', '" + name + "', '" + DATA + "')")
        .collectAsList();
  }

  @Test
  void outputRowsFromSqlEqualTheRunnersWrittenOutput() {
    new SparkRunner(spark, new PrintStream(OutputStream.nullOutputStream()))
        .run(BundleValidator.validate(PluginSession.CPG), DATA, out, Map.of());
    for (String output : List.of("symbol_links", "file_link_counts")) {
      List<Row> written = spark.read().parquet(out.resolve(output).toString()).collectAsList();
      List<Row> fromSql = sql(output);
      assertThat(fromSql).as(output).isNotEmpty().containsExactlyInAnyOrderElementsOf(written);
    }
  }

  @Test
  void aRuleGivesItsRowsBeforeTheContract() {
    List<Row> rows = sql("ref_symbols");
    assertThat(rows).hasSize(400);
    assertThat(rows.get(0).schema().fieldNames())
        .containsExactly(
            "link_id", "path", "bstart", "bend", "symbol", "source", "match_kind", "score");
  }

  @Test
  void explainExtendedShowsEachRulesPlanSignature() {
    var bundle = BundleValidator.validate(PluginSession.CPG);
    String plan =
        spark
            .sql(
                "EXPLAIN EXTENDED SELECT * FROM relspec('"
                    + PluginSession.CPG
                    + "', 'symbol_links', '"
                    + DATA
                    + "')")
            .collectAsList()
            .get(0)
            .getString(0);
    String analyzed =
        plan.substring(
            plan.indexOf("== Analyzed Logical Plan =="),
            plan.indexOf("== Optimized Logical Plan =="));
    for (String rule : List.of("ref_symbols", "call_symbols")) {
      String signature = bundle.plan(rule).orElseThrow().planSignature();
      assertThat(analyzed).contains("SubqueryAlias relspec." + rule + ".plan_" + signature);
    }
    assertThat(plan.substring(plan.indexOf("== Optimized Logical Plan ==")))
        .doesNotContain("SubqueryAlias relspec.");
  }

  @Test
  void unknownNamesAreClearErrors() {
    assertThatThrownBy(() -> sql("nope"))
        .hasMessageContaining("'nope' is neither an output, a rule nor a dataset of bundle")
        .hasMessageContaining("Outputs: [symbol_links, file_link_counts]");
  }
}
