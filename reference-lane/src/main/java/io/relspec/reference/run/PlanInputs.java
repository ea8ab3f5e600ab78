package io.relspec.reference.run;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.reference.SourceBatches;
import java.nio.file.Path;
import java.util.Optional;

/** What a {@link PlanExecutor}'s scans read, by dataset name. */
public interface PlanInputs {
  /**
   * The declared schema and batches of a dataset (read from the run's data directory, columns in
   * declared order and types) or of an output finalized earlier in the run. The batches are
   * borrowed: copy what you keep, never close them.
   *
   * @param rule the rule that scans, for messages
   * @throws io.relspec.ir.error.RelspecException {@code INVALID_INPUT} when the dataset is missing,
   *     unreadable or does not match its declared schema
   */
  SourceBatches batches(String rule, String dataset);

  /**
   * The directory of Parquet files that holds the dataset, for engines that scan files themselves:
   * {@code DATA/<location>} for a declared dataset, the staged output directory for an output
   * finalized earlier in the run. Its columns may need the checks and widening {@link #batches}
   * does.
   */
  Path files(String rule, String dataset);

  /**
   * The declaration of {@code dataset} when the scan reads a declared dataset from the run's data
   * directory (its files, schema and scan options), empty when it reads an output finalized earlier
   * in the run (or when the inputs do not know). Engines that read Parquet themselves use it to
   * decide whether they can.
   */
  default Optional<DatasetSpec> declared(String rule, String dataset) {
    return Optional.empty();
  }
}
