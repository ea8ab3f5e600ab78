package io.relspec.spark.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.OnViolation;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.SparkErrors;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.contract.ContractFinalizer;
import io.relspec.spark.contract.Finalization;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Runs every rule of a validated bundle in dependency order on a SparkSession: each output is
 * finalized by its contract and written as Parquet under {@code OUT/<output>/}, quarantined rows
 * under {@code OUT/<output>__errors/}, and {@code OUT/_manifest.json} records what happened.
 *
 * <p>Outputs are first written to a staging directory inside {@code OUT} and only moved into place
 * (one rename per dataset) once every output of the run succeeded: a failed run leaves every
 * previous output untouched.
 */
public final class SparkRunner {
  public static final String MANIFEST = "_manifest.json";
  public static final String PLAN_SIGNATURE_PROPERTY = "relspec.plan.signature";
  public static final String RELSPEC_VERSION = "0.1.0-SNAPSHOT";

  private final SparkSession spark;
  private final PrintStream progress;

  public SparkRunner(SparkSession spark, PrintStream progress) {
    this.spark = spark;
    this.progress = progress;
  }

  /** An embedded local session such as {@code scripts/relspec run} uses by default. */
  public static SparkSession localSession(String master) {
    return SparkSession.builder()
        .master(master)
        .appName("relspec")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate();
  }

  /**
   * @param bundle the validated bundle (its plans hold the effective params)
   * @param runtimeParams the values given at run time, for the manifest
   */
  public RunReport run(
      ValidatedBundle bundle, Path dataDir, Path outDir, Map<String, String> runtimeParams) {
    long start = System.nanoTime();
    String started = Instant.now().toString();
    Path staging = outDir.resolve("_relspec_staging_" + System.currentTimeMillis());
    try {
      Files.createDirectories(staging);
    } catch (IOException e) {
      throw SparkErrors.cannotWrite("the staging directory", staging.toString(), e);
    }
    List<String> staged = new ArrayList<>();
    List<RunReport.OutputReport> outputs = new ArrayList<>();
    try {
      Map<String, Path> produced = new LinkedHashMap<>();
      DatasetResolver resolver =
          (dataset, where) -> {
            Path output = produced.get(dataset);
            if (output != null) {
              return spark.read().parquet(output.toString());
            }
            return bundle
                .bundle()
                .dataset(dataset)
                .map(spec -> InputReader.read(spark, spec, dataDir, where))
                .orElseThrow(() -> SparkErrors.unknownDataset(where, dataset));
          };
      PlanCompiler compiler = new PlanCompiler(resolver);
      for (OutputPlan output : bundle.outputs()) {
        outputs.add(runOutput(output, compiler, staging, staged));
        produced.put(output.name(), staging.resolve(output.name()));
      }
      RunReport report =
          new RunReport(
              bundle.bundle().name(),
              bundle.source(),
              bundle.signature(),
              spark.version(),
              RELSPEC_VERSION,
              runtimeParams,
              started,
              (System.nanoTime() - start) / 1_000_000,
              outputs);
      writeManifest(report, staging.resolve(MANIFEST));
      staged.add(MANIFEST);
      commit(staging, outDir, staged);
      return report;
    } finally {
      spark.sparkContext().setJobDescription(null);
      deleteRecursively(staging);
    }
  }

  private RunReport.OutputReport runOutput(
      OutputPlan output, PlanCompiler compiler, Path staging, List<String> staged) {
    long start = System.nanoTime();
    List<ContractFinalizer.RuleRows> rows = new ArrayList<>();
    Map<String, Double> compileMillis = new LinkedHashMap<>();
    for (RelPlan plan : output.rules()) {
      progress.printf(
          "relspec: rule %s -> %s (plan %s)%n", plan.name(), plan.output(), shortSig(plan));
      long compileStart = System.nanoTime();
      Dataset<Row> ruleRows = compiler.compile(plan.name(), plan.ops(), plan.params());
      compileMillis.put(plan.name(), (System.nanoTime() - compileStart) / 1e6);
      rows.add(new ContractFinalizer.RuleRows(plan.name(), ruleRows));
    }
    spark
        .sparkContext()
        .setJobDescription(
            "relspec output "
                + output.name()
                + " rules "
                + output.rules().stream().map(p -> p.name() + "@" + shortSig(p)).toList());
    spark
        .sparkContext()
        .setLocalProperty(
            PLAN_SIGNATURE_PROPERTY,
            String.join(",", output.rules().stream().map(RelPlan::planSignature).toList()));
    ContractSpec contract = output.contract();
    Finalization done = ContractFinalizer.finalize(output.name(), contract, rows).persist();
    try {
      Finalization.Counts counts = done.counts();
      done.failOnViolations(counts);
      write(done.rows(), staging.resolve(output.name()));
      staged.add(output.name());
      if (contract.onViolation() == OnViolation.QUARANTINE) {
        write(done.errors(), staging.resolve(output.errorsName()));
        staged.add(output.errorsName());
      }
      List<RunReport.RuleReport> rules = new ArrayList<>();
      for (RelPlan plan : output.rules()) {
        Map<String, Long> byStatus = counts.rule(plan.name());
        long in = byStatus.values().stream().mapToLong(Long::longValue).sum();
        long violations =
            byStatus.getOrDefault(ContractFinalizer.NULL_VIOLATION, 0L)
                + byStatus.getOrDefault(ContractFinalizer.CAST_FAILURE, 0L)
                + byStatus.getOrDefault(ContractFinalizer.DUPLICATE_KEY, 0L);
        rules.add(
            new RunReport.RuleReport(
                plan.name(),
                plan.rule().priority(),
                plan.planSignature(),
                plan.ruleSignature(),
                params(plan.params()),
                in,
                byStatus.getOrDefault(ContractFinalizer.OK, 0L),
                violations,
                byStatus.getOrDefault(ContractFinalizer.DEDUPLICATED, 0L),
                compileMillis.get(plan.name())));
      }
      boolean quarantine = contract.onViolation() == OnViolation.QUARANTINE;
      RunReport.OutputReport report =
          new RunReport.OutputReport(
              output.name(),
              contract.name(),
              contract.version(),
              output.contractSignature(),
              output.ordering().describe(),
              contract.onViolation().jsonName(),
              counts.in(),
              counts.out(),
              quarantine ? counts.violations() : 0,
              quarantine ? 0 : counts.violations(),
              counts.deduplicated(),
              (System.nanoTime() - start) / 1_000_000,
              rules);
      progress.printf(
          "relspec: output %s: %d rows in, %d out, %d quarantined, %d dropped, %d deduplicated"
              + " (%d ms)%n",
          report.name(),
          report.rowsIn(),
          report.rowsOut(),
          report.quarantined(),
          report.dropped(),
          report.deduplicated(),
          report.millis());
      return report;
    } finally {
      done.unpersist();
    }
  }

  private static String shortSig(RelPlan plan) {
    return plan.planSignature().substring(0, 12);
  }

  private static Map<String, String> params(Map<String, Literal> params) {
    Map<String, String> text = new TreeMap<>();
    params.forEach((name, value) -> text.put(name, String.valueOf(value.value().orElse(null))));
    return text;
  }

  /**
   * Writes Parquet with timestamps as TIMESTAMP(MICROS, UTC), the v1 {@code timestamp_us} every
   * lane reads (Spark 3.5 defaults to INT96); the session's setting is restored afterwards.
   */
  private void write(Dataset<Row> rows, Path path) {
    String key = "spark.sql.parquet.outputTimestampType";
    String before = spark.conf().get(key, null);
    spark.conf().set(key, "TIMESTAMP_MICROS");
    try {
      rows.write().mode(SaveMode.ErrorIfExists).parquet(path.toString());
    } finally {
      if (before == null) {
        spark.conf().unset(key);
      } else {
        spark.conf().set(key, before);
      }
    }
  }

  private static void writeManifest(RunReport report, Path path) {
    try {
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(path.toFile(), report);
    } catch (IOException e) {
      throw SparkErrors.cannotWrite("the run manifest", path.toString(), e);
    }
  }

  /** Moves each staged dataset into place: old copy aside, new one in, old copy deleted. */
  private static void commit(Path staging, Path outDir, List<String> staged) {
    for (String name : staged) {
      Path target = outDir.resolve(name);
      Path old = staging.resolve(".old-" + name);
      try {
        if (Files.exists(target)) {
          Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging.resolve(name), target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw SparkErrors.cannotWrite("dataset " + name, target.toString(), e);
      }
    }
  }

  static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try {
      Files.walkFileTree(
          path,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
