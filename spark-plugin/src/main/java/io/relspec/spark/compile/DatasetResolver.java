package io.relspec.spark.compile;

import io.relspec.spark.SparkErrors;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Resolves the dataset name of a {@code scan} (an input or another rule's output) to rows. */
@FunctionalInterface
public interface DatasetResolver {
  /**
   * @param dataset the name the scan reads
   * @param where the rule and JSON path of the scan, for error messages
   */
  Dataset<Row> resolve(String dataset, String where);

  /** A resolver over fixed Datasets, e.g. built in a test or a notebook. */
  static DatasetResolver of(Map<String, Dataset<Row>> datasets) {
    Map<String, Dataset<Row>> copy = Map.copyOf(datasets);
    return (dataset, where) -> {
      Dataset<Row> rows = copy.get(dataset);
      if (rows == null) {
        throw SparkErrors.unknownDataset(where, dataset);
      }
      return rows;
    };
  }
}
