package io.relspec.spark.delegation;

import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Project;
import java.util.ArrayList;
import java.util.List;

/**
 * A run of a rule's ops that each Spark partition can execute on its own: {@code ops[from, to)}.
 * Row-local ops (filter, project, derive, explode; param binds a literal) need nothing else; a
 * dedupe first needs every row of a key in one partition, so Spark repartitions its input by the
 * keys ({@code keys} non-empty) and the segment then sees whole partitions.
 *
 * @param from index of the first delegated op in the rule's ops
 * @param to one past the last delegated op
 * @param keys the columns Spark hash-partitions by first; empty for row-local segments
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
   * The segments of a rule's ops, in order: maximal runs of row-local ops after the first scan, a
   * dedupe starting a keyed segment (the row-local ops after it join it). A run of params alone is
   * left to Spark (there is nothing to execute).
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
      } else if (!rowLocal(op)) {
        i++;
        continue;
      }
      while (i < ops.size() && rowLocal(ops.get(i))) {
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
