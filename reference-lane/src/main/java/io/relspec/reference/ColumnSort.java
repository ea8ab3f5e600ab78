package io.relspec.reference;

import io.relspec.ir.op.SortKey;
import java.util.List;

/**
 * A stable sort of row positions by sort keys over pre-read columns, without a comparator per pair
 * of rows: each key's column becomes one {@code long} per row that orders as {@link
 * RowOrder#compareValues} does (integers as themselves, float64 by their sortable bits, every other
 * type as its rank among the column's distinct values), then a least-significant-key-first series
 * of stable primitive sorts ({@link AlignRanking#sortStable}) orders the positions. Rows that tie
 * on every key keep their input order, as a stable comparison sort of {@code 0..n-1} by {@link
 * RowOrder} would leave them.
 */
final class ColumnSort {
  private ColumnSort() {}

  /**
   * The positions {@code 0..rows-1} sorted by {@code keys}, stable.
   *
   * @param columns the values of each key's column, one array per key, one value per row
   */
  static int[] order(List<Object[]> columns, List<SortKey> keys, int rows) {
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) {
      order[i] = i;
    }
    if (rows < 2) {
      return order;
    }
    long[] sortKeys = new long[rows];
    for (int k = keys.size() - 1; k >= 0; k--) {
      Object[] values = columns.get(k);
      SortKey key = keys.get(k);
      long[] encoded = encode(values, rows, key.direction() == SortKey.Direction.DESC);
      for (int i = 0; i < rows; i++) {
        sortKeys[i] = encoded[order[i]];
      }
      AlignRanking.sortStable(sortKeys, order, 0, rows);
      boolean anyNull = false;
      for (int i = 0; i < rows && !anyNull; i++) {
        anyNull = values[i] == null;
      }
      if (anyNull) {
        // nulls before or after every value whatever the direction: a more significant pass
        long nullRank = key.nulls() == SortKey.NullOrder.FIRST ? 0 : 1;
        for (int i = 0; i < rows; i++) {
          sortKeys[i] = values[order[i]] == null ? nullRank : 1 - nullRank;
        }
        AlignRanking.sortStable(sortKeys, order, 0, rows);
      }
    }
    return order;
  }

  /** One long per row ordering as the values (reversed when {@code descending}); nulls as 0. */
  private static long[] encode(Object[] values, int rows, boolean descending) {
    long[] out = new long[rows];
    Class<?> kind = kind(values, rows);
    if (kind == Long.class) {
      for (int i = 0; i < rows; i++) {
        out[i] = values[i] == null ? 0 : ((Number) values[i]).longValue();
      }
    } else if (kind == Double.class) {
      for (int i = 0; i < rows; i++) {
        out[i] = values[i] == null ? 0 : IntervalAligner.sortable((Double) values[i]);
      }
    } else if (kind == String.class) {
      // each string's rank among the distinct strings, in code point order
      Object[] ranks = RowOrder.ranked(values);
      for (int i = 0; i < rows; i++) {
        out[i] = ranks[i] == null ? 0 : (Integer) ranks[i];
      }
    } else if (kind != null) {
      ranks(values, rows, out);
    }
    if (descending) {
      for (int i = 0; i < rows; i++) {
        // the complement reverses the order of every long, with no overflow
        out[i] = ~out[i];
      }
    }
    return out;
  }

  /**
   * {@code Long.class} when every non-null value is an integer type (they compare as numbers),
   * {@code Double.class} or {@code String.class} when every one is of that class, {@code
   * Object.class} for anything else, null when every value is null.
   */
  private static Class<?> kind(Object[] values, int rows) {
    Class<?> kind = null;
    for (int i = 0; i < rows; i++) {
      Object value = values[i];
      if (value == null) {
        continue;
      }
      Class<?> of =
          value instanceof Long
                  || value instanceof Integer
                  || value instanceof Short
                  || value instanceof Byte
              ? Long.class
              : value.getClass() == Double.class || value.getClass() == String.class
                  ? value.getClass()
                  : Object.class;
      if (kind == null) {
        kind = of;
      } else if (kind != of) {
        return Object.class;
      }
    }
    return kind;
  }

  /** Each value's rank by {@link Values#compare}, values that compare equal sharing one. */
  private static void ranks(Object[] values, int rows, long[] out) {
    int present = 0;
    for (int i = 0; i < rows; i++) {
      if (values[i] != null) {
        present++;
      }
    }
    int[] byValue = new int[present];
    int at = 0;
    for (int i = 0; i < rows; i++) {
      if (values[i] != null) {
        byValue[at++] = i;
      }
    }
    IntSort.sort(byValue, (a, b) -> Values.compare(values[a], values[b]));
    long rank = 0;
    for (int i = 0; i < present; i++) {
      if (i > 0 && Values.compare(values[byValue[i - 1]], values[byValue[i]]) != 0) {
        rank++;
      }
      out[byValue[i]] = rank;
    }
  }
}
