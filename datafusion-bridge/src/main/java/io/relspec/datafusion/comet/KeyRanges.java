package io.relspec.datafusion.comet;

import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.PrimitiveType;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A partitioned execution split by ranges of a join key instead of by bytes of the first input: for
 * a pipeline whose row-local prefix has one inner or semi join, of two Parquet datasets that store
 * the join key clustered (the row groups of each cover narrow, mostly disjoint ranges of it, as in
 * tables written in key order). Plan {@code p} filters both scans to the keys in {@code
 * [bounds[p-1], bounds[p])} (open at the ends); the filters are pushed into NativeScan, whose
 * reader skips the row groups outside the range by their statistics. So each plan reads about
 * {@code 1/partitions} of each side and builds its hash table from its range of the right side
 * only, where a broadcast split builds every plan's table from the whole right side. Every output
 * row pairs a left and a right row with equal keys, which fall in the same range: the union of the
 * plans' outputs is the join's output. Rows with a null key match nothing in an inner or semi join
 * and are in no range.
 *
 * <p>The bounds are row groups' minimum keys of the left dataset, chosen so the ranges hold about
 * as many of its rows each. The split is taken only when the statistics show it pays, by the row
 * groups each plan would read (those overlapping its range; a row group overlapping two ranges is
 * read by both): of the left side at most {@link #MAX_READ} times its share ({@code 1/partitions})
 * of the rows, of the right side at most {@link #MAX_RIGHT_READ} of them. Keys spread over every
 * row group fail that on every plan. The key must reach the join unchanged (renamed by a project at
 * most) from a column of each side's scan stored with its declared type (not widened, not a
 * partition column), of type int8 to int64, date32 or string, the same on both sides.
 *
 * @param join the index of the join in the pipeline
 * @param leftColumn the key's column in the left scan
 * @param rightColumn the key's column in the right side's scan
 * @param type the key's type
 * @param bounds the {@code partitions - 1} inner bounds, ascending, as canonical literal values
 * @param leftRows the left dataset's rows
 * @param leftRead the rows of the left row groups the plans read, added up
 * @param rightRows the right dataset's rows
 * @param rightRead the rows of the right row groups the plans read, added up
 */
record KeyRanges(
    int join,
    String leftColumn,
    String rightColumn,
    DataType type,
    List<Object> bounds,
    long leftRows,
    long leftRead,
    long rightRows,
    long rightRead) {
  /** The most rows of the left (probe) side a plan may read, as a multiple of its share. */
  static final double MAX_READ = 1.5;

  /**
   * The most rows of the right (build) side a plan may read, as a fraction of them: a plan that
   * reads more than its share of the right side still builds its hash table from its range only,
   * where the broadcast split builds it from every right row in every plan.
   */
  static final double MAX_RIGHT_READ = 0.75;

  private static final Set<DataType> KEY_TYPES =
      Set.of(
          PrimitiveType.INT8,
          PrimitiveType.INT16,
          PrimitiveType.INT32,
          PrimitiveType.INT64,
          PrimitiveType.DATE32,
          PrimitiveType.STRING);

  KeyRanges {
    bounds = List.copyOf(bounds);
  }

  int partitions() {
    return bounds.size() + 1;
  }

  /**
   * The split of {@code pipeline}'s partitioned execution (see {@link PlanTranslator.Staging}) in
   * at most {@code partitions} key ranges, if it applies and pays.
   *
   * @param parquet the natively read files of a dataset (with their row groups' statistics)
   * @param schemas a dataset's declared schema
   */
  static Optional<KeyRanges> of(
      Pipeline pipeline,
      PlanTranslator.Staging staging,
      int partitions,
      Function<String, Optional<ParquetFiles>> parquet,
      Function<String, RelSchema> schemas) {
    if (staging.broadcastJoins().size() != 1) {
      return Optional.empty();
    }
    return of(pipeline.ops(), staging.broadcastJoins().get(0), partitions, parquet, schemas);
  }

  /**
   * The split of {@code ops[0..join]} in at most {@code partitions} key ranges, if it applies and
   * pays: {@code ops[join]} is an inner or semi join, and the ops before it and in its right side
   * after the scan only filter, project, derive or bind params.
   */
  static Optional<KeyRanges> of(
      List<Op> ops,
      int j,
      int partitions,
      Function<String, Optional<ParquetFiles>> parquet,
      Function<String, RelSchema> schemas) {
    if (partitions < 2 || !(ops.get(0) instanceof Scan) || !(ops.get(j) instanceof Join join)) {
      return Optional.empty();
    }
    if ((join.type() != JoinType.INNER && join.type() != JoinType.SEMI) || join.on().isEmpty()) {
      return Optional.empty();
    }
    List<Op> rightOps = join.right().ops();
    if (rightOps.isEmpty() || !(rightOps.get(0) instanceof Scan)) {
      return Optional.empty();
    }
    Optional<Side> left = Side.of(ops, j, join.on().get(0).left(), parquet, schemas);
    Optional<Side> right =
        Side.of(rightOps, rightOps.size(), join.on().get(0).right(), parquet, schemas);
    if (left.isEmpty()
        || right.isEmpty()
        || !left.get().type().equals(right.get().type())
        || !KEY_TYPES.contains(left.get().type())) {
      return Optional.empty();
    }
    List<RowGroupStats.Range> leftGroups = left.get().groups();
    List<RowGroupStats.Range> rightGroups = right.get().groups();
    List<Object> bounds;
    long[] leftRead;
    long[] rightRead;
    try {
      bounds = bounds(leftGroups, partitions);
      leftRead = read(leftGroups, bounds);
      rightRead = read(rightGroups, bounds);
    } catch (IllegalArgumentException e) {
      // statistics that do not compare (not the key's type): no split
      return Optional.empty();
    }
    long leftRows = rows(leftGroups);
    long rightRows = rows(rightGroups);
    if (bounds.isEmpty()
        || !atMost(leftRead, MAX_READ * leftRows / leftRead.length)
        || !atMost(rightRead, MAX_RIGHT_READ * rightRows)) {
      return Optional.empty();
    }
    return Optional.of(
        new KeyRanges(
            j,
            left.get().column(),
            right.get().column(),
            left.get().type(),
            bounds,
            leftRows,
            java.util.Arrays.stream(leftRead).sum(),
            rightRows,
            java.util.Arrays.stream(rightRead).sum()));
  }

  /**
   * The filters plan {@code p} applies right after the scans, by the paths {@link PlanTranslator}
   * gives the scans: {@code ops[0]} and the join's {@code right.ops[0]}.
   */
  Map<String, Expr> scanFilters(int p) {
    Map<String, Expr> filters = new LinkedHashMap<>();
    filters.put("ops[0]", range(leftColumn, p));
    filters.put("ops[" + join + "].right.ops[0]", range(rightColumn, p));
    return filters;
  }

  /**
   * {@code ops[0..join]} with the filters of plan {@code p} as ops: one right after the scan, one
   * right after the join's right scan.
   */
  List<Op> filtered(List<Op> ops, int p) {
    List<Op> out = new ArrayList<>();
    out.add(ops.get(0));
    out.add(new Filter(range(leftColumn, p)));
    out.addAll(ops.subList(1, join));
    Join original = (Join) ops.get(join);
    List<Op> right = new ArrayList<>();
    right.add(original.right().ops().get(0));
    right.add(new Filter(range(rightColumn, p)));
    right.addAll(original.right().ops().subList(1, original.right().ops().size()));
    out.add(
        new Join(
            original.type(),
            new Pipeline(right),
            original.on(),
            original.condition(),
            original.rightSuffix()));
    return out;
  }

  /**
   * The split as text for explain and the manifest, {@code ops} being the pipeline it was made for:
   * {@code items and orders split into 2 ranges of the join key [(-inf, 1500), [1500, +inf)]
   * (items.v = orders.id), bounds from the row groups' statistics of items; each range reads the
   * row groups that hold it (1.00x of items's rows and 1.33x of orders's read in all)}.
   */
  String describe(List<Op> ops) {
    String left = ((Scan) ops.get(0)).dataset();
    String right = ((Scan) ((Join) ops.get(join)).right().ops().get(0)).dataset();
    List<String> ranges = new ArrayList<>();
    for (int p = 0; p < partitions(); p++) {
      ranges.add(range(p));
    }
    return String.format(
        java.util.Locale.ROOT,
        "%s and %s split into %d ranges of the join key %s (%s.%s = %s.%s), bounds from the row"
            + " groups' statistics of %s; each range reads the row groups that hold it (%.2fx of"
            + " %s's rows and %.2fx of %s's read in all)",
        left,
        right,
        partitions(),
        ranges,
        left,
        leftColumn,
        right,
        rightColumn,
        left,
        (double) leftRead / Math.max(1, leftRows),
        left,
        (double) rightRead / Math.max(1, rightRows),
        right);
  }

  /** Range {@code p} as text, e.g. {@code [5000001, 7500001)}. */
  String range(int p) {
    return (p == 0 ? "(-inf" : "[" + bounds.get(p - 1))
        + ", "
        + (p == bounds.size() ? "+inf)" : bounds.get(p) + ")");
  }

  private Expr range(String column, int p) {
    ColumnRef ref = new ColumnRef(column, Optional.empty());
    List<Expr> tests = new ArrayList<>();
    if (p > 0) {
      tests.add(Call.of("ge", ref, literal(bounds.get(p - 1))));
    }
    if (p < bounds.size()) {
      tests.add(Call.of("lt", ref, literal(bounds.get(p))));
    }
    return tests.size() == 1 ? tests.get(0) : Call.of("and", tests.toArray(Expr[]::new));
  }

  /** A statistic's canonical value (dates as epoch days) as a literal of the key's type. */
  private Literal literal(Object value) {
    return Literal.of(
        type == PrimitiveType.DATE32 ? LocalDate.ofEpochDay((Long) value) : value, type);
  }

  /**
   * One side of the join: the column of its scan that holds the key, its type, and the row groups'
   * statistics of that column.
   */
  private record Side(String column, DataType type, List<RowGroupStats.Range> groups) {
    /**
     * The column of {@code ops[0]}'s dataset that {@code key} is after {@code ops[1..to)}, if the
     * dataset is read natively with statistics, those ops only filter, project, derive or bind
     * params, and the key is the column unchanged (or renamed by a project).
     */
    static Optional<Side> of(
        List<Op> ops,
        int to,
        String key,
        Function<String, Optional<ParquetFiles>> parquet,
        Function<String, RelSchema> schemas) {
      Scan scan = (Scan) ops.get(0);
      Optional<ParquetFiles> files = parquet.apply(scan.dataset());
      if (files.isEmpty() || !files.get().pruning()) {
        return Optional.empty();
      }
      RelSchema schema = schemas.apply(scan.dataset());
      // the names of the columns so far -> the scan's column each is
      Map<String, String> source = new HashMap<>();
      scan.columns().orElse(schema.names()).forEach(column -> source.put(column, column));
      for (int i = 1; i < to; i++) {
        Op op = ops.get(i);
        if (op instanceof Derive derive) {
          source.remove(derive.name());
        } else if (op instanceof Project project) {
          Map<String, String> next = new HashMap<>();
          for (Project.Column column : project.columns()) {
            if (column.expr() instanceof ColumnRef ref
                && ref.side().isEmpty()
                && source.containsKey(ref.name())) {
              next.put(column.name(), source.get(ref.name()));
            }
          }
          source.clear();
          source.putAll(next);
        } else if (!(op instanceof Filter) && !(op instanceof Param)) {
          return Optional.empty();
        }
      }
      String column = source.get(key);
      if (column == null
          || files.get().widened().contains(column)
          || files.get().isPartition(column)) {
        return Optional.empty();
      }
      List<RowGroupStats.Range> groups = files.get().stats().of(column);
      if (groups.isEmpty()) {
        return Optional.empty();
      }
      return schema.field(column).map(field -> new Side(column, field.type(), groups));
    }
  }

  /**
   * Up to {@code partitions - 1} ascending bounds: minimum keys of the left row groups (in key
   * order), each where the rows before it come closest to the next share of the rows; empty when a
   * row group with non-null keys has no statistics, or no bound splits the rows.
   */
  private static List<Object> bounds(List<RowGroupStats.Range> groups, int partitions) {
    List<RowGroupStats.Range> keyed = new ArrayList<>();
    for (RowGroupStats.Range group : groups) {
      if (group.allNull()) {
        continue;
      }
      if (group.min() == null || group.max() == null) {
        return List.of();
      }
      keyed.add(group);
    }
    keyed.sort(Comparator.comparing(RowGroupStats.Range::min, KeyRanges::compare));
    // before[i]: the rows of the row groups before keyed[i]
    long[] before = new long[keyed.size() + 1];
    for (int i = 0; i < keyed.size(); i++) {
      before[i + 1] = before[i] + keyed.get(i).rows();
    }
    long total = before[keyed.size()];
    List<Object> bounds = new ArrayList<>();
    int last = 0;
    for (int k = 1; k < partitions; k++) {
      long share = total * k / partitions;
      int best = -1;
      for (int i = last + 1; i < keyed.size(); i++) {
        if (best < 0 || Math.abs(before[i] - share) < Math.abs(before[best] - share)) {
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      Object bound = keyed.get(best).min();
      Object previous = bounds.isEmpty() ? keyed.get(0).min() : bounds.get(bounds.size() - 1);
      if (compare(bound, previous) > 0) {
        bounds.add(bound);
        last = best;
      }
    }
    return bounds;
  }

  /**
   * The rows of the row groups each plan reads: those overlapping its range (a row group without
   * statistics in every range).
   */
  private static long[] read(List<RowGroupStats.Range> groups, List<Object> bounds) {
    long[] read = new long[bounds.size() + 1];
    for (RowGroupStats.Range group : groups) {
      if (group.allNull()) {
        continue;
      }
      for (int p = 0; p <= bounds.size(); p++) {
        boolean unknown = group.min() == null || group.max() == null;
        boolean aboveLow = p == 0 || unknown || compare(group.max(), bounds.get(p - 1)) >= 0;
        boolean belowHigh =
            p == bounds.size() || unknown || compare(group.min(), bounds.get(p)) < 0;
        if (aboveLow && belowHigh) {
          read[p] += group.rows();
        }
      }
    }
    return read;
  }

  /** Whether no plan reads more than {@code limit} rows. */
  private static boolean atMost(long[] read, double limit) {
    for (long r : read) {
      if (r > limit) {
        return false;
      }
    }
    return true;
  }

  private static long rows(List<RowGroupStats.Range> groups) {
    return groups.stream().mapToLong(RowGroupStats.Range::rows).sum();
  }

  /** Two statistics of the same key column; values that do not compare make the split refused. */
  private static int compare(Object a, Object b) {
    return RowGroupStats.compare(a, b)
        .orElseThrow(() -> new IllegalArgumentException(a + " does not compare with " + b));
  }
}
