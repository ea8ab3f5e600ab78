package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.DatasetSource;
import io.relspec.reference.ReferenceLane;
import io.relspec.reference.Relation;
import io.relspec.reference.Values;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * interval_align run natively (hash join + span condition + window ranking) by the native-only
 * engine: the cases of the reference lane's {@code IntervalAlignConformanceTest} with their
 * hand-computed rows, and generated data compared with the reference lane row for row, in every
 * mode and how.
 */
class IntervalAlignNativeTest {
  private static final String OPS =
      """
      [{"op":"scan","dataset":"l"},
       {"op":"interval_align","right":{"ops":[{"op":"scan","dataset":"r"}]},"on":["path"],
        "leftSpan":["ls","le"],"rightSpan":["rs","re"],"mode":"%s","how":"%s",
        "selectRight":["rid","conf"],"tieBreakers":%s,"matchMeta":true}]
      """;
  private static final String BY_CONF = "[{\"col\":\"conf\",\"dir\":\"desc\"}]";
  private static final String L = "id:int64,path:string,ls:int64,le:int64";
  private static final String R = "rid:int64,path:string,rs:int64,re:int64,conf:float64";

  private static final List<List<Object>> LEFT =
      List.of(
          row(1L, "p1", 10L, 12L),
          row(2L, "p1", 0L, 100L),
          row(3L, "p2", 5L, 6L),
          row(4L, null, 1L, 2L),
          row(5L, "p1", null, 5L),
          row(6L, "p1", 50L, 51L));
  private static final List<List<Object>> RIGHT =
      List.of(
          row(1L, "p1", 10L, 15L, 0.5),
          row(2L, "p1", 10L, 12L, 0.1),
          row(3L, "p1", 8L, 14L, 0.9),
          row(4L, "p1", 10L, 12L, 0.7),
          row(5L, "p2", 4L, 7L, null),
          row(6L, null, 1L, 2L, 1.0),
          row(7L, "p1", null, 3L, 1.0),
          row(8L, "p1", 0L, 200L, 1.0));

  static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  @Test
  void containedLeftPicksShortestThenTieBreakerAndKeepsUnmatchedAsNoMatch() {
    assertThat(run(OPS.formatted("contained", "left", BY_CONF), L, LEFT, R, RIGHT))
        .containsExactly(
            row(1L, "p1", 10L, 12L, 4L, 0.7, "contained", -2.0),
            row(2L, "p1", 0L, 100L, 4L, 0.7, "contained", -2.0),
            row(3L, "p2", 5L, 6L, null, null, "NO_MATCH", null),
            row(4L, null, 1L, 2L, null, null, "NO_MATCH", null),
            row(5L, "p1", null, 5L, null, null, "NO_MATCH", null),
            row(6L, "p1", 50L, 51L, null, null, "NO_MATCH", null));
  }

  @Test
  void overlapInnerDropsUnmatchedRows() {
    assertThat(run(OPS.formatted("overlap", "inner", BY_CONF), L, LEFT, R, RIGHT))
        .containsExactly(
            row(1L, "p1", 10L, 12L, 4L, 0.7, "overlap", -2.0),
            row(2L, "p1", 0L, 100L, 4L, 0.7, "overlap", -2.0),
            row(3L, "p2", 5L, 6L, 5L, null, "overlap", -3.0),
            row(6L, "p1", 50L, 51L, 8L, 1.0, "overlap", -200.0));
  }

  @Test
  void exactMatchesOnlyEqualSpans() {
    assertThat(run(OPS.formatted("exact", "inner", BY_CONF), L, LEFT, R, RIGHT))
        .containsExactly(row(1L, "p1", 10L, 12L, 4L, 0.7, "exact", -2.0));
  }

  @Test
  void withoutTieBreakersRemainingRightColumnsDecideAscending() {
    assertThat(run(OPS.formatted("exact", "inner", "[]"), L, LEFT, R, RIGHT))
        .containsExactly(row(1L, "p1", 10L, 12L, 2L, 0.1, "exact", -2.0));
  }

  @Test
  void touchingSpansDoNotOverlapButEmptyRightSpanInsideDoes() {
    List<List<Object>> rows =
        run(
            OPS.formatted("overlap", "left", BY_CONF),
            "id:int64,path:string,ls:int32,le:int32",
            List.of(row(1L, "p", 10L, 20L)),
            R,
            List.of(
                row(1L, "p", 20L, 30L, 1.0),
                row(2L, "p", 0L, 10L, 1.0),
                row(3L, "p", 15L, 15L, 0.0)));
    assertThat(rows).containsExactly(row(1L, "p", 10L, 20L, 3L, 0.0, "overlap", 0.0));
    assertThat(Double.doubleToRawLongBits((Double) rows.get(0).get(7))).isZero();
  }

  @Test
  void severalKeysOfWideningTypesMatchTogetherAndANullPartNeverMatches() {
    assertThat(
            run(
                """
                [{"op":"scan","dataset":"l"},
                 {"op":"interval_align","right":{"ops":[{"op":"scan","dataset":"r"}]},
                  "on":["path",{"left":"v","right":"v"}],"leftSpan":["ls","le"],"rightSpan":["rs","re"],
                  "mode":"overlap","how":"left","selectRight":["rid"],"tieBreakers":[],"matchMeta":false}]
                """,
                "id:int64,path:string,v:int32,ls:int64,le:int64",
                List.of(
                    row(1L, "p", 1L, 0L, 10L),
                    row(2L, "p", 2L, 0L, 10L),
                    row(3L, "p", null, 0L, 10L)),
                "rid:int64,path:string,v:int64,rs:int64,re:int64",
                List.of(
                    row(7L, "p", 1L, 2L, 3L),
                    row(8L, "p", 2L, 1L, 9L),
                    row(9L, "p", null, 2L, 3L))))
        .containsExactly(
            row(1L, "p", 1L, 0L, 10L, 7L),
            row(2L, "p", 2L, 0L, 10L, 8L),
            row(3L, "p", null, 0L, 10L, null));
  }

  @Test
  void floatTieBreakersOrderMinusZeroAsZeroAndNaNLargestThenTheRemainingColumns() {
    // conf ties -0.0 with 0.0, so rid (a remaining column, ascending) decides: 2 before 3;
    // with conf ascending NaN is the largest, so 1.0 (rid 5) wins over NaN (rid 4)
    List<List<Object>> right =
        List.of(
            row(3L, "p", 0L, 10L, 0.0),
            row(2L, "p", 0L, 10L, -0.0),
            row(4L, "q", 0L, 10L, Double.NaN),
            row(5L, "q", 0L, 10L, 1.0));
    List<List<Object>> left = List.of(row(1L, "p", 0L, 10L), row(2L, "q", 0L, 10L));
    assertThat(run(OPS.formatted("exact", "inner", BY_CONF), L, left, R, right))
        .containsExactly(
            row(1L, "p", 0L, 10L, 2L, -0.0, "exact", -10.0),
            row(2L, "q", 0L, 10L, 4L, Double.NaN, "exact", -10.0));
    assertThat(
            run(
                OPS.formatted("exact", "inner", "[{\"col\":\"conf\",\"dir\":\"asc\"}]"),
                L,
                left,
                R,
                right))
        .containsExactly(
            row(1L, "p", 0L, 10L, 2L, -0.0, "exact", -10.0),
            row(2L, "q", 0L, 10L, 5L, 1.0, "exact", -10.0));
  }

  @Test
  void generatedSpansGiveTheReferenceLanesRowsInEveryModeAndHow() {
    Random random = new Random(7);
    List<List<Object>> left = new ArrayList<>();
    for (long i = 0; i < 1500; i++) {
      long start = random.nextInt(1000);
      left.add(
          row(
              i,
              random.nextInt(40) == 0 ? null : "p" + random.nextInt(20),
              random.nextInt(50) == 0 ? null : start,
              start + random.nextInt(60)));
    }
    List<List<Object>> right = new ArrayList<>();
    for (long i = 0; i < 2500; i++) {
      long start = random.nextInt(1000);
      right.add(
          row(
              i % 900,
              random.nextInt(40) == 0 ? null : "p" + random.nextInt(20),
              start,
              random.nextInt(50) == 0 ? null : start + random.nextInt(30),
              random.nextInt(10) == 0 ? null : (double) random.nextInt(4) / 2));
    }
    for (String mode : List.of("exact", "contained", "overlap")) {
      for (String how : List.of("inner", "left")) {
        for (String ties : List.of(BY_CONF, "[]")) {
          String ops = OPS.formatted(mode, how, ties);
          List<List<Object>> expected = runReference(ops, L, left, R, right);
          assertThat(expected).isNotEmpty();
          assertThat(run(ops, L, left, R, right))
              .as("%s %s %s", mode, how, ties)
              .containsExactlyElementsOf(expected);
        }
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  static ValidatedBundle bundle(String ops, String l, String r) {
    String json =
        "{\"relspec\":1,\"name\":\"t\",\"datasets\":["
            + dataset("l", l)
            + ","
            + dataset("r", r)
            + "],\"contracts\":[{\"name\":\"c\",\"version\":1,"
            + "\"columns\":[{\"name\":\"zz_unused\",\"type\":\"string\"}]}],"
            + "\"rules\":[{\"name\":\"r\",\"output\":\"out\",\"contract\":\"c\",\"ops\":"
            + ops
            + "}]}";
    return BundleValidator.validate(BundleReader.read(json, "<test>"), "<test>", Map.of());
  }

  private static String dataset(String name, String columns) {
    StringBuilder schema = new StringBuilder();
    for (String column : columns.split(",(?![^(]*\\))")) {
      String[] parts = column.split(":");
      if (schema.length() > 0) {
        schema.append(',');
      }
      schema.append("{\"name\":\"" + parts[0] + "\",\"type\":\"" + parts[1] + "\"}");
    }
    return "{\"name\":\""
        + name
        + "\",\"format\":\"parquet\",\"location\":\""
        + name
        + "\",\"schema\":["
        + schema
        + "]}";
  }

  /** Runs the rule natively (refusing any fallback); rows as the reference lane reads values. */
  private static List<List<Object>> run(
      String ops, String l, List<List<Object>> left, String r, List<List<Object>> right) {
    ValidatedBundle bundle = bundle(ops, l, r);
    RelPlan plan = bundle.plans().get(0);
    try (BufferAllocator allocator = new RootAllocator()) {
      Map<String, List<VectorSchemaRoot>> inputs = inputs(bundle, allocator, left, right);
      try (EngineSession session =
          CometEngine.nativeOnly().openSession(RuntimeProfile.DEFAULT, allocator)) {
        for (DatasetSpec spec : bundle.bundle().datasets()) {
          session.registerBatches(
              spec.name(), new RelSchema(spec.schema()).toArrow(), inputs.get(spec.name()));
        }
        assertThat(session.explain(plan).fallbacks()).isEmpty();
        try (QueryResult result = session.execute(plan)) {
          assertThat(result.schema()).isEqualTo(plan.schema().toArrow());
          return rows(result.batches());
        }
      } finally {
        inputs.values().forEach(batches -> batches.forEach(VectorSchemaRoot::close));
      }
    }
  }

  static List<List<Object>> runReference(
      String ops, String l, List<List<Object>> left, String r, List<List<Object>> right) {
    ValidatedBundle bundle = bundle(ops, l, r);
    try (BufferAllocator allocator = new RootAllocator();
        ReferenceLane lane = new ReferenceLane(RuntimeProfile.DEFAULT)) {
      Map<String, List<VectorSchemaRoot>> inputs = inputs(bundle, allocator, left, right);
      try (Relation result =
          lane.runPlan(bundle.plans().get(0), bundle, DatasetSource.inMemory(inputs), Map.of())) {
        return rows(result.batches());
      } finally {
        inputs.values().forEach(batches -> batches.forEach(VectorSchemaRoot::close));
      }
    }
  }

  static Map<String, List<VectorSchemaRoot>> inputs(
      ValidatedBundle bundle,
      BufferAllocator allocator,
      List<List<Object>> left,
      List<List<Object>> right) {
    Map<String, List<List<Object>>> rows = new HashMap<>();
    rows.put("l", left);
    rows.put("r", right);
    Map<String, List<VectorSchemaRoot>> inputs = new LinkedHashMap<>();
    for (DatasetSpec spec : bundle.bundle().datasets()) {
      RelSchema schema = new RelSchema(spec.schema());
      List<VectorSchemaRoot> batches = new ArrayList<>();
      List<List<Object>> data = rows.get(spec.name());
      // batches of 700 rows: several batches for the generated data
      for (int start = 0; start < data.size(); start += 700) {
        int end = Math.min(data.size(), start + 700);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema.toArrow(), allocator);
        root.allocateNew();
        for (int i = start; i < end; i++) {
          for (int c = 0; c < schema.fields().size(); c++) {
            Object value = data.get(i).get(c);
            if (value == null) {
              Values.setNull(root.getVector(c), i - start);
            } else {
              Values.write(root.getVector(c), i - start, value);
            }
          }
        }
        root.setRowCount(end - start);
        batches.add(root);
      }
      inputs.put(spec.name(), batches);
    }
    return inputs;
  }

  static List<List<Object>> rows(List<VectorSchemaRoot> batches) {
    List<List<Object>> out = new ArrayList<>();
    for (VectorSchemaRoot batch : batches) {
      for (int r = 0; r < batch.getRowCount(); r++) {
        List<Object> row = new ArrayList<>();
        for (int c = 0; c < batch.getFieldVectors().size(); c++) {
          row.add(Values.read(batch.getVector(c), r));
        }
        out.add(row);
      }
    }
    return out;
  }
}
