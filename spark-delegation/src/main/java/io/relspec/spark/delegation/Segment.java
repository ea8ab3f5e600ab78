package io.relspec.spark.delegation;

import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Project;
import io.relspec.ir.plan.IntactColumns;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A run of a rule's ops that each Spark partition can execute on its own: {@code ops[from, to)}.
 * Row-local ops (filter, project, derive, explode; param binds a literal) need nothing else. A
 * keyed segment first needs every row of a key in one partition, so Spark hash-partitions its input
 * by {@code keys}: a dedupe by its keys; an interval_align by its {@code on} keys, both sides alike
 * (the left side by the left key columns, the right side by the right ones, into the same number of
 * partitions), and partition i of the left then meets partition i of the right. A dedupe later in a
 * keyed segment joins it without another shuffle when its keys include every partitioning key and
 * those columns reach it unchanged.
 *
 * @param from index of the first delegated op in the rule's ops
 * @param to one past the last delegated op
 * @param keys the (left) columns Spark hash-partitions by first; empty for row-local segments
 */
public record Segment(int from, int to, List<String> keys) {
  public Segment {
    keys = List.copyOf(keys);
  }

  public boolean keyed() {
    return !keys.isEmpty();
  }

  /** The delegated ops of {@code ops}. */
  public List<Op> of(List<Op> ops) {
    return ops.subList(from, to);
  }

  /** The interval_align the segment starts with, whose right side is co-partitioned with it. */
  public Optional<IntervalAlign> align(List<Op> ops) {
    return ops.get(from) instanceof IntervalAlign align ? Optional.of(align) : Optional.empty();
  }

  /**
   * The partitioning keys that reach the end of the segment unchanged: the same column name still
   * holds the values the rows were partitioned by.
   */
  public Set<String> intactKeys(List<Op> ops) {
    Set<String> intact = new LinkedHashSet<>(keys);
    for (Op op : of(ops)) {
      if (rowLocal(op)) {
        IntactColumns.retainThrough(op, intact);
      }
    }
    return intact;
  }

  /** {@code ops[2..4] dedupe, project}: what explain and errors show. */
  public String describe(List<Op> ops) {
    List<String> names = new ArrayList<>();
    for (Op op : of(ops)) {
      names.add(op.opName());
    }
    String range = to - from == 1 ? "ops[" + from + "]" : "ops[" + from + ".." + (to - 1) + "]";
    return range + " " + String.join(", ", names);
  }

  /** Whether an op is row-local (each row's result depends on that row only). */
  static boolean rowLocal(Op op) {
    return op instanceof Filter
        || op instanceof Project
        || op instanceof Derive
        || op instanceof Explode
        || op instanceof Param;
  }

  /**
   * Why an op that could start a keyed segment stays on Spark, or empty when it can be delegated
   * (or is not such an op).
   */
  static Optional<String> notDelegated(Op op) {
    if (op instanceof IntervalAlign align && align.on().isEmpty()) {
      return Optional.of(
          "not delegated, runs on Spark: interval_align without 'on' keys compares every left row"
              + " with every right row, so no partitioning of the two sides lets each partition"
              + " align on its own; give it 'on' keys to delegate it");
    }
    return Optional.empty();
  }

  /**
   * The segments of a rule's ops, in order: maximal runs of row-local ops after the first scan; a
   * dedupe or a keyed interval_align starting a keyed segment, which the row-local ops after it
   * join, and the dedupes whose keys include the partitioning keys. A run of params alone is left
   * to Spark (there is nothing to execute).
   */
  public static List<Segment> split(List<Op> ops) {
    List<Segment> out = new ArrayList<>();
    int i = 1;
    while (i < ops.size()) {
      Op op = ops.get(i);
      List<String> keys = List.of();
      int start = i;
      if (op instanceof Dedupe dedupe && !dedupe.keys().isEmpty()) {
        keys = dedupe.keys();
        i++;
      } else if (op instanceof IntervalAlign align && !align.on().isEmpty()) {
        keys = align.on().stream().map(EquiKey::left).distinct().toList();
        i++;
      } else if (!rowLocal(op)) {
        i++;
        continue;
      }
      // the partitioning columns that still hold the values the rows were partitioned by
      Set<String> intact = new LinkedHashSet<>(keys);
      while (i < ops.size()) {
        Op next = ops.get(i);
        if (rowLocal(next)) {
          IntactColumns.retainThrough(next, intact);
        } else if (!(!keys.isEmpty()
            && next instanceof Dedupe dedupe
            && intact.size() == keys.size()
            && dedupe.keys().containsAll(keys))) {
          break;
        }
        i++;
      }
      boolean onlyParams =
          keys.isEmpty() && ops.subList(start, i).stream().allMatch(o -> o instanceof Param);
      if (!onlyParams) {
        out.add(new Segment(start, i, keys));
      }
    }
    return out;
  }
}
