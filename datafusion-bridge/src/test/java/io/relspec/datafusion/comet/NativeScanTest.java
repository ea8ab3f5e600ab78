package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.Ordering;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.reference.ParquetDatasetSource;
import io.relspec.reference.ParquetDatasetWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet datasets read by Comet's {@code NativeScan}: the same rows in the same order as the JVM
 * reader ({@link ParquetDatasetSource}) gives, split into byte ranges for {@code targetPartitions},
 * filters pushed where row-group statistics rule row groups out, and the JVM reader (recorded)
 * where the files do not hold exactly the declared types.
 */
class NativeScanTest {
  private static final List<Field> EVENTS =
      List.of(
          Field.notNull("id", PrimitiveType.INT64),
          Field.notNull("v", PrimitiveType.INT64),
          Field.notNull("grp", PrimitiveType.INT32),
          Field.nullable("amount", PrimitiveType.FLOAT64),
          Field.nullable("name", PrimitiveType.STRING));

  private static RuntimeProfile partitions(int n) {
    return new RuntimeProfile(n, 1000, Optional.empty(), MemoryPool.GREEDY, Optional.empty());
  }

  private static DatasetSpec events(List<Field> schema, ScanOptions scan) {
    return new DatasetSpec(
        "events", DatasetFormat.PARQUET, "events", schema, Ordering.UNORDERED, scan);
  }

  /** 6,000 rows written as three files (dir a, b, c), read back in that order by the JVM. */
  private static void write(Path data, BufferAllocator allocator) {
    List<TestData.Row> rows = TestData.rows(6000);
    String[] parts = {"a", "b", "c"};
    for (int p = 0; p < 3; p++) {
      List<VectorSchemaRoot> batches =
          TestData.batches(allocator, rows.subList(p * 2000, (p + 1) * 2000), 700);
      try {
        ParquetDatasetWriter.write(
            data.resolve("events").resolve(parts[p]), new RelSchema(EVENTS), batches, Map.of());
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }
    }
  }

  @Test
  void nativeScanGivesTheJvmReadersRowsInOrderInOneAndThreePartitions(@TempDir Path data) {
    Pipeline filtered =
        Pipeline.of(
            Scan.of("events"),
            // id <= 2500: file c holds ids 4000-5999, its statistics rule it out, so the filter is
            // pushed (written literal first: the mirrored comparison)
            new Filter(
                Call.of(
                    "and",
                    Call.of("gt", new ColumnRef("v"), Literal.of(250L, PrimitiveType.INT64)),
                    Call.of("ge", Literal.of(2500L, PrimitiveType.INT64), new ColumnRef("id")))));
    Pipeline projected = Pipeline.of(new Scan("events", Optional.of(List.of("name", "id"))));
    Pipeline aggregated =
        Pipeline.of(
            Scan.of("events"),
            new Aggregate(
                List.of("grp"),
                List.of(
                    new Aggregate.AggregateCall("n", "count", List.of(), false),
                    new Aggregate.AggregateCall("s", "sum", List.of(new ColumnRef("v")), false))),
            new Sort(List.of(SortKey.asc("grp"))));
    try (BufferAllocator allocator = new RootAllocator()) {
      write(data, allocator);
      DatasetSpec spec = events(EVENTS, ScanOptions.defaults(DatasetFormat.PARQUET));
      try (ParquetDatasetSource jvm = new ParquetDatasetSource(data, allocator, 1000)) {
        AtomicInteger jvmReads = new AtomicInteger();
        for (int n : new int[] {1, 3}) {
          for (Pipeline pipeline : List.of(filtered, projected, aggregated)) {
            List<List<Object>> expected;
            try (EngineSession reference =
                new CometEngine().openSession(partitions(1), allocator)) {
              reference.registerBatches(
                  "events", new RelSchema(EVENTS).toArrow(), jvm.batches(spec));
              try (QueryResult result = reference.execute(pipeline, Map.of())) {
                expected = TestData.read(result.batches());
              }
            }
            try (EngineSession session = new CometEngine().openSession(partitions(n), allocator)) {
              session.registerParquet(
                  spec,
                  data.resolve("events"),
                  () -> {
                    jvmReads.incrementAndGet();
                    return jvm.batches(spec);
                  });
              try (QueryResult result = session.execute(pipeline, Map.of())) {
                assertThat(result.report().nativePlan()).contains("NATIVE_SCAN");
                assertThat(result.report().executions().get(0).reason())
                    .isEqualTo(
                        "Parquet read natively (NativeScan, 3 files, filters pushed where row-group statistics rule row groups out)");
                if (pipeline != projected) {
                  assertThat(result.report().partitions()).isEqualTo(n);
                }
                if (pipeline == filtered) {
                  assertThat(result.report().nativePlan()).contains("1 pushed filters");
                }
                assertThat(expected).isNotEmpty();
                assertThat(TestData.read(result.batches()))
                    .as("%s in %d partitions", pipeline, n)
                    .containsExactlyElementsOf(expected);
              }
            }
          }
        }
        assertThat(jvmReads).as("the JVM reader is never asked").hasValue(0);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void columnsStoredNarrowerAreWidenedByTheNativeReaderAsTheJvmReaderWidensThem(
      @TempDir Path data) {
    // grp is int32 in the files, declared int64; amount float64 stays as stored
    List<Field> widened = new ArrayList<>(EVENTS);
    widened.set(2, Field.notNull("grp", PrimitiveType.INT64));
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("events"),
            new Filter(Call.of("eq", new ColumnRef("grp"), Literal.of(3L, PrimitiveType.INT64))));
    Pipeline all = Pipeline.of(Scan.of("events"));
    try (BufferAllocator allocator = new RootAllocator()) {
      write(data, allocator);
      DatasetSpec spec = events(widened, ScanOptions.defaults(DatasetFormat.PARQUET));
      try (ParquetDatasetSource jvm = new ParquetDatasetSource(data, allocator, 1000)) {
        for (Pipeline p : List.of(pipeline, all)) {
          List<List<Object>> expected;
          try (EngineSession reference = new CometEngine().openSession(partitions(1), allocator)) {
            reference.registerBatches(
                "events", new RelSchema(widened).toArrow(), jvm.batches(spec));
            try (QueryResult result = reference.execute(p, Map.of())) {
              expected = TestData.read(result.batches());
            }
          }
          try (EngineSession session =
              CometEngine.nativeOnly().openSession(partitions(1), allocator)) {
            session.registerParquet(
                spec,
                data.resolve("events"),
                () -> {
                  throw new AssertionError("the JVM reader is never asked");
                });
            try (QueryResult result = session.execute(p, Map.of())) {
              assertThat(result.report().nativePlan())
                  .contains("NATIVE_SCAN")
                  // a filter on a widened column is not pushed into the reader
                  .doesNotContain("pushed filters");
              assertThat(result.schema()).isEqualTo(new RelSchema(widened).toArrow());
              assertThat(expected).isNotEmpty();
              assertThat(TestData.read(result.batches())).containsExactlyElementsOf(expected);
            }
          }
        }
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aColumnTheNativeReaderCannotWidenExactlyIsReadByTheJvmReaderWithTheReasonRecorded(
      @TempDir Path data) {
    // decimal(18,2) stored, float64 declared: Arrow rounds the unscaled value, then divides
    RelSchema stored =
        new RelSchema(List.of(Field.nullable("d", new io.relspec.ir.type.DecimalType(18, 2))));
    List<Field> declared = List.of(Field.nullable("d", PrimitiveType.FLOAT64));
    try (BufferAllocator allocator = new RootAllocator()) {
      VectorSchemaRoot root = VectorSchemaRoot.create(stored.toArrow(), allocator);
      root.allocateNew();
      io.relspec.reference.Values.write(
          root.getVector(0), 0, new java.math.BigDecimal("1234567890123456.78"));
      io.relspec.reference.Values.write(root.getVector(0), 1, null);
      root.setRowCount(2);
      try {
        ParquetDatasetWriter.write(data.resolve("events"), stored, List.of(root), Map.of());
      } finally {
        root.close();
      }
      DatasetSpec spec = events(declared, ScanOptions.defaults(DatasetFormat.PARQUET));
      try (ParquetDatasetSource jvm = new ParquetDatasetSource(data, allocator, 1000);
          EngineSession session = new CometEngine().openSession(partitions(1), allocator)) {
        AtomicInteger jvmReads = new AtomicInteger();
        session.registerParquet(
            spec,
            data.resolve("events"),
            () -> {
              jvmReads.incrementAndGet();
              return jvm.batches(spec);
            });
        try (QueryResult result = session.execute(Pipeline.of(Scan.of("events")), Map.of())) {
          assertThat(result.report().nativePlan()).doesNotContain("NATIVE_SCAN");
          assertThat(result.report().executions().get(0).reason())
              .startsWith("read into Arrow by the JVM Parquet reader, then Scan: ")
              .contains("stores column 'd' as optional")
              .contains("which NativeScan does not read as float64 exactly");
          assertThat(TestData.read(result.batches()).get(0).get(0))
              .isEqualTo(new java.math.BigDecimal("1234567890123456.78").doubleValue());
        }
        assertThat(jvmReads).hasValue(1);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aMissingLocationIsLeftToTheJvmReadersError(@TempDir Path data) {
    DatasetSpec spec = events(EVENTS, ScanOptions.defaults(DatasetFormat.PARQUET));
    try (BufferAllocator allocator = new RootAllocator();
        ParquetDatasetSource jvm = new ParquetDatasetSource(data, allocator, 1000);
        EngineSession session = new CometEngine().openSession(partitions(1), allocator)) {
      session.registerParquet(spec, data.resolve("events"), () -> jvm.batches(spec));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> session.execute(Pipeline.of(Scan.of("events")), Map.of()).close())
          .isInstanceOf(io.relspec.ir.error.RelspecException.class)
          .hasMessageContaining("events");
    }
  }
}
