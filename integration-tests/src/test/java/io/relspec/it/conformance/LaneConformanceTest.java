package io.relspec.it.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.reference.conformance.Conformance;
import io.relspec.reference.conformance.ConformanceCases;
import io.relspec.reference.conformance.ContractConformance;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every spec conformance case ({@link ConformanceCases}, from reference-lane's test-jar, where the
 * reference lane runs them) on the Spark lane (PlanCompiler on one local session, ANSI on, a
 * non-UTC session time zone, as the differential suite runs it) and on standalone DataFusion (with
 * per-op fallback to the reference lane; {@code target/conformance-datafusion.txt} says for each
 * case whether it ran natively). Spark with Comet: {@link SparkCometConformanceTest}.
 */
class LaneConformanceTest {
  /** Where the Spark lane deviates from the spec, with the analysis. */
  static final Map<String, String> SPARK_KNOWN_ISSUES = Map.of();

  /** Where standalone DataFusion deviates from the spec, with the analysis. */
  static final Map<String, String> DATAFUSION_KNOWN_ISSUES = Map.of();

  /** Where the Spark lane's contract finalization deviates from the spec, with the analysis. */
  static final Map<String, String> SPARK_CONTRACT_KNOWN_ISSUES = Map.of();

  /** Where standalone DataFusion's runner deviates on contracts, with the analysis. */
  static final Map<String, String> DATAFUSION_CONTRACT_KNOWN_ISSUES = Map.of();

  private static SparkSession spark;
  private static SparkConformanceLane sparkLane;
  private static Conformance sparkConformance;
  private static DataFusionConformanceLane dataFusionLane;
  private static Conformance dataFusionConformance;

  private static synchronized Conformance spark() {
    if (sparkConformance == null) {
      spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("relspec-conformance")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.sql.session.timeZone", "America/Los_Angeles")
              .config("spark.sql.ansi.enabled", "true")
              .config("spark.sql.datetime.java8API.enabled", "true")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .getOrCreate();
      sparkLane = new SparkConformanceLane("spark", spark, false);
      sparkConformance = new Conformance(sparkLane, SPARK_KNOWN_ISSUES);
    }
    return sparkConformance;
  }

  private static synchronized Conformance dataFusion() {
    if (dataFusionConformance == null) {
      dataFusionLane = new DataFusionConformanceLane();
      dataFusionConformance = new Conformance(dataFusionLane, DATAFUSION_KNOWN_ISSUES);
    }
    return dataFusionConformance;
  }

  @TestFactory
  Stream<DynamicTest> sparkConformsOnEveryCase() {
    return spark().tests();
  }

  @TestFactory
  Stream<DynamicTest> dataFusionConformsOnEveryCase() {
    return dataFusion().tests();
  }

  /** Contract finalization through {@code SparkRunner} on the same session. */
  @TestFactory
  Stream<DynamicTest> sparkRunnerConformsOnEveryContractCase() {
    return sparkContracts().tests();
  }

  /** Contract finalization through {@code ArrowLaneRunner} with the DataFusion executor. */
  @TestFactory
  Stream<DynamicTest> dataFusionRunnerConformsOnEveryContractCase() {
    return dataFusionContracts().tests();
  }

  private static ContractConformance sparkContracts;
  private static ContractConformance dataFusionContracts;

  private static synchronized ContractConformance sparkContracts() {
    if (sparkContracts == null) {
      spark();
      sparkContracts =
          new ContractConformance(
              ContractLanes.spark("spark", spark),
              SPARK_CONTRACT_KNOWN_ISSUES,
              Path.of("target", "contract-cases", "spark"));
    }
    return sparkContracts;
  }

  private static synchronized ContractConformance dataFusionContracts() {
    if (dataFusionContracts == null) {
      dataFusionContracts =
          new ContractConformance(
              ContractLanes.dataFusion(),
              DATAFUSION_CONTRACT_KNOWN_ISSUES,
              Path.of("target", "contract-cases", "datafusion"));
    }
    return dataFusionContracts;
  }

  @Test
  void knownIssuesNameRealCases() {
    spark().checkKnownIssuesNameCases();
    dataFusion().checkKnownIssuesNameCases();
    sparkContracts().checkKnownIssuesNameCases();
    dataFusionContracts().checkKnownIssuesNameCases();
    assertThat(ConformanceCases.all()).hasSizeGreaterThan(40);
  }

  @AfterAll
  static void report() {
    if (sparkContracts != null) {
      sparkContracts.writeReport();
    }
    if (dataFusionContracts != null) {
      dataFusionContracts.writeReport();
    }
    if (sparkConformance != null) {
      sparkConformance.writeReport();
    }
    if (dataFusionConformance != null) {
      System.out.println(
          "conformance on datafusion: "
              + dataFusionConformance.summary()
              + " (per case: "
              + dataFusionConformance.writeReport()
              + ")");
      dataFusionLane.close();
    }
    if (spark != null) {
      spark.stop();
    }
  }
}
