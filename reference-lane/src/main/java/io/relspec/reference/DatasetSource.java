package io.relspec.reference;

import io.relspec.ir.bundle.DatasetSpec;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Where the reference lane reads declared datasets from: Arrow batches per dataset. The lane
 * borrows the batches (it copies what it scans and never closes them). Reading files is a separate
 * implementation of this interface: {@link ParquetDatasetSource} ({@code parquet}, and {@code csv}
 * through {@link CsvDatasetSource}); {@code delta} is not read.
 */
@FunctionalInterface
public interface DatasetSource {
  /**
   * The batches of a dataset, in the dataset's declared schema.
   *
   * @throws io.relspec.ir.error.RelspecException with {@code INVALID_INPUT} when it has none
   */
  List<VectorSchemaRoot> batches(DatasetSpec dataset);

  /**
   * A new pass over the batches of a dataset, read one at a time (see {@link BatchStream}); the
   * caller closes it. Sources that read files read them here batch by batch, so a scan followed by
   * per-batch ops never holds the whole dataset; the default streams {@link #batches}.
   *
   * @throws io.relspec.ir.error.RelspecException with {@code INVALID_INPUT} when it has none
   */
  default BatchStream open(DatasetSpec dataset) {
    return BatchStream.of(batches(dataset));
  }

  /** A source over batches already in memory, by dataset name. */
  static DatasetSource inMemory(Map<String, List<VectorSchemaRoot>> batches) {
    Map<String, List<VectorSchemaRoot>> copy = Map.copyOf(batches);
    return dataset -> {
      List<VectorSchemaRoot> found = copy.get(dataset.name());
      if (found == null) {
        throw LaneErrors.missingInput(
            "<input>", dataset.name(), copy.keySet().stream().sorted().toList());
      }
      return found;
    };
  }
}
