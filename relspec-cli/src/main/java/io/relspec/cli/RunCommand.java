package io.relspec.cli;

import io.relspec.datafusion.run.DataFusionExecutor;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ReferenceExecutor;
import io.relspec.reference.run.ArrowLaneRunner;
import io.relspec.spark.run.SparkRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relspec run BUNDLE --data DIR --out DIR}. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Runs every rule of a bundle in dependency order and writes each output as Parquet under"
            + " OUT/<dataset>/, quarantined rows under OUT/<dataset>__errors/ and OUT/_manifest.json.")
final class RunCommand implements Callable<Integer> {
  /** The engines {@code --engine} accepts. */
  enum Engine {
    spark,
    /** The JVM reference lane over Arrow, no Spark. */
    reference,
    /** The standalone DataFusion engine (Comet 0.12.0 JNI) with reference-lane fallbacks. */
    datafusion
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
      paramLabel = "ENGINE",
      description =
          "Engine lane: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}). reference runs on"
              + " the JVM reference lane over Arrow, without Spark; the profile's batchSize and"
              + " memoryLimitBytes apply.")
  Engine engine;

  @Option(
      names = "--master",
      defaultValue = "local[*]",
      paramLabel = "URL",
      description =
          "Spark master of the embedded session (default ${DEFAULT-VALUE}); --engine spark only.")
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
    RunManifest report =
        switch (engine) {
          case spark -> runOnSpark(bundle, runtime, progress);
          case reference -> runOnReference(bundle, runtime, progress);
          // No Spark session: the engine reads Parquet into Arrow and runs natively.
          case datafusion ->
              new ArrowLaneRunner(new DataFusionExecutor(runtime), runtime, progress)
                  .run(bundle, data, out, options.runtimeParams());
        };
    spec.commandLine()
        .getOut()
        .printf(
            "relspec: done: %d output(s) of bundle %s (signature %s) in %d ms on %s; manifest %s%n",
            report.outputs().size(),
            report.bundle(),
            report.bundleSignature(),
            report.millis(),
            engine,
            out.resolve(RunManifest.FILE_NAME));
    spec.commandLine().getOut().flush();
    return 0;
  }

  private RunManifest runOnSpark(
      ValidatedBundle bundle, RuntimeProfile runtime, PrintStream progress) {
    SparkSession spark = SparkRunner.localSession(master);
    if (runtime.targetPartitions() > 0) {
      spark.conf().set("spark.sql.shuffle.partitions", String.valueOf(runtime.targetPartitions()));
    }
    return new SparkRunner(spark, progress)
        .run(bundle, data, out, options.runtimeParams(), runtime);
  }

  /** The JVM reference lane over Arrow: no SparkSession is started. */
  private RunManifest runOnReference(
      ValidatedBundle bundle, RuntimeProfile runtime, PrintStream progress) {
    ReferenceExecutor executor =
        new ReferenceExecutor(
            runtime.batchSize(), runtime.memoryLimitBytes().orElse(Long.MAX_VALUE));
    return new ArrowLaneRunner(executor, runtime, progress)
        .run(bundle, data, out, options.runtimeParams());
  }
}
