package io.relspec.it.conformance;

import io.relspec.datafusion.run.DataFusionExecutor;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.conformance.ContractLane;
import io.relspec.reference.run.ArrowLaneRunner;
import io.relspec.spark.run.SparkRunner;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The runners of the Spark and standalone DataFusion lanes as contract conformance lanes: what
 * {@code relspec run --engine spark|spark-datafusion|datafusion} runs, Parquet in and out.
 */
final class ContractLanes {
  private ContractLanes() {}

  private static PrintStream quiet() {
    return new PrintStream(OutputStream.nullOutputStream());
  }

  /** {@code SparkRunner} on {@code spark} (Comet or not, as the session is configured). */
  static ContractLane spark(String name, SparkSession spark) {
    return new ContractLane() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public RunManifest run(ValidatedBundle bundle, Path data, Path out) {
        return new SparkRunner(spark, quiet()).run(bundle, data, out, Map.of());
      }
    };
  }

  /** {@code ArrowLaneRunner} with the standalone DataFusion executor (Comet 0.12.0's JNI). */
  static ContractLane dataFusion() {
    return new ContractLane() {
      @Override
      public String name() {
        return "datafusion";
      }

      @Override
      public RunManifest run(ValidatedBundle bundle, Path data, Path out) {
        RuntimeProfile profile = RuntimeProfile.DEFAULT;
        return new ArrowLaneRunner(new DataFusionExecutor(profile), profile, quiet())
            .run(bundle, data, out, Map.of());
      }
    };
  }
}
