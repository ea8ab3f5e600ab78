package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.PrimitiveType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
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
}
