package io.relspec.reference;

import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

/**
 * How many threads the lane's kernels (interval_align, the gathers of dedupe, sort and joins) use
 * for one call: the common fork-join pool's workers and the calling thread, or fewer when the
 * profile's {@code targetPartitions} says so. A caller that already runs one thread per core (a
 * Spark task running delegated ops) sets {@code targetPartitions} 1, and every kernel then runs on
 * the calling thread alone: measured inside Spark tasks on the CPG bundle, the tasks otherwise
 * waited on pool workers busy with the other task's work.
 *
 * <p>The limit holds for the thread that runs a pipeline ({@link #limitedTo}); kernels decide how
 * to split their work on that thread, before any pool worker joins in.
 */
final class KernelThreads {
  private static final ThreadLocal<Integer> LIMIT = ThreadLocal.withInitial(() -> 0);

  private KernelThreads() {}

  /** The threads a kernel called on this thread may use: 1 or more. */
  static int available() {
    int pool = ForkJoinPool.getCommonPoolParallelism() + 1;
    int limit = LIMIT.get();
    return limit > 0 ? Math.min(limit, pool) : pool;
  }

  /** Whether a kernel called on this thread may split its work over pool workers. */
  static boolean parallel() {
    return available() > 1;
  }

  /**
   * Runs {@code work} with kernels limited to {@code threads} threads ({@code targetPartitions}: 0
   * for no limit).
   */
  static <T> T limitedTo(int threads, Supplier<T> work) {
    int before = LIMIT.get();
    LIMIT.set(threads);
    try {
      return work.get();
    } finally {
      LIMIT.set(before);
    }
  }
}
