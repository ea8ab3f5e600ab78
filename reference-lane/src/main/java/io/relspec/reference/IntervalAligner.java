package io.relspec.reference;

import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * {@code interval_align}, sort-based per key group in O((n + m) log m): right rows are grouped by
 * their {@code on} key and ranked once (highest {@code match_score = -(re - rs)} first, then the
 * tie-breakers, then every remaining right column ascending, nulls last); then per mode:
 *
 * <ul>
 *   <li>{@code exact}: a hash of (rs, re) to the best-ranked right row;
 *   <li>{@code contained} (rs &gt;= ls and re &lt;= le): left rows by ls descending sweep in the
 *       right rows by rs descending; a Fenwick tree over re keeps the best rank of every prefix;
 *   <li>{@code overlap} (re &gt; ls and rs &lt; le): left rows by le ascending sweep in the right
 *       rows by rs ascending; a Fenwick tree over re (reversed) keeps the best rank of every
 *       suffix.
 * </ul>
 *
 * Null keys and null span ends never match.
 */
final class IntervalAligner {
  private final BufferAllocator allocator;
  private final int batchSize;

  IntervalAligner(BufferAllocator allocator, int batchSize) {
    this.allocator = allocator;
    this.batchSize = batchSize;
  }

  /** The output schema, as the validator computes it. */
  static RelSchema schema(IntervalAlign align, RelSchema left, RelSchema right) {
    boolean keepUnmatched = align.how() == IntervalAlign.How.LEFT;
    List<Field> fields = new ArrayList<>(left.fields());
    for (String column : align.selectRight()) {
      Field field = right.field(column).orElseThrow();
      fields.add(field.withNullable(field.nullable() || keepUnmatched));
    }
    if (align.matchMeta()) {
      fields.add(new Field(IntervalAlign.MATCH_KIND, PrimitiveType.STRING, false));
      fields.add(new Field(IntervalAlign.MATCH_SCORE, PrimitiveType.FLOAT64, keepUnmatched));
    }
    return new RelSchema(fields);
  }

  Relation align(IntervalAlign align, Relation left, Relation right) {
    int[] best = bestMatches(align, left, right);
    RowIndex rightIndex = RowIndex.of(right);
    RelSchema ls = left.schema();
    RelSchema rs = right.schema();
    int nl = ls.fields().size();
    int[] selected = align.selectRight().stream().mapToInt(rs::indexOf).toArray();
    int rsCol = rs.indexOf(align.rightSpan().start());
    int reCol = rs.indexOf(align.rightSpan().end());
    boolean keepUnmatched = align.how() == IntervalAlign.How.LEFT;
    try (BatchBuilder out = new BatchBuilder(schema(align, ls, rs), allocator, batchSize)) {
      int leftRow = 0;
      for (VectorSchemaRoot batch : left.batches()) {
        for (int r = 0; r < batch.getRowCount(); r++, leftRow++) {
          int match = best[leftRow];
          if (match < 0 && !keepUnmatched) {
            continue;
          }
          out.startRow();
          for (int c = 0; c < nl; c++) {
            out.copy(c, batch.getVector(c), r);
          }
          for (int s = 0; s < selected.length; s++) {
            if (match < 0) {
              out.set(nl + s, null);
            } else {
              out.copy(nl + s, rightIndex.vector(selected[s], match), rightIndex.row[match]);
            }
          }
          if (align.matchMeta()) {
            int c = nl + selected.length;
            if (match < 0) {
              out.set(c, IntervalAlign.NO_MATCH);
              out.set(c + 1, null);
            } else {
              long start = (Long) rightIndex.value(rsCol, match);
              long end = (Long) rightIndex.value(reCol, match);
              out.set(c, align.mode().jsonName());
              out.set(c + 1, score(start, end));
            }
          }
          out.endRow();
        }
      }
      return out.finish();
    }
  }

  static double score(long start, long end) {
    return (double) -(end - start);
  }

  /** For every left row (in order), the index of its best right row, or -1. */
  static int[] bestMatches(IntervalAlign align, Relation left, Relation right) {
    RelSchema ls = left.schema();
    RelSchema rs = right.schema();
    RowIndex li = RowIndex.of(left);
    RowIndex ri = RowIndex.of(right);
    int keys = align.on().size();
    int[] lk = new int[keys];
    int[] rk = new int[keys];
    List<DataType> keyTypes = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      EquiKey key = align.on().get(k);
      lk[k] = ls.indexOf(key.left());
      rk[k] = rs.indexOf(key.right());
      keyTypes.add(
          TypeRules.commonType(ls.fields().get(lk[k]).type(), rs.fields().get(rk[k]).type())
              .orElseThrow());
    }
    Spans l =
        Spans.of(li, ls.indexOf(align.leftSpan().start()), ls.indexOf(align.leftSpan().end()));
    Spans r =
        Spans.of(ri, rs.indexOf(align.rightSpan().start()), rs.indexOf(align.rightSpan().end()));

    // Group ids by key (only keys present on the right), and each group's rows in CSR form.
    Map<Object, Integer> groupIds = new HashMap<>();
    int[] rightGroup = new int[ri.size];
    for (int i = 0; i < ri.size; i++) {
      rightGroup[i] = -1;
      if (r.valid[i]) {
        Object key = key(ri, i, rk, rs, keyTypes);
        if (key != null) {
          Integer id = groupIds.get(key);
          if (id == null) {
            id = groupIds.size();
            groupIds.put(key, id);
          }
          rightGroup[i] = id;
        }
      }
    }
    int[] leftGroup = new int[li.size];
    for (int i = 0; i < li.size; i++) {
      leftGroup[i] = -1;
      if (l.valid[i]) {
        Object key = key(li, i, lk, ls, keyTypes);
        Integer id = key == null ? null : groupIds.get(key);
        if (id != null) {
          leftGroup[i] = id;
        }
      }
    }
    int groups = groupIds.size();
    int[] rightStart = new int[groups + 1];
    int[] rightRows = byGroup(rightGroup, groups, rightStart);
    int[] leftStart = new int[groups + 1];
    int[] leftRows = byGroup(leftGroup, groups, leftStart);

    // Rank the candidate right rows of each group: score desc, tie-breakers, remaining columns.
    double[] scores = new double[ri.size];
    for (int i = 0; i < ri.size; i++) {
      scores[i] = r.valid[i] ? score(r.start[i], r.end[i]) : 0.0;
    }
    List<SortKey> order = RowOrder.withRemaining(align.tieBreakers(), rs.names());
    IntSort.IntComparator ties = tieOrder(order, ri, rs);
    IntSort.IntComparator rankOrder =
        (a, b) -> {
          int c = Double.compare(scores[b], scores[a]);
          return c != 0 ? c : ties.compare(a, b);
        };

    int[] best = new int[li.size];
    Arrays.fill(best, -1);
    int[] rank = new int[ri.size];
    for (int g = 0; g < groups; g++) {
      if (leftStart[g] == leftStart[g + 1]) {
        continue;
      }
      int[] ranked = Arrays.copyOfRange(rightRows, rightStart[g], rightStart[g + 1]);
      IntSort.sort(ranked, rankOrder);
      for (int i = 0; i < ranked.length; i++) {
        rank[ranked[i]] = i;
      }
      int[] lrows = Arrays.copyOfRange(leftRows, leftStart[g], leftStart[g + 1]);
      switch (align.mode()) {
        case EXACT -> exact(lrows, ranked, l, r, best);
        case CONTAINED -> contained(lrows, ranked, l, r, rank, best);
        case OVERLAP -> overlap(lrows, ranked, l, r, rank, best);
      }
    }
    return best;
  }

  /**
   * The order of {@code keys} over the right rows, as {@link RowOrder} compares them, with each
   * key's column read only when a comparison first needs it, and int64 and float64 columns held as
   * primitives (the ranking compares millions of ties).
   */
  private static IntSort.IntComparator tieOrder(List<SortKey> keys, RowIndex ri, RelSchema rs) {
    IntSort.IntComparator[] columns = new IntSort.IntComparator[keys.size()];
    return (a, b) -> {
      for (int k = 0; k < columns.length; k++) {
        IntSort.IntComparator column = columns[k];
        if (column == null) {
          column = columnOrder(keys.get(k), ri, rs.indexOf(keys.get(k).column()));
          columns[k] = column;
        }
        int c = column.compare(a, b);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    };
  }

  private static IntSort.IntComparator columnOrder(SortKey key, RowIndex ri, int column) {
    boolean allLongs = true;
    boolean allDoubles = true;
    for (VectorSchemaRoot batch : ri.relation.batches()) {
      FieldVector vector = batch.getVector(column);
      allLongs &= vector instanceof BigIntVector;
      allDoubles &= vector instanceof Float8Vector;
    }
    boolean longs = allLongs;
    boolean doubles = allDoubles;
    int direction = key.direction() == SortKey.Direction.DESC ? -1 : 1;
    int nullFirst = key.nulls() == SortKey.NullOrder.FIRST ? -1 : 1;
    if (longs || doubles) {
      long[] bits = new long[ri.size];
      double[] values = new double[doubles ? ri.size : 0];
      boolean[] nulls = new boolean[ri.size];
      for (int i = 0; i < ri.size; i++) {
        FieldVector vector = ri.vector(column, i);
        int row = ri.row[i];
        if (vector.isNull(row)) {
          nulls[i] = true;
        } else if (longs) {
          bits[i] = ((BigIntVector) vector).get(row);
        } else {
          double d = ((Float8Vector) vector).get(row);
          values[i] = d == 0.0 ? 0.0 : d;
        }
      }
      return (a, b) -> {
        if (nulls[a] || nulls[b]) {
          return nulls[a] == nulls[b] ? 0 : (nulls[a] ? nullFirst : -nullFirst);
        }
        int c = longs ? Long.compare(bits[a], bits[b]) : Double.compare(values[a], values[b]);
        return direction * c;
      };
    }
    Object[] values = ri.column(column);
    return (a, b) -> RowOrder.compareValues(values[a], values[b], key);
  }

  /**
   * The rows of every group id in one array, group by group (a counting sort; rows keep their
   * order); {@code start[g]..start[g+1]} is group g. Rows with group -1 are left out.
   */
  private static int[] byGroup(int[] group, int groups, int[] start) {
    for (int g : group) {
      if (g >= 0) {
        start[g + 1]++;
      }
    }
    for (int g = 0; g < groups; g++) {
      start[g + 1] += start[g];
    }
    int[] rows = new int[start[groups]];
    int[] next = Arrays.copyOf(start, groups);
    for (int i = 0; i < group.length; i++) {
      if (group[i] >= 0) {
        rows[next[group[i]]++] = i;
      }
    }
    return rows;
  }

  /** The span ends of every row as primitives; {@code valid} is false when either is null. */
  private record Spans(long[] start, long[] end, boolean[] valid) {
    static Spans of(RowIndex index, int startColumn, int endColumn) {
      long[] start = new long[index.size];
      long[] end = new long[index.size];
      boolean[] valid = new boolean[index.size];
      for (int i = 0; i < index.size; i++) {
        FieldVector sv = index.vector(startColumn, i);
        FieldVector ev = index.vector(endColumn, i);
        int row = index.row[i];
        if (sv.isNull(row) || ev.isNull(row)) {
          continue;
        }
        start[i] = sv instanceof BigIntVector v ? v.get(row) : (Long) Values.read(sv, row);
        end[i] = ev instanceof BigIntVector v ? v.get(row) : (Long) Values.read(ev, row);
        valid[i] = true;
      }
      return new Spans(start, end, valid);
    }
  }

  /** The normalized key (the value itself for one key column), or null if any part is null. */
  private static Object key(
      RowIndex index, int i, int[] columns, RelSchema schema, List<DataType> types) {
    if (columns.length == 1) {
      Object value = index.value(columns[0], i);
      if (value == null) {
        return null;
      }
      DataType type = schema.fields().get(columns[0]).type();
      return Values.key(type.equals(types.get(0)) ? value : Casts.cast(value, type, types.get(0)));
    }
    List<Object> key = new ArrayList<>(columns.length);
    for (int k = 0; k < columns.length; k++) {
      Object value = index.value(columns[k], i);
      if (value == null) {
        return null;
      }
      DataType type = schema.fields().get(columns[k]).type();
      key.add(
          Values.key(type.equals(types.get(k)) ? value : Casts.cast(value, type, types.get(k))));
    }
    return key;
  }

  /** Best-ranked right row per (rs, re); {@code ranked} is best first. */
  private static void exact(int[] lrows, int[] ranked, Spans l, Spans r, int[] best) {
    Map<List<Long>, Integer> bySpan = new HashMap<>();
    for (int row : ranked) {
      bySpan.putIfAbsent(List.of(r.start[row], r.end[row]), row);
    }
    for (int row : lrows) {
      Integer match = bySpan.get(List.of(l.start[row], l.end[row]));
      best[row] = match == null ? -1 : match;
    }
  }

  private static void contained(
      int[] lrows, int[] ranked, Spans l, Spans r, int[] rank, int[] best) {
    long[] ends = distinctSorted(ranked, r.end);
    int[] rs = ranked.clone();
    IntSort.sortBy(rs, r.start, true);
    int[] ls = lrows.clone();
    IntSort.sortBy(ls, l.start, true);
    MinFenwick tree = new MinFenwick(ends.length);
    int next = 0;
    for (int row : ls) {
      long start = l.start[row];
      while (next < rs.length && r.start[rs[next]] >= start) {
        int candidate = rs[next++];
        tree.update(Arrays.binarySearch(ends, r.end[candidate]), rank[candidate]);
      }
      int found = tree.prefixMin(upperBound(ends, l.end[row]));
      best[row] = found == Integer.MAX_VALUE ? -1 : ranked[found];
    }
  }

  private static void overlap(int[] lrows, int[] ranked, Spans l, Spans r, int[] rank, int[] best) {
    long[] ends = distinctSorted(ranked, r.end);
    int[] rs = ranked.clone();
    IntSort.sortBy(rs, r.start, false);
    int[] ls = lrows.clone();
    IntSort.sortBy(ls, l.end, false);
    MinFenwick tree = new MinFenwick(ends.length);
    int next = 0;
    for (int row : ls) {
      long end = l.end[row];
      while (next < rs.length && r.start[rs[next]] < end) {
        int candidate = rs[next++];
        // reversed position: a suffix of ends becomes a prefix
        tree.update(ends.length - 1 - Arrays.binarySearch(ends, r.end[candidate]), rank[candidate]);
      }
      // right ends strictly greater than ls
      int firstGreater = upperBound(ends, l.start[row]);
      int found = tree.prefixMin(ends.length - firstGreater);
      best[row] = found == Integer.MAX_VALUE ? -1 : ranked[found];
    }
  }

  private static long[] distinctSorted(int[] rows, long[] values) {
    long[] out = new long[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = values[rows[i]];
    }
    Arrays.sort(out);
    int n = 0;
    for (int i = 0; i < out.length; i++) {
      if (n == 0 || out[n - 1] != out[i]) {
        out[n++] = out[i];
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** The number of values {@code <= x}. */
  private static int upperBound(long[] sorted, long x) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** A Fenwick tree of int minima over positions {@code 0..n-1}. */
  private static final class MinFenwick {
    private final int[] tree;

    MinFenwick(int n) {
      tree = new int[n + 1];
      Arrays.fill(tree, Integer.MAX_VALUE);
    }

    void update(int position, int value) {
      for (int i = position + 1; i < tree.length; i += i & -i) {
        tree[i] = Math.min(tree[i], value);
      }
    }

    /** The minimum over positions {@code 0..count-1}. */
    int prefixMin(int count) {
      int min = Integer.MAX_VALUE;
      for (int i = count; i > 0; i -= i & -i) {
        min = Math.min(min, tree[i]);
      }
      return min;
    }
  }
}
