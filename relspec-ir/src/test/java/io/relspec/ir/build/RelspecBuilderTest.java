package io.relspec.ir.build;

import static io.relspec.ir.build.Exprs.and;
import static io.relspec.ir.build.Exprs.col;
import static io.relspec.ir.build.Exprs.fn;
import static io.relspec.ir.build.Exprs.ge;
import static io.relspec.ir.build.Exprs.lit;
import static io.relspec.ir.build.Exprs.not;
import static io.relspec.ir.build.Exprs.param;
import static io.relspec.ir.build.RelspecBuilder.agg;
import static io.relspec.ir.build.RelspecBuilder.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.json.BundleWriter;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RelspecBuilderTest {
  private static RelspecBuilder shop() {
    return RelspecBuilder.bundle("shop")
        .dataset(
            RelspecBuilder.parquet(
                "orders",
                "orders",
                field("order_id", "int64", false),
                field("customer_id", "int64"),
                field("order_date", "date32"),
                field("amount", "decimal(12,2)")))
        .dataset(
            RelspecBuilder.parquet(
                "customers",
                "customers",
                field("customer_id", "int64", false),
                field("region", "string")))
        .contract(
            RelspecBuilder.contract(
                    "revenue_v1", field("region", "string"), field("revenue", "decimal(22,2)"))
                .keyFields("region")
                .canonicalSort(SortKey.asc("region"))
                .build());
  }

  @Test
  void joinNameCollisionIsRefusedWhenTheJoinIsAdded() {
    RelspecBuilder.RuleBuilder rule =
        shop()
            .rule("revenue")
            .contract("revenue_v1")
            .scan("orders")
            .param("since", "date32", Optional.of(lit("2024-01-01", "date32")))
            .filter(
                and(ge(col("order_date"), param("since")), fn("is_not_null", col("customer_id"))));
    assertThatThrownBy(
            () ->
                rule.join(
                    JoinType.INNER,
                    RelspecBuilder.pipeline("customers").project("customer_id", "region").build(),
                    EquiKey.same("customer_id")))
        .isInstanceOf(RelspecException.class)
        .hasMessage(
            "Cannot add op to rule at rules[0].ops: column 'customer_id' is on both sides of the"
                + " join; set \"rightSuffix\" (e.g. \"_right\") to rename the right one, or project it"
                + " away on one side");
  }

  @Test
  void builderRefusesAnOpAtOnceWithThePrecisePath() {
    RelspecBuilder.RuleBuilder rule = shop().rule("revenue").contract("revenue_v1").scan("orders");
    assertThatThrownBy(
            () -> rule.filter(ge(col("order_dat"), lit(LocalDate.of(2024, 1, 1), "date32"))))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_BUNDLE);
              assertThat(e.problems())
                  .singleElement()
                  .satisfies(
                      p -> {
                        assertThat(p.path()).isEqualTo("rules[0].ops[1].predicate.args[0]");
                        assertThat(p.message())
                            .contains(
                                "unknown column 'order_dat'",
                                "[order_id, customer_id, order_date, amount]");
                      });
            });
    // The refused op was not kept: the rule goes on from where it was.
    assertThat(rule.schema().names())
        .containsExactly("order_id", "customer_id", "order_date", "amount");
  }

  @Test
  void builtRulesMatchTheirJsonFormAndSignature() {
    Bundle ok =
        shop()
            .rule("revenue")
            .contract("revenue_v1")
            .scan("orders")
            .param("since", "date32", Optional.of(lit("2024-01-01", "date32")))
            .filter(ge(col("order_date"), param("since")))
            .aggregate(List.of("customer_id"), agg("revenue", "sum", col("amount")))
            .add()
            .build();
    String json = BundleWriter.toPrettyJson(BundleWriter.bundle(ok));
    Bundle read = BundleReader.read(json, "<round trip>");
    assertThat(read).isEqualTo(ok);
    ValidatedBundle a = BundleValidator.validate(ok, "<built>", Map.of());
    ValidatedBundle b = BundleValidator.validate(read, "<read>", Map.of());
    assertThat(a.signature()).isEqualTo(b.signature());
  }

  @Test
  void literalsFromJavaValuesEqualLiteralsFromJson() {
    assertThat(lit(5)).isEqualTo(lit(5L, "int32"));
    assertThat(lit("12.5", "decimal(12,2)").value()).contains(new java.math.BigDecimal("12.50"));
    assertThatThrownBy(() -> lit(300, "int8"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected an integer from -128 to 127 for type int8, found 300");
  }

  @Test
  void deepExpressionsBuiltInCodeAreAClearErrorNotAStackOverflow() {
    Expr deep = col("customer_id");
    deep = fn("is_null", deep);
    for (int i = 0; i < 10_000; i++) {
      deep = not(deep);
    }
    Expr predicate = deep;
    RelspecBuilder.RuleBuilder rule = shop().rule("r").contract("revenue_v1").scan("orders");
    assertThatThrownBy(() -> rule.filter(predicate))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e ->
                assertThat(e.problems().get(0).message())
                    .contains("expression nested deeper than 128 levels"));
  }
}
