package io.relspec.spark.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.SparkTestSession;
import io.relspec.spark.compile.PlanCompiler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.JavaConverters;

/** The dataset scan options on the Spark lane, on real Parquet files written by Spark. */
class ScanOptionsTest {
  @TempDir Path dir;

  private static SparkSession spark() {
    return SparkTestSession.spark();
  }

  // ------------------------------------------------------------------ partitionCols

  /** sales: id, amount, and the partition columns year (int64) and code (a string of digits). */
  private static final String SALES =
      """
      {"relspec": 1, "name": "parts",
       "datasets": [
         {"name": "sales", "format": "parquet", "location": "sales",
          "schema": [{"name": "id", "type": "int64", "nullable": false}, {"name": "amount", "type": "int32"},
                     {"name": "year", "type": "int64"}, {"name": "code", "type": "string"}],
          "scan": {"partitionCols": [{"name": "year", "type": "int64"}, {"name": "code", "type": "string"}]}}],
       "contracts": [
         {"name": "c", "version": 1, "onViolation": "fail",
          "columns": [{"name": "id", "type": "int64", "nullable": false}, {"name": "amount", "type": "int32"},
                      {"name": "code", "type": "string"}],
          "canonicalSort": [{"col": "id"}]}],
       "rules": [
         {"name": "sales_2024", "output": "sales_2024", "contract": "c",
          "ops": [{"op": "scan", "dataset": "sales"},
                  {"op": "filter", "predicate": {"fn": "eq", "args": [{"col": "year"}, {"lit": 2024, "type": "int64"}]}},
                  {"op": "project", "columns": ["id", "amount", "code"]}]}]}
      """;

  private static long amount(long id) {
    return (id * 7) % 23;
  }

  private static String code(long id) {
    return id % 2 == 0 ? "007" : "010";
  }

  /** 60 rows in year=2022..2024 / code=007|010 directories, as Spark's partitionBy writes them. */
  private Path writeSales() {
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("amount", DataTypes.IntegerType, true)
            .add("year", DataTypes.LongType, true)
            .add("code", DataTypes.StringType, true);
    List<Row> rows = new ArrayList<>();
    for (long id = 0; id < 60; id++) {
      rows.add(RowFactory.create(id, (int) amount(id), 2022 + id % 3, code(id)));
    }
    Path data = dir.resolve("data");
    spark()
        .createDataFrame(rows, schema)
        .repartition(2)
        .write()
        .partitionBy("year", "code")
        .parquet(data.resolve("sales").toString());
    return data;
  }

  private static ValidatedBundle bundle(String json) {
    return BundleValidator.validate(BundleReader.read(json, "parts.json"), "parts.json", Map.of());
  }

  private RunManifest run(ValidatedBundle bundle, Path data, Path out, ByteArrayOutputStream log) {
    return new SparkRunner(spark(), new PrintStream(log, true, StandardCharsets.UTF_8))
        .run(bundle, data, out, Map.of());
  }

  @Test
  void partitionColumnsGetTheirDeclaredTypesAndAreColumnsOfTheRule() throws IOException {
    Path data = writeSales();
    Path out = dir.resolve("out");
    RunManifest manifest = run(bundle(SALES), data, out, new ByteArrayOutputStream());

    List<List<Object>> expected = new ArrayList<>();
    for (long id = 0; id < 60; id++) {
      if (2022 + id % 3 == 2024) {
        // "007" stays a string: Spark's own inference would have made it the integer 7
        expected.add(List.of(id, (int) amount(id), code(id)));
      }
    }
    assertThat(WrittenRows.read(out.resolve("sales_2024"))).isEqualTo(expected);
    assertThat(manifest.outputs().get(0).rowsOut()).isEqualTo(20);
  }

  @Test
  void aFilterOnAPartitionColumnReadsOnlyThatPartitionsFiles() throws IOException {
    Path data = writeSales();
    ValidatedBundle bundle = bundle(SALES);
    InputRelations inputs = new InputRelations(spark(), data);
    PlanCompiler compiler =
        new PlanCompiler((name, where) -> inputs.read(dataset(bundle, name), where));
    RelPlan plan = bundle.plan("sales_2024").orElseThrow();
    Dataset<Row> rows = compiler.compile(plan);

    assertThat(rows.collectAsList()).hasSize(20);
    List<FileSourceScanExec> scans = scans(rows.queryExecution().executedPlan());
    assertThat(scans).hasSize(1);
    FileSourceScanExec scan = scans.get(0);
    assertThat(scan.partitionFilters().mkString(",")).contains("year").contains("2024");
    long filesOf2024;
    try (Stream<Path> files = Files.walk(data.resolve("sales").resolve("year=2024"))) {
      filesOf2024 = files.filter(p -> p.toString().endsWith(".parquet")).count();
    }
    long allFiles;
    try (Stream<Path> files = Files.walk(data.resolve("sales"))) {
      allFiles = files.filter(p -> p.toString().endsWith(".parquet")).count();
    }
    assertThat(filesOf2024).isLessThan(allFiles);
    assertThat(scan.metrics().get("numFiles").get().value()).isEqualTo(filesOf2024);
  }

  @Test
  void aPartitionValueThatDoesNotParseIsAClearInputError() throws IOException {
    Path data = writeSales();
    Files.move(
        data.resolve("sales").resolve("year=2023"), data.resolve("sales").resolve("year=abc"));
    Path out = dir.resolve("out");

    assertThatThrownBy(() -> run(bundle(SALES), data, out, new ByteArrayOutputStream()))
        .isInstanceOfSatisfying(
            RelspecException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
        .hasMessageContaining("Cannot read dataset 'sales' from ")
        .hasMessageContaining("year=abc")
        .hasMessageContaining("partition column 'year' has value 'abc'")
        .hasMessageContaining("does not parse as its declared type int64");
    assertThat(out.resolve("sales_2024")).doesNotExist();
  }

  @Test
  void aDeclaredPartitionColumnWithoutDirectoriesIsAClearInputError() {
    Path data = writeSales();
    String bundle =
        SALES.replace(
            "{\"name\": \"code\", \"type\": \"string\"}]}}",
            "{\"name\": \"code\", \"type\": \"string\"}, {\"name\": \"amount\", \"type\": \"int32\"}]}}");

    assertThatThrownBy(
            () -> run(bundle(bundle), data, dir.resolve("out"), new ByteArrayOutputStream()))
        .isInstanceOfSatisfying(
            RelspecException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
        .hasMessageContaining("dataset 'sales'")
        .hasMessageContaining(
            "column 'amount' is a declared partition column but no directory under the location is"
                + " named 'amount=<value>'");
  }

  // ------------------------------------------------------------------ parquetPruning

  private static final String EVENTS =
      """
      {"relspec": 1, "name": "pruning",
       "datasets": [
         {"name": "events", "format": "parquet", "location": "events",
          "schema": [{"name": "id", "type": "int64"}, {"name": "v", "type": "int64"}],
          "scan": {"parquetPruning": PRUNING}}],
       "contracts": [
         {"name": "c", "version": 1, "onViolation": "fail",
          "columns": [{"name": "id", "type": "int64"}, {"name": "v", "type": "int64"}],
          "canonicalSort": [{"col": "id"}]}],
       "rules": [
         {"name": "early", "output": "early", "contract": "c",
          "ops": [{"op": "scan", "dataset": "events"},
                  {"op": "filter", "predicate": {"fn": "lt", "args": [{"col": "id"}, {"lit": 100, "type": "int64"}]}}]}]}
      """;

  private static final int EVENT_ROWS = 20_000;

  /** One file of many small row groups, sorted by id (so statistics can skip row groups). */
  private Path writeEvents() {
    Path data = dir.resolve("data");
    spark()
        .range(EVENT_ROWS)
        .selectExpr("id", "id * 3 as v")
        .coalesce(1)
        .write()
        .option("parquet.block.size", "16384")
        .parquet(data.resolve("events").toString());
    return data;
  }

  @Test
  void pruningOffReadsEveryRowGroupAndGivesTheSameRows() {
    Path data = writeEvents();
    ValidatedBundle on = bundle(EVENTS.replace("PRUNING", "true"));
    ValidatedBundle off = bundle(EVENTS.replace("PRUNING", "false"));

    long[] scanned = new long[2];
    List<List<Row>> results = new ArrayList<>();
    int i = 0;
    for (ValidatedBundle bundle : List.of(on, off)) {
      InputRelations inputs = new InputRelations(spark(), data);
      DatasetSpec events = dataset(bundle, "events");
      Dataset<Row> rows =
          new PlanCompiler((name, where) -> inputs.read(dataset(bundle, name), where))
              .compile(bundle.plan("early").orElseThrow());
      try (ParquetPruning pruning = ParquetPruning.forScans(spark(), List.of(events))) {
        assertThat(pruning.disabledBy()).isEqualTo(bundle == off ? List.of("events") : List.of());
        results.add(rows.collectAsList());
      }
      List<FileSourceScanExec> scans = scans(rows.queryExecution().executedPlan());
      scanned[i++] = scans.get(0).metrics().get("numOutputRows").get().value();
    }
    assertThat(results.get(0)).hasSize(100).containsExactlyInAnyOrderElementsOf(results.get(1));
    assertThat(scanned[0]).as("rows read with pruning").isLessThan(EVENT_ROWS);
    assertThat(scanned[1]).as("rows read without pruning").isEqualTo(EVENT_ROWS);
  }

  @Test
  void theRunnerTurnsPruningOffOnlyWhileTheOutputRunsAndWritesTheSameRows() throws IOException {
    Path data = writeEvents();
    scala.Option<String> before = spark().conf().getOption(ParquetPruning.CONF);
    ByteArrayOutputStream logOn = new ByteArrayOutputStream();
    ByteArrayOutputStream logOff = new ByteArrayOutputStream();
    run(bundle(EVENTS.replace("PRUNING", "true")), data, dir.resolve("on"), logOn);
    run(bundle(EVENTS.replace("PRUNING", "false")), data, dir.resolve("off"), logOff);

    List<List<Object>> expected = new ArrayList<>();
    for (long id = 0; id < 100; id++) {
      expected.add(List.of(id, id * 3));
    }
    assertThat(WrittenRows.read(dir.resolve("on").resolve("early"))).isEqualTo(expected);
    assertThat(WrittenRows.read(dir.resolve("off").resolve("early"))).isEqualTo(expected);
    assertThat(logOff.toString(StandardCharsets.UTF_8))
        .contains(
            "relspec: output early: Parquet row-group pruning off (scan.parquetPruning false for"
                + " [events])");
    assertThat(logOn.toString(StandardCharsets.UTF_8)).doesNotContain("pruning off");
    assertThat(spark().conf().getOption(ParquetPruning.CONF)).isEqualTo(before);
  }

  // ------------------------------------------------------------------ skipMetadata, fileSortOrder

  private static DatasetSpec noteSpec(boolean skipMetadata) {
    return dataset(
        bundle(
            """
            {"relspec": 1, "name": "meta",
             "datasets": [
               {"name": "notes", "format": "parquet", "location": "notes",
                "schema": [{"name": "id", "type": "int64"}, {"name": "note", "type": "string"}],
                "scan": {"skipMetadata": SKIP}}],
             "contracts": [{"name": "c", "version": 1, "columns": [{"name": "id", "type": "int64"}]}],
             "rules": [{"name": "r", "output": "o", "contract": "c", "ops": [{"op": "scan", "dataset": "notes"}]}]}
            """
                .replace("SKIP", Boolean.toString(skipMetadata))),
        "notes");
  }

  @Test
  void skipMetadataDropsTheFieldMetadataOfSparksFooterSchema() {
    Metadata comment = new MetadataBuilder().putString("comment", "free text").build();
    StructType schema =
        new StructType(
            new StructField[] {
              new StructField("id", DataTypes.LongType, true, Metadata.empty()),
              new StructField("note", DataTypes.StringType, true, comment)
            });
    Path data = dir.resolve("data");
    spark()
        .createDataFrame(List.of(RowFactory.create(1L, "a")), schema)
        .write()
        .parquet(data.resolve("notes").toString());

    Dataset<Row> kept = InputReader.read(spark(), noteSpec(false), data, "test");
    Dataset<Row> skipped = InputReader.read(spark(), noteSpec(true), data, "test");

    assertThat(kept.schema().apply("note").metadata()).isEqualTo(comment);
    assertThat(skipped.schema().apply("note").metadata()).isEqualTo(Metadata.empty());
    assertThat(skipped.collectAsList()).isEqualTo(kept.collectAsList());
  }

  @Test
  void aDeclaredFileSortOrderNeverSkipsASort() {
    Path data = dir.resolve("data");
    // files declared sorted by id ascending, but written descending: the sort must still happen
    spark()
        .range(50)
        .selectExpr("49 - id as id")
        .coalesce(1)
        .write()
        .parquet(data.resolve("ids").toString());
    ValidatedBundle bundle =
        bundle(
            """
            {"relspec": 1, "name": "sorted",
             "datasets": [{"name": "ids", "format": "parquet", "location": "ids",
                           "schema": [{"name": "id", "type": "int64"}],
                           "scan": {"fileSortOrder": [{"col": "id"}]}}],
             "contracts": [{"name": "c", "version": 1, "columns": [{"name": "id", "type": "int64"}]}],
             "rules": [{"name": "r", "output": "o", "contract": "c",
                        "ops": [{"op": "scan", "dataset": "ids"},
                                {"op": "sort", "keys": [{"col": "id"}]}, {"op": "limit", "n": 5}]}]}
            """);
    InputRelations inputs = new InputRelations(spark(), data);
    Dataset<Row> rows =
        new PlanCompiler((name, where) -> inputs.read(dataset(bundle, name), where))
            .compile(bundle.plan("r").orElseThrow());

    assertThat(rows.collectAsList().stream().map(r -> r.getLong(0)).toList())
        .containsExactly(0L, 1L, 2L, 3L, 4L);
  }

  // ------------------------------------------------------------------ listing once per run

  @Test
  void aRunListsEachDatasetOnceAndTheNextRunSeesChangedFiles() {
    Path data = writeEvents();
    ValidatedBundle bundle = bundle(EVENTS.replace("PRUNING", "true"));
    DatasetSpec events = dataset(bundle, "events");
    InputRelations inputs = new InputRelations(spark(), data);
    Dataset<Row> first = inputs.read(events, "test");
    Dataset<Row> second = inputs.read(events, "test");
    // a new relation per scan (a self-join needs distinct column ids), one listing
    assertThat(first.queryExecution().analyzed().output().apply(0).exprId())
        .isNotEqualTo(second.queryExecution().analyzed().output().apply(0).exprId());
    assertThat(inputs.size()).isEqualTo(1);

    spark()
        .range(EVENT_ROWS, EVENT_ROWS + 10)
        .selectExpr("id", "id * 3 as v")
        .write()
        .mode("append")
        .parquet(data.resolve("events").toString());

    assertThat(inputs.read(events, "test").count())
        .as("the same run keeps the files it listed")
        .isEqualTo(EVENT_ROWS);
    assertThat(new InputRelations(spark(), data).read(events, "test").count())
        .as("a new run lists again")
        .isEqualTo(EVENT_ROWS + 10);

    String widened = EVENTS.replace("PRUNING", "true").replace("{\"lit\": 100", "{\"lit\": 100000");
    RunManifest manifest =
        run(bundle(widened), data, dir.resolve("out"), new ByteArrayOutputStream());
    assertThat(manifest.outputs().get(0).rowsOut()).isEqualTo(EVENT_ROWS + 10);
  }

  @Test
  void aDatasetJoinedWithItselfReadsTheCachedListingTwice() throws IOException {
    Path data = writeEvents();
    String selfJoin =
        EVENTS
            .replace("PRUNING", "true")
            .replace(
                "{\"op\": \"scan\", \"dataset\": \"events\"},",
                "{\"op\": \"scan\", \"dataset\": \"events\"}, {\"op\": \"join\", \"type\": \"inner\","
                    + " \"right\": {\"ops\": [{\"op\": \"scan\", \"dataset\": \"events\", \"columns\": [\"id\"]}]},"
                    + " \"on\": [\"id\"], \"rightSuffix\": \"_r\"},")
            .replace("{\"lit\": 100", "{\"lit\": 5");
    run(bundle(selfJoin), data, dir.resolve("out"), new ByteArrayOutputStream());

    List<List<Object>> expected = new ArrayList<>();
    for (long id = 0; id < 5; id++) {
      expected.add(List.of(id, id * 3));
    }
    assertThat(WrittenRows.read(dir.resolve("out").resolve("early"))).isEqualTo(expected);
  }

  // ------------------------------------------------------------------ helpers

  private static DatasetSpec dataset(ValidatedBundle bundle, String name) {
    return bundle.bundle().dataset(name).orElseThrow();
  }

  private static List<FileSourceScanExec> scans(SparkPlan plan) {
    List<FileSourceScanExec> found = new ArrayList<>();
    collectScans(plan, found);
    return found;
  }

  private static void collectScans(SparkPlan plan, List<FileSourceScanExec> found) {
    if (plan instanceof AdaptiveSparkPlanExec adaptive) {
      collectScans(adaptive.executedPlan(), found);
      return;
    }
    if (plan instanceof FileSourceScanExec scan) {
      found.add(scan);
    }
    for (SparkPlan child : JavaConverters.seqAsJavaList(plan.children())) {
      collectScans(child, found);
    }
  }
}
