package io.relspec.datafusion.comet;

import static io.relspec.datafusion.comet.IntervalAlignNativeTest.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.Fallback;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * The three disagreements the differential suite found between DataFusion and the other lanes
 * (regression cases datafusion-group-by-float32-signed-zero, datafusion-decimal-sum-overflow,
 * datafusion-neg-of-null-decimal-literal), each checked against the reference lane.
 */
class DisagreementFixesTest {
  private static final String L = "k:int32,c0:float32";
  private static final String R = "k:int32";

  @Test
  void floatGroupKeysHoldingZeroAndMinusZeroAreOneGroupReturnedAsZero() {
    String ops =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"aggregate","groupBy":["c0"],"aggregates":[{"name":"n","fn":"count","args":[]}]},
         {"op":"sort","keys":[{"col":"c0"}]}]
        """;
    List<List<Object>> left =
        List.of(
            row(1L, 0.0),
            row(2L, -0.0),
            row(3L, 1.5),
            row(4L, Double.NaN),
            row(5L, Double.longBitsToDouble(0xfff8000000000001L)),
            row(6L, -0.0));
    List<List<Object>> rows = run(ops, L, left, R, List.of(), true);
    assertThat(rows).isEqualTo(IntervalAlignNativeTest.runReference(ops, L, left, R, List.of()));
    assertThat(rows).containsExactly(row(0.0, 3L), row(1.5, 1L), row(Double.NaN, 2L));
    assertThat(Double.doubleToRawLongBits((Double) rows.get(0).get(0))).isZero();
  }

  @Test
  void aDecimal38SumThatOverflowsIsNullOnTheReferenceLaneNotAWrongNativeValue() {
    String ops =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"aggregate","groupBy":[],"aggregates":[{"name":"s","fn":"sum","args":[{"col":"d"}]}]}]
        """;
    String l = "k:int32,d:decimal(38,6)";
    BigDecimal big = new BigDecimal("90000000000000000000000000000000.000000");
    List<List<Object>> left = List.of(row(1L, big), row(2L, big));
    ValidatedBundle bundle = IntervalAlignNativeTest.bundle(ops, l, R);
    try (BufferAllocator allocator = new RootAllocator();
        EngineSession session =
            CometEngine.nativeOnly().openSession(RuntimeProfile.DEFAULT, allocator)) {
      session.registerBatches(
          "l",
          new RelSchema(bundle.bundle().dataset("l").orElseThrow().schema()).toArrow(),
          List.of());
      assertThat(session.explain(bundle.plans().get(0)).fallbacks())
          .extracting(Fallback::reason)
          .singleElement()
          .asString()
          .contains("sums decimal(38,6)")
          .contains("wrap around the 128-bit sum");
    }
    List<List<Object>> rows = run(ops, l, left, R, List.of(), false);
    assertThat(rows).containsExactly(row((Object) null));
    assertThat(rows).isEqualTo(IntervalAlignNativeTest.runReference(ops, l, left, R, List.of()));
    // a decimal(28,2) sum still runs natively, with the exact value
    String narrow = "k:int32,d:decimal(28,2)";
    List<List<Object>> small =
        List.of(row(1L, new BigDecimal("1.25")), row(2L, new BigDecimal("-0.50")));
    assertThat(run(ops, narrow, small, R, List.of(), true))
        .containsExactly(row(new BigDecimal("0.75")));
  }

  @Test
  void negOfANullDecimalLiteralIsNull() {
    String ops =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"project","columns":["k",{"name":"p","expr":{"fn":"nullif","args":[
           {"fn":"neg","args":[{"lit":null,"type":"decimal(10,2)"}]},
           {"lit":"1.50","type":"decimal(10,2)"}]}},
           {"name":"q","expr":{"fn":"neg","args":[{"lit":null,"type":"decimal(10,2)"}]}}]}]
        """;
    List<List<Object>> left = List.of(row(1L, 1.0), row(2L, null));
    List<List<Object>> rows = run(ops, L, left, R, List.of(), true);
    assertThat(rows).containsExactly(row(1L, null, null), row(2L, null, null));
    assertThat(rows).isEqualTo(IntervalAlignNativeTest.runReference(ops, L, left, R, List.of()));
  }

  /** Runs natively ({@code nativeOnly}) or with reference fallbacks; rows as the lanes read. */
  private static List<List<Object>> run(
      String ops,
      String l,
      List<List<Object>> left,
      String r,
      List<List<Object>> right,
      boolean nativeOnly) {
    ValidatedBundle bundle = IntervalAlignNativeTest.bundle(ops, l, r);
    RelPlan plan = bundle.plans().get(0);
    try (BufferAllocator allocator = new RootAllocator()) {
      Map<String, List<VectorSchemaRoot>> inputs =
          IntervalAlignNativeTest.inputs(bundle, allocator, left, right);
      CometEngine engine = nativeOnly ? CometEngine.nativeOnly() : new CometEngine();
      try (EngineSession session = engine.openSession(RuntimeProfile.DEFAULT, allocator)) {
        for (DatasetSpec spec : bundle.bundle().datasets()) {
          session.registerBatches(
              spec.name(), new RelSchema(spec.schema()).toArrow(), inputs.get(spec.name()));
        }
        try (QueryResult result = session.execute(plan)) {
          return IntervalAlignNativeTest.rows(result.batches());
        }
      } finally {
        inputs.values().forEach(batches -> batches.forEach(VectorSchemaRoot::close));
      }
    }
  }
}
