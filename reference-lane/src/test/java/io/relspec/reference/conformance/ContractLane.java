package io.relspec.reference.conformance;

import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.run.ArrowLaneRunner;
import io.relspec.reference.run.PlanExecutor;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * A lane's runner as a contract conformance lane: runs every rule of a bundle with its contract
 * finalization, reading the inputs as Parquet from {@code data} and committing {@code out} the way
 * {@code relspec run} does (the reference or DataFusion executor through {@code ArrowLaneRunner},
 * {@code SparkRunner}).
 */
public interface ContractLane extends AutoCloseable {
  /** The lane's name in test names and reports. */
  String name();

  /**
   * @throws io.relspec.ir.error.RelspecException as the runner raises it (e.g. {@code
   *     CONTRACT_VIOLATION})
   */
  RunManifest run(ValidatedBundle bundle, Path data, Path out);

  @Override
  default void close() {}

  /** How a lane runs a bundle, for {@link #of}. */
  @FunctionalInterface
  interface Runner {
    RunManifest run(ValidatedBundle bundle, Path data, Path out);
  }

  /** A lane named {@code name} that runs bundles with {@code runner}. */
  static ContractLane of(String name, Runner runner) {
    return new ContractLane() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public RunManifest run(ValidatedBundle bundle, Path data, Path out) {
        return runner.run(bundle, data, out);
      }
    };
  }

  /**
   * {@code ArrowLaneRunner} with a fresh executor per run, as {@code relspec run --engine
   * reference|datafusion} runs (the default runtime profile, progress lines discarded).
   */
  static ContractLane arrowRunner(String name, Function<RuntimeProfile, PlanExecutor> executor) {
    RuntimeProfile profile = RuntimeProfile.DEFAULT;
    return of(
        name,
        (bundle, data, out) ->
            new ArrowLaneRunner(
                    executor.apply(profile),
                    profile,
                    new PrintStream(OutputStream.nullOutputStream()))
                .run(bundle, data, out, Map.of()));
  }
}
