package io.relspec.reference.conformance;

import io.relspec.ir.run.RunManifest;
import io.relspec.ir.validate.ValidatedBundle;
import java.nio.file.Path;

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
}
