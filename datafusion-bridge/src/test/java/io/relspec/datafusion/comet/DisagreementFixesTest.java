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

  @Test
  void comparisonsAndInListTreatMinusZeroAsZeroAndNaNAsNaN() {
    String l = "k:int32,c0:float64";
    List<List<Object>> left =
        List.of(row(1L, 0.0), row(2L, -0.0), row(3L, Double.NaN), row(4L, 1.5), row(5L, null));
    String ne =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"filter","predicate":{"fn":"ne","args":[{"col":"c0"},{"lit":-0.0,"type":"float64"}]}},
         {"op":"project","columns":["k"]},
         {"op":"sort","keys":[{"col":"k"}]}]
        """;
    List<List<Object>> rows = run(ne, l, left, R, List.of(), true);
    assertThat(rows).containsExactly(row(3L), row(4L));
    assertThat(rows).isEqualTo(IntervalAlignNativeTest.runReference(ne, l, left, R, List.of()));
    String in =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"filter","predicate":{"fn":"in","args":[{"col":"c0"},
           {"lit":-0.0,"type":"float64"},{"lit":"NaN","type":"float64"}]}},
         {"op":"project","columns":["k"]},
         {"op":"sort","keys":[{"col":"k"}]}]
        """;
    rows = run(in, l, left, R, List.of(), true);
    assertThat(rows).containsExactly(row(1L), row(2L), row(3L));
    assertThat(rows).isEqualTo(IntervalAlignNativeTest.runReference(in, l, left, R, List.of()));
    // NaN is the largest value and -0.0 is not below 0.0
    String lt =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"filter","predicate":{"fn":"lt","args":[{"col":"c0"},{"lit":"NaN","type":"float64"}]}},
         {"op":"filter","predicate":{"fn":"ge","args":[{"col":"c0"},{"lit":0.0,"type":"float64"}]}},
         {"op":"project","columns":["k"]},
         {"op":"sort","keys":[{"col":"k"}]}]
        """;
    rows = run(lt, l, left, R, List.of(), true);
    assertThat(rows).containsExactly(row(1L), row(2L), row(4L));
    assertThat(rows).isEqualTo(IntervalAlignNativeTest.runReference(lt, l, left, R, List.of()));
  }

  @Test
  void anExplicitCastOutOfTheTargetRangeIsNullNotWrapped() {
    String l = "k:int32,c0:int64";
    String ops =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"project","columns":["k",{"name":"b","expr":{"cast":{"col":"c0"},"to":"int8"}}]},
         {"op":"sort","keys":[{"col":"k"}]}]
        """;
    List<List<Object>> left = List.of(row(1L, 300L), row(2L, -7L), row(3L, -129L), row(4L, null));
    List<List<Object>> rows = run(ops, l, left, R, List.of(), true);
    assertThat(rows).containsExactly(row(1L, null), row(2L, -7L), row(3L, null), row(4L, null));
    assertThat(rows).isEqualTo(IntervalAlignNativeTest.runReference(ops, l, left, R, List.of()));
  }

  @Test
  void spanContainsIsNullWhenAnyArgumentIsNull() {
    String l = "k:int32,c0:int64";
    String ops =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"project","columns":["k",
           {"name":"c","expr":{"fn":"span_contains","args":[
             {"col":"c0"},{"lit":10,"type":"int64"},{"lit":20,"type":"int64"},{"lit":5,"type":"int64"}]}},
           {"name":"o","expr":{"fn":"span_overlaps","args":[
             {"lit":0,"type":"int64"},{"col":"c0"},{"lit":5,"type":"int64"},{"lit":9,"type":"int64"}]}}]},
         {"op":"sort","keys":[{"col":"k"}]}]
        """;
    // c0 = null: Kleene logic alone would give false for both (20 >= null and 5 <= 10 is false)
    List<List<Object>> left = List.of(row(1L, null), row(2L, 0L), row(3L, 25L));
    List<List<Object>> rows = run(ops, l, left, R, List.of(), true);
    assertThat(rows)
        .containsExactly(row(1L, null, null), row(2L, true, false), row(3L, false, true));
    assertThat(rows).isEqualTo(IntervalAlignNativeTest.runReference(ops, l, left, R, List.of()));
  }

  @Test
  void castsWithoutAnExactNativeResultFallBackToTheReferenceLane() {
    String l = "k:int32,c0:float64";
    String ops =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"project","columns":["k",{"name":"s","expr":{"cast":{"col":"c0"},"to":"string"}}]},
         {"op":"sort","keys":[{"col":"k"}]}]
        """;
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
          .first()
          .asString()
          .contains("cast from float64 to string");
    }
    List<List<Object>> left = List.of(row(1L, Double.MIN_VALUE), row(2L, 1.5));
    List<List<Object>> rows = run(ops, l, left, R, List.of(), false);
    assertThat(rows).containsExactly(row(1L, "4.9E-324"), row(2L, "1.5"));
    assertThat(rows).isEqualTo(IntervalAlignNativeTest.runReference(ops, l, left, R, List.of()));
  }

  @Test
  void joinKeysMatchMinusZeroWithZeroAndNaNWithNaNInEveryJoinType() {
    // differential seed 90817: a right join on c2 (float64, -0.0) = k (int64, 0) matched nothing
    String l = "k:int32,c0:float64";
    String r = "k:int64";
    List<List<Object>> left =
        List.of(
            row(1L, -0.0),
            row(2L, 0.0),
            row(3L, Double.NaN),
            row(4L, Double.longBitsToDouble(0xfff8000000000001L)),
            row(5L, 1.5),
            row(6L, null));
    List<List<Object>> right = List.of(row(0L), row(1L), row((Long) null));
    for (String type : List.of("inner", "left", "right", "full", "semi", "anti")) {
      String ops =
          """
          [{"op":"scan","dataset":"l"},
           {"op":"project","columns":[{"name":"lk","expr":{"col":"k"}},"c0"]},
           {"op":"join","type":"%s","right":{"ops":[{"op":"scan","dataset":"r"}]},
            "on":[{"left":"c0","right":"k"}]},
           {"op":"sort","keys":[{"col":"lk"}%s]}]
          """
              .formatted(
                  type, type.equals("semi") || type.equals("anti") ? "" : ",{\"col\":\"k\"}");
      List<List<Object>> rows = run(ops, l, left, r, right, true);
      assertThat(rows)
          .as(type)
          .isEqualTo(IntervalAlignNativeTest.runReference(ops, l, left, r, right));
      if (type.equals("semi")) {
        assertThat(rows).containsExactly(row(1L, -0.0), row(2L, 0.0));
      }
    }
  }

  @Test
  void divisionAndRemainderByMinusZeroAreNull() {
    // differential seed 90817: -0.0 div -0.0 gave NaN natively, null on the reference lane
    String l = "k:int32,c0:float64";
    String ops =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"project","columns":["k",
           {"name":"d","expr":{"fn":"div","args":[{"lit":1.5,"type":"float64"},{"col":"c0"}]}},
           {"name":"m","expr":{"fn":"mod","args":[{"lit":1.5,"type":"float64"},{"col":"c0"}]}},
           {"name":"z","expr":{"fn":"div","args":[{"col":"c0"},{"col":"c0"}]}}]},
         {"op":"sort","keys":[{"col":"k"}]}]
        """;
    List<List<Object>> left =
        List.of(row(1L, -0.0), row(2L, 0.0), row(3L, 2.0), row(4L, Double.NaN), row(5L, null));
    List<List<Object>> rows = run(ops, l, left, R, List.of(), true);
    assertThat(rows).isEqualTo(IntervalAlignNativeTest.runReference(ops, l, left, R, List.of()));
    assertThat(rows.get(0)).containsExactly(1L, null, null, null);
    assertThat(rows.get(2)).containsExactly(3L, 0.75, 1.5, 1.0);
  }

  @Test
  void absOfTheSmallestIntegerWrapsToItselfForLiteralsAndColumns() {
    // differential seed 777123: abs(-2147483648 int32 literal) failed natively ("Arithmetic
    // overflow"); the spec wraps, as Java's Math.abs does
    String l = "k:int32,c0:int64";
    String ops =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"project","columns":["k",
           {"name":"a","expr":{"fn":"abs","args":[{"lit":-2147483648,"type":"int32"}]}},
           {"name":"b","expr":{"fn":"abs","args":[{"lit":-128,"type":"int8"}]}},
           {"name":"c","expr":{"fn":"abs","args":[{"col":"c0"}]}},
           {"name":"d","expr":{"fn":"abs","args":[{"lit":"-9223372036854775808","type":"int64"}]}}]},
         {"op":"sort","keys":[{"col":"k"}]}]
        """;
    List<List<Object>> left =
        List.of(row(1L, Long.MIN_VALUE), row(2L, -5L), row(3L, 7L), row(4L, null));
    List<List<Object>> rows = run(ops, l, left, R, List.of(), true);
    assertThat(rows).isEqualTo(IntervalAlignNativeTest.runReference(ops, l, left, R, List.of()));
    assertThat(rows.get(0))
        .containsExactly(1L, -2147483648L, -128L, Long.MIN_VALUE, Long.MIN_VALUE);
    assertThat(rows.get(1).get(3)).isEqualTo(5L);
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
