package io.relspec.reference;

import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelSchema;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The ranking of one key group's right rows for interval_align, best first: highest {@code
 * match_score} (shortest span), then {@code keys} as {@link RowOrder} compares them, then row
 * position. A stable sort by the score, then only runs of rows still tied refined key by key:
 * integer and float64 keys as sortable longs with nulls partitioned out, other types by their
 * values. A key's column is read (for the whole relation, once, by whichever thread first needs it)
 * only when some run of ties reaches it. {@link Order} compares a few of a group's rows in the same
 * order without sorting. Safe for concurrent use on different groups.
 */
final class AlignRanking {
  /** Spans shorter than this convert to a double score exactly (so length orders as the score). */
  private static final long EXACT_LENGTH = 1L << 53;

  private static final int INSERTION = 32;

  private final List<SortKey> keys;
  private final Relation relation;

  /** The right relation's row count. */
  private final int size;

  /** The right rows' index, built only if an other-typed tie key needs it. */
  private final java.util.function.Supplier<RowIndex> rowIndex;

  private final RelSchema schema;

  /** The right rows in the order of the groups' arrays. */
  private final int[] grouped;

  /** Each right row's position in {@link #grouped} (-1 if none), built when first needed. */
  private int[] position;

  /** The tie keys as {@link #bestFirst} reads them: gathered in group order where they can be. */
  private final Column[] sorting;

  /** The tie keys by row, as an {@link Order} reads them. */
  private final Column[] byRow;

  /** How many leading keys {@link #sorting} reads gathered. */
  private final int gathered;

  private final IntervalAligner.Heap heap;

  /** At most this many leading integer or float64 keys are gathered in group order. */
  private static final int GATHERED = 3;

  /**
   * @param grouped the right rows in the order of the groups' arrays ({@code rows} of {@link
   *     #bestFirst}): the first integer or float64 keys are gathered into that order when a sort
   *     first needs them, so ranking a group reads them from one contiguous range
   */
  AlignRanking(List<SortKey> keys, RowIndex ri, RelSchema schema, int[] grouped) {
    this(keys, ri.relation, () -> ri, schema, grouped, IntervalAligner.Heap.NONE);
  }

  /**
   * As {@link #AlignRanking(List, RowIndex, RelSchema, int[])} over {@code relation}, its row index
   * asked of {@code rowIndex} only when needed, with each tie column's arrays added to {@code heap}
   * before they are allocated.
   */
  AlignRanking(
      List<SortKey> keys,
      Relation relation,
      java.util.function.Supplier<RowIndex> rowIndex,
      RelSchema schema,
      int[] grouped,
      IntervalAligner.Heap heap) {
    this.keys = keys;
    this.relation = relation;
    this.rowIndex = rowIndex;
    long count = relation.rowCount();
    if (count > Integer.MAX_VALUE - 8) {
      throw LaneErrors.tooManyRows(count);
    }
    this.size = (int) count;
    this.schema = schema;
    this.grouped = grouped;
    this.sorting = new Column[keys.size()];
    this.byRow = new Column[keys.size()];
    this.heap = heap;
    int leading = 0;
    while (leading < Math.min(GATHERED, keys.size()) && numeric(leading)) {
      leading++;
    }
    this.gathered = leading;
  }

  private boolean numeric(int k) {
    int column = schema.indexOf(keys.get(k).column());
    for (VectorSchemaRoot batch : relation.batches()) {
      FieldVector vector = batch.getVector(column);
      if (!(vector instanceof BigIntVector
          || vector instanceof IntVector
          || vector instanceof Float8Vector)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The positions {@code 0..m-1} of one group's right rows, best first.
   *
   * @param rows the group's right row indexes at {@code rows[from..from+m)}
   * @param starts their span starts, alongside
   * @param ends their span ends, alongside
   */
  int[] bestFirst(int[] rows, long[] starts, long[] ends, int from, int m) {
    int[] order = new int[m];
    for (int i = 0; i < m; i++) {
      order[i] = i;
    }
    long[] sortKeys = scoreKeys(starts, ends, from, m);
    sortStable(sortKeys, order, 0, m);
    Runs runs = new Runs();
    runs.addEqual(sortKeys, 0, m);
    int[] scratch = runs.size > 0 ? new int[m] : null;
    for (int k = 0; k < keys.size() && runs.size > 0; k++) {
      Runs next = new Runs();
      Column column = column(k, false);
      for (int r = 0; r < runs.size; r++) {
        column.refine(order, rows, from, sortKeys, scratch, runs.from[r], runs.to[r], next);
      }
      runs = next;
    }
    return order;
  }

  /**
   * The group's order by score alone as longs, ascending is best first: the span lengths when every
   * one converts to its score exactly, else the complemented sortable scores.
   */
  private static long[] scoreKeys(long[] starts, long[] ends, int from, int m) {
    long[] keys = new long[m];
    boolean exact = true;
    for (int i = 0; i < m; i++) {
      long length = ends[from + i] - starts[from + i];
      keys[i] = length;
      exact &= length > -EXACT_LENGTH && length < EXACT_LENGTH;
    }
    if (!exact) {
      for (int i = 0; i < m; i++) {
        // descending score: the complement reverses the order
        keys[i] =
            ~IntervalAligner.sortable(IntervalAligner.score(starts[from + i], ends[from + i]));
      }
    }
    return keys;
  }

  /**
   * The order of {@link #bestFirst} over one group's right rows without sorting them, for callers
   * that compare only a few of them (the candidates of a left row).
   *
   * @param rows the group's right row indexes at {@code rows[from..from+m)}
   * @param starts their span starts, alongside
   * @param ends their span ends, alongside
   */
  Order order(int[] rows, long[] starts, long[] ends, int from, int m) {
    return new Order(rows, from, scoreKeys(starts, ends, from, m));
  }

  /**
   * One group's ranking as a comparison of two positions (0..m-1): score, then the keys (each
   * column fetched when a comparison first reaches it), then position. One thread's, like the
   * group.
   */
  final class Order {
    private final int[] rows;
    private final int base;
    private final long[] scores;
    private final Column[] tied = new Column[keys.size()];

    private Order(int[] rows, int base, long[] scores) {
      this.rows = rows;
      this.base = base;
      this.scores = scores;
    }

    /** Whether position {@code a} ranks before position {@code b} (ahead in {@link #bestFirst}). */
    boolean before(int a, int b) {
      if (scores[a] != scores[b]) {
        return scores[a] < scores[b];
      }
      for (int k = 0; k < tied.length; k++) {
        if (tied[k] == null) {
          tied[k] = column(k, true);
        }
        int c = tied[k].compare(rows, base, a, b);
        if (c != 0) {
          return c < 0;
        }
      }
      return a < b;
    }
  }

  /**
   * Sorts {@code keys[from, to)} ascending with {@code values} alongside, stable: as (key offset,
   * position) packed in one long when the keys' range allows, else by {@link LongSort}.
   */
  static void sortStable(long[] keys, int[] values, int from, int to) {
    int n = to - from;
    if (n <= INSERTION) {
      insertion(keys, values, from, to);
      return;
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = from; i < to; i++) {
      min = Math.min(min, keys[i]);
      max = Math.max(max, keys[i]);
    }
    long range = max - min;
    if (range >= 0 && range < 2L * n) {
      countingSort(keys, values, from, n, min, (int) range + 1);
      return;
    }
    int bits = 64 - Long.numberOfLeadingZeros(n - 1);
    if (range < 0 || range >= 1L << (63 - bits)) {
      LongSort.sort(keys, values, from, to);
      return;
    }
    long[] packed = new long[n];
    for (int i = 0; i < n; i++) {
      packed[i] = (keys[from + i] - min) << bits | i;
    }
    Arrays.sort(packed);
    int[] moved = Arrays.copyOfRange(values, from, to);
    long mask = (1L << bits) - 1;
    for (int i = 0; i < n; i++) {
      keys[from + i] = (packed[i] >>> bits) + min;
      values[from + i] = moved[(int) (packed[i] & mask)];
    }
  }

  /**
   * A stable counting sort of {@code keys[from, from + n)}, all in {@code [min, min + buckets)}
   * (span lengths in a key group mostly are), with {@code values} alongside.
   */
  private static void countingSort(
      long[] keys, int[] values, int from, int n, long min, int buckets) {
    int[] next = new int[buckets + 1];
    for (int i = from; i < from + n; i++) {
      next[(int) (keys[i] - min) + 1]++;
    }
    for (int b = 0; b < buckets; b++) {
      next[b + 1] += next[b];
    }
    long[] sortedKeys = new long[n];
    int[] sortedValues = new int[n];
    for (int i = from; i < from + n; i++) {
      int slot = next[(int) (keys[i] - min)]++;
      sortedKeys[slot] = keys[i];
      sortedValues[slot] = values[i];
    }
    System.arraycopy(sortedKeys, 0, keys, from, n);
    System.arraycopy(sortedValues, 0, values, from, n);
  }

  private static void insertion(long[] keys, int[] values, int from, int to) {
    for (int i = from + 1; i < to; i++) {
      long k = keys[i];
      int v = values[i];
      int j = i - 1;
      while (j >= from && keys[j] > k) {
        keys[j + 1] = keys[j];
        values[j + 1] = values[j];
        j--;
      }
      keys[j + 1] = k;
      values[j + 1] = v;
    }
  }

  /** Ranges {@code [from, to)} of at least two rows still tied. */
  private static final class Runs {
    int[] from = new int[8];
    int[] to = new int[8];
    int size;

    void add(int f, int t) {
      if (t - f < 2) {
        return;
      }
      if (size == from.length) {
        from = Arrays.copyOf(from, size * 2);
        to = Arrays.copyOf(to, size * 2);
      }
      from[size] = f;
      to[size] = t;
      size++;
    }

    /** Adds every run of equal {@code keys} in {@code [f, t)}. */
    void addEqual(long[] keys, int f, int t) {
      for (int i = f; i < t; ) {
        int j = i + 1;
        while (j < t && keys[j] == keys[i]) {
          j++;
        }
        add(i, j);
        i = j;
      }
    }
  }

  /** One tie key's values (by right row index), and how it orders a run of tied rows. */
  private abstract static class Column {
    /**
     * Sorts {@code order[from, to)} (positions; row {@code rows[base + position]}) by this key,
     * stable, and adds the runs still tied to {@code next}.
     */
    abstract void refine(
        int[] order,
        int[] rows,
        int base,
        long[] sortKeys,
        int[] scratch,
        int from,
        int to,
        Runs next);

    /**
     * Compares positions {@code a} and {@code b} (rows {@code rows[base + a]}, {@code rows[base +
     * b]}) by this key as {@link #refine} orders them: negative when a comes first, 0 when tied.
     */
    abstract int compare(int[] rows, int base, int a, int b);
  }

  /**
   * Integers and float64 as sortable longs; nulls apart (first or last) and equal to each other.
   */
  private static final class LongColumn extends Column {
    private final long[] values;
    private final boolean[] nulls;
    private final boolean descending;
    private final boolean nullsFirst;
    private final boolean gathered;

    /**
     * @param gathered whether {@code values} are by position in the groups' arrays (else by row)
     */
    LongColumn(long[] values, boolean[] nulls, SortKey key, boolean gathered) {
      this.values = values;
      this.nulls = nulls;
      this.gathered = gathered;
      this.descending = key.direction() == SortKey.Direction.DESC;
      this.nullsFirst = key.nulls() == SortKey.NullOrder.FIRST;
    }

    @Override
    void refine(
        int[] order,
        int[] rows,
        int base,
        long[] sortKeys,
        int[] scratch,
        int from,
        int to,
        Runs next) {
      int a = from;
      int b = to;
      if (nulls != null) {
        // stable partition: non-null rows in order, null rows in order, on the chosen side
        int nullCount = 0;
        for (int i = from; i < to; i++) {
          if (nulls[index(rows, base, order[i])]) {
            nullCount++;
          }
        }
        if (nullCount > 0) {
          int p = nullsFirst ? from + nullCount : from;
          int q = nullsFirst ? from : to - nullCount;
          for (int i = from; i < to; i++) {
            int position = order[i];
            if (nulls[index(rows, base, position)]) {
              scratch[q++] = position;
            } else {
              scratch[p++] = position;
            }
          }
          System.arraycopy(scratch, from, order, from, to - from);
          if (nullsFirst) {
            next.add(from, from + nullCount);
            a = from + nullCount;
          } else {
            next.add(to - nullCount, to);
            b = to - nullCount;
          }
        }
      }
      for (int i = a; i < b; i++) {
        long v = values[index(rows, base, order[i])];
        sortKeys[i] = descending ? ~v : v;
      }
      sortStable(sortKeys, order, a, b);
      next.addEqual(sortKeys, a, b);
    }

    @Override
    int compare(int[] rows, int base, int a, int b) {
      int x = index(rows, base, a);
      int y = index(rows, base, b);
      if (nulls != null && (nulls[x] || nulls[y])) {
        if (nulls[x] == nulls[y]) {
          return 0;
        }
        return nulls[x] == nullsFirst ? -1 : 1;
      }
      return descending ? Long.compare(~values[x], ~values[y]) : Long.compare(values[x], values[y]);
    }

    private int index(int[] rows, int base, int position) {
      return gathered ? base + position : rows[base + position];
    }
  }

  /** Any other type: its values compared as {@link RowOrder} does. */
  private static final class ObjectColumn extends Column {
    private final Object[] values;
    private final SortKey key;

    ObjectColumn(Object[] values, SortKey key) {
      this.values = values;
      this.key = key;
    }

    @Override
    void refine(
        int[] order,
        int[] rows,
        int base,
        long[] sortKeys,
        int[] scratch,
        int from,
        int to,
        Runs next) {
      IntSort.sort(
          order,
          from,
          to,
          (x, y) -> RowOrder.compareValues(values[rows[base + x]], values[rows[base + y]], key));
      for (int i = from; i < to; ) {
        int j = i + 1;
        while (j < to
            && RowOrder.compareValues(
                    values[rows[base + order[i]]], values[rows[base + order[j]]], key)
                == 0) {
          j++;
        }
        next.add(i, j);
        i = j;
      }
    }

    @Override
    int compare(int[] rows, int base, int a, int b) {
      return RowOrder.compareValues(values[rows[base + a]], values[rows[base + b]], key);
    }
  }

  /**
   * Key {@code k}'s column, read when first asked for: for comparing a few rows ({@code few}) by
   * row, else (for sorting whole groups) gathered into group order if it is one of the {@link
   * #gathered} leading keys. A key read both ways is held twice.
   */
  private synchronized Column column(int k, boolean few) {
    // past the gathered keys, one column by row serves both
    Column[] cache = few || k >= gathered ? byRow : sorting;
    if (cache[k] == null) {
      cache[k] = cache == byRow ? load(k) : load(k, position(), grouped.length);
    }
    return cache[k];
  }

  /** {@link #position}, built on first use. */
  private int[] position() {
    if (position == null) {
      heap.addNow(4L * size);
      int[] at = new int[size];
      Arrays.fill(at, -1);
      for (int p = 0; p < grouped.length; p++) {
        at[grouped[p]] = p;
      }
      position = at;
    }
    return position;
  }

  private Column load(int k) {
    if (!numeric(k)) {
      heap.addNow(MemoryBudget.column(relation, schema.indexOf(keys.get(k).column())));
      return new ObjectColumn(
          rowIndex.get().column(schema.indexOf(keys.get(k).column())), keys.get(k));
    }
    return load(k, null, size);
  }

  /**
   * An integer or float64 key as sortable longs: by row, or (when {@code position} is given) at
   * each row's position, rows without one left out.
   */
  private Column load(int k, int[] position, int size) {
    SortKey key = keys.get(k);
    int column = schema.indexOf(key.column());
    heap.addNow(9L * size);
    long[] values = new long[size];
    boolean[] nulls = new boolean[size];
    List<VectorSchemaRoot> batches = relation.batches();
    int[] offsets = new int[batches.size() + 1];
    for (int b = 0; b < batches.size(); b++) {
      offsets[b + 1] = offsets[b] + batches.get(b).getRowCount();
    }
    // on the calling thread: this runs under the ranking's lock, often inside a parallel align,
    // and a parallel stream here could wait on pool workers that are blocked on that lock
    boolean[] batchHasNull = new boolean[batches.size()];
    IntStream.range(0, batches.size())
        .forEach(
            b -> {
              FieldVector vector = batches.get(b).getVector(column);
              int rows = batches.get(b).getRowCount();
              int offset = offsets[b];
              long[] longs = new long[rows];
              boolean[] batchNulls = new boolean[rows];
              batchHasNull[b] = ArrowBulk.readNulls(vector, rows, batchNulls, 0);
              if (vector instanceof BigIntVector bigints) {
                ArrowBulk.readLongs(bigints, rows, longs, 0);
              } else if (vector instanceof IntVector ints) {
                for (int row = 0; row < rows; row++) {
                  longs[row] = batchNulls[row] ? 0 : ints.get(row);
                }
              } else {
                double[] doubles = new double[rows];
                ArrowBulk.readDoubles((Float8Vector) vector, rows, doubles, 0);
                for (int row = 0; row < rows; row++) {
                  longs[row] = IntervalAligner.sortable(doubles[row]);
                }
              }
              for (int row = 0; row < rows; row++) {
                int at = position == null ? offset + row : position[offset + row];
                if (at >= 0) {
                  values[at] = longs[row];
                  nulls[at] = batchNulls[row];
                }
              }
            });
    boolean anyNull = false;
    for (boolean hasNull : batchHasNull) {
      anyNull |= hasNull;
    }
    return new LongColumn(values, anyNull ? nulls : null, key, position != null);
  }
}
