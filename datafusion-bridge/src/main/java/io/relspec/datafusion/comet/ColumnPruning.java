package io.relspec.datafusion.comet;

import io.relspec.ir.expr.Expr;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.Limit;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Column pruning before a pipeline runs entirely natively, as Spark's optimizer prunes columns: a
 * scan without a column list reads only the columns the ops after it use, so a {@code NativeScan}
 * decodes no Parquet column that nothing reads (the order items of a join+aggregate: 2 of 4
 * columns). The pipeline's output is unchanged: only a {@code project} or an {@code aggregate}
 * narrows what is needed, and an op whose use of columns is not modelled here ({@code union},
 * {@code explode}, {@code dedupe}, whose ties read every column, and a join with a {@code
 * condition} or a {@code rightSuffix}) keeps every column before it. {@code interval_align} reads
 * its left keys and span and passes every left column through; its right side, whose every column
 * ranks the matches, is never narrowed. Join right sides are pruned the same way, all of their
 * output kept.
 */
final class ColumnPruning {
  private ColumnPruning() {}

  /**
   * The pipeline with its scans (and its joins' right sides' scans) narrowed.
   *
   * @param datasetSchema the schema of a scanned dataset
   */
  static Pipeline prune(Pipeline pipeline, Function<String, RelSchema> datasetSchema) {
    return prune(pipeline, Optional.empty(), datasetSchema);
  }

  /**
   * @param needed the output columns used after the pipeline; empty for every column
   */
  private static Pipeline prune(
      Pipeline pipeline, Optional<Set<String>> needed, Function<String, RelSchema> schemas) {
    List<Op> ops = new ArrayList<>(pipeline.ops());
    Optional<Set<String>> used = needed;
    for (int k = ops.size() - 1; k >= 1; k--) {
      Op op = ops.get(k);
      if (op instanceof Join join) {
        ops.set(
            k,
            new Join(
                join.type(),
                prune(join.right(), Optional.empty(), schemas),
                join.on(),
                join.condition(),
                join.rightSuffix()));
      }
      used = usedBefore(op, used);
    }
    if (ops.get(0) instanceof Scan scan && scan.columns().isEmpty() && used.isPresent()) {
      Set<String> columns = used.get();
      List<String> names = schemas.apply(scan.dataset()).names();
      List<String> kept = names.stream().filter(columns::contains).toList();
      if (kept.isEmpty()) {
        // rows are still counted (count(*), a semi join's existence): one column carries them
        kept = names.subList(0, 1);
      }
      if (kept.size() < names.size()) {
        ops.set(0, new Scan(scan.dataset(), Optional.of(kept)));
      }
    }
    return new Pipeline(ops);
  }

  /**
   * The columns of the input of {@code ops} (a pipeline's tail, every output column used after it)
   * that they read; empty when that is not known (every column may be read).
   */
  static Optional<Set<String>> usedBy(List<Op> ops) {
    Optional<Set<String>> used = Optional.empty();
    for (int k = ops.size() - 1; k >= 0; k--) {
      used = usedBefore(ops.get(k), used);
    }
    return used;
  }

  /** The columns of an op's input it reads, given those of its output used after it. */
  private static Optional<Set<String>> usedBefore(Op op, Optional<Set<String>> after) {
    if (op instanceof Project project) {
      Set<String> used = new HashSet<>();
      project.columns().forEach(column -> Expr.addColumns(column.expr(), used));
      return Optional.of(used);
    }
    if (op instanceof Aggregate aggregate) {
      Set<String> used = new HashSet<>(aggregate.groupBy());
      aggregate
          .aggregates()
          .forEach(call -> call.args().forEach(arg -> Expr.addColumns(arg, used)));
      return Optional.of(used);
    }
    if (after.isEmpty()) {
      return after;
    }
    Set<String> used = new HashSet<>(after.get());
    if (op instanceof Filter filter) {
      Expr.addColumns(filter.predicate(), used);
    } else if (op instanceof Derive derive) {
      used.remove(derive.name());
      Expr.addColumns(derive.expr(), used);
    } else if (op instanceof Sort sort) {
      sort.keys().stream().map(SortKey::column).forEach(used::add);
    } else if (op instanceof Join join
        && join.condition().isEmpty()
        && join.rightSuffix().isEmpty()) {
      // left columns keep their names in the output; a used right column's name is harmless here.
      // With a rightSuffix, which right columns are renamed depends on the left columns there are
      // (a left column pruned away would leave its right namesake unrenamed): all are kept.
      join.on().stream().map(EquiKey::left).forEach(used::add);
    } else if (op instanceof IntervalAlign align) {
      // left columns pass through unranked (the spec ranks matches by right columns only); a used
      // name that is a selected right column or a match column stays in: harmless without a left
      // column of that name
      align.on().stream().map(EquiKey::left).forEach(used::add);
      used.add(align.leftSpan().start());
      used.add(align.leftSpan().end());
    } else if (!(op instanceof Limit || op instanceof Param)) {
      return Optional.empty();
    }
    return Optional.of(used);
  }
}
