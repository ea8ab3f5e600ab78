package io.relspec.cli;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.engine.FailOnFallback;
import io.relspec.spark.engine.SparkEngine;
import io.relspec.spark.run.SparkRunner;
import java.io.PrintStream;
import java.nio.file.Path;
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
            + " OUT/<dataset>/, quarantined rows under OUT/<dataset>__errors/ and OUT/_manifest.json.")
final class RunCommand implements Callable<Integer> {
  /**
   * The engines {@code --engine} accepts: {@code spark} (vanilla Spark) and {@code
   * spark-datafusion} (the same Catalyst plans on Spark with Apache DataFusion Comet 0.12.0, each
   * partition's supported operators native in DataFusion). {@code datafusion} is the standalone
   * engine of datafusion-bridge (no Spark).
   */
  enum Engine {
    spark(SparkEngine.SPARK),
    spark_datafusion(SparkEngine.SPARK_DATAFUSION);

    final SparkEngine sparkEngine;

    Engine(SparkEngine sparkEngine) {
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
      description = "Base directory dataset locations are resolved against.")
  Path data;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Directory the outputs and the manifest are written to.")
  Path out;

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

  @Override
  public Integer call() {
    ValidatedBundle bundle = options.validate();
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
    PrintStream progress =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
    SparkSession spark =
        SparkRunner.localSession(
            master,
            engine.sparkEngine,
            runtime.memoryLimitBytes().orElse(SparkEngine.DEFAULT_OFF_HEAP_BYTES));
    if (runtime.targetPartitions() > 0) {
      spark.conf().set("spark.sql.shuffle.partitions", String.valueOf(runtime.targetPartitions()));
    }
    RunManifest report =
        new SparkRunner(spark, progress)
            .failOnFallback(FailOnFallback.parse(failOnFallback))
            .run(bundle, data, out, options.runtimeParams(), runtime);
    spec.commandLine()
        .getOut()
        .printf(
            "relspec: done: %d output(s) of bundle %s (signature %s) in %d ms on %s; manifest %s%n",
            report.outputs().size(),
            report.bundle(),
            report.bundleSignature(),
            report.millis(),
            engine,
            out.resolve(SparkRunner.MANIFEST));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
