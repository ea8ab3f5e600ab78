package io.relspec.reference;

/**
 * Stable sorts of {@code long} keys carrying {@code int} values in primitive arrays: insertion sort
 * for short ranges, an LSD radix sort (8-bit digits, digits on which every key agrees skipped)
 * otherwise.
 */
final class LongSort {
  private static final int INSERTION = 48;

  private LongSort() {}

  /** Sorts {@code keys[from, to)} ascending (signed), moving {@code values} alongside; stable. */
  static void sort(long[] keys, int[] values, int from, int to) {
    int n = to - from;
    if (n < 2) {
      return;
    }
    if (n <= INSERTION) {
      insertion(keys, values, from, to);
      return;
    }
    int[][] counts = new int[8][256];
    long first = keys[from];
    long differ = 0;
    for (int i = from; i < to; i++) {
      long k = keys[i] ^ Long.MIN_VALUE;
      differ |= keys[i] ^ first;
      for (int d = 0; d < 8; d++) {
        counts[d][(int) (k >>> (d * 8)) & 0xFF]++;
      }
    }
    long[] k1 = keys;
    int[] v1 = values;
    int o1 = from;
    long[] k2 = new long[n];
    int[] v2 = new int[n];
    int o2 = 0;
    for (int d = 0; d < 8; d++) {
      if (((differ >>> (d * 8)) & 0xFF) == 0) {
        continue;
      }
      int[] count = counts[d];
      int sum = 0;
      for (int b = 0; b < 256; b++) {
        int c = count[b];
        count[b] = sum;
        sum += c;
      }
      int shift = d * 8;
      for (int i = 0; i < n; i++) {
        long k = k1[o1 + i];
        int slot = o2 + count[(int) ((k ^ Long.MIN_VALUE) >>> shift) & 0xFF]++;
        k2[slot] = k;
        v2[slot] = v1[o1 + i];
      }
      long[] tk = k1;
      int[] tv = v1;
      int to1 = o1;
      k1 = k2;
      v1 = v2;
      o1 = o2;
      k2 = tk;
      v2 = tv;
      o2 = to1;
    }
    if (k1 != keys) {
      System.arraycopy(k1, o1, keys, from, n);
      System.arraycopy(v1, o1, values, from, n);
    }
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
}
