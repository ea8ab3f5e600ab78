package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.PrimitiveType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * {@code targetPartitions}: the row-local prefix and the partial aggregate run as several native
 * plans in parallel, the rest once over their outputs, with the same rows as one plan.
 */
class PartitionedExecutionTest {

  private static RuntimeProfile partitions(int n) {
    return new RuntimeProfile(n, 1024, Optional.empty(), MemoryPool.GREEDY, Optional.empty());
  }

  private static Aggregate.AggregateCall agg(String name, String fn, String... columns) {
    return new Aggregate.AggregateCall(
        name,
        fn,
        java.util.Arrays.stream(columns)
            .map(c -> (io.relspec.ir.expr.Expr) new ColumnRef(c))
            .toList(),
        false);
  }

  @Test
  void threePartitionsGiveTheRowsOfOnePlan() {
    List<TestData.Row> rows = TestData.rows(6000);
    Pipeline local =
        Pipeline.of(
            Scan.of("events"),
            new Filter(Call.of("gt", new ColumnRef("v"), Literal.of(-300L, PrimitiveType.INT64))),
            new Derive("w", Call.of("mul", new ColumnRef("v"), new ColumnRef("grp"))));
    Pipeline aggregate =
        Pipeline.of(
            Scan.of("events"),
            new Derive("w", Call.of("add", new ColumnRef("v"), new ColumnRef("grp"))),
            new Aggregate(
                List.of("name"),
                List.of(
                    agg("n", "count"),
                    agg("s", "sum", "w"),
                    agg("a", "avg", "amount"),
                    agg("lo", "min", "v"))),
            new Sort(List.of(SortKey.asc("name"))));
    Pipeline sorted =
        Pipeline.of(
            Scan.of("events"),
            new Filter(Call.of("is_not_null", new ColumnRef("amount"))),
            new Sort(List.of(SortKey.desc("amount"), SortKey.asc("id"))),
            new Limit(25, 10));
    Pipeline joined =
        Pipeline.of(
            Scan.of("events"),
            new Join(
                JoinType.INNER,
                Pipeline.of(
                    Scan.of("events"),
                    new Filter(
                        Call.of("lt", new ColumnRef("id"), Literal.of(50L, PrimitiveType.INT64)))),
                List.of(EquiKey.same("name")),
                Optional.empty(),
                Optional.of("_r")),
            new Aggregate(List.of("name"), List.of(agg("n", "count"))),
            new Sort(List.of(SortKey.asc("name"))));

    try (BufferAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> input = TestData.batches(allocator, rows, 500);
      try (EngineSession one = new CometEngine().openSession(partitions(1), allocator);
          EngineSession three = new CometEngine().openSession(partitions(3), allocator)) {
        one.registerBatches("events", TestData.EVENTS, input);
        three.registerBatches("events", TestData.EVENTS, input);
        for (Pipeline pipeline : List.of(local, aggregate, sorted, joined)) {
          assertThat(one.explain(pipeline, Map.of()).partitions()).isEqualTo(1);
          assertThat(three.explain(pipeline, Map.of()).partitions()).isEqualTo(3);
          try (QueryResult single = one.execute(pipeline, Map.of());
              QueryResult parallel = three.execute(pipeline, Map.of())) {
            assertThat(parallel.report().partitions()).isEqualTo(3);
            assertThat(parallel.schema()).isEqualTo(single.schema());
            assertThat(single.rowCount()).isPositive();
            List<List<Object>> expected = TestData.read(single.batches());
            List<List<Object>> actual = TestData.read(parallel.batches());
            // avg sums doubles in another order across partitions: compare it rounded.
            assertThat(round(actual)).as("%s", pipeline).containsExactlyElementsOf(round(expected));
          }
        }
      } finally {
        input.forEach(VectorSchemaRoot::close);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  private static List<List<Object>> round(List<List<Object>> rows) {
    return rows.stream()
        .map(
            row ->
                row.stream()
                    .map(v -> v instanceof Double d ? (Object) (Math.round(d * 1e6) / 1e6) : v)
                    .toList())
        .toList();
  }
}
