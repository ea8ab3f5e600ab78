package io.relspec.it.conformance;

import io.relspec.datafusion.run.DataFusionExecutor;
import io.relspec.reference.conformance.ContractLane;
import io.relspec.spark.run.SparkRunner;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The runners of the Spark and standalone DataFusion lanes as contract conformance lanes: what
 * {@code relspec run --engine spark|spark-datafusion|datafusion} runs, Parquet in and out.
 */
final class ContractLanes {
  private ContractLanes() {}

  /** {@code SparkRunner} on {@code spark} (Comet or not, as the session is configured). */
  static ContractLane spark(String name, SparkSession spark) {
    return ContractLane.of(
        name,
        (bundle, data, out) ->
            new SparkRunner(spark, new PrintStream(OutputStream.nullOutputStream()))
                .run(bundle, data, out, Map.of()));
  }

  /** {@code ArrowLaneRunner} with the standalone DataFusion executor (Comet 0.12.0's JNI). */
  static ContractLane dataFusion() {
    return ContractLane.arrowRunner("datafusion", DataFusionExecutor::new);
  }
}
