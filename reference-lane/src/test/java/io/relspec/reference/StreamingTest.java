package io.relspec.reference;

import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/** Limit stops reading once it has its rows; union all moves batches instead of copying rows. */
class StreamingTest {

  /**
   * A batch sharing another's vectors that records in {@code read} when the lane reads a column of
   * it (the scan reads every column of every batch it copies).
   */
  private static final class Watched extends VectorSchemaRoot {
    private final int index;
    private final java.util.Set<Integer> read;

    Watched(VectorSchemaRoot batch, int index, java.util.Set<Integer> read) {
      super(batch.getFieldVectors());
      setRowCount(batch.getRowCount());
      this.index = index;
      this.read = read;
    }

    @Override
    public org.apache.arrow.vector.FieldVector getVector(String name) {
      read.add(index);
      return super.getVector(name);
    }
  }

  private static List<List<Object>> rows(int count) {
    List<List<Object>> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(row(i, "s" + i));
    }
    return rows;
  }

  /** Runs the ops over dataset t (20 rows, batches of 2) and returns rows and batches read. */
  private static Map.Entry<List<List<Object>>, Integer> run(String ops) {
    try (Fixture f = new Fixture().batchRows(2)) {
      f.dataset("t", "a:int64", "b:string").rows("t", rows(20).toArray(List[]::new));
      // t is declared explicitly ordered by a, so a limit may follow its scan
      String json =
          f.ruleBundle(ops)
              .replace(
                  "\"schema\":[",
                  "\"ordering\":{\"kind\":\"explicit\",\"keys\":[{\"col\":\"a\"}]},\"schema\":[");
      ValidatedBundle bundle = Fixture.validate(json, Map.of());
      DatasetSpec spec = bundle.bundle().dataset("t").orElseThrow();
      java.util.Set<Integer> read = new java.util.TreeSet<>();
      List<VectorSchemaRoot> watched = new ArrayList<>();
      for (VectorSchemaRoot batch : f.toBatches(new RelSchema(spec.schema()), rows(20))) {
        watched.add(new Watched(batch, watched.size(), read));
      }
      Map<String, List<VectorSchemaRoot>> inputs = new HashMap<>();
      inputs.put("t", watched);
      DatasetSource source = d -> inputs.get(d.name());
      try (Relation out = f.lane().runPlan(bundle.plans().get(0), bundle, source, Map.of())) {
        assertThat(out.schema()).isEqualTo(bundle.plans().get(0).schema());
        return Map.entry(out.rows(), read.size());
      }
    }
  }

  @Test
  void aLimitAfterAScanReadsOnlyTheBatchesItNeeds() {
    var result =
        run("[{\"op\":\"scan\",\"dataset\":\"t\"},{\"op\":\"limit\",\"n\":3,\"offset\":2}]");
    assertThat(result.getKey()).containsExactly(row(2L, "s2"), row(3L, "s3"), row(4L, "s4"));
    assertThat(result.getValue()).isEqualTo(3);
  }

  @Test
  void aLimitAfterStreamedOpsStopsTheStream() {
    var result =
        run(
            """
            [{"op":"scan","dataset":"t"},
             {"op":"filter","predicate":{"fn":"eq","args":[{"fn":"mod","args":[{"col":"a"},{"lit":3,"type":"int64"}]},{"lit":0,"type":"int64"}]}},
             {"op":"derive","name":"c","expr":{"fn":"add","args":[{"col":"a"},{"lit":1,"type":"int64"}]}},
             {"op":"limit","n":2},
             {"op":"project","columns":["c"]}]
            """);
    assertThat(result.getKey()).containsExactly(row(1L), row(4L));
    // rows 0..3 are in the first two batches
    assertThat(result.getValue()).isEqualTo(2);
  }

  @Test
  void aLimitOfZeroReadsNothingAndAnOffsetPastTheEndIsEmpty() {
    var none = run("[{\"op\":\"scan\",\"dataset\":\"t\"},{\"op\":\"limit\",\"n\":0}]");
    assertThat(none.getKey()).isEmpty();
    assertThat(none.getValue()).isZero();
    var past =
        run("[{\"op\":\"scan\",\"dataset\":\"t\"},{\"op\":\"limit\",\"n\":5,\"offset\":50}]");
    assertThat(past.getKey()).isEmpty();
    assertThat(past.getValue()).isEqualTo(10);
  }

  @Test
  void aLimitAfterAMaterializingOpStillCountsAcrossBatches() {
    var result =
        run(
            """
            [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"a","dir":"desc"}]},
             {"op":"derive","name":"c","expr":{"col":"b"}},{"op":"limit","n":3,"offset":1}]
            """);
    assertThat(result.getKey())
        .containsExactly(row(18L, "s18", "s18"), row(17L, "s17", "s17"), row(16L, "s16", "s16"));
  }

  @Test
  void unionAllKeepsEveryRowInOrderAndAlignsOtherSchemas() {
    try (Fixture f = new Fixture().batchRows(2)) {
      f.dataset("t", "a:int64", "b:string")
          .dataset("u", "b:string", "a:int32")
          .rows("t", row(1, "x"), row(2, "y"), row(3, null))
          .rows("u", row("p", 7), row(null, null));
      List<List<Object>> rows =
          f.run(
              """
              [{"op":"scan","dataset":"t"},
               {"op":"union","inputs":[{"ops":[{"op":"scan","dataset":"t"}]},{"ops":[{"op":"scan","dataset":"u"}]}]}]
              """);
      assertThat(rows)
          .containsExactly(
              row(1L, "x"),
              row(2L, "y"),
              row(3L, null),
              row(1L, "x"),
              row(2L, "y"),
              row(3L, null),
              row(7L, "p"),
              row(null, null));
    }
  }
}
