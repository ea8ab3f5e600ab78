package io.relspec.spark.delegation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.RelspecException;
import io.relspec.spark.Relspec;
import io.relspec.spark.run.RuleDelegateProvider;
import io.relspec.spark.run.SparkRunner;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The notebook API ({@link Relspec}, in spark-plugin) delegates the rules the session's {@code
 * spark.relspec.delegate} names through this module's provider, like the spark-submit job.
 */
class NotebookDelegationTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkRunner.localSession("local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @AfterEach
  void unset() {
    spark.conf().unset(RuleDelegateProvider.CONF);
  }

  private Relspec.Loaded load() {
    return Relspec.on(spark)
        .data(DelegationParityTest.DATA)
        .bundle(DelegationParityTest.EXAMPLES.resolve("cpg.json"));
  }

  private static boolean runsOverAnRdd(Dataset<Row> rows) {
    return rows.queryExecution().analyzed().toString().contains("LogicalRDD");
  }

  @Test
  void aRuleTheConfNamesIsDelegatedWithTheSameRows() {
    Dataset<Row> onSpark = load().rule("ref_symbols");
    spark.conf().set(RuleDelegateProvider.CONF, "ref_symbols");
    Relspec.Loaded delegated = load();
    Dataset<Row> viaDataFusion = delegated.rule("ref_symbols");

    assertThat(runsOverAnRdd(onSpark)).isFalse();
    assertThat(runsOverAnRdd(viaDataFusion)).isTrue();
    List<Row> expected = onSpark.collectAsList();
    assertThat(expected).isNotEmpty();
    assertThat(viaDataFusion.collectAsList()).containsExactlyInAnyOrderElementsOf(expected);
    // a rule the conf does not name compiles on Spark alone
    assertThat(runsOverAnRdd(delegated.rule("call_symbols"))).isFalse();
  }

  @Test
  void anUnknownRuleInTheConfIsRefusedWhenTheBundleLoads() {
    spark.conf().set(RuleDelegateProvider.CONF, "no_such_rule");
    assertThatThrownBy(this::load)
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("Cannot delegate rules [no_such_rule] to DataFusion");
  }
}
