package io.relspec.ir.runtime;

import java.util.Objects;
import java.util.Optional;

/**
 * Engine-neutral run settings. {@code targetPartitions} of 0 means "one per available core"; an
 * empty {@code memoryLimitBytes} means no limit beyond the engine's own.
 */
public record RuntimeProfile(
    int targetPartitions,
    int batchSize,
    Optional<String> spillDir,
    MemoryPool memoryPool,
    Optional<Long> memoryLimitBytes) {
  public static final int DEFAULT_BATCH_SIZE = 8192;
  public static final RuntimeProfile DEFAULT =
      new RuntimeProfile(
          0, DEFAULT_BATCH_SIZE, Optional.empty(), MemoryPool.GREEDY, Optional.empty());

  public RuntimeProfile {
    if (targetPartitions < 0) {
      throw new IllegalArgumentException(
          "Cannot use targetPartitions " + targetPartitions + ": it must be 0 (auto) or more");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "Cannot use batchSize " + batchSize + ": it must be at least 1");
    }
    Objects.requireNonNull(spillDir, "spillDir");
    Objects.requireNonNull(memoryPool, "memoryPool");
    Objects.requireNonNull(memoryLimitBytes, "memoryLimitBytes");
    memoryLimitBytes.ifPresent(
        limit -> {
          if (limit < 1) {
            throw new IllegalArgumentException(
                "Cannot use memoryLimitBytes " + limit + ": it must be positive");
          }
        });
  }

  /** This profile with another {@code targetPartitions}. */
  public RuntimeProfile withTargetPartitions(int partitions) {
    return new RuntimeProfile(partitions, batchSize, spillDir, memoryPool, memoryLimitBytes);
  }

  /** {@code targetPartitions} with 0 resolved to the number of available cores. */
  public int effectivePartitions() {
    return targetPartitions > 0 ? targetPartitions : Runtime.getRuntime().availableProcessors();
  }
}
