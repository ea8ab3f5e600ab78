package io.relspec.reference;

/**
 * A stable merge sort of {@code int} row indices by a primitive comparator: no boxing, no {@code
 * Integer[]} (the reference lane sorts millions of row indices in interval_align).
 */
final class IntSort {
  private static final int INSERTION = 24;

  /** Compares two row indices. */
  @FunctionalInterface
  interface IntComparator {
    int compare(int a, int b);
  }

  private IntSort() {}

  static void sort(int[] values, IntComparator order) {
    if (values.length < 2) {
      return;
    }
    int[] buffer = values.clone();
    mergeSort(buffer, values, 0, values.length, order);
  }

  /** Sorts {@code values[from, to)}, stable; short ranges in place without allocating. */
  static void sort(int[] values, int from, int to, IntComparator order) {
    if (to - from <= INSERTION) {
      insertionSort(values, from, to, order);
      return;
    }
    int[] range = java.util.Arrays.copyOfRange(values, from, to);
    sort(range, order);
    System.arraycopy(range, 0, values, from, range.length);
  }

  private static void insertionSort(int[] values, int from, int to, IntComparator order) {
    for (int i = from + 1; i < to; i++) {
      int value = values[i];
      int j = i - 1;
      while (j >= from && order.compare(values[j], value) > 0) {
        values[j + 1] = values[j];
        j--;
      }
      values[j + 1] = value;
    }
  }

  /**
   * Rows by {@code key} ascending (or descending), ties in their current order: the rows are sorted
   * as (key, position) pairs in primitive arrays, no comparator call per comparison.
   */
  static void sortBy(int[] rows, long[] key, boolean descending) {
    int n = rows.length;
    if (n < 2) {
      return;
    }
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = descending ? ~key[rows[i]] : key[rows[i]];
    }
    int[] values = rows.clone();
    mergeSort(keys.clone(), values.clone(), keys, values, 0, n);
    System.arraycopy(values, 0, rows, 0, n);
  }

  /** Sorts {@code dk[from, to)} (and {@code dv} alongside); the sources hold the same on entry. */
  private static void mergeSort(long[] sk, int[] sv, long[] dk, int[] dv, int from, int to) {
    int length = to - from;
    if (length <= INSERTION) {
      for (int i = from + 1; i < to; i++) {
        long k = dk[i];
        int v = dv[i];
        int j = i - 1;
        while (j >= from && dk[j] > k) {
          dk[j + 1] = dk[j];
          dv[j + 1] = dv[j];
          j--;
        }
        dk[j + 1] = k;
        dv[j + 1] = v;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(dk, dv, sk, sv, from, mid);
    mergeSort(dk, dv, sk, sv, mid, to);
    if (sk[mid - 1] <= sk[mid]) {
      System.arraycopy(sk, from, dk, from, length);
      System.arraycopy(sv, from, dv, from, length);
      return;
    }
    for (int i = from, p = from, q = mid; i < to; i++) {
      if (q >= to || (p < mid && sk[p] <= sk[q])) {
        dk[i] = sk[p];
        dv[i] = sv[p++];
      } else {
        dk[i] = sk[q];
        dv[i] = sv[q++];
      }
    }
  }

  /** Sorts {@code dst[from, to)}; {@code src} holds the same values on entry. */
  private static void mergeSort(int[] src, int[] dst, int from, int to, IntComparator order) {
    int length = to - from;
    if (length <= INSERTION) {
      insertionSort(dst, from, to, order);
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(dst, src, from, mid, order);
    mergeSort(dst, src, mid, to, order);
    if (order.compare(src[mid - 1], src[mid]) <= 0) {
      System.arraycopy(src, from, dst, from, length);
      return;
    }
    for (int i = from, p = from, q = mid; i < to; i++) {
      if (q >= to || (p < mid && order.compare(src[p], src[q]) <= 0)) {
        dst[i] = src[p++];
      } else {
        dst[i] = src[q++];
      }
    }
  }
}
