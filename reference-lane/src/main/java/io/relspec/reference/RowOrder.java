package io.relspec.reference;

import io.relspec.ir.op.SortKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A row order over pre-read columns: sort keys (direction and null order as written), then
 * optionally more columns ascending, nulls last.
 */
final class RowOrder implements Comparator<Integer> {
  private final Object[][] columns;
  private final List<SortKey> keys;
  private final java.util.function.IntFunction<Object[]> loader;

  private RowOrder(
      Object[][] columns, List<SortKey> keys, java.util.function.IntFunction<Object[]> loader) {
    this.columns = columns;
    this.keys = keys;
    this.loader = loader;
  }

  /**
   * An order whose key columns are read only when a comparison first needs them (later keys often
   * never are, because earlier ones already decide).
   *
   * @param loader reads the values of key {@code k}
   */
  static RowOrder lazy(List<SortKey> keys, java.util.function.IntFunction<Object[]> loader) {
    return new RowOrder(new Object[keys.size()][], List.copyOf(keys), loader);
  }

  /**
   * @param columns pre-read values, one array per key in {@code keys}
   */
  static RowOrder of(List<Object[]> columns, List<SortKey> keys) {
    return new RowOrder(columns.toArray(new Object[0][]), List.copyOf(keys), null);
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

  @Override
  public int compare(Integer x, Integer y) {
    return compareRows(x, y);
  }

  int compareRows(int x, int y) {
    for (int k = 0; k < keys.size(); k++) {
      Object[] column = columns[k];
      if (column == null) {
        column = loader.apply(k);
        columns[k] = column;
      }
      int c = compareValues(column[x], column[y], keys.get(k));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
