package io.relspec.datafusion.comet;

import static io.relspec.datafusion.comet.IntervalAlignNativeTest.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * Float min/max with NaN, infinities, signed zeros and the largest finite values, grouped and not,
 * natively against the reference lane (differential seed 4242001: a grouped min of +Infinity gave
 * 1.7976931348623157E308, DataFusion's grouped accumulator's starting value).
 */
class FloatMinMaxTest {
  private static final double[] SPECIAL = {
    Double.NaN,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    -0.0,
    0.0,
    Double.MAX_VALUE,
    -Double.MAX_VALUE,
    1.5,
    -2.25,
    Float.MAX_VALUE,
    -Float.MAX_VALUE
  };

  @Test
  void floatMinAndMaxAreTheSpecsWithNaNInfinitiesAndSignedZeros() {
    Random random = new Random(4242001);
    for (String type : List.of("float64", "float32")) {
      String l = "k:int32,c0:" + type;
      List<List<Object>> left = new ArrayList<>();
      // groups 0..10 hold one special value each (with nulls); groups 11..50 mix them at random
      // (four input batches of 700 rows: three native plans for the Partial half in 3 partitions)
      for (int g = 0; g < SPECIAL.length; g++) {
        left.add(row((long) g, SPECIAL[g]));
        left.add(row((long) g, null));
        left.add(row((long) g, SPECIAL[g]));
      }
      left.add(row(99L, null));
      for (int i = 0; i < 2400; i++) {
        double v = SPECIAL[random.nextInt(SPECIAL.length)];
        left.add(row(11L + random.nextInt(40), random.nextInt(9) == 0 ? null : v));
      }
      if (type.equals("float32")) {
        left.replaceAll(
            r -> r.get(1) == null ? r : row(r.get(0), (double) (float) (double) (Double) r.get(1)));
      }
      for (String groupBy : List.of("[\"k\"]", "[]")) {
        String ops =
            """
            [{"op":"scan","dataset":"l"},
             {"op":"aggregate","groupBy":%s,"aggregates":[
               {"name":"lo","fn":"min","args":[{"col":"c0"}]},
               {"name":"n","fn":"count","args":[{"col":"c0"}]},
               {"name":"hi","fn":"max","args":[{"col":"c0"}]},
               {"name":"a","fn":"min","args":[{"fn":"abs","args":[{"col":"c0"}]}]}]},
             {"op":"sort","keys":[%s]}]
            """
                .formatted(groupBy, groupBy.equals("[]") ? "{\"col\":\"n\"}" : "{\"col\":\"k\"}");
        List<List<Object>> expected =
            IntervalAlignNativeTest.runReference(ops, l, left, "k:int32", List.of());
        assertThat(expected).isNotEmpty();
        for (int partitions : new int[] {1, 3}) {
          assertThat(run(ops, l, left, partitions))
              .as("%s group by %s in %d partitions", type, groupBy, partitions)
              .containsExactlyElementsOf(expected);
        }
      }
    }
  }

  private static List<List<Object>> run(
      String ops, String l, List<List<Object>> left, int partitions) {
    ValidatedBundle bundle = IntervalAlignNativeTest.bundle(ops, l, "k:int32");
    RelPlan plan = bundle.plans().get(0);
    RuntimeProfile profile =
        new RuntimeProfile(
            partitions,
            100,
            java.util.Optional.empty(),
            io.relspec.ir.runtime.MemoryPool.GREEDY,
            java.util.Optional.empty());
    try (BufferAllocator allocator = new RootAllocator()) {
      Map<String, List<VectorSchemaRoot>> inputs =
          IntervalAlignNativeTest.inputs(bundle, allocator, left, List.of());
      try (EngineSession session = CometEngine.nativeOnly().openSession(profile, allocator)) {
        for (DatasetSpec spec : bundle.bundle().datasets()) {
          session.registerBatches(
              spec.name(), new RelSchema(spec.schema()).toArrow(), inputs.get(spec.name()));
        }
        assertThat(session.explain(plan).fallbacks()).isEmpty();
        try (QueryResult result = session.execute(plan)) {
          assertThat(result.schema()).isEqualTo(plan.schema().toArrow());
          assertThat(result.report().partitions()).isEqualTo(partitions);
          return IntervalAlignNativeTest.rows(result.batches());
        }
      } finally {
        inputs.values().forEach(batches -> batches.forEach(VectorSchemaRoot::close));
      }
    }
  }
}
