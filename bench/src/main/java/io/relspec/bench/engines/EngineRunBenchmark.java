package io.relspec.bench.engines;

import io.relspec.bench.harness.SideBySide;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ReferenceExecutor;
import io.relspec.reference.run.ArrowLaneRunner;
import io.relspec.spark.datagen.AnalyticsGenerator;
import io.relspec.spark.datagen.CpgGenerator;
import io.relspec.spark.run.SparkRunner;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;

/**
 * {@code relspec run} end to end (read Parquet, run every rule, finalize, write Parquet and the
 * manifest) on the Spark lane and on the reference lane ({@code ArrowLaneRunner}), side by side in
 * one JVM, for both example bundles on generated data. The row count each lane returns is the sum
 * of rows out and quarantined over the outputs, so the harness checks both did the same work.
 *
 * <p>Arguments: {@code [rows (default 200000)] [data dir (default bench/target/data)]}.
 */
public final class EngineRunBenchmark {
  private EngineRunBenchmark() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 200_000L;
    Path data = Path.of(args.length > 1 ? args[1] : "bench/target/data").toAbsolutePath();
    Path out = Path.of("bench", "target", "engine-runs").toAbsolutePath();
    int iterations = Integer.getInteger("relspec.bench.iterations", 3);
    SparkSession spark =
        SparkSession.builder()
            .master(System.getProperty("relspec.bench.master", "local[2]"))
            .appName("relspec-bench-engines")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Path cpg = data.resolve("engines-cpg-" + rows);
    if (!Files.exists(cpg.resolve("_GENERATED"))) {
      CpgGenerator.write(spark, rows, 1, cpg.resolve("cpg"));
      Files.writeString(cpg.resolve("_GENERATED"), "rows=" + rows + "\n");
    }
    Path analytics = data.resolve("engines-analytics-" + rows);
    if (!Files.exists(analytics.resolve("_GENERATED"))) {
      AnalyticsGenerator.write(spark, rows, 1, analytics.resolve("analytics"));
      Files.writeString(analytics.resolve("_GENERATED"), "rows=" + rows + "\n");
    }
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    RuntimeProfile profile = RuntimeProfile.DEFAULT;
    SideBySide bench =
        new SideBySide("engine-run-reference-vs-spark", 1, iterations)
            .note("rows", rows)
            .note("sparkMaster", spark.sparkContext().master())
            .note("batchSize", profile.batchSize())
            .note(
                "what",
                "relspec run end to end: Parquet in, every rule, contract finalization, Parquet"
                    + " and _manifest.json out");
    Map<String, Path> examples = new LinkedHashMap<>();
    examples.put("cpg.json", cpg);
    examples.put("analytics.json", analytics);
    for (Map.Entry<String, Path> example : examples.entrySet()) {
      ValidatedBundle bundle = BundleValidator.validate(Path.of("examples", example.getKey()));
      Path dataDir = example.getValue();
      Map<String, Callable<Long>> lanes = new LinkedHashMap<>();
      lanes.put(
          "spark",
          () ->
              produced(
                  new SparkRunner(spark, quiet)
                      .run(bundle, dataDir, out.resolve("spark"), Map.of(), profile)));
      lanes.put(
          "reference",
          () ->
              produced(
                  new ArrowLaneRunner(
                          new ReferenceExecutor(profile.batchSize(), Long.MAX_VALUE),
                          profile,
                          quiet)
                      .run(bundle, dataDir, out.resolve("reference"), Map.of())));
      bench.addCase(example.getKey(), "spark", lanes);
    }
    for (SideBySide.CaseResult result : bench.run(Path.of("bench", "results"))) {
      System.out.printf(
          "%s: spark %.0f ms, reference %.0f ms, reference/spark %.2f (%d rows out+quarantined)%n",
          result.name(),
          result.median("spark"),
          result.median("reference"),
          result.ratio("reference"),
          result.rows());
    }
    spark.stop();
  }

  private static long produced(RunManifest manifest) {
    return manifest.outputs().stream().mapToLong(o -> o.rowsOut() + o.quarantined()).sum();
  }
}
