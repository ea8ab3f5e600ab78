package io.relspec.bench.spark;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import io.relspec.bench.harness.SideBySide;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.compile.SparkTypes;
import io.relspec.spark.datagen.AnalyticsGenerator;
import io.relspec.spark.run.InputReader;
import io.relspec.spark.run.InputRelations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * The Spark lane against the same queries written by hand with the DataFrame API, on generated
 * data, side by side in one JVM; and the per-rule compile time (RelPlan to analyzed Catalyst plan).
 *
 * <p>Arguments: {@code [rows (default 10000000)] [data dir (default bench/target/data)]}. With
 * {@code -Drelspec.bench.only=compile-time} only the compile-time part runs (no data is generated);
 * with {@code -Drelspec.bench.only=compiled-vs-dataframe} only the comparison with the DataFrame
 * API.
 */
public final class SparkLaneBenchmark {
  private SparkLaneBenchmark() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    Path data = Path.of(args.length > 1 ? args[1] : "bench/target/data").toAbsolutePath();
    int iterations = Integer.getInteger("relspec.bench.iterations", 5);
    SparkSession spark =
        SparkSession.builder()
            .master(System.getProperty("relspec.bench.master", "local[2]"))
            .appName("relspec-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    String only = System.getProperty("relspec.bench.only", "");
    if (!only.equals("compile-time")) {
      compiledVsDataFrame(spark, rows, data, iterations);
    }
    if (!only.equals("compiled-vs-dataframe")) {
      compileTime(spark);
    }
    spark.stop();
  }

  private static void compiledVsDataFrame(SparkSession spark, long rows, Path data, int iterations)
      throws Exception {
    Path analytics = data.resolve("analytics-" + rows);
    if (!Files.exists(analytics.resolve("_GENERATED"))) {
      AnalyticsGenerator.write(spark, rows, 42, analytics.resolve("analytics"));
      Files.writeString(analytics.resolve("_GENERATED"), "rows=" + rows + "\n");
    }
    ValidatedBundle bundle = BundleValidator.validate(Path.of("examples", "analytics.json"));
    DatasetResolver resolver = resolver(spark, bundle.bundle(), analytics);
    PlanCompiler compiler = new PlanCompiler(resolver);

    Dataset<Row> orders = resolver.resolve("orders", "bench");
    Dataset<Row> customers = resolver.resolve("customers", "bench");
    Dataset<Row> items = resolver.resolve("order_items", "bench");

    SideBySide bench =
        new SideBySide(
                "spark-compiled-vs-dataframe",
                Integer.getInteger("relspec.bench.warmups", 2),
                iterations)
            .note("orders", rows)
            .note("order_items", rows * 2)
            .note("master", spark.sparkContext().master());
    RelPlan revenue = bundle.plan("region_revenue").orElseThrow();
    Map<String, Callable<Long>> revenueLanes = new LinkedHashMap<>();
    revenueLanes.put(
        "dataframe-by-hand",
        () -> (long) regionRevenueByHand(orders, customers).collectAsList().size());
    revenueLanes.put(
        "relspec-compiled",
        () ->
            (long)
                compiler
                    .compile(revenue.name(), revenue.ops(), revenue.params())
                    .collectAsList()
                    .size());
    bench.addCase("region_revenue (filter+join+aggregate+sort)", "dataframe-by-hand", revenueLanes);

    RelPlan skuSales = bundle.plan("sku_sales").orElseThrow();
    Map<String, Callable<Long>> skuLanes = new LinkedHashMap<>();
    skuLanes.put(
        "dataframe-by-hand", () -> (long) skuSalesByHand(orders, items).collectAsList().size());
    skuLanes.put(
        "relspec-compiled",
        () ->
            (long)
                compiler
                    .compile(skuSales.name(), skuSales.ops(), skuSales.params())
                    .collectAsList()
                    .size());
    bench.addCase("sku_sales (semi join+derive+aggregate)", "dataframe-by-hand", skuLanes);

    for (SideBySide.CaseResult result : bench.run(Path.of("bench", "results"))) {
      System.out.printf(
          "%s: by hand %.0f ms, compiled %.0f ms, ratio %.3f%n",
          result.name(),
          result.median("dataframe-by-hand"),
          result.median("relspec-compiled"),
          result.ratio("relspec-compiled"));
    }
  }

  /**
   * Compile time: RelPlan -> analyzed Catalyst plan, per rule of both examples. Three lanes side by
   * side: over empty in-memory relations (the compiler alone), over the examples' Parquet files as
   * a run reads them (each dataset listed once, {@link InputRelations}), and over the same files
   * listed again for every scan (what a run did before the listing was cached).
   */
  private static void compileTime(SparkSession spark) throws Exception {
    SideBySide compile = new SideBySide("spark-compile-time", 20, 200);
    // listing per scan takes a Spark job per dataset: fewer rounds for the lanes over files
    SideBySide files =
        new SideBySide(
            "spark-compile-time-files",
            Integer.getInteger("relspec.bench.filesWarmups", 5),
            Integer.getInteger("relspec.bench.filesIterations", 30));
    Path data = Path.of("examples", "data");
    files.note("files", "examples/data (Parquet written by gen cpg/analytics, few rows)");
    for (String example : new String[] {"analytics.json", "cpg.json"}) {
      ValidatedBundle validated = BundleValidator.validate(Path.of("examples", example));
      DatasetResolver schemaOnly = emptyResolver(spark, validated);
      PlanCompiler planCompiler = new PlanCompiler(schemaOnly);
      InputRelations inputs = new InputRelations(spark, data);
      PlanCompiler listedOnce =
          new PlanCompiler(
              (name, where) ->
                  validated.bundle().dataset(name).isPresent()
                      ? inputs.read(validated.bundle().dataset(name).get(), where)
                      : schemaOnly.resolve(name, where));
      PlanCompiler listedPerScan =
          new PlanCompiler(
              (name, where) ->
                  validated.bundle().dataset(name).isPresent()
                      ? InputReader.read(spark, validated.bundle().dataset(name).get(), data, where)
                      : schemaOnly.resolve(name, where));
      for (RelPlan plan : validated.plans()) {
        compile.addCase(
            example + " " + plan.name(),
            "compile+analyze",
            Map.of("compile+analyze", () -> analyzed(planCompiler, plan)));
        Map<String, Callable<Long>> lanes = new LinkedHashMap<>();
        lanes.put("compile+analyze", () -> analyzed(planCompiler, plan));
        lanes.put("files listed once per run", () -> analyzed(listedOnce, plan));
        lanes.put("files listed per scan", () -> analyzed(listedPerScan, plan));
        files.addCase(example + " " + plan.name(), "compile+analyze", lanes);
      }
    }
    for (SideBySide.CaseResult result : compile.run(Path.of("bench", "results"))) {
      System.out.printf(
          "compile %s: %.3f ms wall, %.3f ms CPU (median)%n",
          result.name(), result.median("compile+analyze"), result.cpuMedian("compile+analyze"));
    }
    if (Boolean.getBoolean("relspec.bench.skipFiles")) {
      return;
    }
    for (SideBySide.CaseResult result : files.run(Path.of("bench", "results"))) {
      System.out.printf(
          "compile %s: empty relations %.3f ms, files listed once per run %.3f ms, per scan %.3f"
              + " ms (median)%n",
          result.name(),
          result.median("compile+analyze"),
          result.median("files listed once per run"),
          result.median("files listed per scan"));
    }
  }

  private static long analyzed(PlanCompiler compiler, RelPlan plan) {
    compiler.compile(plan.name(), plan.ops(), plan.params()).queryExecution().assertAnalyzed();
    return 1L;
  }

  private static Dataset<Row> regionRevenueByHand(Dataset<Row> orders, Dataset<Row> customers) {
    return orders
        .filter(
            col("order_date")
                .geq(lit(java.sql.Date.valueOf("2024-01-01")))
                .and(col("status").isin("shipped", "delivered")))
        .join(
            customers.select(col("customer_id").as("customer_id_c"), col("region")),
            col("customer_id").equalTo(col("customer_id_c")))
        .groupBy("region")
        .agg(
            sum("amount").as("revenue"),
            count(lit(1)).as("orders"),
            countDistinct("customer_id").as("customers"),
            avg(col("amount").cast(DataTypes.DoubleType)).as("avg_order"))
        .orderBy(col("revenue").desc_nulls_first(), col("region").asc_nulls_last());
  }

  private static Dataset<Row> skuSalesByHand(Dataset<Row> orders, Dataset<Row> items) {
    Dataset<Row> live = orders.filter(col("status").notEqual("cancelled")).select("order_id");
    return items
        .join(live, items.col("order_id").equalTo(live.col("order_id")), "left_semi")
        .withColumn(
            "line_total",
            col("qty").cast(DataTypes.createDecimalType(10, 0)).multiply(col("unit_price")))
        .groupBy("sku")
        .agg(
            sum(col("qty").cast(DataTypes.LongType)).as("units"),
            sum("line_total").as("gross"),
            max("qty").as("max_qty"));
  }

  private static DatasetResolver resolver(SparkSession spark, Bundle bundle, Path base) {
    Map<String, Dataset<Row>> datasets = new LinkedHashMap<>();
    for (DatasetSpec dataset : bundle.datasets()) {
      datasets.put(
          dataset.name(),
          spark
              .read()
              .schema(SparkTypes.toSpark(dataset.schema()))
              .parquet(base.resolve(dataset.location()).toString()));
    }
    return DatasetResolver.of(datasets);
  }

  /** Empty relations with the right schemas: compile time does not depend on data. */
  private static DatasetResolver emptyResolver(SparkSession spark, ValidatedBundle bundle) {
    Map<String, Dataset<Row>> datasets = new LinkedHashMap<>();
    for (DatasetSpec dataset : bundle.bundle().datasets()) {
      datasets.put(
          dataset.name(),
          spark.createDataFrame(java.util.List.of(), SparkTypes.toSpark(dataset.schema())));
    }
    bundle
        .outputs()
        .forEach(
            output ->
                datasets.put(
                    output.name(),
                    spark.createDataFrame(
                        java.util.List.of(), SparkTypes.toSpark(output.contract().columns()))));
    return DatasetResolver.of(datasets);
  }
}
