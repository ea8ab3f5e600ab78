package io.relspec.spark.run;

import io.relspec.ir.bundle.DatasetSpec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The input datasets of one run (or one loaded bundle), each listed and checked once: the first
 * scan of a dataset lists its files and reads their schema ({@link InputReader#resolve}), every
 * later scan gets a new relation over the same file index ({@link InputReader#rows}), so compiling
 * a rule does not list directories again.
 *
 * <p>The cache lives as long as this object: a new run sees files added or removed since the last
 * one. Keyed by the whole {@link DatasetSpec} (location, schema and scan options).
 */
public final class InputRelations {
  private final SparkSession spark;
  private final Path dataDir;
  private final Map<DatasetSpec, InputReader.Resolved> resolved = new HashMap<>();

  public InputRelations(SparkSession spark, Path dataDir) {
    this.spark = spark;
    this.dataDir = dataDir;
  }

  /**
   * The dataset's rows (declared columns, checked), over the files listed when it was first read.
   *
   * @param where who needs the dataset, e.g. {@code rule 'r1' ops[0]}, for error messages
   */
  public Dataset<Row> read(DatasetSpec spec, String where) {
    InputReader.Resolved files = resolved.get(spec);
    if (files == null) {
      files = InputReader.resolve(spark, spec, dataDir, where);
      resolved.put(spec, files);
    }
    return InputReader.rows(spark, files);
  }

  /** The datasets read so far. */
  public int size() {
    return resolved.size();
  }
}
