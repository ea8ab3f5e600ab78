package io.relspec.spark.run;

import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import java.util.Collection;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * {@code scan.parquetPruning: false} on the Spark lane: Parquet filter pushdown (row groups skipped
 * by their statistics, dictionaries and column indexes) is off while the queries of an output run.
 *
 * <p>Spark has one switch for this per session ({@value #CONF}), read when a query's scans start,
 * not per relation: pushdown is off for all of an output's queries when any Parquet dataset its
 * rules scan says {@code false}, and back to the session's own value afterwards. Pruning never
 * changes results, only how many rows are read.
 */
public final class ParquetPruning implements AutoCloseable {
  public static final String CONF = "spark.sql.parquet.filterPushdown";

  private final SparkSession spark;
  private final List<String> disabledBy;
  private final Option<String> previous;

  private ParquetPruning(SparkSession spark, List<String> disabledBy) {
    this.spark = spark;
    this.disabledBy = disabledBy;
    this.previous = spark.conf().getOption(CONF);
    if (!disabledBy.isEmpty()) {
      spark.conf().set(CONF, "false");
    }
  }

  /** Pruning off until {@link #close()} if any of these Parquet datasets turns it off. */
  public static ParquetPruning forScans(SparkSession spark, Collection<DatasetSpec> scanned) {
    List<String> off =
        scanned.stream()
            .filter(s -> s.format() == DatasetFormat.PARQUET && !s.scan().parquetPruning())
            .map(DatasetSpec::name)
            .distinct()
            .sorted()
            .toList();
    return new ParquetPruning(spark, off);
  }

  /** The datasets that turned pruning off (empty: the session's setting applies). */
  public List<String> disabledBy() {
    return disabledBy;
  }

  @Override
  public void close() {
    if (disabledBy.isEmpty()) {
      return;
    }
    if (previous.isDefined()) {
      spark.conf().set(CONF, previous.get());
    } else {
      spark.conf().unset(CONF);
    }
  }
}
