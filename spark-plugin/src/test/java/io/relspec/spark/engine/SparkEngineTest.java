package io.relspec.spark.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.spark.SparkTestSession;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Engine selection and fail-on-fallback parsing, on the plain (Comet-less) test session. */
class SparkEngineTest {
  @Test
  void parsesEngineNames() {
    assertThat(SparkEngine.parse("spark", "x")).isEqualTo(SparkEngine.SPARK);
    assertThat(SparkEngine.parse(" Spark-DataFusion ", "x"))
        .isEqualTo(SparkEngine.SPARK_DATAFUSION);
    assertThatThrownBy(() -> SparkEngine.parse("datafusion", "--engine"))
        .isInstanceOfSatisfying(
            RelspecException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessage(
            "Cannot select engine 'datafusion' at --engine: the Spark lane runs [spark,"
                + " spark-datafusion]. Use one of those ('datafusion' without Spark is the relspec"
                + " command's --engine datafusion).");
  }

  @Test
  void sparkDataFusionConfiguresCometAndKeepsRelspecExtensions() {
    assertThat(SparkEngine.SPARK.sessionConfs(1)).containsOnlyKeys(SparkEngine.CONF);
    assertThat(SparkEngine.SPARK_DATAFUSION.sessionConfs(256L << 20))
        .containsEntry(SparkEngine.CONF, "spark-datafusion")
        .containsEntry("spark.plugins", "org.apache.spark.CometPlugin")
        .containsEntry(
            "spark.sql.extensions",
            "org.apache.comet.CometSparkSessionExtensions,io.relspec.spark.sql.RelspecExtensions")
        .containsEntry("spark.comet.enabled", "true")
        .containsEntry("spark.comet.exec.enabled", "true")
        .containsEntry("spark.comet.exec.strictFloatingPoint", "true")
        .containsEntry("spark.memory.offHeap.enabled", "true")
        .containsEntry("spark.memory.offHeap.size", String.valueOf(256L << 20))
        .containsEntry(
            "spark.shuffle.manager",
            "org.apache.spark.sql.comet.execution.shuffle.CometShuffleManager")
        .containsEntry("spark.comet.exec.replaceSortMergeJoin", "true");
  }

  @Test
  void aSparkConfSetAsSystemPropertyWinsOverRelspecsDefault() {
    String key = SparkEngine.REPLACE_SORT_MERGE_JOIN;
    assertThat(SparkEngine.SPARK_DATAFUSION.confsToSet(1)).containsEntry(key, "true");
    System.setProperty(key, "false");
    try {
      assertThat(SparkEngine.SPARK_DATAFUSION.confsToSet(1))
          .doesNotContainKey(key)
          .containsEntry("spark.comet.enabled", "true");
      // the engine name is relspec's own: always set
      System.setProperty(SparkEngine.CONF, "spark");
      assertThat(SparkEngine.SPARK_DATAFUSION.confsToSet(1))
          .containsEntry(SparkEngine.CONF, "spark-datafusion");
    } finally {
      System.clearProperty(key);
      System.clearProperty(SparkEngine.CONF);
    }
  }

  @Test
  void aSessionWithoutCometRunsSparkAndRefusesSparkDataFusion() {
    SparkSession spark = SparkTestSession.spark();
    assertThat(SparkEngine.of(spark)).isEqualTo(SparkEngine.SPARK);
    spark.conf().set(SparkEngine.CONF, "spark-datafusion");
    try {
      assertThatThrownBy(() -> SparkEngine.of(spark))
          .isInstanceOf(RelspecException.class)
          .hasMessageStartingWith(
              "Cannot run engine spark-datafusion on this SparkSession: Comet is not active");
    } finally {
      spark.conf().unset(SparkEngine.CONF);
    }
  }

  @Test
  void parsesFailOnFallback() {
    assertThat(FailOnFallback.parse("")).isEqualTo(FailOnFallback.NONE);
    assertThat(FailOnFallback.parse("false").none()).isTrue();
    assertThat(FailOnFallback.parse("true")).isEqualTo(FailOnFallback.ALL);
    assertThat(FailOnFallback.parse("all").applies("anything")).isTrue();
    FailOnFallback some = FailOnFallback.parse(" a, b ,");
    assertThat(some.rules()).isEqualTo(Set.of("a", "b"));
    assertThat(some.applies("a")).isTrue();
    assertThat(some.applies("c")).isFalse();
  }

  @Test
  void withoutCometEveryOperatorIsReportedAsSpark() {
    SparkSession spark = SparkTestSession.spark();
    AccelerationReport report =
        PlanWalker.walk(
            spark.range(10).filter("id > 3").groupBy().count().queryExecution().executedPlan());
    assertThat(report.operators()).isNotEmpty();
    assertThat(report.count(AccelerationReport.Mode.NATIVE)).isZero();
    assertThat(report.fallbacks())
        .allSatisfy(
            op -> {
              assertThat(op.lane()).isEqualTo("spark");
              assertThat(op.reason()).isEqualTo(PlanWalker.NO_REASON);
            });
    assertThat(report.fallbacks()).extracting(AccelerationReport.Operator::name).contains("Filter");
  }
}
