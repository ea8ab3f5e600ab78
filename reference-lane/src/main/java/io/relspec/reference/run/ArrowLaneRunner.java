package io.relspec.reference.run;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.OnViolation;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.run.StagedOutputs;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.Accounting;
import io.relspec.reference.ContractFinalizer;
import io.relspec.reference.LaneErrors;
import io.relspec.reference.OutputResult;
import io.relspec.reference.ParquetDatasetSource;
import io.relspec.reference.ParquetDatasetWriter;
import io.relspec.reference.RuleAccounting;
import io.relspec.reference.SourceBatches;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;

/**
 * Runs every rule of a validated bundle in dependency order on Arrow batches, through any {@link
 * PlanExecutor}, the way {@code SparkRunner} does on Spark: inputs are read from {@code DATA} with
 * {@link ParquetDatasetSource}, each output is finalized by its contract with the reference {@link
 * ContractFinalizer} and written with {@link ParquetDatasetWriter} as {@code OUT/<output>/},
 * quarantined rows as {@code OUT/<output>__errors/}, and {@code OUT/_manifest.json} records the
 * run. Everything goes through {@link StagedOutputs}: a failed run changes nothing in {@code OUT}.
 *
 * <p>Every Arrow buffer of the run comes from one allocator bounded by the profile's {@code
 * memoryLimitBytes}; batches are at most the profile's {@code batchSize} rows. A finalized output
 * that a later rule scans stays in memory until the run ends; every other one is released once
 * written.
 */
public final class ArrowLaneRunner {
  /** Footer metadata keys of every Parquet file the runner writes. */
  public static final String BUNDLE_SIGNATURE_KEY = "relspec.bundle.signature";

  public static final String PLAN_SIGNATURE_KEY = "relspec.plan.signature";
  public static final String CONTRACT_SIGNATURE_KEY = "relspec.contract.signature";

  private final PlanExecutor executor;
  private final RuntimeProfile profile;
  private final PrintStream progress;

  public ArrowLaneRunner(PlanExecutor executor, RuntimeProfile profile, PrintStream progress) {
    this.executor = executor;
    this.profile = profile;
    this.progress = progress;
  }

  /**
   * @param bundle the validated bundle (its plans hold the effective params)
   * @param runtimeParams the values given at run time, for the manifest
   * @throws io.relspec.ir.error.RelspecException on bad input, a contract that fails, a memory
   *     limit or a bug; {@code OUT} is then unchanged
   */
  public RunManifest run(
      ValidatedBundle bundle, Path dataDir, Path outDir, Map<String, String> runtimeParams) {
    return run(bundle, dataDir, outDir, runtimeParams, List.of());
  }

  /**
   * As {@link #run(ValidatedBundle, Path, Path, Map)}, recording the rules the diagnostics gates
   * stopped before the run (see {@code io.relspec.ir.run.RunGates}) in the manifest.
   */
  public RunManifest run(
      ValidatedBundle bundle,
      Path dataDir,
      Path outDir,
      Map<String, String> runtimeParams,
      List<RunManifest.SkippedRule> skipped) {
    long start = System.nanoTime();
    String started = Instant.now().toString();
    long limit = profile.memoryLimitBytes().orElse(Long.MAX_VALUE);
    Map<String, OutputResult> finalized = new HashMap<>();
    try (BufferAllocator allocator = new RootAllocator(limit);
        ParquetDatasetSource source =
            new ParquetDatasetSource(dataDir, allocator, profile.batchSize());
        StagedOutputs staged = StagedOutputs.open(outDir)) {
      try {
        Inputs inputs = new Inputs(bundle, dataDir, source, finalized, staged);
        java.util.Set<String> scanned = new java.util.HashSet<>();
        for (RelPlan plan : bundle.plans()) {
          scans(plan.ops(), scanned);
        }
        List<RunManifest.OutputReport> outputs = new ArrayList<>();
        for (OutputPlan output : bundle.outputs()) {
          outputs.add(runOutput(bundle, output, inputs, allocator, limit, staged, finalized));
          if (!scanned.contains(output.name())) {
            // written and read by no later rule: release its batches now
            finalized.remove(output.name()).close();
          }
        }
        RunManifest manifest =
            new RunManifest(
                bundle.bundle().name(),
                bundle.source(),
                bundle.signature(),
                executor.lane(),
                versions(),
                runtimeParams,
                RunManifest.describe(profile),
                started,
                (System.nanoTime() - start) / 1_000_000,
                outputs,
                skipped);
        staged.commit(manifest);
        return manifest;
      } finally {
        finalized.values().forEach(OutputResult::close);
        finalized.clear();
      }
    }
  }

  /** Every dataset or output name {@code ops} scan, nested pipelines included. */
  private static void scans(List<io.relspec.ir.op.Op> ops, java.util.Set<String> names) {
    for (io.relspec.ir.op.Op op : ops) {
      if (op instanceof io.relspec.ir.op.Scan scan) {
        names.add(scan.dataset());
      } else if (op instanceof io.relspec.ir.op.Join join) {
        scans(join.right().ops(), names);
      } else if (op instanceof io.relspec.ir.op.IntervalAlign align) {
        scans(align.right().ops(), names);
      } else if (op instanceof io.relspec.ir.op.Union union) {
        union.inputs().forEach(input -> scans(input.ops(), names));
      }
    }
  }

  private Map<String, String> versions() {
    Map<String, String> versions = new TreeMap<>(executor.versions());
    versions.put("relspec", RunManifest.RELSPEC_VERSION);
    return versions;
  }

  private RunManifest.OutputReport runOutput(
      ValidatedBundle bundle,
      OutputPlan output,
      Inputs inputs,
      BufferAllocator allocator,
      long limit,
      StagedOutputs staged,
      Map<String, OutputResult> finalized) {
    long start = System.nanoTime();
    List<Execution> executions = new ArrayList<>();
    OutputResult result;
    try {
      for (RelPlan plan : output.rules()) {
        progress.printf(
            "relspec: rule %s -> %s (plan %s)%n", plan.name(), plan.output(), shortSig(plan));
        try {
          executions.add(executor.execute(plan, inputs, allocator));
        } catch (OutOfMemoryException e) {
          throw LaneErrors.outOfMemory(plan.name(), "pipeline", limit, e);
        }
      }
      List<ContractFinalizer.RuleRows> rows = new ArrayList<>();
      for (int i = 0; i < executions.size(); i++) {
        rows.add(
            new ContractFinalizer.RuleRows(output.rules().get(i).name(), executions.get(i).rows()));
      }
      try {
        result =
            new ContractFinalizer(allocator, profile.batchSize(), limit)
                .finalizeOutput(output, rows);
      } catch (OutOfMemoryException e) {
        throw LaneErrors.outOfMemory(output.rules().get(0).name(), "finalize", limit, e);
      }
    } finally {
      executions.forEach(Execution::close);
    }
    finalized.put(output.name(), result);

    ContractSpec contract = output.contract();
    boolean quarantine = contract.onViolation() == OnViolation.QUARANTINE;
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put(BUNDLE_SIGNATURE_KEY, bundle.signature());
    metadata.put(CONTRACT_SIGNATURE_KEY, output.contractSignature());
    metadata.put(
        PLAN_SIGNATURE_KEY,
        String.join(",", output.rules().stream().map(RelPlan::planSignature).toList()));
    Path rowsDir = staged.stage(output.name());
    Runnable writeRows =
        () ->
            ParquetDatasetWriter.write(rowsDir, output.schema(), result.rows().batches(), metadata);
    if (quarantine) {
      var errors = result.errors().orElseThrow();
      Path errorsDir = staged.stage(output.errorsName());
      // a Parquet writer works on one thread: the two files are written side by side
      bothRun(
          writeRows,
          () -> ParquetDatasetWriter.write(errorsDir, errors.schema(), errors.batches(), metadata));
    } else {
      writeRows.run();
    }

    Map<String, Integer> ruleIndex = new HashMap<>();
    List<RuleDefinition> definitions = bundle.bundle().rules();
    for (int i = 0; i < definitions.size(); i++) {
      ruleIndex.put(definitions.get(i).name(), i);
    }
    List<RunManifest.RuleReport> rules = new ArrayList<>();
    for (int i = 0; i < output.rules().size(); i++) {
      RelPlan plan = output.rules().get(i);
      RuleAccounting counts = result.rules().get(i);
      rules.add(
          new RunManifest.RuleReport(
              plan.name(),
              plan.rule().priority(),
              plan.planSignature(),
              plan.ruleSignature(),
              params(plan.params()),
              counts.rowsIn(),
              counts.rowsOut(),
              counts.violations(),
              counts.deduplicated(),
              executionCompileMillis(executions, i),
              OpExecutions.prefixed(
                  executions.get(i).execution(), "rules[" + ruleIndex.get(plan.name()) + "]")));
    }
    Accounting accounting = result.accounting();
    RunManifest.OutputReport report =
        new RunManifest.OutputReport(
            output.name(),
            contract.name(),
            contract.version(),
            output.contractSignature(),
            output.ordering().describe(),
            contract.onViolation().jsonName(),
            accounting.rowsIn(),
            accounting.rowsOut(),
            accounting.quarantined(),
            accounting.dropped(),
            accounting.deduplicated(),
            (System.nanoTime() - start) / 1_000_000,
            rules);
    progress.println(report.progressLine());
    return report;
  }

  /** Runs {@code first} here and {@code second} on another thread; throws the first failure. */
  private static void bothRun(Runnable first, Runnable second) {
    CompletableFuture<Void> other = CompletableFuture.runAsync(second);
    RuntimeException failure = null;
    try {
      first.run();
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      other.join();
    } catch (CompletionException e) {
      RuntimeException cause =
          e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      if (failure == null) {
        failure = cause;
      } else {
        failure.addSuppressed(cause);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static double executionCompileMillis(List<Execution> executions, int i) {
    return executions.get(i).compileMillis();
  }

  private static String shortSig(RelPlan plan) {
    return plan.planSignature().substring(0, 12);
  }

  /** Param values as text, the way SparkRunner writes them. */
  private static Map<String, String> params(Map<String, Literal> params) {
    Map<String, String> text = new TreeMap<>();
    params.forEach((name, value) -> text.put(name, String.valueOf(value.value().orElse(null))));
    return text;
  }

  /** Scans read declared datasets from DATA and outputs finalized earlier in the run. */
  private static final class Inputs implements PlanInputs {
    private final ValidatedBundle bundle;
    private final Path dataDir;
    private final ParquetDatasetSource source;
    private final Map<String, OutputResult> finalized;
    private final StagedOutputs staged;

    Inputs(
        ValidatedBundle bundle,
        Path dataDir,
        ParquetDatasetSource source,
        Map<String, OutputResult> finalized,
        StagedOutputs staged) {
      this.bundle = bundle;
      this.dataDir = dataDir;
      this.source = source;
      this.finalized = finalized;
      this.staged = staged;
    }

    @Override
    public SourceBatches batches(String rule, String dataset) {
      OutputResult output = finalized.get(dataset);
      if (output != null) {
        return new SourceBatches(output.rows().schema(), output.rows().batches());
      }
      DatasetSpec spec = spec(rule, dataset);
      // read batch by batch by each scan of the reference executor; engines that need every
      // batch at once (batches()) read the dataset once and keep it until the run ends
      return SourceBatches.streamed(
          new RelSchema(spec.schema()), () -> source.open(spec), () -> source.batches(spec));
    }

    @Override
    public Path files(String rule, String dataset) {
      if (finalized.containsKey(dataset)) {
        return staged.staged(dataset);
      }
      return dataDir.resolve(spec(rule, dataset).location()).normalize();
    }

    @Override
    public java.util.Optional<DatasetSpec> declared(String rule, String dataset) {
      if (finalized.containsKey(dataset) || bundle.output(dataset).isPresent()) {
        return java.util.Optional.empty();
      }
      return bundle.bundle().dataset(dataset);
    }

    private DatasetSpec spec(String rule, String dataset) {
      if (bundle.output(dataset).isPresent()) {
        throw LaneErrors.outputNotReady(rule, dataset);
      }
      return bundle
          .bundle()
          .dataset(dataset)
          .orElseThrow(
              () ->
                  LaneErrors.missingInput(
                      rule,
                      dataset,
                      bundle.bundle().datasets().stream().map(DatasetSpec::name).toList()));
    }
  }
}
