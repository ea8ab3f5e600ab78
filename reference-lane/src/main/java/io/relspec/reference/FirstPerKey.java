package io.relspec.reference;

import java.util.Arrays;
import java.util.Objects;
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
    for (Object[] column : keys) {
      for (int row = 0; row < rows; row++) {
        column[row] = Values.key(column[row]);
      }
    }
    for (int row = 0; row < rows; row++) {
      int hash = 1;
      for (Object[] column : keys) {
        hash = 31 * hash + Objects.hashCode(column[row]);
      }
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
          if (sameKey(keys, held, row)) {
            ids[row] = ids[held];
            break;
          }
        }
        slot = (slot + 1) & mask;
      }
    }
    return new KeyIds(ids, distinct);
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

  private static boolean sameKey(Object[][] keys, int a, int b) {
    for (Object[] column : keys) {
      if (!Objects.equals(column[a], column[b])) {
        return false;
      }
    }
    return true;
  }
}
