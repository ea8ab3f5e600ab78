package io.relspec.datafusion.comet;

import io.relspec.datafusion.EngineSession;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Scan;
import io.relspec.ir.type.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A rule's join of two Parquet datasets, split by ranges of its key for engines that run each range
 * on its own (Spark tasks, with per-partition delegation): the same split the standalone engine
 * makes for {@code targetPartitions} ({@link KeyRanges}), offered as one pipeline per range. Each
 * pipeline is {@code ops[0..join]} with a filter to its range of the key right after both scans;
 * run natively (a session with both datasets registered by {@code registerParquet}), each reads
 * only the row groups that hold its range. Their outputs together are the rows of {@code
 * ops[0..join]}.
 *
 * @param pipelines one per range, in key order
 * @param description how the key was split, for explain and the manifest
 */
public record KeyRangeSplit(List<Pipeline> pipelines, String description) {
  public KeyRangeSplit {
    pipelines = List.copyOf(pipelines);
  }

  /**
   * The split of {@code ops[0..join]} into at most {@code partitions} key ranges, over the datasets
   * registered in {@code session} (a session of {@link CometEngine}, both scans' datasets
   * registered by {@code registerParquet}), when the join is an inner or semi join of two Parquet
   * datasets NativeScan reads, stored clustered by the key (see {@link KeyRanges} for every
   * condition), and no column declared non-null is stored as OPTIONAL (Spark checks those for nulls
   * as it reads them; the engine does not); empty otherwise. The files are the ones the session
   * checked when they were registered: nothing is read again.
   */
  public static Optional<KeyRangeSplit> of(
      EngineSession session, List<Op> ops, int join, int partitions) {
    if (!(session instanceof CometSession comet)
        || join <= 0
        || join >= ops.size()
        || !(ops.get(0) instanceof Scan left)
        || !(ops.get(join) instanceof Join joined)
        || joined.right().ops().isEmpty()
        || !(joined.right().ops().get(0) instanceof Scan right)) {
      return Optional.empty();
    }
    for (String dataset : List.of(left.dataset(), right.dataset())) {
      Optional<ParquetFiles> files = comet.nativeFiles(dataset);
      if (files.isEmpty()) {
        return Optional.empty();
      }
      for (Field field : comet.datasetSchema(dataset).fields()) {
        if (!field.nullable() && files.get().optional().contains(field.name())) {
          // Spark checks such a column for nulls as it reads it (an input error); the engine
          // does not: Spark reads this dataset
          return Optional.empty();
        }
      }
    }
    Optional<KeyRanges> ranges =
        KeyRanges.of(ops, join, partitions, comet::nativeFiles, comet::datasetSchema);
    if (ranges.isEmpty()) {
      return Optional.empty();
    }
    KeyRanges split = ranges.get();
    List<Pipeline> pipelines = new ArrayList<>();
    for (int p = 0; p < split.partitions(); p++) {
      pipelines.add(new Pipeline(split.filtered(ops, p)));
    }
    return Optional.of(new KeyRangeSplit(pipelines, split.describe(ops)));
  }

  /**
   * The columns of its input that {@code ops} read (with everything they output used after them),
   * when that is known: empty when every column may be read (see {@link ColumnPruning}).
   */
  public static Optional<Set<String>> columnsUsedBy(List<Op> ops) {
    return ColumnPruning.usedBy(ops);
  }
}
