package io.relspec.it.differential;

import static io.relspec.ir.build.RelspecBuilder.agg;
import static io.relspec.ir.build.RelspecBuilder.field;
import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.build.RelspecBuilder;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.validate.BundleValidator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class FloatSumBoundsTest {
  private static final ColumnRef K = new ColumnRef("k");
  private static final ColumnRef X = new ColumnRef("x");
  private static final ColumnRef D = new ColumnRef("d");

  /** A bundle over t(k string, x float64, d decimal(38,6), i int64). */
  private static RelspecBuilder datasets() {
    return RelspecBuilder.bundle("b")
        .dataset(
            RelspecBuilder.parquet(
                "t",
                "t",
                field("k", "string"),
                field("x", "float64"),
                field("d", "decimal(38,6)"),
                field("i", "int64")))
        .contract(RelspecBuilder.contract("c", field("unused", "string")).build());
  }

  /** A rule over t: scan, then {@code ops}. */
  private static RelPlan plan(UnaryOperator<RelspecBuilder.RuleBuilder> ops) {
    RelspecBuilder builder = datasets();
    ops.apply(builder.rule("r").output("out").contract("c").scan("t")).add();
    return BundleValidator.validate(builder.build(), "<test>", Map.of()).plans().get(0);
  }

  private static Optional<FloatSumBounds.Found> find(RelPlan plan) {
    return FloatSumBounds.find(datasets().build(), plan);
  }

  @Test
  void avgAndFloatSumsReachingTheOutputAreFoundButExactSumsAreNot() {
    RelPlan plan =
        plan(
            r ->
                r.aggregate(
                    List.of("k"),
                    agg("a", "avg", D),
                    agg("s", "sum", X),
                    agg("si", "sum", new ColumnRef("i")),
                    agg("sd", "sum", D),
                    agg("m", "max", X)));

    FloatSumBounds.Found found = find(plan).orElseThrow();

    assertThat(found.calls().keySet()).containsExactly("a", "s");
    assertThat(found.outputs()).containsExactly(Map.entry(1, "a"), Map.entry(2, "s"));
    assertThat(found.prefix()).hasSize(1);
  }

  @Test
  void renamesFiltersAndSortsThatDoNotReadTheSumKeepIt() {
    RelPlan plan =
        plan(
            r ->
                r.aggregate(List.of("k"), agg("a", "avg", X))
                    .filter(Call.of("is_not_null", K))
                    .project(
                        List.of(
                            new Project.Column("mean", new ColumnRef("a")),
                            Project.Column.keep("k")))
                    .sort(SortKey.asc("k")));

    assertThat(find(plan).orElseThrow().outputs()).containsExactly(Map.entry(0, "a"));
  }

  /** What {@link FloatSumBounds#find} says of {@code avg(x) as a} by k, then {@code then}. */
  private static Optional<FloatSumBounds.Found> afterAverage(
      UnaryOperator<RelspecBuilder.RuleBuilder> then) {
    return find(plan(r -> then.apply(r.aggregate(List.of("k"), agg("a", "avg", X)))));
  }

  @Test
  void aSumThatCanChangeRowsIsLeftToTheExactComparison() {
    Literal zero = Literal.of(0.0, PrimitiveType.FLOAT64);
    ColumnRef a = new ColumnRef("a");
    assertThat(afterAverage(r -> r.filter(Call.of("gt", a, zero)))).isEmpty();
    assertThat(afterAverage(r -> r.sort(SortKey.asc("a")))).isEmpty();
    assertThat(afterAverage(r -> r.derive("b", Call.of("add", a, zero)))).isEmpty();
    assertThat(afterAverage(r -> r.sort(SortKey.asc("k")).limit(1))).isEmpty();
  }

  @Test
  void aSumDroppedBeforeTheOutputNeedsNoTolerance() {
    assertThat(afterAverage(r -> r.project("k"))).isEmpty();
  }

  @Test
  void toleranceIsTwiceTheRecursiveSumBoundAndInfiniteWhenPartialSumsCanOverflow() {
    FloatSumBounds.Found found =
        find(plan(r -> r.aggregate(List.of(), agg("a", "avg", D)))).orElseThrow();

    double tolerance = FloatSumBounds.tolerances(found, List.of(2e32, 5L)).get(0);
    assertThat(tolerance).isEqualTo(2.0 * 6 * Math.ulp(1.0) * 2e32);
    // the regression case datafusion-avg-decimal-double-sum-order: -2.5E-7 in input order,
    // -6.44E-4 from partial sums, both within the bound
    assertThat(Math.abs(-2.5e-7 - -6.44e-4)).isLessThan(tolerance);

    assertThat(FloatSumBounds.tolerances(found, Arrays.asList(null, 0L)).get(0)).isZero();
    assertThat(FloatSumBounds.tolerances(found, List.of(Double.MAX_VALUE, 3L)).get(0)).isInfinite();
  }

  @Test
  void rowsCompareExactlyExceptTheTolerantColumnsWithinTheirBound() {
    Map<Integer, Double> tolerance = Map.of(1, 1e-3);
    List<List<Object>> reference = List.of(row("a", 1.0), row("b", 2.0), row("b", 5.0));

    assertThat(
            FloatSumBounds.equalWithin(
                reference,
                List.of(row("b", 5.0005), row("a", 1.0009), row("b", 1.9995)),
                tolerance))
        .isTrue();
    assertThat(
            FloatSumBounds.equalWithin(
                reference, List.of(row("a", 1.0), row("b", 2.0), row("b", 5.002)), tolerance))
        .isFalse();
    assertThat(
            FloatSumBounds.equalWithin(
                reference, List.of(row("a", 1.0), row("a", 2.0), row("b", 5.0)), tolerance))
        .as("an exact column differs")
        .isFalse();
    assertThat(
            FloatSumBounds.equalWithin(reference, List.of(row("a", 1.0), row("b", 2.0)), tolerance))
        .as("a row is missing")
        .isFalse();
    assertThat(
            FloatSumBounds.equalWithin(
                List.of(row("a", null), row("b", Double.NaN), row("c", Double.POSITIVE_INFINITY)),
                List.of(row("a", 0.0), row("b", Double.NaN), row("c", Double.POSITIVE_INFINITY)),
                Map.of(1, 1.0)))
        .as("null only equals null")
        .isFalse();
    assertThat(
            FloatSumBounds.equalWithin(
                List.of(row("b", Double.NaN), row("c", Double.POSITIVE_INFINITY)),
                List.of(row("b", Double.NaN), row("c", Double.MAX_VALUE)),
                Map.of(1, 1.0)))
        .as("infinity only equals infinity while no partial sum can overflow")
        .isFalse();
    assertThat(
            FloatSumBounds.equalWithin(
                List.of(row("c", Double.POSITIVE_INFINITY)),
                List.of(row("c", Double.MAX_VALUE)),
                Map.of(1, Double.POSITIVE_INFINITY)))
        .isTrue();
  }

  private static List<Object> row(String key, Double value) {
    return Arrays.asList(key, value);
  }
}
