package io.relspec.spark.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: bundle + Parquet inputs -> finalized Parquet outputs, quarantine and manifest. */
class SparkRunnerTest {
  static final String BUNDLE =
      """
      {"relspec": 1, "name": "shop",
       "datasets": [
         {"name": "items", "format": "parquet", "location": "items",
          "schema": [{"name": "id", "type": "int64", "nullable": false}, {"name": "name", "type": "string"},
                     {"name": "price", "type": "decimal(10,2)"}, {"name": "tags", "type": "list<string>"}]},
         {"name": "stock", "format": "parquet", "location": "stock",
          "schema": [{"name": "item_id", "type": "int64"}, {"name": "qty", "type": "int32"}]}],
       "contracts": [
         {"name": "item_tags_v1", "version": 1, "onViolation": "quarantine",
          "columns": [{"name": "id", "type": "int64", "nullable": false}, {"name": "tag", "type": "string", "nullable": false},
                      {"name": "pos", "type": "int32"}],
          "keyFields": ["id", "tag"], "canonicalSort": [{"col": "id"}, {"col": "pos"}]},
         {"name": "tag_counts_v1", "version": 1, "onViolation": "fail",
          "columns": [{"name": "tag", "type": "string", "nullable": false}, {"name": "n", "type": "int64", "nullable": false}],
          "canonicalSort": [{"col": "n", "dir": "desc"}, {"col": "tag"}]},
         {"name": "stock_value_v1", "version": 3, "onViolation": "fail",
          "columns": [{"name": "id", "type": "int64", "nullable": false}, {"name": "value", "type": "decimal(21,2)", "nullable": VALUE_NULLABLE}],
          "canonicalSort": [{"col": "id"}]}],
       "rules": [
         {"name": "tag_counts", "output": "tag_counts", "contract": "tag_counts_v1",
          "ops": [{"op": "scan", "dataset": "item_tags"},
                  {"op": "aggregate", "groupBy": ["tag"], "aggregates": [{"name": "n", "fn": "count", "args": []}]}]},
         {"name": "item_tags", "output": "item_tags", "contract": "item_tags_v1",
          "ops": [{"op": "scan", "dataset": "items"},
                  {"op": "explode", "column": "tags", "as": "tag", "position": "pos", "outer": true},
                  {"op": "project", "columns": ["id", "tag", "pos"]}]},
         {"name": "stock_value", "output": "stock_value", "contract": "stock_value_v1",
          "ops": [{"op": "scan", "dataset": "items"},
                  {"op": "param", "name": "min_qty", "type": "int32", "default": 1},
                  {"op": "join", "type": "inner", "right": {"ops": [{"op": "scan", "dataset": "stock"}]},
                   "on": [{"left": "id", "right": "item_id"}]},
                  {"op": "filter", "predicate": {"fn": "ge", "args": [{"col": "qty"}, {"param": "min_qty"}]}},
                  {"op": "project", "columns": ["id", {"name": "value", "expr": {"fn": "mul", "args": [{"col": "price"}, {"col": "qty"}]}}]}]}]}
      """;

  @TempDir Path dir;
  private Path data;
  private Path out;
  private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

  private static SparkSession spark() {
    return SparkTestSession.spark();
  }

  @BeforeEach
  void writeInputs() {
    data = dir.resolve("data");
    out = dir.resolve("out");
    StructType items =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("name", DataTypes.StringType)
            .add("price", DataTypes.createDecimalType(10, 2))
            .add("tags", DataTypes.createArrayType(DataTypes.StringType));
    spark()
        .createDataFrame(
            List.of(
                RowFactory.create(1L, "apple", new BigDecimal("1.50"), List.of("red", "fruit")),
                RowFactory.create(2L, "pear", new BigDecimal("2.00"), List.of("fruit")),
                RowFactory.create(3L, "rock", null, List.of()),
                RowFactory.create(4L, "void", new BigDecimal("0.10"), null),
                RowFactory.create(
                    5L, "kiwi", new BigDecimal("3.25"), List.of("fruit", "green", "fruit"))),
            items)
        .write()
        .parquet(data.resolve("items").toString());
    writeStock(
        new StructType().add("item_id", DataTypes.LongType).add("qty", DataTypes.IntegerType),
        RowFactory.create(1L, 10),
        RowFactory.create(2L, 0),
        RowFactory.create(3L, 2),
        RowFactory.create(5L, 4),
        RowFactory.create(9L, 1));
  }

  private void writeStock(StructType schema, Row... rows) {
    io.relspec.ir.run.StagedOutputs.deleteRecursively(data.resolve("stock"));
    spark()
        .createDataFrame(List.of(rows), schema)
        .write()
        .parquet(data.resolve("stock").toString());
  }

  private RunManifest run(String bundleJson, Map<String, String> params) {
    ValidatedBundle bundle =
        BundleValidator.validate(BundleReader.read(bundleJson, "shop.json"), "shop.json", params);
    return new SparkRunner(spark(), new PrintStream(progress, true, StandardCharsets.UTF_8))
        .run(bundle, data, out, params);
  }

  private static String bundle(boolean valueNullable) {
    return BUNDLE.replace("VALUE_NULLABLE", String.valueOf(valueNullable));
  }

  /** The rows of a Parquet output, reading its part files in name order (the written order). */
  private static org.apache.parquet.schema.MessageType parquetSchema(Path dataset)
      throws IOException {
    Path part;
    try (Stream<Path> files = Files.list(dataset)) {
      part =
          files
              .filter(p -> p.getFileName().toString().endsWith(".parquet"))
              .findFirst()
              .orElseThrow();
    }
    try (org.apache.parquet.hadoop.ParquetFileReader reader =
        org.apache.parquet.hadoop.ParquetFileReader.open(
            org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(part.toString()),
                new org.apache.hadoop.conf.Configuration()))) {
      return reader.getFooter().getFileMetaData().getSchema();
    }
  }

  private static List<Object> r(Object... values) {
    return Arrays.asList(values);
  }

  @Test
  void runsRulesInDependencyOrderAndWritesOutputsQuarantineAndManifest() throws IOException {
    RunManifest report = run(bundle(true), Map.of());

    assertThat(report.outputs())
        .extracting(RunManifest.OutputReport::name)
        .containsExactly("item_tags", "stock_value", "tag_counts");
    assertThat(WrittenRows.read(out.resolve("item_tags")))
        .containsExactly(r(1L, "red", 0), r(1L, "fruit", 1), r(2L, "fruit", 0), r(5L, "green", 1));
    // non-nullable contract columns are REQUIRED in the Parquet files
    assertThat(parquetSchema(out.resolve("item_tags")).getType("id").getRepetition())
        .isEqualTo(org.apache.parquet.schema.Type.Repetition.REQUIRED);
    assertThat(parquetSchema(out.resolve("item_tags")).getType("pos").getRepetition())
        .isEqualTo(org.apache.parquet.schema.Type.Repetition.OPTIONAL);
    // null/empty tag lists give a null tag (null_violation); kiwi has "fruit" twice (duplicate_key)
    List<List<Object>> errors = WrittenRows.read(out.resolve("item_tags__errors"));
    assertThat(errors)
        .extracting(row -> row.subList(0, 5))
        .containsExactlyInAnyOrder(
            r(3L, null, null, "null_violation", "tag"),
            r(4L, null, null, "null_violation", "tag"),
            r(5L, "fruit", 0, "duplicate_key", "id"),
            r(5L, "fruit", 2, "duplicate_key", "id"));
    assertThat(errors).extracting(row -> row.get(6)).containsOnly("item_tags");
    // tag_counts scans the finalized item_tags rows, not the raw ones
    assertThat(WrittenRows.read(out.resolve("tag_counts")))
        .containsExactly(r("fruit", 2L), r("green", 1L), r("red", 1L));
    // qty >= 1 (the param's default): apple 1.50 * 10, rock null * 2, kiwi 3.25 * 4
    assertThat(WrittenRows.read(out.resolve("stock_value")))
        .containsExactly(
            r(1L, new BigDecimal("15.00")), r(3L, null), r(5L, new BigDecimal("13.00")));

    RunManifest.OutputReport itemTags = report.outputs().get(0);
    assertThat(itemTags.rowsIn()).isEqualTo(8);
    assertThat(itemTags.rowsOut()).isEqualTo(4);
    assertThat(itemTags.quarantined()).isEqualTo(4);
    assertThat(itemTags.ordering()).isEqualTo("explicit(id asc nulls last, pos asc nulls last)");

    JsonNode manifest = new ObjectMapper().readTree(out.resolve(SparkRunner.MANIFEST).toFile());
    assertThat(manifest.get("bundleSignature").asText()).hasSize(64);
    assertThat(manifest.get("versions").get("spark").asText()).isEqualTo("3.5.7");
    JsonNode rule = manifest.get("outputs").get(1).get("rules").get(0);
    assertThat(rule.get("name").asText()).isEqualTo("stock_value");
    assertThat(rule.get("planSignature").asText()).hasSize(64);
    assertThat(rule.get("params").get("min_qty").asText()).isEqualTo("1");
    assertThat(rule.get("rowsOut").asLong()).isEqualTo(3);
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "item_tags", "item_tags__errors", "stock_value", "tag_counts", "_manifest.json");
    }
    assertThat(progress.toString(StandardCharsets.UTF_8))
        .contains("relspec: output item_tags: 8 rows in, 4 out, 4 quarantined, 0 dropped");
  }

  @Test
  void outputWithoutViolationsWritesAnEmptyErrorsDatasetOfTheSameSchema() throws IOException {
    run(bundle(true), Map.of());
    org.apache.parquet.schema.MessageType withErrors =
        parquetSchema(out.resolve("item_tags__errors"));
    io.relspec.ir.run.StagedOutputs.deleteRecursively(data.resolve("items"));
    spark()
        .createDataFrame(
            List.of(RowFactory.create(1L, "apple", new BigDecimal("1.50"), List.of("red"))),
            new StructType()
                .add("id", DataTypes.LongType, false)
                .add("name", DataTypes.StringType)
                .add("price", DataTypes.createDecimalType(10, 2))
                .add("tags", DataTypes.createArrayType(DataTypes.StringType)))
        .write()
        .parquet(data.resolve("items").toString());

    RunManifest report = run(bundle(true), Map.of());

    assertThat(report.outputs().get(0).quarantined()).isZero();
    assertThat(WrittenRows.read(out.resolve("item_tags"))).containsExactly(r(1L, "red", 0));
    assertThat(WrittenRows.read(out.resolve("item_tags__errors"))).isEmpty();
    assertThat(parquetSchema(out.resolve("item_tags__errors"))).isEqualTo(withErrors);
  }

  @Test
  void runtimeParamWinsAndReplacesPreviousOutputs() throws IOException {
    run(bundle(true), Map.of());
    RunManifest report = run(bundle(true), Map.of("min_qty", "0"));
    assertThat(WrittenRows.read(out.resolve("stock_value")))
        .containsExactly(
            r(1L, new BigDecimal("15.00")),
            r(2L, new BigDecimal("0.00")),
            r(3L, null),
            r(5L, new BigDecimal("13.00")));
    assertThat(report.runtimeParams()).containsEntry("min_qty", "0");
  }

  @Test
  void failingContractStopsTheRunAndLeavesPreviousOutputsUntouched() throws IOException {
    run(bundle(true), Map.of());
    byte[] manifestBefore = Files.readAllBytes(out.resolve(SparkRunner.MANIFEST));
    List<List<Object>> itemTagsBefore = WrittenRows.read(out.resolve("item_tags"));

    assertThatThrownBy(() -> run(bundle(false), Map.of("min_qty", "0")))
        .isInstanceOf(RelspecException.class)
        .hasMessageStartingWith(
            "Cannot finalize output 'stock_value': 1 row(s) violate contract 'stock_value_v1'"
                + " (first: null_violation in column 'value' from rule 'stock_value'")
        .satisfies(
            e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.CONTRACT_VIOLATION));
    assertThat(Files.readAllBytes(out.resolve(SparkRunner.MANIFEST))).isEqualTo(manifestBefore);
    assertThat(WrittenRows.read(out.resolve("item_tags"))).isEqualTo(itemTagsBefore);
    assertThat(WrittenRows.read(out.resolve("stock_value"))).hasSize(3);
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("_relspec"));
    }
  }

  @Test
  void missingInputIsAClearErrorAndCreatesNothing() {
    io.relspec.ir.run.StagedOutputs.deleteRecursively(data.resolve("stock"));
    assertThatThrownBy(() -> run(bundle(true), Map.of()))
        .isInstanceOf(RelspecException.class)
        .hasMessageStartingWith(
            "Cannot read dataset 'stock' for rule 'stock_value' ops[2].right.ops[0]: ")
        .hasMessageContaining(data.resolve("stock").toString())
        .hasMessageEndingWith("does not exist. Check --data and the dataset's location.")
        .satisfies(
            e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
    assertThat(out.resolve("item_tags")).doesNotExist();
    assertThat(out.resolve(SparkRunner.MANIFEST)).doesNotExist();
  }

  @Test
  void schemaThatDoesNotMatchTheDataIsAClearError() {
    writeStock(
        new StructType().add("item_id", DataTypes.LongType).add("qty", DataTypes.StringType),
        RowFactory.create(1L, "ten"));
    assertThatThrownBy(() -> run(bundle(true), Map.of()))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining(
            "column 'qty' is string in the files but declared int32. Fix the data or the dataset's"
                + " schema.")
        .satisfies(
            e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
    assertThat(out.resolve("stock_value")).doesNotExist();
  }

  @Test
  void nullInAColumnDeclaredNonNullIsAClearErrorAndChangesNoOutput() throws IOException {
    run(bundle(true), Map.of());
    String manifestBefore = Files.readString(out.resolve(SparkRunner.MANIFEST));
    List<List<Object>> stockValueBefore = WrittenRows.read(out.resolve("stock_value"));
    // items.id is declared non-null; these files declare it nullable and hold a null
    io.relspec.ir.run.StagedOutputs.deleteRecursively(data.resolve("items"));
    spark()
        .createDataFrame(
            List.of(
                RowFactory.create(1L, "apple", new BigDecimal("1.50"), List.of("red")),
                RowFactory.create(null, "ghost", new BigDecimal("9.99"), List.of("odd"))),
            new StructType()
                .add("id", DataTypes.LongType, true)
                .add("name", DataTypes.StringType)
                .add("price", DataTypes.createDecimalType(10, 2))
                .add("tags", DataTypes.createArrayType(DataTypes.StringType)))
        .coalesce(1)
        .write()
        .parquet(data.resolve("items").toString());
    Path file;
    try (Stream<Path> files = Files.list(data.resolve("items"))) {
      file =
          files
              .filter(p -> p.getFileName().toString().endsWith(".parquet"))
              .findFirst()
              .orElseThrow();
    }
    assertThatThrownBy(() -> run(bundle(true), Map.of()))
        .isInstanceOf(RelspecException.class)
        .hasMessageStartingWith("Cannot read dataset 'items' from ")
        .hasMessageContaining(file.getFileName().toString())
        .hasMessageEndingWith(
            ": column 'id' is declared non-null but holds null values. Fix the data or the"
                + " dataset's schema.")
        .satisfies(
            e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
    assertThat(Files.readString(out.resolve(SparkRunner.MANIFEST))).isEqualTo(manifestBefore);
    assertThat(WrittenRows.read(out.resolve("stock_value"))).isEqualTo(stockValueBefore);
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("_relspec"));
    }
  }

  static final String CSV_BUNDLE =
      """
      {"relspec": 1, "name": "people",
       "datasets": [
         {"name": "people", "format": "FORMAT", "location": "people",
          "schema": [{"name": "id", "type": "int64", "nullable": false}, {"name": "name", "type": "string"},
                     {"name": "age", "type": "int32"}]}],
       "contracts": [
         {"name": "adults_v1", "version": 1, "onViolation": "fail",
          "columns": [{"name": "id", "type": "int64", "nullable": false}, {"name": "name", "type": "string"}],
          "canonicalSort": [{"col": "id"}]}],
       "rules": [
         {"name": "adults", "output": "adults", "contract": "adults_v1",
          "ops": [{"op": "scan", "dataset": "people"},
                  {"op": "filter", "predicate": {"fn": "ge", "args": [{"col": "age"}, {"lit": 18, "type": "int32"}]}}]}]}
      """;

  @Test
  void csvInputsAreReadEndToEndAndOnlyFilesWithTheExtension() throws IOException {
    Path people = Files.createDirectories(data.resolve("people"));
    Files.writeString(people.resolve("part-1.csv"), "id,name,age\n1,ann,30\n2,,41\n3,bob,12\n");
    Files.writeString(people.resolve("part-2.csv"), "id,name,age\n4,cy,18\n");
    // not a .csv file: scan.fileExtension (default .csv for csv) leaves it out
    Files.writeString(people.resolve("notes.txt"), "id,name,age\n5,ghost,99\n");
    RunManifest report = run(CSV_BUNDLE.replace("FORMAT", "csv"), Map.of());
    assertThat(spark().read().parquet(out.resolve("adults").toString()).collectAsList())
        .extracting(row -> r(row.get(0), row.get(1)))
        .containsExactlyInAnyOrder(r(1L, "ann"), r(2L, null), r(4L, "cy"));
    assertThat(report.outputs().get(0).rowsIn()).isEqualTo(3);

    // a null in a non-null CSV column names the dataset's location, the column and the fix
    Files.writeString(people.resolve("part-3.csv"), "id,name,age\n,nobody,50\n");
    assertThatThrownBy(() -> run(CSV_BUNDLE.replace("FORMAT", "csv"), Map.of()))
        .isInstanceOf(RelspecException.class)
        .hasMessage(
            "Cannot read dataset 'people' from "
                + people
                + ": column 'id' is declared non-null but holds null values. Fix the data or the"
                + " dataset's schema.");
  }

  @Test
  void deltaInputsAreAClearUnsupportedError() throws IOException {
    Files.createDirectories(data.resolve("people"));
    assertThatThrownBy(() -> run(CSV_BUNDLE.replace("FORMAT", "delta"), Map.of()))
        .isInstanceOf(RelspecException.class)
        .hasMessage(
            "Cannot read dataset 'people': format delta is not supported by the Spark lane yet."
                + " Convert it to parquet or csv.")
        .satisfies(e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED));
    assertThat(out.resolve("adults")).doesNotExist();
  }

  @Test
  void paramOfTheWrongTypeIsRejectedBeforeAnythingRuns() {
    assertThatThrownBy(() -> run(bundle(true), Map.of("min_qty", "lots")))
        .isInstanceOf(RelspecException.class)
        .satisfies(
            e -> {
              RelspecException error = (RelspecException) e;
              assertThat(error.code().kind()).isEqualTo(ErrorCode.Kind.USER);
              assertThat(error.render()).contains("min_qty").contains("lots");
            });
    assertThat(out).doesNotExist();
  }

  @Test
  void timestampsAreWrittenAsUtcMicros() throws IOException {
    spark()
        .createDataFrame(
            List.of(
                RowFactory.create(
                    java.sql.Timestamp.from(
                        java.time.Instant.parse("2024-01-01T00:00:00.123456Z")))),
            new StructType().add("ts", DataTypes.TimestampType))
        .write()
        .parquet(data.resolve("events").toString());
    String json =
        """
        {"relspec": 1, "name": "ts",
         "datasets": [{"name": "events", "format": "parquet", "location": "events",
                       "schema": [{"name": "ts", "type": "timestamp_us"}]}],
         "contracts": [{"name": "c", "version": 1, "columns": [{"name": "ts", "type": "timestamp_us"}]}],
         "rules": [{"name": "r", "output": "copy", "contract": "c", "ops": [{"op": "scan", "dataset": "events"}]}]}
        """;
    run(json, Map.of());
    org.apache.parquet.schema.PrimitiveType ts =
        parquetSchema(out.resolve("copy")).getType("ts").asPrimitiveType();
    assertThat(ts.getPrimitiveTypeName())
        .isEqualTo(org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64);
    assertThat(ts.getLogicalTypeAnnotation().toString()).isEqualTo("TIMESTAMP(MICROS,true)");
    assertThat(spark().conf().get("spark.sql.parquet.outputTimestampType")).isEqualTo("INT96");
  }
}
