package io.relspec.datafusion.comet;

import static io.relspec.datafusion.comet.IntervalAlignNativeTest.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.QueryResult;
import io.relspec.datafusion.run.DataFusionExecutor;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.DatasetSource;
import io.relspec.reference.ParquetDatasetWriter;
import io.relspec.reference.ReferenceLane;
import io.relspec.reference.Relation;
import io.relspec.reference.run.ArrowLaneRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * Hive-style partitioned Parquet ({@code scan.partitionCols}) read by Comet's {@code NativeScan}:
 * partition values from the {@code name=value} directories as the declared types, null for {@code
 * __HIVE_DEFAULT_PARTITION__}, escaped names unescaped, narrower stored columns widened; the rows
 * equal the reference lane's over the same rows given flat. A value that does not parse is an input
 * error before anything runs or is written.
 */
class PartitionedNativeScanTest {
  /** The columns stored in the files: v and amount narrower than declared. */
  private static final RelSchema STORED =
      new RelSchema(
          List.of(
              Field.notNull("id", PrimitiveType.INT64),
              Field.nullable("v", PrimitiveType.INT32),
              Field.nullable("amount", PrimitiveType.FLOAT32)));

  private static final String DATASET =
      """
      {"name":"events","format":"parquet","location":"events",
       "schema":[{"name":"id","type":"int64"},{"name":"v","type":"int64"},
         {"name":"amount","type":"float64"},{"name":"region","type":"string"},
         {"name":"day","type":"date32"}],
       "scan":{"partitionCols":[{"name":"region","type":"string"},{"name":"day","type":"date32"}]}}
      """;

  /** One partition directory and the stored rows of its file. */
  private record Part(String dir, String region, String day, List<List<Object>> rows) {}

  private static List<Part> parts() {
    List<Part> parts = new ArrayList<>();
    String[][] dirs = {
      {"region=us/day=2024-01-02", "us", "2024-01-02"},
      {"region=eu/day=2024-01-01", "eu", "2024-01-01"},
      {"region=__HIVE_DEFAULT_PARTITION__/day=2024-01-01", null, "2024-01-01"},
      {"region=a%2Fb/day=2024-01-03", "a/b", "2024-01-03"},
      {"day=2024-01-04/region=eu", "eu", "2024-01-04"}
    };
    long id = 0;
    for (String[] dir : dirs) {
      List<List<Object>> rows = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        id++;
        rows.add(
            row(
                id,
                i % 7 == 0 ? null : (long) (i % 5) - 1,
                i % 4 == 0 ? null : (double) (float) (id * 0.25 - 3.1)));
      }
      parts.add(new Part(dir[0], dir[1], dir[2], rows));
    }
    return parts;
  }

  /** Writes every part as one file under {@code data/events/<dir>}. */
  private static void write(Path data, List<Part> parts, BufferAllocator allocator) {
    for (Part part : parts) {
      List<VectorSchemaRoot> batches = batches(STORED, part.rows(), allocator);
      try {
        ParquetDatasetWriter.write(
            data.resolve("events").resolve(part.dir()), STORED, batches, Map.of());
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }
    }
  }

  private static List<VectorSchemaRoot> batches(
      RelSchema schema, List<List<Object>> rows, BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema.toArrow(), allocator);
    root.allocateNew();
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < schema.fields().size(); c++) {
        io.relspec.reference.Values.write(root.getVector(c), r, rows.get(r).get(c));
      }
    }
    root.setRowCount(rows.size());
    return List.of(root);
  }

  /** The dataset's rows as the spec reads them: files in path order, partition values appended. */
  private static List<List<Object>> flatRows(Path data, List<Part> parts) {
    List<Part> sorted = new ArrayList<>(parts);
    sorted.sort(Comparator.comparing(p -> data.resolve("events").resolve(p.dir())));
    List<List<Object>> rows = new ArrayList<>();
    for (Part part : sorted) {
      for (List<Object> stored : part.rows()) {
        List<Object> row = new ArrayList<>(stored);
        row.add(part.region());
        row.add((int) java.time.LocalDate.parse(part.day()).toEpochDay());
        rows.add(row);
      }
    }
    return rows;
  }

  private static ValidatedBundle bundle(String ops) {
    String json =
        "{\"relspec\":1,\"name\":\"t\",\"datasets\":["
            + DATASET
            + "],\"contracts\":[{\"name\":\"c\",\"version\":1,"
            + "\"columns\":[{\"name\":\"zz_unused\",\"type\":\"string\"}]}],"
            + "\"rules\":[{\"name\":\"r\",\"output\":\"out\",\"contract\":\"c\",\"ops\":"
            + ops
            + "}]}";
    return BundleValidator.validate(BundleReader.read(json, "<test>"), "<test>", Map.of());
  }

  private static RuntimeProfile partitions(int n) {
    return new RuntimeProfile(n, 1000, Optional.empty(), MemoryPool.GREEDY, Optional.empty());
  }

  @Test
  void partitionColumnsAreReadNativelyAsTheReferenceLaneReadsTheSameRowsFlat(@TempDir Path data) {
    List<String> pipelines =
        List.of(
            "[{\"op\":\"scan\",\"dataset\":\"events\"}]",
            "[{\"op\":\"scan\",\"dataset\":\"events\",\"columns\":[\"day\",\"id\",\"region\"]}]",
            """
            [{"op":"scan","dataset":"events"},
             {"op":"filter","predicate":{"fn":"or","args":[
               {"fn":"eq","args":[{"col":"region"},{"lit":"eu","type":"string"}]},
               {"fn":"is_null","args":[{"col":"region"}]}]}}]
            """,
            """
            [{"op":"scan","dataset":"events"},
             {"op":"filter","predicate":{"fn":"gt","args":[{"col":"id"},{"lit":50,"type":"int64"}]}},
             {"op":"filter","predicate":{"fn":"ge","args":[{"col":"v"},{"lit":2,"type":"int64"}]}}]
            """,
            """
            [{"op":"scan","dataset":"events"},
             {"op":"filter","predicate":{"fn":"gt","args":[{"col":"day"},{"lit":"2024-01-01","type":"date32"}]}},
             {"op":"aggregate","groupBy":["region"],"aggregates":[
               {"name":"n","fn":"count","args":[]},{"name":"s","fn":"sum","args":[{"col":"v"}]},
               {"name":"a","fn":"max","args":[{"col":"amount"}]}]},
             {"op":"sort","keys":[{"col":"region"}]}]
            """);
    List<Part> parts = parts();
    try (BufferAllocator allocator = new RootAllocator()) {
      write(data, parts, allocator);
      List<List<Object>> flat = flatRows(data, parts);
      for (String ops : pipelines) {
        ValidatedBundle bundle = bundle(ops);
        RelPlan plan = bundle.plans().get(0);
        DatasetSpec spec = bundle.bundle().dataset("events").orElseThrow();
        List<List<Object>> expected;
        List<VectorSchemaRoot> input = batches(new RelSchema(spec.schema()), flat, allocator);
        try (ReferenceLane lane = new ReferenceLane(RuntimeProfile.DEFAULT);
            Relation result =
                lane.runPlan(
                    plan, bundle, DatasetSource.inMemory(Map.of("events", input)), Map.of())) {
          expected = IntervalAlignNativeTest.rows(result.batches());
        } finally {
          input.forEach(VectorSchemaRoot::close);
        }
        assertThat(expected).as(ops).isNotEmpty();
        for (int n : new int[] {1, 3}) {
          try (EngineSession session =
              CometEngine.nativeOnly().openSession(partitions(n), allocator)) {
            session.registerParquet(
                spec,
                data.resolve("events"),
                () -> {
                  throw new AssertionError("the JVM reader is never asked");
                });
            try (QueryResult result = session.execute(plan)) {
              assertThat(result.report().nativePlan()).contains("NATIVE_SCAN");
              assertThat(result.report().executions().get(0).reason())
                  .isEqualTo(
                      "Parquet read natively (NativeScan, 5 files, filters pushed where row-group statistics rule row groups out)");
              assertThat(result.schema()).isEqualTo(plan.schema().toArrow());
              assertThat(IntervalAlignNativeTest.rows(result.batches()))
                  .as("%s in %d partitions", ops, n)
                  .containsExactlyElementsOf(expected);
            }
          }
        }
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
    // the filter on id (stored as declared; ids 1-40 in the first file, so its statistics rule
    // that row group out) is pushed into the reader; those on the widened v and on the partition
    // columns are not (the Filter decides them)
    String pushed =
        """
        [{"op":"scan","dataset":"events"},
         {"op":"filter","predicate":{"fn":"gt","args":[{"col":"id"},{"lit":50,"type":"int64"}]}},
         {"op":"filter","predicate":{"fn":"ge","args":[{"col":"v"},{"lit":2,"type":"int64"}]}}]
        """;
    assertThat(nativePlan(data, pushed)).contains("1 pushed filters");
    // a filter no row group's statistics rule out is not pushed either (the reader would filter
    // rows as well, for nothing)
    String everyRowGroup =
        """
        [{"op":"scan","dataset":"events"},
         {"op":"filter","predicate":{"fn":"gt","args":[{"col":"id"},{"lit":0,"type":"int64"}]}}]
        """;
    assertThat(nativePlan(data, everyRowGroup))
        .contains("NATIVE_SCAN")
        .doesNotContain("pushed filters");
    String notPushed =
        """
        [{"op":"scan","dataset":"events"},
         {"op":"filter","predicate":{"fn":"eq","args":[{"col":"region"},{"lit":"eu","type":"string"}]}}]
        """;
    assertThat(nativePlan(data, notPushed))
        .contains("NATIVE_SCAN")
        .doesNotContain("pushed filters");
  }

  private static String nativePlan(Path data, String ops) {
    ValidatedBundle bundle = bundle(ops);
    try (BufferAllocator allocator = new RootAllocator();
        EngineSession session =
            CometEngine.nativeOnly().openSession(RuntimeProfile.DEFAULT, allocator)) {
      session.registerParquet(
          bundle.bundle().dataset("events").orElseThrow(), data.resolve("events"), List::of);
      return session.explain(bundle.plans().get(0)).nativePlan();
    }
  }

  @Test
  void aPartitionValueThatDoesNotParseIsAnInputErrorAndNothingIsWritten(@TempDir Path tmp) {
    Path data = tmp.resolve("data");
    List<Part> parts = new ArrayList<>(parts());
    parts.add(new Part("region=eu/day=2024-13-45", "eu", "2024-12-31", parts.get(0).rows()));
    ValidatedBundle bundle = bundle("[{\"op\":\"scan\",\"dataset\":\"events\"}]");
    DatasetSpec spec = bundle.bundle().dataset("events").orElseThrow();
    try (BufferAllocator allocator = new RootAllocator()) {
      write(data, parts, allocator);
      try (EngineSession session =
          new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
        assertThatThrownBy(
                () ->
                    session.registerParquet(
                        spec,
                        data.resolve("events"),
                        () -> {
                          throw new AssertionError("the JVM reader is never asked");
                        }))
            .isInstanceOfSatisfying(
                RelspecException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
            .hasMessageContaining("Cannot read dataset 'events'")
            .hasMessageContaining(data.resolve("events/region=eu/day=2024-13-45").toString())
            .hasMessageContaining("column 'day' the value '2024-13-45'")
            .hasMessageContaining("declared type date32");
      }
    }
    // through `relspec run --engine datafusion`: the run fails before any output is written
    Path out = tmp.resolve("out");
    RuntimeProfile profile = RuntimeProfile.DEFAULT;
    assertThatThrownBy(
            () ->
                new ArrowLaneRunner(
                        new DataFusionExecutor(profile),
                        profile,
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                    .run(bundle, data, out, Map.of()))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("2024-13-45");
    assertThat(out.resolve("out")).doesNotExist();
    assertThat(Files.exists(out) ? out.toFile().list() : new String[0])
        .as("nothing committed under %s", out)
        .noneMatch(name -> name.equals("out") || name.equals("_manifest.json"));
  }

  @Test
  void aFileOutsideThePartitionDirectoriesIsAnInputError(@TempDir Path data) {
    ValidatedBundle bundle = bundle("[{\"op\":\"scan\",\"dataset\":\"events\"}]");
    DatasetSpec spec = bundle.bundle().dataset("events").orElseThrow();
    try (BufferAllocator allocator = new RootAllocator()) {
      write(data, List.of(new Part("region=eu", "eu", null, parts().get(0).rows())), allocator);
      try (EngineSession session =
          new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
        assertThatThrownBy(() -> session.registerParquet(spec, data.resolve("events"), List::of))
            .isInstanceOf(RelspecException.class)
            .hasMessageContaining("is not under a 'day=<value>' directory");
      }
    }
  }

  @Test
  void aPartitionedDatasetNativeScanCannotReadFailsWithTheReason(@TempDir Path data) {
    String dataset =
        DATASET.replace(
            "{\"name\":\"amount\",\"type\":\"float64\"}",
            "{\"name\":\"amount\",\"type\":\"timestamp_us\"}");
    String json =
        "{\"relspec\":1,\"name\":\"t\",\"datasets\":["
            + dataset
            + "],\"contracts\":[{\"name\":\"c\",\"version\":1,"
            + "\"columns\":[{\"name\":\"zz_unused\",\"type\":\"string\"}]}],"
            + "\"rules\":[{\"name\":\"r\",\"output\":\"out\",\"contract\":\"c\",\"ops\":"
            + "[{\"op\":\"scan\",\"dataset\":\"events\"}]}]}";
    ValidatedBundle bundle =
        BundleValidator.validate(BundleReader.read(json, "<test>"), "<test>", Map.of());
    try (BufferAllocator allocator = new RootAllocator()) {
      write(data, parts(), allocator);
      try (EngineSession session =
          new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
        session.registerParquet(
            bundle.bundle().dataset("events").orElseThrow(), data.resolve("events"), List::of);
        assertThatThrownBy(() -> session.execute(bundle.plans().get(0)).close())
            .isInstanceOfSatisfying(
                RelspecException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED))
            .hasMessageContaining("hive-style partition columns")
            .hasMessageContaining("column 'amount' is timestamp_us");
      }
    }
  }
}
