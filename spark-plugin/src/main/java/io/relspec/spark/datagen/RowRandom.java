package io.relspec.spark.datagen;

import java.util.SplittableRandom;

/** A random source per (seed, table, row): rows come out the same whatever the partitioning. */
final class RowRandom {
  private RowRandom() {}

  static SplittableRandom of(long seed, int table, long row) {
    long mixed =
        seed * 0x9E3779B97F4A7C15L + table * 0xC2B2AE3D27D4EB4FL + row * 0x165667B19E3779F9L;
    return new SplittableRandom(mixed);
  }

  /** True with probability 1/n. */
  static boolean oneIn(SplittableRandom random, int n) {
    return random.nextInt(n) == 0;
  }
}
