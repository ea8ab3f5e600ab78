package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.PlanReport;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.Ordering;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.reference.ParquetDatasetWriter;
import io.relspec.reference.ReferenceLane;
import io.relspec.reference.Relation;
import io.relspec.reference.SourceBatches;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Joins across {@code targetPartitions}: inner, left, semi and anti joins run in every partition
 * plan with the right side broadcast (run once, its batches the build side of each plan); right and
 * full joins run in the single merge plan. 1, 2 and 4 partitions give the reference lane's rows for
 * every join type, with null and duplicate keys, conditions and empty sides.
 */
class PartitionedJoinTest {
  private static final RelSchema EVENTS = TestData.RELSPEC_EVENTS;

  private static RuntimeProfile partitions(int n) {
    return new RuntimeProfile(n, 512, Optional.empty(), MemoryPool.GREEDY, Optional.empty());
  }

  /** {@code fn(columns...) as name}, not distinct. */
  static Aggregate.AggregateCall agg(String name, String fn, String... columns) {
    return new Aggregate.AggregateCall(
        name,
        fn,
        java.util.Arrays.stream(columns).map(c -> (Expr) new ColumnRef(c)).toList(),
        false);
  }

  private static Literal lit(long value) {
    return Literal.of(value, PrimitiveType.INT64);
  }

  /** The right side: dim rows (names repeat up to 3 times, every 13th is null), filtered. */
  private static Pipeline right(Expr filter) {
    return Pipeline.of(
        Scan.of("dim"),
        new Filter(filter),
        new Project(
            List.of(
                new Project.Column("rid", new ColumnRef("id")),
                new Project.Column("name", new ColumnRef("name")),
                new Project.Column("rv", new ColumnRef("v")))));
  }

  private static Join join(JoinType type, Pipeline right, Optional<Expr> condition) {
    return new Join(type, right, List.of(EquiKey.same("name")), condition, Optional.of("_r"));
  }

  /** The pipelines of one join type: aggregate after the join, row-local, condition, empty. */
  private static List<Pipeline> pipelines(JoinType type) {
    boolean rightColumns = type.keepsRightColumns();
    Expr someDim = Call.of("lt", new ColumnRef("id"), lit(110));
    Expr noDim = Call.of("lt", new ColumnRef("id"), lit(0));
    List<Aggregate.AggregateCall> calls = new ArrayList<>();
    calls.add(agg("n", "count"));
    calls.add(agg("s", "sum", "v"));
    calls.add(agg("a", "avg", "amount"));
    if (rightColumns) {
      calls.add(agg("nr", "count", "rid"));
      calls.add(agg("sr", "sum", "rv"));
    }
    List<Pipeline> out = new ArrayList<>();
    // join + aggregate (the bench's shape), after a filter
    out.add(
        Pipeline.of(
            Scan.of("events"),
            new Filter(Call.of("gt", new ColumnRef("v"), lit(-800))),
            join(type, right(someDim), Optional.empty()),
            new Aggregate(List.of("grp"), calls),
            new Sort(List.of(SortKey.asc("grp")))));
    // row-local after the join, no merge stage; a param bound in the right side
    out.add(
        Pipeline.of(
            Scan.of("events"),
            new Param("cut", PrimitiveType.INT64, Optional.of(lit(60))),
            join(
                type,
                right(Call.of("lt", new ColumnRef("id"), new io.relspec.ir.expr.ParamRef("cut"))),
                Optional.empty()),
            new Derive("w", Call.of("mul", new ColumnRef("v"), lit(3)))));
    // a condition over both sides
    out.add(
        Pipeline.of(
            Scan.of("events"),
            join(
                type,
                right(someDim),
                Optional.of(Call.of("gt", new ColumnRef("v"), new ColumnRef("rv")))),
            new Sort(List.of(SortKey.asc("id")))));
    // empty right side, and empty left side
    out.add(
        Pipeline.of(
            Scan.of("events"),
            join(type, right(noDim), Optional.empty()),
            new Aggregate(List.of("grp"), calls)));
    out.add(
        Pipeline.of(
            Scan.of("events"),
            new Filter(Call.of("lt", new ColumnRef("id"), lit(0))),
            join(type, right(someDim), Optional.empty()),
            new Aggregate(List.of("grp"), calls)));
    // two broadcast joins in a row (the second a semi join on the first's output)
    out.add(
        Pipeline.of(
            Scan.of("events"),
            join(type, right(someDim), Optional.empty()),
            new Join(
                JoinType.SEMI,
                Pipeline.of(
                    Scan.of("dim"), new Filter(Call.of("lt", new ColumnRef("grp"), lit(3L)))),
                List.of(EquiKey.same("grp")),
                Optional.empty(),
                Optional.empty()),
            new Aggregate(List.of("grp", "name"), List.of(agg("n", "count")))));
    return out;
  }

  @Test
  void everyJoinTypeGivesTheReferenceRowsInOneTwoAndFourPartitions() {
    List<TestData.Row> rows = TestData.rows(6000);
    // dim: ids 0..199 with names n0..n49 (each up to 4 times) and every 13th null
    List<TestData.Row> dimRows = TestData.rows(200);
    try (BufferAllocator allocator = new RootAllocator();
        ReferenceLane reference = new ReferenceLane(partitions(1), allocator)) {
      List<VectorSchemaRoot> events = TestData.batches(allocator, rows, 500);
      List<VectorSchemaRoot> dim = TestData.batches(allocator, dimRows, 64);
      try {
        for (JoinType type : JoinType.values()) {
          for (Pipeline pipeline : pipelines(type)) {
            List<Op> ops = pipeline.ops();
            List<List<Object>> expected;
            try (Relation relation =
                reference.runOps(
                    "expected",
                    EVENTS,
                    events,
                    ops.subList(1, ops.size()),
                    // the reference lane takes the params' values (the engine binds defaults)
                    Map.of("cut", lit(60)),
                    Map.of("dim", new SourceBatches(EVENTS, dim)))) {
              expected = sorted(round(relation.rows()));
            }
            for (int n : new int[] {1, 2, 4}) {
              try (EngineSession session =
                  new CometEngine().openSession(partitions(n), allocator)) {
                session.registerBatches("events", TestData.EVENTS, events);
                session.registerBatches("dim", TestData.EVENTS, dim);
                PlanReport explained = session.explain(pipeline, Map.of());
                try (QueryResult result = session.execute(pipeline, Map.of())) {
                  String what = type + " " + n + " partitions " + ops;
                  assertThat(sorted(round(rows(result))))
                      .as(what)
                      .containsExactlyElementsOf(expected);
                  PlanReport report = result.report();
                  List<PlanReport.Stage> stages = report.stages();
                  if (stages.get(stages.size() - 1).how().contains("produced no rows")) {
                    // the split stage gave no rows to merge: one plan ran the pipeline again
                    assertThat(stages).as(what).hasSize(1);
                    assertThat(stages.get(0).plans()).as(what).isEqualTo(1);
                    continue;
                  }
                  assertThat(stages).as(what).isEqualTo(explained.stages());
                  assertThat(report.partitions()).as(what).isEqualTo(n);
                  String joinNote = report.notes().get(joinPath(ops));
                  if (n == 1) {
                    assertThat(report.stages()).as(what).hasSize(1);
                    assertThat(report.stages().get(0).plans()).isEqualTo(1);
                    assertThat(joinNote).as(what).contains("in one native plan");
                  } else if (type == JoinType.RIGHT || type == JoinType.FULL) {
                    assertThat(joinNote).as(what).contains("in the single merge plan");
                    assertThat(report.stages().get(0).plans()).isEqualTo(n);
                  } else {
                    assertThat(joinNote).as(what).startsWith("HashJoin (build right), broadcast");
                    // the right side ran first, then the split stage with the join
                    assertThat(report.stages().get(0).ops())
                        .as(what)
                        .startsWith(joinPath(ops) + ".right.ops[");
                    assertThat(report.stages())
                        .as(what)
                        .anySatisfy(
                            s -> {
                              assertThat(s.ops()).startsWith("ops[0..");
                              assertThat(s.plans()).isEqualTo(n);
                              assertThat(s.how()).contains(joinPath(ops)).contains("broadcast");
                            });
                  }
                  assertThat(report.executions())
                      .filteredOn(e -> e.op().equals("stage"))
                      .extracting(RunManifest.OpExecution::reason)
                      .containsExactlyElementsOf(
                          report.stages().stream().map(PlanReport.Stage::render).toList());
                }
              }
            }
          }
        }
      } finally {
        events.forEach(VectorSchemaRoot::close);
        dim.forEach(VectorSchemaRoot::close);
      }
      assertThat(allocator.getAllocatedMemory()).as("nothing held after the sessions").isZero();
    }
  }

  /** The path of the pipeline's first join (every pipeline here has one at ops[1] or ops[2]). */
  private static String joinPath(List<Op> ops) {
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i) instanceof Join) {
        return "ops[" + i + "]";
      }
    }
    throw new IllegalArgumentException("no join in " + ops);
  }

  @Test
  void aParquetProbeSideSplitsIntoByteRangesWithTheBuildSideBroadcast(@TempDir Path data) {
    RelSchema schema = EVENTS;
    DatasetSpec spec =
        new DatasetSpec(
            "events",
            DatasetFormat.PARQUET,
            "events",
            schema.fields(),
            Ordering.UNORDERED,
            ScanOptions.defaults(DatasetFormat.PARQUET));
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("events"),
            new Filter(Call.of("gt", new ColumnRef("v"), lit(-900))),
            join(
                JoinType.LEFT,
                right(Call.of("lt", new ColumnRef("id"), lit(150))),
                Optional.empty()),
            new Aggregate(List.of("grp"), List.of(agg("n", "count"), agg("nr", "count", "rid"))),
            new Sort(List.of(SortKey.asc("grp"))));
    try (BufferAllocator allocator = new RootAllocator()) {
      List<TestData.Row> rows = TestData.rows(6000);
      for (int p = 0; p < 3; p++) {
        List<VectorSchemaRoot> part =
            TestData.batches(allocator, rows.subList(p * 2000, (p + 1) * 2000), 700);
        try {
          ParquetDatasetWriter.write(
              data.resolve("events").resolve("p" + p), schema, part, Map.of());
        } finally {
          part.forEach(VectorSchemaRoot::close);
        }
      }
      List<VectorSchemaRoot> dim = TestData.batches(allocator, TestData.rows(200), 64);
      try {
        List<List<Object>> single = null;
        for (int n : new int[] {1, 2, 4}) {
          try (EngineSession session = new CometEngine().openSession(partitions(n), allocator)) {
            session.registerParquet(
                spec,
                data.resolve("events"),
                () -> {
                  throw new AssertionError("the JVM reader is not needed");
                });
            session.registerBatches("dim", TestData.EVENTS, dim);
            try (QueryResult result = session.execute(pipeline, Map.of())) {
              assertThat(result.report().nativePlan()).contains("NATIVE_SCAN");
              List<List<Object>> got = TestData.read(result.batches());
              assertThat(got).hasSize(7);
              if (single == null) {
                single = got;
              }
              assertThat(got).as("%s partitions", n).containsExactlyElementsOf(single);
              if (n > 1) {
                assertThat(result.report().stages())
                    .anySatisfy(
                        s -> {
                          assertThat(s.plans()).isEqualTo(n);
                          assertThat(s.how()).contains("byte ranges").contains("broadcast");
                        });
              }
            }
          }
        }
        long joined = rows.stream().filter(r -> r.v() > -900).count();
        assertThat(single.stream().mapToLong(r -> (Long) r.get(1)).sum())
            .as("a left join of unique-per-row matches keeps every left row at least once")
            .isGreaterThanOrEqualTo(joined);
      } finally {
        dim.forEach(VectorSchemaRoot::close);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aNativeFailureInThePartitionsGivesOneClearErrorAndReleasesEverything() {
    // a memory limit the build side's hash table does not fit in, in every partition plan
    RuntimeProfile tiny =
        new RuntimeProfile(3, 512, Optional.empty(), MemoryPool.GREEDY, Optional.of(64L * 1024));
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("events"),
            new Join(
                JoinType.INNER,
                Pipeline.of(Scan.of("dim")),
                List.of(EquiKey.same("id")),
                Optional.empty(),
                Optional.of("_r")),
            new Aggregate(List.of("grp"), List.of(agg("n", "count"))));
    try (BufferAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> events = TestData.batches(allocator, TestData.rows(6000), 500);
      List<VectorSchemaRoot> dim = TestData.batches(allocator, TestData.rows(40_000), 4096);
      long inputs = allocator.getAllocatedMemory();
      try {
        try (EngineSession session = new CometEngine().openSession(tiny, allocator)) {
          session.registerBatches("events", TestData.EVENTS, events);
          session.registerBatches("dim", TestData.EVENTS, dim);
          assertThat(session.explain(pipeline, Map.of()).stages())
              .extracting(PlanReport.Stage::plans)
              .containsExactly(3, 3, 1);
          assertThatThrownBy(() -> session.execute(pipeline, Map.of()))
              .isInstanceOf(RelspecException.class)
              .satisfies(
                  e ->
                      assertThat(((RelspecException) e).code())
                          .isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES))
              .hasMessageStartingWith("Cannot execute the plan on datafusion-comet 0.12.0")
              .hasMessageContaining("Raise RuntimeProfile.memoryLimitBytes");
          assertThat(allocator.getAllocatedMemory())
              .as("no partition output, no build side batches")
              .isEqualTo(inputs);
          // the session still works, and closes without a held export
        }
        try (EngineSession session = new CometEngine().openSession(partitions(3), allocator)) {
          session.registerBatches("events", TestData.EVENTS, events);
          session.registerBatches("dim", TestData.EVENTS, dim);
          try (QueryResult result = session.execute(pipeline, Map.of())) {
            assertThat(
                    TestData.read(result.batches()).stream().mapToLong(r -> (Long) r.get(1)).sum())
                .isEqualTo(6000);
          }
        }
      } finally {
        events.forEach(VectorSchemaRoot::close);
        dim.forEach(VectorSchemaRoot::close);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  private static List<List<Object>> rows(QueryResult result) {
    // Relation.rows() reads the batches only; the relation is not closed (the result owns them).
    return new Relation(new RelSchema(List.of()), result.batches()).rows();
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> copy = new ArrayList<>(rows);
    copy.sort(Comparator.comparing(Object::toString));
    return copy;
  }

  /** avg adds doubles in another order across partitions: compared rounded. */
  private static List<List<Object>> round(List<List<Object>> rows) {
    return rows.stream()
        .map(
            row ->
                row.stream()
                    .map(v -> v instanceof Double d ? (Object) (Math.round(d * 1e6) / 1e6) : v)
                    .map(v -> v instanceof org.apache.arrow.vector.util.Text t ? t.toString() : v)
                    .toList())
        .toList();
  }
}
