package io.relspec.datafusion.comet;

import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.ParamRef;
import io.relspec.reference.Values;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;

/**
 * The min/max statistics of a Parquet dataset's flat columns, row group by row group, to tell
 * whether a filter's predicate rules out at least one whole row group. Only then does the
 * standalone engine push the predicate into NativeScan: Comet 0.12's NativeScan turns any data
 * filter into DataFusion's row-level filter as well (its Parquet options set {@code
 * pushdown_filters} and {@code reorder_filters}), which decodes the filter's columns ahead of the
 * others and selects rows batch by batch; on a predicate that keeps most rows that costs more than
 * it saves (measured: filter+aggregate over 10M orders, 632 ms pushed vs 345 ms not). Conjuncts
 * understood: {@code eq, lt, le, gt, ge} between a column and a literal (or a bound param), {@code
 * is_null} and {@code is_not_null}; anything else never rules a row group out.
 */
final class RowGroupStats {
  /**
   * One row group's statistics of one column: min and max as canonical values (or null when not
   * known), the number of nulls (-1 when not known) and of rows.
   */
  record Range(Object min, Object max, long nulls, long rows) {
    /** Whether every row of the row group is null. */
    boolean allNull() {
      return nulls == rows;
    }
  }

  private final Map<String, List<Range>> columns;

  private RowGroupStats(Map<String, List<Range>> columns) {
    this.columns = columns;
  }

  static final RowGroupStats NONE = new RowGroupStats(Map.of());

  /** The row groups' statistics of a flat column, in file order (none when not collected). */
  List<Range> of(String column) {
    return columns.getOrDefault(column, List.of());
  }

  /** Collects statistics file by file; {@link #build} gives them. */
  static final class Collector {
    private final Map<String, List<Range>> columns = new HashMap<>();

    /** Adds every row group of one file's footer. */
    void add(List<BlockMetaData> rowGroups) {
      for (BlockMetaData rowGroup : rowGroups) {
        for (ColumnChunkMetaData chunk : rowGroup.getColumns()) {
          if (chunk.getPath().size() != 1) {
            continue;
          }
          columns
              .computeIfAbsent(chunk.getPath().toArray()[0], k -> new ArrayList<>())
              .add(range(chunk, rowGroup.getRowCount()));
        }
      }
    }

    RowGroupStats build() {
      return new RowGroupStats(Map.copyOf(columns));
    }
  }

  private static Range range(ColumnChunkMetaData chunk, long rows) {
    Statistics<?> stats = chunk.getStatistics();
    if (stats == null || stats.isEmpty()) {
      return new Range(null, null, -1, rows);
    }
    long nulls = stats.isNumNullsSet() ? stats.getNumNulls() : -1;
    if (!stats.hasNonNullValue()) {
      return new Range(null, null, nulls, rows);
    }
    PrimitiveType type = chunk.getPrimitiveType();
    return new Range(
        value(stats.genericGetMin(), type), value(stats.genericGetMax(), type), nulls, rows);
  }

  /** A statistic as the canonical value it orders like, or null when not understood. */
  private static Object value(Object stat, PrimitiveType type) {
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal) {
      BigInteger unscaled;
      if (stat instanceof Integer i) {
        unscaled = BigInteger.valueOf(i);
      } else if (stat instanceof Long l) {
        unscaled = BigInteger.valueOf(l);
      } else if (stat instanceof Binary b) {
        unscaled = new BigInteger(b.getBytes());
      } else {
        return null;
      }
      return new BigDecimal(unscaled, decimal.getScale());
    }
    if (stat instanceof Integer i) {
      return (long) i;
    }
    if (stat instanceof Long l) {
      return l;
    }
    if (stat instanceof Float f) {
      return Float.isNaN(f) ? null : (double) f;
    }
    if (stat instanceof Double d) {
      return Double.isNaN(d) ? null : d;
    }
    if (stat instanceof Binary b
        && logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation) {
      return b.toStringUsingUTF8();
    }
    return null;
  }

  /**
   * Whether some row group has no row that {@code predicate} keeps, by the statistics alone.
   *
   * @param params the params' values for this run, as the predicate's translation reads them
   */
  boolean rulesOutARowGroup(Expr predicate, Map<String, Literal> params) {
    List<Expr> conjuncts = new ArrayList<>();
    flatten(predicate, conjuncts);
    for (Expr conjunct : conjuncts) {
      Optional<Test> test = Test.of(conjunct, params);
      if (test.isEmpty()) {
        continue;
      }
      for (Range range : columns.getOrDefault(test.get().column(), List.of())) {
        if (test.get().rulesOut(range)) {
          return true;
        }
      }
    }
    return false;
  }

  private static void flatten(Expr expr, List<Expr> out) {
    if (expr instanceof Call call && call.fn().equals("and")) {
      call.args().forEach(arg -> flatten(arg, out));
    } else {
      out.add(expr);
    }
  }

  /** One conjunct as a test of a column against a value ({@code null} for the null tests). */
  private record Test(String column, String op, Object value) {
    static Optional<Test> of(Expr conjunct, Map<String, Literal> params) {
      if (!(conjunct instanceof Call call)) {
        return Optional.empty();
      }
      List<Expr> args = call.args();
      if ((call.fn().equals("is_null") || call.fn().equals("is_not_null"))
          && args.size() == 1
          && args.get(0) instanceof ColumnRef column) {
        return Optional.of(new Test(column.name(), call.fn(), null));
      }
      if (args.size() != 2) {
        return Optional.empty();
      }
      String op = call.fn();
      Expr left = args.get(0);
      Expr right = args.get(1);
      if (!(left instanceof ColumnRef) && right instanceof ColumnRef) {
        // literal op column: the mirrored op
        Expr swap = left;
        left = right;
        right = swap;
        op =
            switch (op) {
              case "lt" -> "gt";
              case "le" -> "ge";
              case "gt" -> "lt";
              case "ge" -> "le";
              default -> op;
            };
      }
      if (!(left instanceof ColumnRef column)
          || !List.of("eq", "lt", "le", "gt", "ge").contains(op)) {
        return Optional.empty();
      }
      // the test as "column op value", for the lambda below
      String columnFirst = op;
      Optional<Literal> literal =
          right instanceof Literal l
              ? Optional.of(l)
              : right instanceof ParamRef p
                  ? Optional.ofNullable(params.get(p.name()))
                  : Optional.empty();
      return literal
          .flatMap(Literal::value)
          .map(RowGroupStats::canonical)
          .map(value -> new Test(column.name(), columnFirst, value));
    }

    /** Whether no row of a row group with these statistics passes the test. */
    boolean rulesOut(Range range) {
      switch (op) {
        case "is_null":
          return range.nulls() == 0;
        case "is_not_null":
          return range.nulls() >= 0 && range.nulls() == range.rows();
        default:
          break;
      }
      if (range.min() == null || range.max() == null) {
        return false;
      }
      Optional<Integer> toMin = compare(value, range.min());
      Optional<Integer> toMax = compare(value, range.max());
      if (toMin.isEmpty() || toMax.isEmpty()) {
        return false;
      }
      // value compared with the row group's min and max: the test fails for every row when ...
      return switch (op) {
        case "eq" -> toMin.get() < 0 || toMax.get() > 0;
        case "lt" -> toMin.get() <= 0; // every row >= min >= value
        case "le" -> toMin.get() < 0;
        case "gt" -> toMax.get() >= 0; // every row <= max <= value
        case "ge" -> toMax.get() > 0;
        default -> false;
      };
    }
  }

  /** A literal's value as statistics hold it (dates as epoch days), or null if not comparable. */
  private static Object canonical(Object value) {
    if (value instanceof LocalDate date) {
      return date.toEpochDay();
    }
    if (value instanceof Long || value instanceof Double || value instanceof String) {
      return value;
    }
    if (value instanceof BigDecimal) {
      return value;
    }
    return null;
  }

  /**
   * {@code a} against {@code b} as the filter compares them ({@link Values#compare}: strings by
   * code point, numbers by value, -0.0 equal to 0.0); empty when they do not compare: a string and
   * a number, a NaN, or an infinity against a number that is not a double.
   */
  static Optional<Integer> compare(Object a, Object b) {
    if (a instanceof String && b instanceof String) {
      return Optional.of(Values.compare(a, b));
    }
    if (!(a instanceof Number) || !(b instanceof Number) || isNaN(a) || isNaN(b)) {
      return Optional.empty();
    }
    boolean doubles = a instanceof Double && b instanceof Double;
    // Values.compare takes mixed numbers through BigDecimal, which has no infinity
    return doubles || (finite(a) && finite(b))
        ? Optional.of(Values.compare(a, b))
        : Optional.empty();
  }

  private static boolean isNaN(Object value) {
    return value instanceof Double d && d.isNaN();
  }

  private static boolean finite(Object value) {
    return !(value instanceof Double d) || Double.isFinite(d);
  }
}
