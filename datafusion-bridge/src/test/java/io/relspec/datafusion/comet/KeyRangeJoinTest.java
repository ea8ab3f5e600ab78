package io.relspec.datafusion.comet;

import static io.relspec.datafusion.comet.PartitionedJoinTest.agg;
import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.PlanReport;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.plan.Ordering;
import io.relspec.ir.plan.RelSchema;
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
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A join of two Parquet datasets stored clustered by the join key runs in {@code targetPartitions}
 * plans split by ranges of the key ({@link KeyRanges}): both sides filtered to each plan's range,
 * the row groups outside it skipped. The rows equal the reference lane's over the same rows; the
 * split is taken only where the row groups' statistics show it pays, else the right side is
 * broadcast as before.
 */
class KeyRangeJoinTest {
  private static final RelSchema EVENTS = TestData.RELSPEC_EVENTS;

  private static RuntimeProfile partitions(int n) {
    return new RuntimeProfile(n, 256, Optional.empty(), MemoryPool.GREEDY, Optional.empty());
  }

  private static Literal lit(long value) {
    return Literal.of(value, PrimitiveType.INT64);
  }

  /**
   * Orders: ids 0..2999 in 3 files of 1000 (in id order), names {@code k00000}.. with every 13th
   * null.
   */
  private static List<TestData.Row> orders() {
    List<TestData.Row> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      rows.add(new TestData.Row(i, i * 3L, i % 5, i % 11 == 0 ? null : i / 10.0, key(i)));
    }
    return rows;
  }

  /**
   * Items: 6000 rows in 6 files of 1000, two per order: v the order's id (clustered when {@code
   * orderOf} is {@code i / 2}), name the order's name.
   */
  private static List<TestData.Row> items(IntFunction<Integer> orderOf) {
    List<TestData.Row> rows = new ArrayList<>();
    for (int i = 0; i < 6000; i++) {
      int order = orderOf.apply(i);
      rows.add(new TestData.Row(i, order, i % 7, i % 17 == 0 ? null : i * 0.5, key(order)));
    }
    return rows;
  }

  private static String key(int order) {
    return order % 13 == 0 ? null : String.format("k%05d", order);
  }

  /** The right side: orders below 2800, the key renamed, one column of its own. */
  private static Pipeline ordersSide(String key, String as) {
    return Pipeline.of(
        Scan.of("orders"),
        new Filter(Call.of("lt", new ColumnRef("id"), lit(2800))),
        new Project(
            List.of(
                new Project.Column(as, new ColumnRef(key)),
                new Project.Column("ov", new ColumnRef("v")))));
  }

  /** Join + aggregate on the int64 key, a semi join on it (no merge), a join on the string key. */
  private static List<Pipeline> pipelines() {
    return List.of(
        Pipeline.of(
            Scan.of("items"),
            new Filter(Call.of("ne", new ColumnRef("grp"), Literal.of(3L, PrimitiveType.INT32))),
            new Join(
                JoinType.INNER,
                ordersSide("id", "oid"),
                List.of(new EquiKey("v", "oid")),
                Optional.empty(),
                Optional.empty()),
            new Aggregate(
                List.of("grp"),
                List.of(agg("n", "count"), agg("s", "sum", "ov"), agg("a", "sum", "amount")))),
        Pipeline.of(
            Scan.of("items"),
            new Join(
                JoinType.SEMI,
                ordersSide("id", "oid"),
                List.of(new EquiKey("v", "oid")),
                Optional.empty(),
                Optional.empty())),
        Pipeline.of(
            Scan.of("items"),
            new Join(
                JoinType.INNER,
                ordersSide("name", "oname"),
                List.of(new EquiKey("name", "oname")),
                Optional.empty(),
                Optional.empty()),
            new Aggregate(List.of("grp"), List.of(agg("n", "count"), agg("s", "sum", "ov")))));
  }

  private static DatasetSpec spec(String name) {
    return new DatasetSpec(
        name,
        DatasetFormat.PARQUET,
        name,
        EVENTS.fields(),
        Ordering.UNORDERED,
        ScanOptions.defaults(DatasetFormat.PARQUET));
  }

  /** Writes {@code rows} as files of 1000 rows (one row group each) under {@code data/name}. */
  private static void write(Path data, String name, List<TestData.Row> rows, BufferAllocator a) {
    for (int f = 0; f * 1000 < rows.size(); f++) {
      List<VectorSchemaRoot> part =
          TestData.batches(a, rows.subList(f * 1000, Math.min(rows.size(), (f + 1) * 1000)), 300);
      try {
        ParquetDatasetWriter.write(data.resolve(name).resolve("f" + f), EVENTS, part, Map.of());
      } finally {
        part.forEach(VectorSchemaRoot::close);
      }
    }
  }

  @Test
  void clusteredSidesSplitByKeyRangesAndGiveTheReferenceRows(@TempDir Path data) {
    List<TestData.Row> orders = orders();
    List<TestData.Row> items = items(i -> i / 2);
    try (BufferAllocator allocator = new RootAllocator()) {
      write(data, "orders", orders, allocator);
      write(data, "items", items, allocator);
      for (Pipeline pipeline : pipelines()) {
        List<List<Object>> expected = expected(allocator, pipeline, items, orders);
        assertThat(expected).as("%s", pipeline).isNotEmpty();
        // 2 plans: one bound (the items' row group starting at order 1500), the orders' file
        // 1000..1999 read by both (4000 of 3000 rows: 1.33x); 3 plans: bounds 1000 and 2000,
        // each orders file read once; 4 plans (bounds 500, 1500, 2000): the plan of [500, 1500)
        // reads 2000 of the 3000 orders, within KeyRanges.MAX_RIGHT_READ (0.75)
        for (int n : new int[] {1, 2, 3, 4}) {
          String what = n + " partitions " + pipeline.ops();
          try (EngineSession session = open(n, data, allocator);
              QueryResult result = session.execute(pipeline, Map.of())) {
            assertThat(sorted(TestData.read(result.batches())))
                .as(what)
                .containsExactlyElementsOf(expected);
            PlanReport report = result.report();
            assertThat(report.stages())
                .as(what)
                .isEqualTo(session.explain(pipeline, Map.of()).stages());
            String joinNote = report.notes().get(joinPath(pipeline.ops()));
            if (n > 1) {
              assertThat(joinNote).as(what).contains("co-partitioned by key ranges");
              PlanReport.Stage split = report.stages().get(0);
              assertThat(split.plans()).as(what).isEqualTo(n);
              assertThat(split.how())
                  .as(what)
                  .startsWith("items and orders split into " + n + " ranges of the join key")
                  .contains(
                      "1.00x of items's rows and "
                          + Map.of(2, "1.33x", 3, "1.00x", 4, "1.67x").get(n)
                          + " of orders's");
            } else {
              assertThat(joinNote).as(what).contains("in one native plan");
            }
          }
        }
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void theBoundsAreTheLeftRowGroupsMinimaAndTheRangesCoverNullFreeKeysOnce(@TempDir Path data) {
    List<TestData.Row> orders = orders();
    List<TestData.Row> items = items(i -> i / 2);
    Pipeline pipeline = pipelines().get(0);
    try (BufferAllocator allocator = new RootAllocator()) {
      write(data, "orders", orders, allocator);
      write(data, "items", items, allocator);
      try (EngineSession session = open(3, data, allocator)) {
        assertThat(session.explain(pipeline, Map.of()).stages().get(0).how())
            .contains("[(-inf, 1000), [1000, 2000), [2000, +inf)]")
            .contains("(items.v = orders.id)");
      }
      // the string key: the items' names are clustered too (k00000.., every 13th null)
      try (EngineSession session = open(2, data, allocator)) {
        assertThat(session.explain(pipelines().get(2), Map.of()).stages().get(0).how())
            .contains("[(-inf, k01500), [k01500, +inf)]");
      }
      // a self-join: both scans read items, each filtered to the plan's range by its own path
      Pipeline self =
          Pipeline.of(
              Scan.of("items"),
              new Join(
                  JoinType.INNER,
                  Pipeline.of(
                      Scan.of("items"),
                      new Project(
                          List.of(
                              new Project.Column("v2", new ColumnRef("v")),
                              new Project.Column("g2", new ColumnRef("grp"))))),
                  List.of(new EquiKey("v", "v2")),
                  Optional.empty(),
                  Optional.empty()),
              new Aggregate(List.of("grp", "g2"), List.of(agg("n", "count"))));
      List<List<Object>> expected = expected(allocator, self, items, orders);
      try (EngineSession session = open(2, data, allocator);
          QueryResult result = session.execute(self, Map.of())) {
        assertThat(sorted(TestData.read(result.batches()))).containsExactlyElementsOf(expected);
        assertThat(result.report().stages().get(0).how())
            .startsWith("items and items split into 2 ranges of the join key");
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void unclusteredKeysAndOuterJoinsKeepTheBroadcastSplit(@TempDir Path data) {
    List<TestData.Row> orders = orders();
    // every items file holds orders from the whole range
    SplittableRandom random = new SplittableRandom(7);
    int[] shuffled = random.ints(6000, 0, 3000).toArray();
    List<TestData.Row> items = items(i -> shuffled[i]);
    Pipeline left =
        Pipeline.of(
            Scan.of("items"),
            new Join(
                JoinType.LEFT,
                ordersSide("id", "oid"),
                List.of(new EquiKey("v", "oid")),
                Optional.empty(),
                Optional.empty()),
            new Aggregate(List.of("grp"), List.of(agg("n", "count"), agg("no", "count", "ov"))));
    try (BufferAllocator allocator = new RootAllocator()) {
      write(data, "orders", orders, allocator);
      write(data, "items", items, allocator);
      for (Pipeline pipeline : List.of(pipelines().get(0), left)) {
        List<List<Object>> expected = expected(allocator, pipeline, items, orders);
        try (EngineSession session = open(2, data, allocator);
            QueryResult result = session.execute(pipeline, Map.of())) {
          assertThat(sorted(TestData.read(result.batches()))).containsExactlyElementsOf(expected);
          assertThat(result.report().notes().get(joinPath(pipeline.ops())))
              .startsWith("HashJoin (build right), broadcast");
        }
      }
      // the same left join over the clustered items: still broadcast (a left join keeps the
      // left rows with a null key, which are in no range)
      Path clustered = data.resolve("clustered");
      write(clustered, "orders", orders, allocator);
      write(clustered, "items", items(i -> i / 2), allocator);
      try (EngineSession session = open(2, clustered, allocator)) {
        assertThat(session.explain(left, Map.of()).notes().get("ops[1]"))
            .startsWith("HashJoin (build right), broadcast");
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void randomClusteredInputsGiveTheReferenceRows(@TempDir Path root) {
    // keys in runs of duplicates (and nulls) over files of random sizes, both sides in key order;
    // inner join + aggregate or semi join, in 2 to 4 partitions, against the reference lane
    SplittableRandom random = new SplittableRandom(20261207);
    int split = 0;
    int trials = 24;
    try (BufferAllocator allocator = new RootAllocator()) {
      for (int trial = 0; trial < trials; trial++) {
        Path data = root.resolve("t" + trial);
        List<TestData.Row> orders = clustered(random, 1 + random.nextInt(4), 400);
        List<TestData.Row> items = clustered(random, 2 + random.nextInt(5), 700);
        writeFiles(data, "orders", orders, random, allocator);
        writeFiles(data, "items", items, random, allocator);
        Pipeline pipeline = random.nextBoolean() ? pipelines().get(0) : pipelines().get(1);
        int n = 2 + random.nextInt(3);
        List<List<Object>> expected = expected(allocator, pipeline, items, orders);
        try (EngineSession session = open(n, data, allocator);
            QueryResult result = session.execute(pipeline, Map.of())) {
          assertThat(sorted(TestData.read(result.batches())))
              .as("trial %d, %d partitions", trial, n)
              .containsExactlyElementsOf(expected);
          if (result.report().notes().get(joinPath(pipeline.ops())).contains("key ranges")) {
            split++;
          }
        }
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
    // both ways ran: split by key ranges, and broadcast where the statistics refused the split
    // (one file on a side, or files whose ranges straddle the bounds too much)
    assertThat(split).as("trials split by key ranges").isBetween(4, trials - 4);
  }

  /** Rows whose {@code v} (and name) ascend in runs of equal keys, some null, ids unique. */
  private static List<TestData.Row> clustered(SplittableRandom random, int maxRun, int rows) {
    List<TestData.Row> out = new ArrayList<>();
    long key = random.nextInt(5);
    int run = 0;
    for (int i = 0; i < rows; i++) {
      if (run == 0) {
        key += 1 + random.nextInt(3);
        run = 1 + random.nextInt(maxRun);
      }
      run--;
      boolean nullName = random.nextInt(10) == 0;
      out.add(
          new TestData.Row(
              key,
              key,
              random.nextInt(4),
              random.nextInt(8) == 0 ? null : (double) random.nextInt(100),
              nullName ? null : String.format("k%05d", key)));
    }
    return out;
  }

  /**
   * Writes {@code rows} in order as 1 to 8 files of about equal sizes, give or take a quarter (file
   * names sort in order), as a table written in key order is stored.
   */
  private static void writeFiles(
      Path data, String name, List<TestData.Row> rows, SplittableRandom random, BufferAllocator a) {
    int files = 1 + random.nextInt(8);
    int from = 0;
    for (int f = 0; f < files; f++) {
      int share = rows.size() / files;
      int to =
          f == files - 1
              ? rows.size()
              : Math.min(rows.size(), (f + 1) * share + random.nextInt(share / 2 + 1) - share / 4);
      to = Math.max(from, to);
      List<VectorSchemaRoot> part = TestData.batches(a, rows.subList(from, to), 128);
      try {
        ParquetDatasetWriter.write(data.resolve(name).resolve("f" + f), EVENTS, part, Map.of());
      } finally {
        part.forEach(VectorSchemaRoot::close);
      }
      from = to;
    }
  }

  private static EngineSession open(int n, Path data, BufferAllocator allocator) {
    EngineSession session = new CometEngine().openSession(partitions(n), allocator);
    for (String name : List.of("items", "orders")) {
      session.registerParquet(
          spec(name),
          data.resolve(name),
          () -> {
            throw new AssertionError("the JVM reader is not needed");
          });
    }
    return session;
  }

  private static List<List<Object>> expected(
      BufferAllocator allocator,
      Pipeline pipeline,
      List<TestData.Row> items,
      List<TestData.Row> orders) {
    List<VectorSchemaRoot> left = TestData.batches(allocator, items, 500);
    List<VectorSchemaRoot> right = TestData.batches(allocator, orders, 500);
    List<Op> ops = pipeline.ops();
    try (ReferenceLane reference = new ReferenceLane(partitions(1), allocator);
        Relation relation =
            reference.runOps(
                "expected",
                EVENTS,
                left,
                ops.subList(1, ops.size()),
                Map.of(),
                Map.of(
                    "orders",
                    new SourceBatches(EVENTS, right),
                    "items",
                    new SourceBatches(EVENTS, left)))) {
      return sorted(TestData.read(relation.batches()));
    } finally {
      left.forEach(VectorSchemaRoot::close);
      right.forEach(VectorSchemaRoot::close);
    }
  }

  private static String joinPath(List<Op> ops) {
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i) instanceof Join) {
        return "ops[" + i + "]";
      }
    }
    throw new IllegalArgumentException("no join in " + ops);
  }

  /** Rows in a fixed order; sums of doubles rounded (partitions add them in another order). */
  private static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> copy = new ArrayList<>();
    for (List<Object> row : rows) {
      copy.add(
          row.stream()
              .map(v -> v instanceof Double d ? (Object) (Math.round(d * 1e6) / 1e6) : v)
              .toList());
    }
    copy.sort(Comparator.comparing(Object::toString));
    return copy;
  }
}
