package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** Integer edge cases of the arithmetic semantics, and inputs the bridge refuses. */
class EdgeCaseTest {

  @Test
  void integerDivisionTruncatesTowardZeroIncludingTheOverflowCase() {
    long[] a = {7, -7, 7, -7, Long.MIN_VALUE, Long.MIN_VALUE, 5};
    long[] b = {2, 2, -2, -2, -1, 1, 0};
    Schema schema =
        new RelSchema(
                List.of(
                    Field.notNull("a", PrimitiveType.INT64),
                    Field.notNull("b", PrimitiveType.INT64)))
            .toArrow();
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      root.allocateNew();
      for (int i = 0; i < a.length; i++) {
        ((BigIntVector) root.getVector("a")).setSafe(i, a[i]);
        ((BigIntVector) root.getVector("b")).setSafe(i, b[i]);
      }
      root.setRowCount(a.length);
      try (EngineSession session =
          new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
        session.registerBatches("t", schema, List.of(root));
        Pipeline pipeline =
            Pipeline.of(
                Scan.of("t"),
                new Project(
                    List.of(
                        new Project.Column(
                            "q", Call.of("div", new ColumnRef("a"), new ColumnRef("b"))),
                        new Project.Column(
                            "r", Call.of("mod", new ColumnRef("a"), new ColumnRef("b"))))));
        try (QueryResult result = session.execute(pipeline, Map.of())) {
          assertThat(TestData.read(result.batches()))
              .containsExactly(
                  List.of(3L, 1L),
                  List.of(-3L, -1L),
                  List.of(-3L, 1L),
                  List.of(3L, -1L),
                  List.of(Long.MIN_VALUE, 0L),
                  List.of(Long.MIN_VALUE, 0L),
                  Arrays.asList(null, null));
        }
      }
    }
  }

  @Test
  void aResultThatPassesInputColumnsThroughOutlivesItsSession() {
    List<TestData.Row> rows = TestData.rows(1000);
    try (BufferAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> input = TestData.batches(allocator, rows, 300);
      long inputBytes = allocator.getAllocatedMemory();
      QueryResult result;
      try (EngineSession session =
          new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
        session.registerBatches("events", TestData.EVENTS, input);
        // A projection of scanned columns: DataFusion hands the exported input arrays back.
        result =
            session.execute(
                Pipeline.of(
                    Scan.of("events"),
                    new io.relspec.ir.op.Project(
                        List.of(
                            io.relspec.ir.op.Project.Column.keep("name"),
                            io.relspec.ir.op.Project.Column.keep("id")))),
                Map.of());
      }
      try (result) {
        List<List<Object>> expected = new ArrayList<>();
        for (TestData.Row row : rows) {
          expected.add(Arrays.asList(row.name(), row.id()));
        }
        assertThat(TestData.read(result.batches())).containsExactlyElementsOf(expected);
      } finally {
        input.forEach(VectorSchemaRoot::close);
      }
      assertThat(inputBytes).isPositive();
      assertThat(allocator.getAllocatedMemory()).as("everything released").isZero();
    }
  }

  @Test
  void anArrowTypeWithoutRelspecTypeIsRefused() {
    Schema schema =
        new Schema(
            List.of(
                new org.apache.arrow.vector.types.pojo.Field(
                    "u", FieldType.nullable(new ArrowType.Int(32, false)), null)));
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        EngineSession session = new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
      ((UInt4Vector) root.getVector("u")).allocateNew();
      assertThatThrownBy(() -> session.registerBatches("t", schema, List.of(root)))
          .isInstanceOf(RelspecException.class)
          .satisfies(
              e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED))
          .hasMessageStartingWith(
              "Cannot register dataset 't': column 'u' has Arrow type Int(32, false), which has no"
                  + " relspec type.");
    }
  }

  @Test
  void aBatchWithAnotherSchemaIsRefused() {
    Schema declared = new RelSchema(List.of(Field.notNull("a", PrimitiveType.INT64))).toArrow();
    Schema other = new RelSchema(List.of(Field.notNull("a", PrimitiveType.INT32))).toArrow();
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(other, allocator);
        EngineSession session = new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
      assertThatThrownBy(() -> session.registerBatches("t", declared, List.of(root)))
          .isInstanceOf(RelspecException.class)
          .satisfies(
              e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT))
          .hasMessageContaining("batch 0 has schema")
          .hasMessageEndingWith("Give every batch the declared schema");
    }
  }

  @Test
  void literalsCompareAfterWidening() {
    Schema schema = new RelSchema(List.of(Field.notNull("a", PrimitiveType.INT64))).toArrow();
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        EngineSession session = new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
      root.allocateNew();
      for (int i = 0; i < 10; i++) {
        ((BigIntVector) root.getVector("a")).setSafe(i, i);
      }
      root.setRowCount(10);
      session.registerBatches("t", schema, List.of(root));
      Pipeline pipeline =
          Pipeline.of(
              Scan.of("t"),
              new io.relspec.ir.op.Filter(
                  Call.of(
                      "between",
                      new ColumnRef("a"),
                      Literal.of(3L, PrimitiveType.INT8),
                      Literal.of(5.5, PrimitiveType.FLOAT64))));
      try (QueryResult result = session.execute(pipeline, Map.of())) {
        assertThat(TestData.read(result.batches()))
            .containsExactly(List.of(3L), List.of(4L), List.of(5L));
      }
    }
  }

  @Test
  void coalesceOfOneArgumentIsTheArgument() {
    Schema schema = new RelSchema(List.of(new Field("a", PrimitiveType.INT64, true))).toArrow();
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        EngineSession session = new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
      root.allocateNew();
      ((BigIntVector) root.getVector("a")).setSafe(0, 7);
      ((BigIntVector) root.getVector("a")).setNull(1);
      root.setRowCount(2);
      session.registerBatches("t", schema, List.of(root));
      Pipeline pipeline =
          Pipeline.of(
              Scan.of("t"),
              new Project(
                  List.of(new Project.Column("c", Call.of("coalesce", new ColumnRef("a"))))));
      try (QueryResult result = session.execute(pipeline, Map.of())) {
        assertThat(TestData.read(result.batches()))
            .containsExactly(List.of(7L), Arrays.asList((Object) null));
      }
    }
  }

  @Test
  void timestampLiteralsAtBothEndsOfTheRangeCompare() {
    long first = -62_135_596_800_000_000L; // 0001-01-01T00:00:00Z
    long last = 253_402_300_799_999_999L; // 9999-12-31T23:59:59.999999Z
    Schema schema =
        new RelSchema(List.of(Field.notNull("ts", PrimitiveType.TIMESTAMP_US))).toArrow();
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        EngineSession session = new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
      root.allocateNew();
      org.apache.arrow.vector.TimeStampVector ts =
          (org.apache.arrow.vector.TimeStampVector) root.getVector("ts");
      ts.setSafe(0, last);
      ts.setSafe(1, first);
      ts.setSafe(2, 0L);
      root.setRowCount(3);
      session.registerBatches("t", schema, List.of(root));
      Pipeline pipeline =
          Pipeline.of(
              Scan.of("t"),
              new io.relspec.ir.op.Filter(
                  Call.of(
                      "lt",
                      new ColumnRef("ts"),
                      Literal.of(
                          java.time.Instant.parse("9999-12-31T23:59:59.999999Z"),
                          PrimitiveType.TIMESTAMP_US))),
              new Project(
                  List.of(
                      new Project.Column(
                          "late",
                          Call.of(
                              "gt",
                              new ColumnRef("ts"),
                              Literal.of(
                                  java.time.Instant.parse("0001-01-01T00:00:00Z"),
                                  PrimitiveType.TIMESTAMP_US))))));
      try (QueryResult result = session.execute(pipeline, Map.of())) {
        assertThat(TestData.read(result.batches())).containsExactly(List.of(false), List.of(true));
      }
    }
  }
}
