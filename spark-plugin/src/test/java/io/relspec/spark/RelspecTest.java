package io.relspec.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.spark.datagen.AnalyticsGenerator;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notebook API over examples/analytics.json. */
class RelspecTest {
  @TempDir Path dir;

  @Test
  void rulesOutputsAndExplain() {
    AnalyticsGenerator.write(SparkTestSession.spark(), 500, 3, dir.resolve("analytics"));
    Relspec.Loaded bundle =
        Relspec.on(SparkTestSession.spark())
            .data(dir)
            .param("top_n_floor", "0.00")
            .bundle(Path.of("..", "examples", "analytics.json"));

    Dataset<Row> top = bundle.output("top_customers");
    assertThat(top.columns()).containsExactly("customer_id", "name", "total", "orders", "tier");
    assertThat(top.count()).isBetween(1L, 10L);
    // the rule's rows keep the join's extra column; the contract drops it
    assertThat(bundle.rule("top_customers").columns()).contains("cid");

    String explain = bundle.explain("top_customers");
    String signature = bundle.validated().plan("top_customers").orElseThrow().planSignature();
    assertThat(explain)
        .contains("plan signature: " + signature)
        .contains("param top_n_floor = 0.00")
        .contains("== Analyzed Logical Plan ==")
        .contains("== Physical Plan ==");
    // Spark's own plans carry the marker until the optimizer drops it (no effect on execution).
    String marker = "SubqueryAlias relspec.top_customers.plan_" + signature;
    assertThat(explain).contains(marker);
    Dataset<Row> rule = bundle.rule("top_customers");
    assertThat(rule.queryExecution().analyzed().toString()).contains(marker);
    assertThat(rule.queryExecution().optimizedPlan().toString()).doesNotContain("relspec.");
    assertThatThrownBy(() -> bundle.rule("nope"))
        .hasMessageStartingWith("Cannot find rule 'nope' in bundle ");
  }
}
