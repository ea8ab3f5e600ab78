package io.relspec.spark.delegation;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * What the Spark tasks of one delegated segment did, counted by accumulators (read on the driver
 * after the job ran).
 *
 * @param rowsIn Spark rows written into Arrow batches
 * @param batchesIn Arrow batches handed to DataFusion
 * @param executions native plan executions (one per chunk of batches)
 * @param nativeExecutions executions that ran every op natively (no reference-lane fallback)
 * @param batchesOut Arrow batches DataFusion returned
 * @param rowsOut rows DataFusion returned
 */
public record DelegationMetrics(
    long rowsIn,
    long batchesIn,
    long executions,
    long nativeExecutions,
    long batchesOut,
    long rowsOut) {
  public static final DelegationMetrics NONE = new DelegationMetrics(0, 0, 0, 0, 0, 0);

  public DelegationMetrics plus(DelegationMetrics other) {
    return new DelegationMetrics(
        rowsIn + other.rowsIn,
        batchesIn + other.batchesIn,
        executions + other.executions,
        nativeExecutions + other.nativeExecutions,
        batchesOut + other.batchesOut,
        rowsOut + other.rowsOut);
  }

  /** {@code 400 rows in 1 batch, 1 native execution, 1 batch and 380 rows back}. */
  public String describe() {
    return rowsIn
        + " rows in "
        + batchesIn
        + " Arrow batch(es), "
        + executions
        + " execution(s) ("
        + nativeExecutions
        + " fully native), "
        + batchesOut
        + " batch(es) and "
        + rowsOut
        + " rows back";
  }

  /** The accumulators of one segment; serialized into the tasks. */
  record Accumulators(
      LongAccumulator rowsIn,
      LongAccumulator batchesIn,
      LongAccumulator executions,
      LongAccumulator nativeExecutions,
      LongAccumulator batchesOut,
      LongAccumulator rowsOut)
      implements Serializable {
    static Accumulators register(SparkContext context, String name) {
      return new Accumulators(
          context.longAccumulator(name + ".rowsIn"),
          context.longAccumulator(name + ".batchesIn"),
          context.longAccumulator(name + ".executions"),
          context.longAccumulator(name + ".nativeExecutions"),
          context.longAccumulator(name + ".batchesOut"),
          context.longAccumulator(name + ".rowsOut"));
    }

    DelegationMetrics read() {
      return new DelegationMetrics(
          rowsIn.value(),
          batchesIn.value(),
          executions.value(),
          nativeExecutions.value(),
          batchesOut.value(),
          rowsOut.value());
    }
  }
}
