package io.relspec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.diagnostics.PlanOptimizer;
import io.relspec.ir.diagnostics.RelCompiler;
import io.relspec.ir.diagnostics.SqlDialectName;
import io.relspec.ir.diagnostics.SqlRenderer;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.compile.SparkTypes;
import io.relspec.spark.run.SparkRunner;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.calcite.rel.RelNode;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Spark-dialect SQL that {@code relspec sql} renders for every output of the examples (rules
 * and contract finalization), run by Spark SQL over the example data registered as temp views,
 * gives the same rows as the relspec Spark lane writes for the same bundle and data. cpg.json's
 * explode is rendered as {@code LATERAL VIEW posexplode}; {@link #explodeSemanticsMatchTheSpec}
 * covers null, empty and null-element lists with and without {@code outer}.
 */
class SparkDialectSqlOnSparkTest {
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static SparkSession spark;

  @TempDir static Path tmp;

  @BeforeAll
  static void session() {
    spark = SparkRunner.localSession("local[2]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"analytics.json", "cpg.json"})
  void renderedSqlGivesTheSparkLanesRows(String example) {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve(example));
    Path data = EXAMPLES.resolve("data");
    Path out = tmp.resolve(example);
    assertRenderedSqlGivesTheLanesRows(bundle, data, out);
  }

  /**
   * explode per docs/format.md: one row per element with a 0-based position; a null or empty list
   * gives no row, or with {@code outer} one row with a null element and a null position; a null
   * element is a row.
   */
  @Test
  void explodeSemanticsMatchTheSpec() throws IOException {
    Path data = tmp.resolve("lists-data");
    spark
        .createDataFrame(
            List.of(
                RowFactory.create(1L, List.of("a", "b")),
                RowFactory.create(2L, List.of()),
                RowFactory.create(3L, null),
                RowFactory.create(4L, Arrays.asList(null, "c"))),
            new StructType()
                .add("id", DataTypes.LongType, false)
                .add("xs", DataTypes.createArrayType(DataTypes.StringType, true), true))
        .coalesce(1)
        .write()
        .parquet(data.resolve("lists").toString());
    Path file = tmp.resolve("lists.json");
    Files.writeString(file, LISTS_BUNDLE);
    ValidatedBundle bundle = BundleValidator.validate(file);
    Path out = tmp.resolve("lists-out");
    assertRenderedSqlGivesTheLanesRows(bundle, data, out);

    String sql = SqlRenderer.render(compile(bundle, "inner_pos"), SqlDialectName.SPARK);
    assertThat(sql).contains("LATERAL VIEW POSEXPLODE(").doesNotContain("UNNEST");
    assertThat(rows(spark.sql(sql))).containsExactly("[1,a,0]", "[1,b,1]", "[4,c,1]", "[4,null,0]");
    String outer = SqlRenderer.render(compile(bundle, "outer_pos"), SqlDialectName.SPARK);
    assertThat(outer).contains("LATERAL VIEW OUTER POSEXPLODE(");
    assertThat(rows(spark.sql(outer)))
        .containsExactly(
            "[1,a,0]", "[1,b,1]", "[2,null,null]", "[3,null,null]", "[4,c,1]", "[4,null,0]");
    // outer_plain's contract keys on id: every row of ids 1 and 4 is a duplicate_key.
    String plain = SqlRenderer.render(compile(bundle, "outer_plain"), SqlDialectName.SPARK);
    assertThat(plain).contains("LATERAL VIEW OUTER EXPLODE(");
    assertThat(rows(spark.sql(plain))).containsExactly("[2,null]", "[3,null]");
    assertThat(
            rows(
                spark
                    .read()
                    .parquet(out.resolve("outer_plain__errors").toString())
                    .select("id", "x")))
        .containsExactly("[1,a]", "[1,b]", "[4,c]", "[4,null]");
    OutputPlan keyed = bundle.output("outer_plain").orElseThrow();
    String check =
        SqlRenderer.render(
            new RelCompiler(bundle).duplicateKeys(keyed).orElseThrow(), SqlDialectName.SPARK);
    assertThat(rows(spark.sql(check))).containsExactly("[1,2]", "[4,2]");
    assertThat(new RelCompiler(bundle).duplicateKeys(bundle.output("inner_pos").orElseThrow()))
        .isEmpty();
  }

  private static RelNode compile(ValidatedBundle bundle, String output) {
    for (OutputPlan plan : bundle.outputs()) {
      if (plan.name().equals(output)) {
        return new RelCompiler(bundle).output(plan);
      }
    }
    throw new AssertionError("no output " + output);
  }

  private static final String LISTS_BUNDLE =
      """
      {"relspec": 1, "name": "lists",
       "datasets": [{"name": "lists", "format": "parquet", "location": "lists", "schema": [
         {"name": "id", "type": "int64", "nullable": false},
         {"name": "xs", "type": "list<string>"}]}],
       "contracts": [
         {"name": "pos_v1", "version": 1, "columns": [{"name": "id", "type": "int64"},
           {"name": "x", "type": "string"}, {"name": "i", "type": "int32"}]},
         {"name": "plain_v1", "version": 1, "columns": [{"name": "id", "type": "int64"},
           {"name": "x", "type": "string"}], "keyFields": ["id"], "onViolation": "quarantine"}],
       "rules": [
         {"name": "inner_pos", "output": "inner_pos", "contract": "pos_v1", "ops": [
           {"op": "scan", "dataset": "lists"},
           {"op": "explode", "column": "xs", "as": "x", "position": "i"}]},
         {"name": "outer_pos", "output": "outer_pos", "contract": "pos_v1", "ops": [
           {"op": "scan", "dataset": "lists"},
           {"op": "explode", "column": "xs", "as": "x", "position": "i", "outer": true}]},
         {"name": "outer_plain", "output": "outer_plain", "contract": "plain_v1", "ops": [
           {"op": "scan", "dataset": "lists"},
           {"op": "explode", "column": "xs", "as": "x", "outer": true}]}]}
      """;

  private static void assertRenderedSqlGivesTheLanesRows(
      ValidatedBundle bundle, Path data, Path out) {
    new SparkRunner(spark, new PrintStream(OutputStream.nullOutputStream()))
        .run(bundle, data, out, Map.of());
    for (DatasetSpec dataset : bundle.bundle().datasets()) {
      spark
          .read()
          .schema(SparkTypes.toSpark(dataset.schema()))
          .parquet(data.resolve(dataset.location()).toString())
          .createOrReplaceTempView(dataset.name());
    }
    RelCompiler compiler = new RelCompiler(bundle);
    for (OutputPlan output : bundle.outputs()) {
      // A rule reading another output reads what the lane wrote, as a view of the same name.
      spark
          .read()
          .parquet(out.resolve(output.name()).toString())
          .createOrReplaceTempView(output.name());
    }
    for (OutputPlan output : bundle.outputs()) {
      List<String> written = rows(spark.read().parquet(out.resolve(output.name()).toString()));
      assertThat(written).as(output.name() + " written by the lane").isNotEmpty();
      RelNode rel = compiler.output(output);
      String sql = SqlRenderer.render(rel, SqlDialectName.SPARK);
      assertThat(rows(spark.sql(sql))).as(output.name() + ":\n" + sql).isEqualTo(written);
      String optimized = SqlRenderer.render(PlanOptimizer.optimize(rel), SqlDialectName.SPARK);
      assertThat(rows(spark.sql(optimized)))
          .as(output.name() + " optimized:\n" + optimized)
          .isEqualTo(written);
    }
  }

  /** Every row as text, sorted: the outputs are compared as multisets of rows. */
  private static List<String> rows(Dataset<Row> rows) {
    List<String> text = new ArrayList<>();
    for (Row row : rows.collectAsList()) {
      text.add(row.toString());
    }
    text.sort(null);
    return text;
  }
}
