package io.relspec.reference;

import io.relspec.ir.op.SortKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A row order over columns read when comparisons first reach them: sort keys (direction and null
 * order as written), then optionally more columns ascending, nulls last. An instance serves one
 * thread (it reads and ranks its columns as comparisons reach them); {@link #compareValues} is safe
 * anywhere.
 */
final class RowOrder {
  private final Object[][] columns;
  private final List<SortKey> keys;
  private final java.util.function.IntFunction<Object[]> loader;

  private RowOrder(List<SortKey> keys, java.util.function.IntFunction<Object[]> loader) {
    this.columns = new Object[keys.size()][];
    this.keys = keys;
    this.loader = loader;
    this.ranked = new boolean[keys.size()];
    this.reached = new int[keys.size()];
  }

  /** How many comparisons reached each column before it was ranked. */
  private final int[] reached;

  /** Which columns hold ranks in place of strings ({@link #ranked(Object[])}) already. */
  private final boolean[] ranked;

  /**
   * An order whose key columns are read only when a comparison first needs them (later keys often
   * never are, because earlier ones already decide).
   *
   * @param loader reads the values of key {@code k}
   */
  static RowOrder lazy(List<SortKey> keys, java.util.function.IntFunction<Object[]> loader) {
    return new RowOrder(List.copyOf(keys), loader);
  }

  /**
   * A string column as each value's rank among the column's distinct strings (in code point order,
   * as {@link Values#compare} orders them): the same order and the same ties, compared as ints,
   * each distinct string compared only while ranking them (a sort of many rows with few distinct
   * paths compared long equal prefixes on every comparison). Other columns as they are; nulls stay
   * null. A column is ranked once comparisons have reached it a quarter as many times as it has
   * rows, so keys that earlier keys mostly decide cost nothing.
   */
  static Object[] ranked(Object[] values) {
    Map<String, Integer> ids = new HashMap<>();
    for (Object value : values) {
      if (value == null) {
        continue;
      }
      if (!(value instanceof String string)) {
        return values;
      }
      ids.putIfAbsent(string, 0);
    }
    if (ids.isEmpty()) {
      return values;
    }
    String[] distinct = ids.keySet().toArray(new String[0]);
    Arrays.sort(distinct, Values::compareCodePoints);
    for (int i = 0; i < distinct.length; i++) {
      ids.put(distinct[i], i);
    }
    Object[] out = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i] == null ? null : ids.get((String) values[i]);
    }
    return out;
  }

  /** The keys followed by every column of {@code names} that no key sorts, asc nulls last. */
  static List<SortKey> withRemaining(List<SortKey> keys, List<String> names) {
    List<SortKey> all = new ArrayList<>(keys);
    for (String name : names) {
      if (keys.stream().noneMatch(k -> k.column().equals(name))) {
        all.add(SortKey.asc(name));
      }
    }
    return all;
  }

  static int compareValues(Object a, Object b, SortKey key) {
    if (a == null || b == null) {
      if (a == b) {
        return 0;
      }
      boolean nullsFirst = key.nulls() == SortKey.NullOrder.FIRST;
      return (a == null) == nullsFirst ? -1 : 1;
    }
    int c = Values.compare(a, b);
    return key.direction() == SortKey.Direction.DESC ? -c : c;
  }

  int compareRows(int x, int y) {
    for (int k = 0; k < keys.size(); k++) {
      Object[] column = columns[k];
      if (column == null) {
        column = loader.apply(k);
        columns[k] = column;
      }
      if (!ranked[k] && ++reached[k] > column.length / 4) {
        // reached by comparisons often enough to repay a pass over the column (a sort's are, a
        // dedupe's rare ties are not): strings as ranks from here on
        column = ranked(column);
        columns[k] = column;
        ranked[k] = true;
      }
      int c = compareValues(column[x], column[y], keys.get(k));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
