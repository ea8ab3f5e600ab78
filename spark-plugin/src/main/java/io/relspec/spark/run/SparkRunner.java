package io.relspec.spark.run;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.OnViolation;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.run.StagedOutputs;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.SparkErrors;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.contract.ContractFinalizer;
import io.relspec.spark.contract.Finalization;
import io.relspec.spark.engine.AccelerationReport;
import io.relspec.spark.engine.ExecutedPlans;
import io.relspec.spark.engine.FailOnFallback;
import io.relspec.spark.engine.PlanWalker;
import io.relspec.spark.engine.SparkEngine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import scala.collection.JavaConverters;

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
  public static final String MANIFEST = RunManifest.FILE_NAME;
  public static final String ENGINE = "spark";
  public static final String PLAN_SIGNATURE_PROPERTY = "relspec.plan.signature";

  private final SparkSession spark;
  private final PrintStream progress;
  private FailOnFallback failOnFallback;
  private RuleDelegate delegate = RuleDelegate.NONE;

  public SparkRunner(SparkSession spark, PrintStream progress) {
    this.spark = spark;
    this.progress = progress;
    this.failOnFallback = FailOnFallback.parse(spark.conf().get(FailOnFallback.CONF, "false"));
  }

  /**
   * Rules that must run natively on DataFusion (engine {@code spark-datafusion}); by default {@code
   * spark.relspec.failOnFallback} of the session, else none.
   */
  public SparkRunner failOnFallback(FailOnFallback policy) {
    this.failOnFallback = policy;
    return this;
  }

  /**
   * Executes some ops of some rules on another engine inside the Spark job (module {@code
   * spark-delegation}); by default none.
   */
  public SparkRunner delegate(RuleDelegate newDelegate) {
    this.delegate = newDelegate;
    return this;
  }

  /** An embedded local session for an engine, Comet's confs included for spark-datafusion. */
  public static SparkSession localSession(String master, SparkEngine engine, long offHeapBytes) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .master(master)
            .appName("relspec")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC");
    return engine.configure(builder, offHeapBytes).getOrCreate();
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
  public RunManifest run(
      ValidatedBundle bundle, Path dataDir, Path outDir, Map<String, String> runtimeParams) {
    return run(bundle, dataDir, outDir, runtimeParams, RuntimeProfile.DEFAULT);
  }

  /**
   * @param bundle the validated bundle (its plans hold the effective params)
   * @param runtimeParams the values given at run time, for the manifest
   * @param profile the runtime profile the session was configured from, for the manifest
   */
  public RunManifest run(
      ValidatedBundle bundle,
      Path dataDir,
      Path outDir,
      Map<String, String> runtimeParams,
      RuntimeProfile profile) {
    return run(bundle, dataDir, outDir, runtimeParams, profile, List.of());
  }

  /**
   * Runs the outputs a diagnostics gate let through ({@link io.relspec.ir.run.RunGates}).
   *
   * @param bundle the outputs that run (its plans hold the effective params)
   * @param skipped the rules the gate stopped, copied into the manifest
   */
  public RunManifest run(
      ValidatedBundle bundle,
      Path dataDir,
      Path outDir,
      Map<String, String> runtimeParams,
      RuntimeProfile profile,
      List<RunManifest.SkippedRule> skipped) {
    long start = System.nanoTime();
    String started = Instant.now().toString();
    SparkEngine engine = SparkEngine.of(spark);
    checkFailOnFallback(bundle, engine);
    delegate.check(bundle, engine.jsonName());
    List<RunManifest.OutputReport> outputs = new ArrayList<>();
    Map<String, String> versions = new TreeMap<>();
    versions.put("spark", spark.version());
    versions.put("relspec", RunManifest.RELSPEC_VERSION);
    if (engine == SparkEngine.SPARK_DATAFUSION) {
      versions.put("comet", SparkEngine.COMET_VERSION);
    }
    versions.putAll(delegate.versions());
    try (StagedOutputs staged = StagedOutputs.open(outDir)) {
      Map<String, Path> produced = new LinkedHashMap<>();
      // each input dataset is listed once per run; a new run sees the files as they are then
      InputRelations inputs = new InputRelations(spark, dataDir);
      List<DatasetSpec> scanned = new ArrayList<>();
      DatasetResolver resolver =
          (dataset, where) -> {
            Path output = produced.get(dataset);
            if (output != null) {
              return spark.read().parquet(output.toString());
            }
            DatasetSpec spec =
                bundle
                    .bundle()
                    .dataset(dataset)
                    .orElseThrow(() -> SparkErrors.unknownDataset(where, dataset));
            scanned.add(spec);
            return inputs.read(spec, where);
          };
      PlanCompiler compiler = new PlanCompiler(resolver);
      for (OutputPlan output : bundle.outputs()) {
        scanned.clear();
        outputs.add(runOutput(bundle, output, compiler, resolver, scanned, staged, engine));
        produced.put(output.name(), staged.staged(output.name()));
      }
      RunManifest manifest =
          new RunManifest(
              bundle.bundle().name(),
              bundle.source(),
              bundle.signature(),
              engine.jsonName(),
              versions,
              runtimeParams,
              RunManifest.describe(profile),
              started,
              (System.nanoTime() - start) / 1_000_000,
              outputs,
              skipped);
      staged.commit(manifest);
      return manifest;
    } catch (Exception e) {
      // Spark's SparkException is checked to Java but thrown undeclared: catch Exception
      java.util.Optional<io.relspec.ir.error.RelspecException> input =
          InputReader.nullInputError(spark, e);
      if (input.isPresent()) {
        throw input.get();
      }
      // A user error raised inside a task (e.g. by a delegated engine) reaches the driver wrapped
      // in Spark's task failure: report it as raised.
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof io.relspec.ir.error.RelspecException relspec) {
          throw relspec;
        }
      }
      throw e;
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  private void checkFailOnFallback(ValidatedBundle bundle, SparkEngine engine) {
    if (failOnFallback.none()) {
      return;
    }
    if (engine != SparkEngine.SPARK_DATAFUSION) {
      throw SparkErrors.failOnFallbackWithoutDataFusion(engine.jsonName());
    }
    List<String> known = bundle.plans().stream().map(RelPlan::name).toList();
    List<String> unknown =
        failOnFallback.rules().stream().filter(r -> !known.contains(r)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw SparkErrors.unknownRules("fail-on-fallback", unknown, known);
    }
  }

  private RunManifest.OutputReport runOutput(
      ValidatedBundle bundle,
      OutputPlan output,
      PlanCompiler compiler,
      DatasetResolver resolver,
      List<DatasetSpec> scanned,
      StagedOutputs staged,
      SparkEngine engine) {
    String bundleSignature = bundle.signature();
    Map<String, RuleDelegate.Delegated> delegated = new LinkedHashMap<>();
    boolean accelerated = engine == SparkEngine.SPARK_DATAFUSION;
    long start = System.nanoTime();
    List<ContractFinalizer.RuleRows> rows = new ArrayList<>();
    Map<String, Double> compileMillis = new LinkedHashMap<>();
    for (RelPlan plan : output.rules()) {
      progress.printf(
          "relspec: rule %s -> %s (plan %s)%n", plan.name(), plan.output(), shortSig(plan));
      long compileStart = System.nanoTime();
      java.util.Optional<RuleDelegate.Delegated> withDelegation =
          delegate.compile(bundle, plan, compiler, resolver);
      withDelegation.ifPresent(d -> delegated.put(plan.name(), d));
      Dataset<Row> ruleRows =
          withDelegation.map(RuleDelegate.Delegated::rows).orElseGet(() -> compiler.compile(plan));
      compileMillis.put(plan.name(), (System.nanoTime() - compileStart) / 1e6);
      rows.add(ContractFinalizer.RuleRows.of(plan, ruleRows));
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
    ParquetPruning pruning = ParquetPruning.forScans(spark, scanned);
    if (!pruning.disabledBy().isEmpty()) {
      progress.printf(
          "relspec: output %s: Parquet row-group pruning off (scan.parquetPruning false for %s)%n",
          output.name(), pruning.disabledBy());
    }
    Finalization done = ContractFinalizer.finalize(output.name(), contract, rows).persist();
    try (pruning) {
      Finalization.Counts counts = done.counts();
      Map<String, AccelerationReport> byRule =
          accelerated ? acceleration(output, rows, done) : Map.of();
      done.failOnViolations(counts);
      AccelerationReport finalization = byRule.getOrDefault("", AccelerationReport.EMPTY);
      try (ExecutedPlans writes = accelerated ? ExecutedPlans.record(spark) : null) {
        write(done.rows(), staged.stage(output.name()));
        stampFooters(staged.staged(output.name()), bundleSignature, output, false, engine);
        if (contract.onViolation() == OnViolation.QUARANTINE) {
          write(done.errors(counts), staged.stage(output.errorsName()));
          stampFooters(staged.staged(output.errorsName()), bundleSignature, output, true, engine);
        }
        if (writes != null) {
          for (SparkPlan plan : writes.plans()) {
            finalization = finalization.plus(PlanWalker.walk(plan));
          }
        }
      }
      List<RunManifest.RuleReport> rules = new ArrayList<>();
      for (RelPlan plan : output.rules()) {
        Map<String, Long> byStatus = counts.rule(plan.name());
        long in = byStatus.values().stream().mapToLong(Long::longValue).sum();
        long violations =
            byStatus.getOrDefault(ContractFinalizer.NULL_VIOLATION, 0L)
                + byStatus.getOrDefault(ContractFinalizer.CAST_FAILURE, 0L)
                + byStatus.getOrDefault(ContractFinalizer.DUPLICATE_KEY, 0L);
        rules.add(
            new RunManifest.RuleReport(
                plan.name(),
                plan.rule().priority(),
                plan.planSignature(),
                plan.ruleSignature(),
                params(plan.params()),
                in,
                byStatus.getOrDefault(ContractFinalizer.OK, 0L),
                violations,
                byStatus.getOrDefault(ContractFinalizer.DEDUPLICATED, 0L),
                compileMillis.get(plan.name()),
                execution(
                    byRule.getOrDefault(plan.name(), AccelerationReport.EMPTY).execution(),
                    delegated.get(plan.name())),
                accelerated
                    ? byRule.getOrDefault(plan.name(), AccelerationReport.EMPTY).counts()
                    : RunManifest.Acceleration.NONE));
      }
      boolean quarantine = contract.onViolation() == OnViolation.QUARANTINE;
      RunManifest.OutputReport report =
          new RunManifest.OutputReport(
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
              rules,
              finalization.execution());
      progress.println(report.progressLine());
      if (accelerated) {
        for (RelPlan plan : output.rules()) {
          progress.printf(
              "relspec: rule %s: %s%n",
              plan.name(), byRule.getOrDefault(plan.name(), AccelerationReport.EMPTY).summary());
        }
      }
      return report;
    } finally {
      done.unpersist();
    }
  }

  /** The operators a rule ran on, the delegated ops after Spark's. */
  private static List<RunManifest.OpExecution> execution(
      List<RunManifest.OpExecution> onSpark, RuleDelegate.Delegated delegated) {
    if (delegated == null) {
      return onSpark;
    }
    List<RunManifest.OpExecution> all = new ArrayList<>(onSpark);
    all.addAll(delegated.execution().get());
    return all;
  }

  /** Signatures, contract and ordering into every staged Parquet file's key-value metadata. */
  private void stampFooters(
      Path dataset, String bundleSignature, OutputPlan output, boolean errors, SparkEngine engine) {
    ParquetFooterStamp.stamp(
        dataset,
        ParquetFooterStamp.metadata(bundleSignature, output, errors, engine.jsonName()),
        spark.sparkContext().hadoopConfiguration());
  }

  /**
   * Per rule, the operators of the executed plan that filled the output's cache, and under {@code
   * ""} those of the contract finalization; enforces fail-on-fallback before anything is written.
   */
  private Map<String, AccelerationReport> acceleration(
      OutputPlan output, List<ContractFinalizer.RuleRows> rows, Finalization done) {
    SparkPlan cached =
        ExecutedPlans.cachedPlan(spark, done.persisted())
            .orElseThrow(
                () ->
                    SparkErrors.internal(
                        "report the acceleration of output " + output.name(),
                        new IllegalStateException("the output's rows were not cached")));
    Map<String, Set<Long>> ruleOutputs = new LinkedHashMap<>();
    for (ContractFinalizer.RuleRows rule : rows) {
      Set<Long> ids = new HashSet<>();
      JavaConverters.seqAsJavaList(rule.rows().queryExecution().analyzed().output())
          .forEach(a -> ids.add(a.exprId().id()));
      ruleOutputs.put(rule.rule(), ids);
    }
    Map<String, AccelerationReport> byRule =
        new LinkedHashMap<>(
            PlanWalker.walkByRule(
                cached,
                ContractFinalizer.RULE,
                ContractFinalizer::isFinalizationColumn,
                ruleOutputs));
    // A rule whose marker column the optimizer folded away cannot be told apart from the
    // finalization: it is charged with every operator outside the other rules.
    AccelerationReport unattributed = byRule.getOrDefault("", AccelerationReport.EMPTY);
    boolean missing = false;
    for (RelPlan plan : output.rules()) {
      if (!byRule.containsKey(plan.name())) {
        byRule.put(plan.name(), unattributed);
        missing = true;
      }
    }
    if (missing) {
      byRule.put("", AccelerationReport.EMPTY);
    }
    Map<String, List<String>> refused = new LinkedHashMap<>();
    for (RelPlan plan : output.rules()) {
      if (failOnFallback.applies(plan.name())) {
        List<String> fallbacks =
            byRule.get(plan.name()).fallbacks().stream()
                .map(op -> op.name() + " [" + op.reason() + "]")
                .toList();
        if (!fallbacks.isEmpty()) {
          refused.put(plan.name(), fallbacks);
        }
      }
    }
    if (!refused.isEmpty()) {
      throw SparkErrors.fallbacksNotAllowed(output.name(), refused);
    }
    return byRule;
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
}
