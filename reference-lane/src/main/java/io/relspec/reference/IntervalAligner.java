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
    Object[] lStart = li.column(ls.indexOf(align.leftSpan().start()));
    Object[] lEnd = li.column(ls.indexOf(align.leftSpan().end()));
    Object[] rStart = ri.column(rs.indexOf(align.rightSpan().start()));
    Object[] rEnd = ri.column(rs.indexOf(align.rightSpan().end()));

    // Rank every right row once: score desc, tie-breakers, remaining columns asc nulls last.
    List<SortKey> order = RowOrder.withRemaining(align.tieBreakers(), rs.names());
    List<Object[]> columns = new ArrayList<>();
    Object[] scores = new Object[ri.size];
    for (int i = 0; i < ri.size; i++) {
      scores[i] =
          rStart[i] == null || rEnd[i] == null ? null : score((Long) rStart[i], (Long) rEnd[i]);
    }
    columns.add(scores);
    for (SortKey key : order) {
      columns.add(ri.column(rs.indexOf(key.column())));
    }
    List<SortKey> rankKeys = new ArrayList<>();
    rankKeys.add(SortKey.desc("match_score"));
    rankKeys.addAll(order);
    Integer[] ranked = new Integer[ri.size];
    for (int i = 0; i < ranked.length; i++) {
      ranked[i] = i;
    }
    Arrays.sort(ranked, RowOrder.of(columns, rankKeys));
    int[] rank = new int[ri.size];
    for (int i = 0; i < ranked.length; i++) {
      rank[ranked[i]] = i;
    }

    Map<List<Object>, List<Integer>> rightGroups = new HashMap<>();
    for (int i = 0; i < ri.size; i++) {
      List<Object> key = key(ri, i, rk, rs, keyTypes);
      if (key != null && rStart[i] != null && rEnd[i] != null) {
        rightGroups.computeIfAbsent(key, x -> new ArrayList<>()).add(i);
      }
    }
    Map<List<Object>, List<Integer>> leftGroups = new HashMap<>();
    for (int i = 0; i < li.size; i++) {
      List<Object> key = key(li, i, lk, ls, keyTypes);
      if (key != null && lStart[i] != null && lEnd[i] != null) {
        leftGroups.computeIfAbsent(key, x -> new ArrayList<>()).add(i);
      }
    }
    int[] best = new int[li.size];
    Arrays.fill(best, -1);
    for (Map.Entry<List<Object>, List<Integer>> group : leftGroups.entrySet()) {
      List<Integer> candidates = rightGroups.get(group.getKey());
      if (candidates == null) {
        continue;
      }
      int[] lrows = group.getValue().stream().mapToInt(Integer::intValue).toArray();
      int[] rrows = candidates.stream().mapToInt(Integer::intValue).toArray();
      switch (align.mode()) {
        case EXACT -> exact(lrows, rrows, lStart, lEnd, rStart, rEnd, rank, best);
        case CONTAINED -> contained(lrows, rrows, lStart, lEnd, rStart, rEnd, rank, ranked, best);
        case OVERLAP -> overlap(lrows, rrows, lStart, lEnd, rStart, rEnd, rank, ranked, best);
      }
    }
    return best;
  }

  private static List<Object> key(
      RowIndex index, int i, int[] columns, RelSchema schema, List<DataType> types) {
    List<Object> key = new ArrayList<>(columns.length);
    for (int k = 0; k < columns.length; k++) {
      Object value = index.value(columns[k], i);
      if (value == null) {
        return null;
      }
      key.add(Values.key(Casts.cast(value, schema.fields().get(columns[k]).type(), types.get(k))));
    }
    return key;
  }

  private static void exact(
      int[] lrows,
      int[] rrows,
      Object[] lStart,
      Object[] lEnd,
      Object[] rStart,
      Object[] rEnd,
      int[] rank,
      int[] best) {
    Map<List<Long>, Integer> bySpan = new HashMap<>();
    for (int r : rrows) {
      bySpan.merge(
          List.of((Long) rStart[r], (Long) rEnd[r]), r, (a, b) -> rank[a] <= rank[b] ? a : b);
    }
    for (int l : lrows) {
      Integer match = bySpan.get(List.of((Long) lStart[l], (Long) lEnd[l]));
      best[l] = match == null ? -1 : match;
    }
  }

  private static void contained(
      int[] lrows,
      int[] rrows,
      Object[] lStart,
      Object[] lEnd,
      Object[] rStart,
      Object[] rEnd,
      int[] rank,
      Integer[] ranked,
      int[] best) {
    long[] ends = distinctSorted(rrows, rEnd);
    Integer[] rs = boxed(rrows);
    Arrays.sort(rs, (a, b) -> Long.compare((Long) rStart[b], (Long) rStart[a]));
    Integer[] ls = boxed(lrows);
    Arrays.sort(ls, (a, b) -> Long.compare((Long) lStart[b], (Long) lStart[a]));
    MinFenwick tree = new MinFenwick(ends.length);
    int next = 0;
    for (int l : ls) {
      long start = (Long) lStart[l];
      while (next < rs.length && (Long) rStart[rs[next]] >= start) {
        int r = rs[next++];
        tree.update(Arrays.binarySearch(ends, (Long) rEnd[r]), rank[r]);
      }
      int upTo = upperBound(ends, (Long) lEnd[l]);
      int found = tree.prefixMin(upTo);
      best[l] = found == Integer.MAX_VALUE ? -1 : ranked[found];
    }
  }

  private static void overlap(
      int[] lrows,
      int[] rrows,
      Object[] lStart,
      Object[] lEnd,
      Object[] rStart,
      Object[] rEnd,
      int[] rank,
      Integer[] ranked,
      int[] best) {
    long[] ends = distinctSorted(rrows, rEnd);
    Integer[] rs = boxed(rrows);
    Arrays.sort(rs, (a, b) -> Long.compare((Long) rStart[a], (Long) rStart[b]));
    Integer[] ls = boxed(lrows);
    Arrays.sort(ls, (a, b) -> Long.compare((Long) lEnd[a], (Long) lEnd[b]));
    MinFenwick tree = new MinFenwick(ends.length);
    int next = 0;
    for (int l : ls) {
      long end = (Long) lEnd[l];
      while (next < rs.length && (Long) rStart[rs[next]] < end) {
        int r = rs[next++];
        // reversed position: suffix of ends becomes a prefix
        tree.update(ends.length - 1 - Arrays.binarySearch(ends, (Long) rEnd[r]), rank[r]);
      }
      // right ends strictly greater than ls
      int firstGreater = upperBound(ends, (Long) lStart[l]);
      int found = tree.prefixMin(ends.length - firstGreater);
      best[l] = found == Integer.MAX_VALUE ? -1 : ranked[found];
    }
  }

  private static long[] distinctSorted(int[] rows, Object[] values) {
    return Arrays.stream(rows).mapToLong(r -> (Long) values[r]).sorted().distinct().toArray();
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

  private static Integer[] boxed(int[] values) {
    Integer[] out = new Integer[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
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
