package io.relspec.spark.datagen;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.json.BundleReader;
import io.relspec.spark.SparkTestSession;
import io.relspec.spark.compile.SparkTypes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorsTest {
  private final SparkSession spark = SparkTestSession.spark();

  @TempDir Path tmp;

  private Dataset<Row> read(Path dir, String table) {
    return spark.read().parquet(dir.resolve(table).toString());
  }

  private void assertMatchesExample(
      String example, String prefix, Path dir, Map<String, Long> counts) {
    for (DatasetSpec dataset : BundleReader.read(Path.of("..", "examples", example)).datasets()) {
      assertThat(dataset.location()).startsWith(prefix + "/");
      Dataset<Row> rows = read(dir, dataset.location().substring(prefix.length() + 1));
      assertThat(SparkTypes.fromSpark(rows.schema()))
          .as("schema of %s", dataset.name())
          .extracting(f -> f.name() + " " + f.type().typeString())
          .containsExactlyElementsOf(
              dataset.schema().stream().map(f -> f.name() + " " + f.type().typeString()).toList());
      assertThat(rows.count()).isEqualTo(counts.get(dataset.name()));
    }
  }

  @Test
  void cpgTablesMatchTheExampleSchemasAndAreDeterministic() {
    Generated first = CpgGenerator.write(spark, 400, 7, tmp.resolve("a"));
    Generated second = CpgGenerator.write(spark, 400, 7, tmp.resolve("b"));
    assertThat(first.rows())
        .containsEntry("name_refs", 400L)
        .containsEntry("call_sites", 200L)
        .containsEntry("files", 10L);
    assertMatchesExample("cpg.json", "cpg", first.directory(), first.rows());
    for (String table : first.rows().keySet()) {
      List<Row> a = read(first.directory(), table).collectAsList();
      List<Row> b = read(second.directory(), table).collectAsList();
      assertThat(a).as(table).containsExactlyInAnyOrderElementsOf(b);
    }
    Dataset<Row> calls = read(first.directory(), "call_sites");
    assertThat(calls.filter(functions.col("callees").isNull()).count()).isPositive();
    assertThat(calls.filter(functions.size(functions.col("callees")).equalTo(0)).count())
        .isPositive();
    assertThat(calls.filter(functions.exists(functions.col("callees"), c -> c.isNull())).count())
        .isPositive();
    Dataset<Row> refs = read(first.directory(), "name_refs");
    assertThat(refs.filter(functions.col("bstart").isNull()).count()).isPositive();
    assertThat(CpgGenerator.write(spark, 400, 8, tmp.resolve("c")).rows()).isEqualTo(first.rows());
    assertThat(read(tmp.resolve("c"), "name_refs").collectAsList())
        .isNotEqualTo(refs.collectAsList());
  }

  @Test
  void analyticsTablesMatchTheExampleSchemas() {
    Generated generated = AnalyticsGenerator.write(spark, 300, 1, tmp.resolve("shop"));
    assertThat(generated.rows())
        .containsEntry("orders", 300L)
        .containsEntry("order_items", 600L)
        .containsEntry("customers", 30L);
    assertMatchesExample("analytics.json", "analytics", generated.directory(), generated.rows());
  }

  @Test
  void tpchTablesHaveTheirSizesAndProperTypes() {
    Generated generated = TpchGenerator.write(spark, 0.001, tmp.resolve("tpch"));
    assertThat(generated.rows())
        .containsEntry("region", 5L)
        .containsEntry("nation", 25L)
        .containsEntry("customer", 150L)
        .containsEntry("orders", 1500L)
        .containsEntry("supplier", 10L)
        .containsEntry("part", 200L)
        .containsEntry("partsupp", 800L);
    assertThat(generated.rows().get("lineitem")).isBetween(5500L, 6500L);
    assertThat(read(generated.directory(), "lineitem").schema().simpleString())
        .contains(
            "orderkey:bigint",
            "quantity:decimal(15,2)",
            "extendedprice:decimal(15,2)",
            "shipdate:date",
            "linenumber:int");
  }
}
