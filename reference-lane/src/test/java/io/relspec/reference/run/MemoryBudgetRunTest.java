package io.relspec.reference.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ParquetDatasetSource;
import io.relspec.reference.ReferenceExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relspec run --engine reference} under a memory limit: a dataset larger than the limit
 * streams through per-batch ops, and every blocking op whose heap working set passes the limit
 * fails with a clear error that names it, writing nothing.
 */
class MemoryBudgetRunTest {
  private static final MessageType T =
      MessageTypeParser.parseMessageType(
          "message t { required int64 id; optional binary s (STRING); }");

  /** Writes {@code rows} rows (id, "value-<id>") in row groups of about 64 KiB. */
  private static Path write(Path data, int rows) throws IOException {
    Files.createDirectories(data.resolve("t"));
    Path file = data.resolve("t/part-0.parquet");
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(new Configuration(false))
            .withType(T)
            .withRowGroupSize(64 * 1024L)
            .build()) {
      SimpleGroupFactory factory = new SimpleGroupFactory(T);
      for (long id = 0; id < rows; id++) {
        writer.write(factory.newGroup().append("id", id).append("s", "value-" + id));
      }
    }
    return file;
  }

  private static ValidatedBundle bundle(String ops) {
    String json =
        """
        {"relspec":1,"name":"b","datasets":[{"name":"t","format":"parquet","location":"t",
          "schema":[{"name":"id","type":"int64","nullable":false},{"name":"s","type":"string"}]}],
         "contracts":[{"name":"c","version":1,"columns":[{"name":"id","type":"int64"}],
          "canonicalSort":[{"col":"id"}]}],
         "rules":[{"name":"r","output":"o","contract":"c","ops":%s}]}
        """
            .formatted(ops);
    return BundleValidator.validate(
        io.relspec.ir.json.BundleReader.read(json, "<test>"), "<test>", Map.of());
  }

  private static RunManifest run(String ops, Path data, Path out, long limit) {
    RuntimeProfile profile =
        new RuntimeProfile(1, 4096, Optional.empty(), MemoryPool.GREEDY, Optional.of(limit));
    return new ArrowLaneRunner(
            new ReferenceExecutor(profile.batchSize(), limit),
            profile,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .run(bundle(ops), data, out, Map.of());
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  private static final String FILTER =
      """
      [{"op":"scan","dataset":"t"},
       {"op":"filter","predicate":{"fn":"eq","args":[
         {"fn":"mod","args":[{"col":"id"},{"lit":1000,"type":"int64"}]},{"lit":0,"type":"int64"}]}},
       {"op":"project","columns":["id","s"]}]
      """;

  @Test
  void aFilterOverADatasetLargerThanTheLimitStreamsRowGroupByRowGroup(@TempDir Path dir)
      throws IOException {
    Path data = dir.resolve("data");
    Path file = write(data, 300_000);
    try (ParquetFileReader footer =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration(false)))) {
      assertThat(footer.getRowGroups()).hasSizeGreaterThan(10);
    }
    long limit = 3L * 1024 * 1024;
    // the whole dataset does not fit the limit (reading it whole is what the lane used to do)
    try (RootAllocator small = new RootAllocator(limit);
        ParquetDatasetSource whole = new ParquetDatasetSource(data, small, 4096)) {
      var spec = bundle(FILTER).bundle().dataset("t").orElseThrow();
      assertThatThrownBy(() -> whole.batches(spec)).isInstanceOf(OutOfMemoryException.class);
      assertThat(small.getAllocatedMemory()).isZero();
    }
    RunManifest manifest = run(FILTER, data, dir.resolve("out"), limit);
    assertThat(manifest.outputs().get(0).rowsOut()).isEqualTo(300);
    assertThat(manifest.outputs().get(0).rules().get(0).rowsIn()).isEqualTo(300);

    // the same input held whole by a blocking op does not fit: a clear error, nothing written
    Path out = dir.resolve("out2");
    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "before");
    assertThatThrownBy(
            () ->
                run(
                    """
                    [{"op":"scan","dataset":"t"},
                     {"op":"aggregate","groupBy":["s"],"aggregates":[{"name":"n","fn":"count"}]},
                     {"op":"project","columns":[{"name":"id","expr":{"col":"n"}}]}]
                    """,
                    data,
                    out,
                    limit))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("of rule 'r'")
        .hasMessageContaining("memory limit of " + limit + " bytes")
        .extracting(e -> ((RelspecException) e).code())
        .isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
    assertThat(listing(out)).containsExactly("", "keep.txt");
  }

  /** A blocking op whose heap working set passes the limit, and what its output counts. */
  private record Case(String op, String ops, long rowsOut) {}

  private static final int ROWS = 60_000;

  private static final List<Case> CASES =
      List.of(
          new Case(
              "aggregate",
              """
              [{"op":"scan","dataset":"t"},
               {"op":"aggregate","groupBy":["s"],"aggregates":[{"name":"id","fn":"count"}]}]
              """,
              ROWS),
          new Case(
              "join",
              """
              [{"op":"scan","dataset":"t"},
               {"op":"join","type":"inner","right":{"ops":[{"op":"scan","dataset":"t"}]},
                "on":[{"left":"id","right":"id"}],"rightSuffix":"_r"}]
              """,
              ROWS),
          new Case(
              "sort",
              """
              [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"s","dir":"desc"}]}]
              """,
              ROWS),
          new Case(
              "dedupe",
              """
              [{"op":"scan","dataset":"t"},
               {"op":"dedupe","keys":["s"],"orderBy":[{"col":"id","dir":"desc"}]}]
              """,
              ROWS),
          // the contract's canonical sort holds its key column as Java values and a permutation
          new Case("finalize", "[{\"op\":\"scan\",\"dataset\":\"t\"}]", ROWS),
          new Case(
              "union",
              """
              [{"op":"scan","dataset":"t"},
               {"op":"union","distinct":true,"inputs":[{"ops":[{"op":"scan","dataset":"t"}]}]}]
              """,
              ROWS));

  @Test
  void everyBlockingOpOverTheLimitFailsClearlyAndWritesNothing(@TempDir Path dir)
      throws IOException {
    Path data = dir.resolve("data");
    write(data, ROWS);
    // the input's Arrow batches fit (about 1.5 MB), the ops' heap working sets do not
    long limit = 4L * 1024 * 1024;
    for (Case c : CASES) {
      Path out = dir.resolve("out-" + c.op());
      Files.createDirectories(out);
      Files.writeString(out.resolve("keep.txt"), "before");
      assertThatThrownBy(() -> run(c.ops(), data, out, limit))
          .as(c.op())
          .isInstanceOf(RelspecException.class)
          .hasMessageStartingWith("Cannot run op " + c.op() + " of rule 'r'")
          .hasMessageContaining("needs more than the reference lane's memory limit of " + limit)
          .hasMessageContaining("Raise memoryLimitBytes")
          .extracting(e -> ((RelspecException) e).code())
          .isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
      assertThat(listing(out)).as(c.op()).containsExactly("", "keep.txt");
    }
    // under a generous limit every one of them runs
    for (Case c : CASES) {
      RunManifest manifest = run(c.ops(), data, dir.resolve("fits-" + c.op()), 256L << 20);
      assertThat(manifest.outputs().get(0).rules().get(0).rowsOut())
          .as(c.op())
          .isEqualTo(c.rowsOut());
    }
  }
}
