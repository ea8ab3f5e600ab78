package io.relspec.it.conformance;

import io.relspec.reference.conformance.Conformance;
import io.relspec.reference.conformance.ConformanceCases;
import io.relspec.reference.conformance.ContractConformance;
import io.relspec.spark.engine.SparkEngine;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every spec conformance case ({@link ConformanceCases}) on Spark with DataFusion inside it (engine
 * spark-datafusion, Comet 0.12.0), in its own JVM (integration-tests forks one per test class; the
 * SparkContext starts with Comet's plugin and shuffle manager). The session is the Spark lane's
 * (ANSI on, a non-UTC time zone) with Comet's local table scan on, since the cases' inputs are
 * in-memory rows rather than Parquet files. {@code target/conformance-spark-datafusion.txt} says,
 * per case, how many operators ran natively and which stayed on Spark, with Comet's reasons.
 */
class SparkCometConformanceTest {
  /** Where Spark with Comet deviates from the spec, with the analysis (the Spark lane's too). */
  static final Map<String, String> KNOWN_ISSUES = LaneConformanceTest.SPARK_KNOWN_ISSUES;

  private static SparkSession spark;
  private static Conformance conformance;

  private static synchronized Conformance conformance() {
    if (conformance == null) {
      SparkSession.Builder builder =
          SparkSession.builder()
              .master("local[2]")
              .appName("relspec-conformance-comet")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.sql.session.timeZone", "America/Los_Angeles")
              .config("spark.sql.ansi.enabled", "true")
              .config("spark.sql.datetime.java8API.enabled", "true")
              .config("spark.comet.exec.localTableScan.enabled", "true")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1");
      spark = SparkEngine.SPARK_DATAFUSION.configure(builder, 512L << 20).getOrCreate();
      conformance =
          new Conformance(
              new SparkConformanceLane(SparkEngine.SPARK_DATAFUSION.jsonName(), spark, true),
              KNOWN_ISSUES);
    }
    return conformance;
  }

  @TestFactory
  Stream<DynamicTest> sparkWithCometConformsOnEveryCase() {
    return conformance().tests();
  }

  /** Contract finalization through {@code SparkRunner} with Comet. */
  @TestFactory
  Stream<DynamicTest> sparkWithCometConformsOnEveryContractCase() {
    return contracts().tests();
  }

  private static ContractConformance contracts;

  private static synchronized ContractConformance contracts() {
    if (contracts == null) {
      conformance();
      contracts =
          new ContractConformance(
              ContractLanes.spark(SparkEngine.SPARK_DATAFUSION.jsonName(), spark),
              LaneConformanceTest.SPARK_CONTRACT_KNOWN_ISSUES,
              Path.of("target", "contract-cases", "spark-datafusion"));
    }
    return contracts;
  }

  @Test
  void knownIssuesNameRealCases() {
    conformance().checkKnownIssuesNameCases();
    contracts().checkKnownIssuesNameCases();
  }

  @AfterAll
  static void report() {
    if (contracts != null) {
      contracts.writeReport();
    }
    if (conformance != null) {
      System.out.println(
          "conformance on spark-datafusion: "
              + conformance.summary()
              + " (per case: "
              + conformance.writeReport()
              + ")");
    }
    if (spark != null) {
      spark.stop();
    }
  }
}
