package io.relspec.cli;

import io.relspec.datafusion.run.DataFusionExecutor;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.diagnostics.GatePolicy;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.run.RunGates;
import io.relspec.ir.run.RunLocations;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ReferenceExecutor;
import io.relspec.reference.run.ArrowLaneRunner;
import io.relspec.spark.delegation.DelegationPolicy;
import io.relspec.spark.delegation.PartitionDelegate;
import io.relspec.spark.engine.FailOnFallback;
import io.relspec.spark.engine.SparkEngine;
import io.relspec.spark.run.DiagnosticsDataset;
import io.relspec.spark.run.SparkRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code relspec run BUNDLE --data DIR --out DIR}. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Runs every rule of a bundle in dependency order and writes each output as Parquet under"
            + " OUT/<dataset>/, quarantined rows under OUT/<dataset>__errors/, OUT/_manifest.json and"
            + " the diagnostics under OUT/_diagnostics/. Error diagnostics stop their rule and every"
            + " rule downstream first (see --policy); the manifest lists what was skipped and why.")
final class RunCommand implements Callable<Integer> {
  /**
   * The engines {@code --engine} accepts: {@code spark} (vanilla Spark) and {@code
   * spark-datafusion} (the same Catalyst plans on Spark with Apache DataFusion Comet 0.12.0, each
   * partition's supported operators native in DataFusion). {@code datafusion} is the standalone
   * engine of datafusion-bridge (no Spark).
   */
  enum Engine {
    spark(Optional.of(SparkEngine.SPARK)),
    spark_datafusion(Optional.of(SparkEngine.SPARK_DATAFUSION)),
    /** The JVM reference lane over Arrow, no Spark. */
    reference(Optional.empty()),
    /** The standalone DataFusion engine (Comet 0.12.0 JNI) with reference-lane fallbacks. */
    datafusion(Optional.empty());

    /** The Spark engine of a Spark-based lane; empty for the lanes that start no Spark. */
    final Optional<SparkEngine> sparkEngine;

    Engine(Optional<SparkEngine> sparkEngine) {
      this.sparkEngine = sparkEngine;
    }

    @Override
    public String toString() {
      return name().replace('_', '-');
    }
  }

  /** Engine names as written on the command line ({@code spark-datafusion}). */
  static final class EngineConverter implements ITypeConverter<Engine> {
    @Override
    public Engine convert(String value) {
      for (Engine engine : Engine.values()) {
        if (engine.toString().equals(value)) {
          return engine;
        }
      }
      throw new TypeConversionException(
          "Cannot select engine '"
              + value
              + "': expected one of "
              + java.util.Arrays.toString(Engine.values())
              + ".");
    }
  }

  @Mixin BundleOptions options;
  @Spec CommandSpec spec;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description =
          "Local base directory dataset locations are resolved against (a path or a file: URI;"
              + " remote schemes such as hdfs:// or s3a:// are refused).")
  String dataArgument;

  /** {@code --data} as a local path, set by {@link #call()} before anything runs. */
  private Path data;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description =
          "Local directory the outputs and the manifest are written to (a path or a file: URI;"
              + " remote schemes such as hdfs:// or s3a:// are refused: outputs are committed by a"
              + " local rename).")
  String outArgument;

  /** {@code --out} as a local path, set by {@link #call()} before anything runs. */
  private Path out;

  @Option(
      names = "--engine",
      defaultValue = "spark",
      converter = EngineConverter.class,
      paramLabel = "ENGINE",
      description = "Engine lane: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  Engine engine;

  @Option(
      names = "--fail-on-fallback",
      arity = "0..1",
      fallbackValue = "all",
      paramLabel = "RULE[,RULE...]",
      description =
          "With --engine spark-datafusion: fail (and write nothing) when an operator of these"
              + " rules (all rules when none are named) falls back from DataFusion to Spark.")
  String failOnFallback = "";

  @Option(
      names = "--delegate",
      arity = "0..1",
      fallbackValue = "all",
      paramLabel = "RULE[,RULE...]",
      description =
          "With --engine spark or spark-datafusion: run the partition-local ops of these rules"
              + " (all rules when none are named) on DataFusion inside the Spark tasks (filter,"
              + " project, derive, explode; dedupe and interval_align after Spark repartitions by"
              + " their keys); the manifest lists them on lane datafusion-delegated. With"
              + " spark-datafusion, Comet runs the rest of the Spark plan. Default: the conf"
              + " spark.relspec.delegate, else none.")
  String delegate = "";

  @Option(
      names = "--master",
      defaultValue = "local[*]",
      paramLabel = "URL",
      description = "Spark master of the embedded session (default ${DEFAULT-VALUE}).")
  String master;

  @Option(
      names = "--profile",
      paramLabel = "FILE",
      description =
          "Runtime profile JSON (targetPartitions, batchSize, spillDir, memoryPool, memoryLimitBytes).")
  Optional<Path> profile = Optional.empty();

  @Option(
      names = {"--policy", "--gate-policy"},
      paramLabel = "POLICY",
      defaultValue = "skip-downstream",
      description =
          "What error diagnostics stop before anything runs (as in check --policy):"
              + " skip-downstream stops the rule, its output and every rule downstream; fail-all"
              + " stops the run; warn-only stops only rules that do not validate (default:"
              + " ${DEFAULT-VALUE}).")
  String policy;

  @Override
  public Integer call() {
    // Before anything reads or writes: a remote --out would otherwise become a relative local path.
    out = RunLocations.output(outArgument);
    data = RunLocations.data(dataArgument);
    GatePolicy gatePolicy;
    try {
      gatePolicy = GatePolicy.fromCliName(policy);
    } catch (IllegalArgumentException e) {
      throw new RelspecException(ErrorCode.INVALID_ARGUMENT, e.getMessage() + ".");
    }
    Bundle definition = BundleReader.read(options.bundle);
    Map<String, String> runtimeParams = options.runtimeParams();
    RuntimeProfile runtime = profile.map(BundleReader::readProfile).orElse(RuntimeProfile.DEFAULT);
    if (data.toFile().isDirectory() == false) {
      throw new RelspecException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot run bundle "
              + options.bundle
              + ": --data "
              + data
              + " is not a directory. Pass the directory dataset locations are relative to.");
    }
    if (!failOnFallback.isEmpty() && engine.sparkEngine.isEmpty()) {
      throw new RelspecException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot apply fail-on-fallback on engine "
              + engine
              + ": it reports fallbacks in the manifest but has no fail-on-fallback. Use --engine"
              + " spark-datafusion, or drop --fail-on-fallback.");
    }
    if (!delegate.isEmpty() && engine.sparkEngine.isEmpty()) {
      throw new RelspecException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot delegate ops to DataFusion on engine "
              + engine
              + ": delegation runs inside Spark tasks, and engine "
              + engine
              + " starts no Spark. Use --engine spark or spark-datafusion with --delegate, or"
              + " drop --delegate.");
    }
    RunGates gates =
        RunGates.decide(definition, options.bundle.toString(), runtimeParams, gatePolicy);
    if (gates.report().diagnostics().stream()
        .anyMatch(d -> d.isError() && d.location().startsWith("--param"))) {
      // A wrong --param value is an argument error, not a rule's: the validator says which.
      options.validate();
    }
    if (gates.failed() || gates.runnable().isEmpty()) {
      throw new RelspecException(
          ErrorCode.INVALID_BUNDLE,
          "Cannot run bundle "
              + options.bundle
              + ": "
              + (gates.failed()
                  ? "policy fail-all and " + gates.report().errorCount() + " error(s)"
                  : "every rule is stopped by error diagnostics")
              + "; nothing was written."
              + System.lineSeparator()
              + String.join(System.lineSeparator(), gates.errorLines())
              + System.lineSeparator()
              + "Fix the errors (relspec check "
              + options.bundle
              + " prints each with its fix)"
              + (gates.failed() ? ", or run with --policy skip-downstream." : "."));
    }
    ValidatedBundle bundle = gates.runnable().get();
    PrintStream progress =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
    for (RunManifest.SkippedRule skipped : gates.skipped()) {
      progress.printf(
          "relspec: skipped rule %s (output %s): %s%n",
          skipped.rule(), skipped.output(), skipped.reason());
    }
    RunManifest report =
        switch (engine) {
          case spark, spark_datafusion -> runOnSpark(bundle, runtime, progress, gates);
          case reference -> runOnReference(bundle, runtime, progress, gates);
          // No Spark session: the engine reads Parquet into Arrow and runs natively.
          case datafusion ->
              new ArrowLaneRunner(new DataFusionExecutor(runtime), runtime, progress)
                  .run(bundle, data, out, runtimeParams, gates.skipped());
        };
    DiagnosticsDataset.write(definition.name(), gates.report(), out, DiagnosticsDataset.RUN_DIR);
    spec.commandLine()
        .getOut()
        .printf(
            "relspec: done: %d output(s)%s of bundle %s (signature %s) in %d ms on %s; manifest"
                + " %s%n",
            report.outputs().size(),
            report.skipped().isEmpty() ? "" : ", " + report.skipped().size() + " rule(s) skipped",
            report.bundle(),
            report.bundleSignature(),
            report.millis(),
            engine,
            out.resolve(RunManifest.FILE_NAME));
    spec.commandLine().getOut().flush();
    return 0;
  }

  private RunManifest runOnSpark(
      ValidatedBundle bundle, RuntimeProfile runtime, PrintStream progress, RunGates gates) {
    SparkSession spark =
        SparkRunner.localSession(
            master,
            engine.sparkEngine.orElseThrow(),
            runtime.memoryLimitBytes().orElse(SparkEngine.DEFAULT_OFF_HEAP_BYTES));
    if (runtime.targetPartitions() > 0) {
      spark.conf().set("spark.sql.shuffle.partitions", String.valueOf(runtime.targetPartitions()));
    }
    PartitionDelegate partitionDelegate =
        delegate.isEmpty()
            ? PartitionDelegate.fromConf(spark, runtime)
            : new PartitionDelegate(spark, DelegationPolicy.parse(delegate), runtime);
    return new SparkRunner(spark, progress)
        .failOnFallback(FailOnFallback.parse(failOnFallback))
        .delegate(partitionDelegate)
        .run(bundle, data, out, options.runtimeParams(), runtime, gates.skipped());
  }

  /** The JVM reference lane over Arrow: no SparkSession is started. */
  private RunManifest runOnReference(
      ValidatedBundle bundle, RuntimeProfile runtime, PrintStream progress, RunGates gates) {
    ReferenceExecutor executor =
        new ReferenceExecutor(
            runtime.batchSize(), runtime.memoryLimitBytes().orElse(Long.MAX_VALUE));
    return new ArrowLaneRunner(executor, runtime, progress)
        .run(bundle, data, out, options.runtimeParams(), gates.skipped());
  }
}
