package io.relspec.reference;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntBinaryOperator;

/**
 * The winning row per distinct key of a dedupe (an op's or a contract's), in the order keys are
 * first seen: an open-addressing table of row indexes over the key columns' normalized values
 * ({@link Values#key}; nulls equal to nulls), with no key object per row. Equal keys are exactly
 * those a {@code List} of the normalized values would call equal.
 */
final class FirstPerKey {
  private FirstPerKey() {}

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
    int capacity = Integer.highestOneBit(Math.max(4, rows) * 2 - 1) << 1;
    heap.addNow(4L * capacity + 8L * rows);
    int[] slots = new int[capacity];
    Arrays.fill(slots, -1);
    int[] hashes = new int[rows];
    // the slot of each key, in first-seen order
    int[] seen = new int[rows];
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
      hashes[row] = hash;
      int slot = (hash ^ (hash >>> 16)) & mask;
      while (true) {
        int held = slots[slot];
        if (held < 0) {
          slots[slot] = row;
          seen[distinct++] = slot;
          break;
        }
        if (hashes[held] == hash && sameKey(keys, held, row)) {
          if (beats.applyAsInt(row, held) < 0) {
            slots[slot] = row;
          }
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    int[] out = new int[distinct];
    for (int i = 0; i < distinct; i++) {
      out[i] = slots[seen[i]];
    }
    return out;
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
