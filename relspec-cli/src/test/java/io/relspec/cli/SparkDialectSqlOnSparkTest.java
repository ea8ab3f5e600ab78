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
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.calcite.rel.RelNode;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Spark-dialect SQL that {@code relspec sql} renders for every output of the examples (rules
 * and contract finalization), run by Spark SQL over the example data registered as temp views,
 * gives the same rows as the relspec Spark lane writes for the same bundle and data.
 *
 * <p>Not yet cpg.json: its explode renders as {@code LATERAL UNNEST(...) WITH ORDINALITY}, which
 * Spark SQL does not parse (it needs {@code LATERAL VIEW posexplode}).
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
  @ValueSource(strings = {"analytics.json"})
  void renderedSqlGivesTheSparkLanesRows(String example) {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve(example));
    Path data = EXAMPLES.resolve("data");
    Path out = tmp.resolve(example);
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
