package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Limit;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.PrimitiveType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NativeExecutionTest {
  private BufferAllocator allocator;
  private List<VectorSchemaRoot> input;
  private List<TestData.Row> rows;
  private EngineSession session;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    rows = TestData.rows(5000);
    input = TestData.batches(allocator, rows, 1024);
    session = new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator);
    session.registerBatches("events", TestData.EVENTS, input);
  }

  @AfterEach
  void tearDown() {
    session.close();
    input.forEach(VectorSchemaRoot::close);
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void filterAndProjectMatchIndependentlyComputedRows() {
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("events"),
            new Filter(
                Call.of(
                    "and",
                    Call.of("gt", new ColumnRef("amount"), Literal.of(50.0, PrimitiveType.FLOAT64)),
                    Call.of("ne", new ColumnRef("grp"), Literal.of(3L, PrimitiveType.INT32)))),
            new Project(
                List.of(
                    Project.Column.keep("id"),
                    new Project.Column(
                        "q", Call.of("div", new ColumnRef("v"), new ColumnRef("grp"))),
                    new Project.Column(
                        "r",
                        Call.of("mod", new ColumnRef("v"), Literal.of(7L, PrimitiveType.INT64))),
                    new Project.Column(
                        "doubled",
                        Call.of(
                            "mul", new ColumnRef("amount"), Literal.of(2L, PrimitiveType.INT32))),
                    Project.Column.keep("name"))));

    List<List<Object>> expected = new ArrayList<>();
    for (TestData.Row row : rows) {
      if (row.amount() != null && row.amount() > 50.0 && row.grp() != 3) {
        List<Object> out = new ArrayList<>();
        out.add(row.id());
        out.add(row.grp() == 0 ? null : row.v() / row.grp());
        out.add(row.v() % 7);
        out.add(row.amount() * 2);
        out.add(row.name());
        expected.add(out);
      }
    }

    try (QueryResult result = session.execute(pipeline, Map.of())) {
      assertThat(result.report().fullyNative()).isTrue();
      assertThat(result.schema().getFields())
          .extracting(f -> f.getName())
          .containsExactly("id", "q", "r", "doubled", "name");
      assertThat(expected).hasSizeGreaterThan(1000);
      assertThat(TestData.read(result.batches())).containsExactlyElementsOf(expected);
    }
  }

  private static Aggregate.AggregateCall agg(String name, String fn, String... columns) {
    List<io.relspec.ir.expr.Expr> args = new ArrayList<>();
    for (String column : columns) {
      args.add(new ColumnRef(column));
    }
    return new Aggregate.AggregateCall(name, fn, args, false);
  }

  @Test
  void partialAndFinalAggregateMatchIndependentlyComputedGroups() {
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("events"),
            new Aggregate(
                List.of("grp"),
                List.of(
                    agg("n", "count"),
                    agg("n_amount", "count", "amount"),
                    agg("sum_v", "sum", "v"),
                    agg("sum_grp", "sum", "grp"),
                    agg("min_amount", "min", "amount"),
                    agg("max_name", "max", "name"),
                    agg("avg_amount", "avg", "amount"))));

    Map<Integer, long[]> counts = new HashMap<>();
    Map<Integer, Double> min = new HashMap<>();
    Map<Integer, String> max = new HashMap<>();
    Map<Integer, Double> amountSum = new HashMap<>();
    for (TestData.Row row : rows) {
      long[] c = counts.computeIfAbsent(row.grp(), g -> new long[4]);
      c[0]++;
      c[2] += row.v();
      c[3] += row.grp();
      if (row.amount() != null) {
        c[1]++;
        min.merge(row.grp(), row.amount(), Math::min);
        amountSum.merge(row.grp(), row.amount(), Double::sum);
      }
      if (row.name() != null) {
        max.merge(row.grp(), row.name(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
      }
    }

    try (QueryResult result = session.execute(pipeline, Map.of())) {
      assertThat(result.report().nativePlan()).contains("HASH_AGG(Final)", "HASH_AGG(Partial)");
      assertThat(result.schema().getFields())
          .extracting(f -> f.getType().toString())
          .containsExactly(
              "Int(32, true)",
              "Int(64, true)",
              "Int(64, true)",
              "Int(64, true)",
              "Int(64, true)",
              "FloatingPoint(DOUBLE)",
              "Utf8",
              "FloatingPoint(DOUBLE)");
      List<List<Object>> actual = TestData.read(result.batches());
      assertThat(actual).hasSize(7);
      for (List<Object> row : actual) {
        int grp = (Integer) row.get(0);
        long[] c = counts.get(grp);
        assertThat(row.subList(1, 7))
            .as("group %s", grp)
            .containsExactly(c[0], c[1], c[2], c[3], min.get(grp), max.get(grp));
        assertThat((Double) row.get(7)).isCloseTo(amountSum.get(grp) / c[1], within(1e-9));
      }
    }
  }

  @Test
  void aggregateWithoutGroupsGivesOneRowEvenForNoInput() {
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("events"),
            new Filter(Call.of("lt", new ColumnRef("id"), Literal.of(0L, PrimitiveType.INT64))),
            new Aggregate(
                List.of(), List.of(agg("n", "count"), agg("s", "sum", "v"), agg("a", "avg", "v"))));
    try (QueryResult result = session.execute(pipeline, Map.of())) {
      assertThat(TestData.read(result.batches()))
          .containsExactly(java.util.Arrays.asList(0L, null, null));
    }
  }

  @Test
  void sortThenLimitWithOffsetReturnsTheRowsInKeyOrder() {
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("events"),
            new Sort(List.of(SortKey.desc("amount"), SortKey.asc("id"))),
            new Limit(10, 5),
            new Project(
                List.of(
                    Project.Column.keep("id"),
                    Project.Column.keep("amount"),
                    Project.Column.keep("name"))));
    Comparator<TestData.Row> order =
        Comparator.comparing(
                TestData.Row::amount, Comparator.nullsFirst(Comparator.<Double>reverseOrder()))
            .thenComparing(TestData.Row::id);
    List<List<Object>> expected =
        rows.stream()
            .sorted(order)
            .skip(5)
            .limit(10)
            .map(r -> java.util.Arrays.<Object>asList(r.id(), r.amount(), r.name()))
            .toList();
    try (QueryResult result = session.execute(pipeline, Map.of())) {
      assertThat(TestData.read(result.batches())).containsExactlyElementsOf(expected);
      assertThat(expected.get(0).get(1)).as("desc puts nulls first").isNull();
      // The names guard a regression: a limit with an offset slices strings natively (first
      // offset not 0), which Arrow Java 12's C Data import mis-sizes; ArrowExchange rebases them.
    }
  }

  @Test
  void hashJoinsWidenKeysAndKeepUnmatchedLeftRows() {
    Schema groupsSchema =
        new Schema(
            List.of(
                new Field("g", FieldType.notNullable(new ArrowType.Int(64, true)), null),
                new Field("label", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));
    try (VectorSchemaRoot groups = VectorSchemaRoot.create(groupsSchema, allocator)) {
      groups.allocateNew();
      // Groups 0..5 and 7: group 6 of the events has no label, label7 has no events.
      int[] keys = {0, 1, 2, 3, 4, 5, 7};
      for (int i = 0; i < keys.length; i++) {
        ((BigIntVector) groups.getVector("g")).setSafe(i, keys[i]);
        ((VarCharVector) groups.getVector("label"))
            .setSafe(i, ("label" + keys[i]).getBytes(StandardCharsets.UTF_8));
      }
      groups.setRowCount(keys.length);
      session.registerBatches("groups", groupsSchema, List.of(groups));

      Map<String, Long> expectedInner = new HashMap<>();
      long unmatched = 0;
      for (TestData.Row row : rows) {
        if (row.grp() < 6) {
          expectedInner.merge("label" + row.grp(), 1L, Long::sum);
        } else {
          unmatched++;
        }
      }
      Pipeline inner =
          Pipeline.of(
              Scan.of("events"),
              new Join(
                  JoinType.INNER,
                  Pipeline.of(Scan.of("groups")),
                  List.of(new EquiKey("grp", "g")),
                  Optional.empty(),
                  Optional.empty()),
              new Aggregate(List.of("label"), List.of(agg("n", "count"))));
      try (QueryResult result = session.execute(inner, Map.of())) {
        Map<Object, Object> actual = new HashMap<>();
        TestData.read(result.batches()).forEach(r -> actual.put(r.get(0), r.get(1)));
        assertThat(actual).isEqualTo(new HashMap<Object, Object>(expectedInner));
      }

      Pipeline left =
          Pipeline.of(
              Scan.of("events"),
              new Join(
                  JoinType.LEFT,
                  Pipeline.of(
                      Scan.of("groups"),
                      new Filter(
                          Call.of("ne", new ColumnRef("g"), Literal.of(2L, PrimitiveType.INT64)))),
                  List.of(new EquiKey("grp", "g")),
                  Optional.empty(),
                  Optional.empty()),
              new Filter(Call.of("is_null", new ColumnRef("label"))));
      long expectedLeft = unmatched + rows.stream().filter(r -> r.grp() == 2).count();
      try (QueryResult result = session.execute(left, Map.of())) {
        assertThat(result.schema().getFields())
            .extracting(f -> f.getName())
            .containsExactly("id", "v", "grp", "amount", "name", "g", "label");
        assertThat(result.rowCount()).isEqualTo(expectedLeft);
        assertThat(TestData.read(result.batches()))
            .allSatisfy(r -> assertThat((Integer) r.get(2)).isIn(2, 6));
      }

      long matched = expectedInner.values().stream().mapToLong(Long::longValue).sum();
      for (JoinType type : List.of(JoinType.RIGHT, JoinType.FULL, JoinType.SEMI, JoinType.ANTI)) {
        Pipeline joined =
            Pipeline.of(
                Scan.of("events"),
                new Join(
                    type,
                    Pipeline.of(Scan.of("groups")),
                    List.of(new EquiKey("grp", "g")),
                    Optional.empty(),
                    Optional.empty()));
        long expectedRows =
            switch (type) {
              case RIGHT -> matched + 1;
              case FULL -> matched + unmatched + 1;
              case SEMI -> matched;
              default -> unmatched;
            };
        try (QueryResult result = session.execute(joined, Map.of())) {
          assertThat(result.rowCount()).as("%s join rows", type).isEqualTo(expectedRows);
        }
      }

      Pipeline conditioned =
          Pipeline.of(
              Scan.of("events"),
              new Join(
                  JoinType.INNER,
                  Pipeline.of(Scan.of("groups")),
                  List.of(new EquiKey("grp", "g")),
                  Optional.of(
                      Call.of(
                          "and",
                          Call.of("gt", new ColumnRef("v"), Literal.of(0L, PrimitiveType.INT64)),
                          Call.of(
                              "ne",
                              new ColumnRef("label", Optional.of(io.relspec.ir.expr.Side.RIGHT)),
                              Literal.of("label1", PrimitiveType.STRING)))),
                  Optional.empty()));
      long expectedConditioned =
          rows.stream().filter(r -> r.grp() < 6 && r.grp() != 1 && r.v() > 0).count();
      try (QueryResult result = session.execute(conditioned, Map.of())) {
        assertThat(result.rowCount()).isEqualTo(expectedConditioned);
      }
    }
  }

  @Test
  void deriveReplacesInPlaceAndDivisionByZeroIsNull() {
    Pipeline pipeline =
        Pipeline.of(
            new Scan("events", Optional.of(List.of("id", "v", "grp"))),
            new Derive(
                "grp", Call.of("sub", new ColumnRef("grp"), Literal.of(3L, PrimitiveType.INT32))),
            new Derive(
                "q",
                Call.of(
                    "div",
                    new ColumnRef("v"),
                    new io.relspec.ir.expr.Cast(new ColumnRef("grp"), PrimitiveType.FLOAT64))));
    try (QueryResult result = session.execute(pipeline, Map.of())) {
      assertThat(result.schema().getFields())
          .extracting(f -> f.getName())
          .containsExactly("id", "v", "grp", "q");
      List<List<Object>> actual = TestData.read(result.batches());
      assertThat(actual).hasSize(rows.size());
      for (List<Object> row : actual) {
        TestData.Row in = rows.get((int) (long) (Long) row.get(0));
        int grp = in.grp() - 3;
        assertThat(row.get(2)).isEqualTo(grp);
        if (grp == 0) {
          assertThat(row.get(3)).as("division by zero").isNull();
        } else {
          assertThat(row.get(3)).isEqualTo((double) in.v() / grp);
        }
      }
    }
  }
}
