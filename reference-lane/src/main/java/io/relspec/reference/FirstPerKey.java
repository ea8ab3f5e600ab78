package io.relspec.reference;

import io.relspec.ir.op.SortKey;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntBinaryOperator;

/**
 * Rows grouped by key with no key object per row: an open-addressing table of row indexes over the
 * key columns' normalized values ({@link Values#key}; nulls equal to nulls) gives each row its
 * key's id, and a dedupe (an op's or a contract's) the winning row per key. Equal keys are exactly
 * those a {@code List} of the normalized values would call equal.
 */
final class FirstPerKey {
  private FirstPerKey() {}

  /**
   * Each row's key as an id: 0, 1, ... in the order keys are first seen.
   *
   * @param keys per key column, the value of every row ({@code keys[k][row]}); replaced in place by
   *     its normalized value ({@link Values#key})
   * @param rows how many rows
   * @param heap the estimated bytes of the table, its hashes and the ids, added before they are
   *     allocated
   */
  static KeyIds ids(Object[][] keys, int rows, MemoryBudget.Reservation heap) {
    return ids(values(keys, rows), rows, heap);
  }

  /**
   * Each row's key as an id: 0, 1, ... in the order keys are first seen.
   *
   * @param heap the estimated bytes of the table, its hashes and the ids, added before they are
   *     allocated
   */
  static KeyIds ids(Keys keys, int rows, MemoryBudget.Reservation heap) {
    // a power of two at least 1.5 times the rows: probes stay short
    long wanted = Math.max(4L, rows + rows / 2L);
    if (wanted > 1 << 30) {
      throw LaneErrors.tooManyRows(rows);
    }
    int capacity = Integer.highestOneBit((int) wanted - 1) << 1;
    heap.addNow(8L * capacity + 4L * rows);
    // per slot the key's hash (high half) and its first row + 1 (low half); 0 when empty, so a
    // probe compares hashes without touching the rows' keys
    long[] table = new long[capacity];
    int[] ids = new int[rows];
    int distinct = 0;
    int mask = capacity - 1;
    for (int row = 0; row < rows; row++) {
      int hash = keys.hash(row);
      int slot = (hash ^ (hash >>> 16)) & mask;
      while (true) {
        long entry = table[slot];
        if (entry == 0) {
          table[slot] = (long) hash << 32 | (row + 1L);
          ids[row] = distinct++;
          break;
        }
        if ((int) (entry >>> 32) == hash) {
          int held = (int) entry - 1;
          if (keys.same(held, row)) {
            ids[row] = ids[held];
            break;
          }
        }
        slot = (slot + 1) & mask;
      }
    }
    return new KeyIds(ids, distinct);
  }

  /** Rows' keys as the table sees them: a hash per row, and whether two rows' keys are equal. */
  interface Keys {
    int hash(int row);

    boolean same(int a, int b);
  }

  /**
   * Keys of value objects, per key column the value of every row ({@code keys[k][row]}), replaced
   * in place by their normalized values ({@link Values#key}).
   */
  private static Keys values(Object[][] keys, int rows) {
    for (Object[] column : keys) {
      for (int row = 0; row < rows; row++) {
        column[row] = Values.key(column[row]);
      }
    }
    return new Keys() {
      @Override
      public int hash(int row) {
        int hash = 1;
        for (Object[] column : keys) {
          hash = 31 * hash + Objects.hashCode(column[row]);
        }
        return hash;
      }

      @Override
      public boolean same(int a, int b) {
        return sameKey(keys, a, b);
      }
    };
  }

  /** Every row's key id ({@code ids[row]}) and how many distinct keys there are. */
  record KeyIds(int[] ids, int count) {}

  /**
   * @param keys per key column, the value of every row ({@code keys[k][row]}); replaced in place by
   *     its normalized value ({@link Values#key})
   * @param rows how many rows
   * @param beats {@code beats.applyAsInt(a, b) < 0} when row a wins over row b
   * @param heap the estimated bytes of the table and its hashes, added before they are allocated
   * @return the winners, one per distinct key, in first-seen key order
   */
  static int[] winners(
      Object[][] keys, int rows, IntBinaryOperator beats, MemoryBudget.Reservation heap) {
    return winners(values(keys, rows), rows, beats, heap);
  }

  /** As {@link #winners(Object[][], int, IntBinaryOperator, MemoryBudget.Reservation)}. */
  static int[] winners(
      Keys keys, int rows, IntBinaryOperator beats, MemoryBudget.Reservation heap) {
    KeyIds ids = ids(keys, rows, heap);
    heap.addNow(4L * ids.count());
    int[] winners = new int[ids.count()];
    Arrays.fill(winners, -1);
    for (int row = 0; row < rows; row++) {
      int id = ids.ids()[row];
      int held = winners[id];
      if (held < 0 || beats.applyAsInt(row, held) < 0) {
        winners[id] = row;
      }
    }
    return winners;
  }

  /**
   * The rows a dedupe (an op's or a contract's) keeps, in first-seen key order: per distinct value
   * of {@code keys}, the first row by {@code orderBy}, then every other column of {@code names}
   * ascending, nulls last, then position (the earlier row wins a tie on every column).
   *
   * @param rows how many rows
   * @param column the values of a column by name, one per row, in a new array; the order's columns
   *     are asked for only when a comparison first reaches them (ties past orderBy are rare)
   * @param keyed the keys read in place ({@link VectorKeys}), when they can be; else the key
   *     columns' values are asked for
   */
  static int[] dedupe(
      List<String> names,
      List<String> keys,
      List<SortKey> orderBy,
      int rows,
      Function<String, Object[]> column,
      Optional<Keys> keyed,
      MemoryBudget.Reservation heap) {
    List<SortKey> order = RowOrder.withRemaining(orderBy, names);
    RowOrder rowOrder = RowOrder.lazy(order, k -> column.apply(order.get(k).column()));
    if (keyed.isPresent()) {
      return winners(keyed.get(), rows, rowOrder::compareRows, heap);
    }
    Object[][] keyValues = new Object[keys.size()][];
    for (int k = 0; k < keyValues.length; k++) {
      keyValues[k] = column.apply(keys.get(k));
    }
    return winners(keyValues, rows, rowOrder::compareRows, heap);
  }

  private static boolean sameKey(Object[][] keys, int a, int b) {
    for (Object[] column : keys) {
      if (!Objects.equals(column[a], column[b])) {
        return false;
      }
    }
    return true;
  }
}
