package io.relspec.reference;

import static io.relspec.reference.Fixture.dec;
import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.validate.ValidatedBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet files read into Arrow batches and run through the lane. */
class ParquetDatasetSourceTest {
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          """
          message t {
            required int64 id;
            optional binary name (STRING);
            optional int32 day (DATE);
            optional int64 ts (TIMESTAMP(MICROS,true));
            optional int64 amount (DECIMAL(12,2));
            optional group tags (LIST) { repeated group list { optional binary element (STRING); } }
            optional binary extra (STRING);
          }
          """);

  private static final String BUNDLE =
      """
      {"relspec":1,"name":"p","datasets":[{"name":"t","format":"parquet","location":"t","schema":[
         {"name":"id","type":"int64","nullable":false},{"name":"name","type":"string"},
         {"name":"day","type":"date32"},{"name":"ts","type":"timestamp_us"},
         {"name":"amount","type":"decimal(12,2)"},{"name":"tags","type":"list<string>"}]}],
       "contracts":[{"name":"c","version":1,"columns":[{"name":"zz","type":"string"}]}],
       "rules":[{"name":"r","output":"o","contract":"c","ops":[
         {"op":"scan","dataset":"t"},
         {"op":"explode","column":"tags","as":"tag","position":"pos","outer":true},
         {"op":"sort","keys":[{"col":"id"},{"col":"pos"}]}]}]}
      """;

  private static void write(Path file, int first, int count) throws IOException {
    Configuration conf = new Configuration(false);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(conf)
            .withType(SCHEMA)
            .build()) {
      SimpleGroupFactory factory = new SimpleGroupFactory(SCHEMA);
      for (int id = first; id < first + count; id++) {
        Group g = factory.newGroup().append("id", (long) id);
        if (id % 2 == 1) {
          g.append("name", "n" + id)
              .append("day", (int) LocalDate.of(2024, 1, id).toEpochDay())
              .append("ts", 1_000_000L * id)
              .append("amount", 12_345L * id);
          Group tags = g.addGroup("tags");
          tags.addGroup("list").append("element", "x" + id);
          tags.addGroup("list");
        }
        g.append("extra", "ignored");
        writer.write(g);
      }
    }
  }

  @Test
  void readsEveryFileOfTheDatasetIntoTheDeclaredTypes(@TempDir Path base) throws IOException {
    Files.createDirectories(base.resolve("t"));
    write(base.resolve("t/part-0.parquet"), 1, 2);
    write(base.resolve("t/part-1.parquet"), 3, 1);
    ValidatedBundle bundle = Fixture.validate(BUNDLE, Map.of());
    try (ReferenceLane lane = new ReferenceLane();
        ParquetDatasetSource source = new ParquetDatasetSource(base, lane.allocator(), 2);
        Relation out = lane.runPlan(bundle.plans().get(0), bundle, source, Map.of())) {
      assertThat(out.rows())
          .containsExactly(
              row(
                  1L,
                  "n1",
                  (int) LocalDate.of(2024, 1, 1).toEpochDay(),
                  1_000_000L,
                  dec("123.45"),
                  "x1",
                  0L),
              row(
                  1L,
                  "n1",
                  (int) LocalDate.of(2024, 1, 1).toEpochDay(),
                  1_000_000L,
                  dec("123.45"),
                  null,
                  1L),
              row(2L, null, null, null, null, null, null),
              row(
                  3L,
                  "n3",
                  (int) LocalDate.of(2024, 1, 3).toEpochDay(),
                  3_000_000L,
                  dec("370.35"),
                  "x3",
                  0L),
              row(
                  3L,
                  "n3",
                  (int) LocalDate.of(2024, 1, 3).toEpochDay(),
                  3_000_000L,
                  dec("370.35"),
                  null,
                  1L));
    }
  }

  @Test
  void aMissingDirectoryIsInvalidInput(@TempDir Path base) {
    ValidatedBundle bundle = Fixture.validate(BUNDLE, Map.of());
    try (ReferenceLane lane = new ReferenceLane();
        ParquetDatasetSource source = new ParquetDatasetSource(base, lane.allocator(), 2)) {
      assertThatThrownBy(() -> lane.run(bundle, source))
          .isInstanceOf(RelspecException.class)
          .hasMessageStartingWith("Cannot read dataset 't': ")
          .hasMessageEndingWith(
              " does not exist. Check the dataset's location and the base directory")
          .extracting(e -> ((RelspecException) e).code())
          .isEqualTo(ErrorCode.INVALID_INPUT);
    }
  }

  private static final MessageType FLAT =
      MessageTypeParser.parseMessageType(
          """
          message f {
            required int64 id;
            optional binary name (STRING);
            optional int32 day (DATE);
            optional int64 ts (TIMESTAMP(MICROS,true));
            optional double score;
            optional float ratio;
            optional boolean flag;
            optional int32 small (INTEGER(16,true));
            optional binary raw;
          }
          """);

  private static final String FLAT_BUNDLE =
      """
      {"relspec":1,"name":"p","datasets":[{"name":"f","format":"parquet","location":"f","schema":[
         {"name":"id","type":"int64","nullable":false},{"name":"name","type":"string"},
         {"name":"day","type":"date32"},{"name":"ts","type":"timestamp_us"},
         {"name":"score","type":"float64"},{"name":"ratio","type":"float32"},
         {"name":"flag","type":"boolean"},{"name":"small","type":"int16"},
         {"name":"raw","type":"binary"}]}],
       "contracts":[{"name":"c","version":1,"columns":[{"name":"id","type":"int64"}]}],
       "rules":[{"name":"r","output":"o","contract":"c","ops":[{"op":"scan","dataset":"f"}]}]}
      """;

  /** The row with id {@code id} of the flat file: every third row has nulls. */
  private static List<Object> flatRow(long id) {
    if (id % 3 == 0) {
      return row(id, null, null, null, null, null, null, null, null);
    }
    return row(
        id,
        "näme-" + "x".repeat((int) (id % 5)) + id,
        (int) (19_000 + id),
        -1_000_000L * id,
        id / 4.0,
        (double) (id / 8.0f),
        id % 2 == 0,
        (long) (short) (id * 1000),
        io.relspec.ir.expr.Bytes.copyOf(new byte[] {(byte) id, 0, (byte) -id}));
  }

  /** Writes {@code rows} rows of {@link #flatRow} to {@code base/f/part-0.parquet}. */
  private static Path writeFlat(Path base, int rows) throws IOException {
    Files.createDirectories(base.resolve("f"));
    Path file = base.resolve("f/part-0.parquet");
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(new Configuration(false))
            .withType(FLAT)
            .withRowGroupSize(4_096L)
            .build()) {
      SimpleGroupFactory factory = new SimpleGroupFactory(FLAT);
      for (long id = 0; id < rows; id++) {
        Group g = factory.newGroup().append("id", id);
        List<Object> values = flatRow(id);
        if (values.get(1) != null) {
          g.append("name", (String) values.get(1))
              .append("day", (int) values.get(2))
              .append("ts", (long) values.get(3))
              .append("score", (double) values.get(4))
              .append("ratio", (float) (double) (Double) values.get(5))
              .append("flag", (boolean) values.get(6))
              .append("small", (int) (long) (Long) values.get(7))
              .append(
                  "raw",
                  org.apache.parquet.io.api.Binary.fromConstantByteArray(
                      ((io.relspec.ir.expr.Bytes) values.get(8)).toByteArray()));
        }
        writer.write(g);
      }
    }
    return file;
  }

  @Test
  void flatColumnsOfSeveralRowGroupsAreReadColumnByColumnIntoBatchesOfTheBatchSize(
      @TempDir Path base) throws IOException {
    Path file = writeFlat(base, 1_000);
    int rows = 1_000;
    try (org.apache.parquet.hadoop.ParquetFileReader footer =
        org.apache.parquet.hadoop.ParquetFileReader.open(
            org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration(false)))) {
      // more than one row group, so the batches restart at row group boundaries
      assertThat(footer.getRowGroups()).hasSizeGreaterThan(1);
    }
    ValidatedBundle bundle = Fixture.validate(FLAT_BUNDLE, Map.of());
    List<List<Object>> expected = new ArrayList<>();
    for (long id = 0; id < rows; id++) {
      expected.add(flatRow(id));
    }
    try (ReferenceLane lane = new ReferenceLane();
        ParquetDatasetSource source = new ParquetDatasetSource(base, lane.allocator(), 64)) {
      List<VectorSchemaRoot> batches = source.batches(bundle.bundle().dataset("f").orElseThrow());
      assertThat(batches).allMatch(b -> b.getRowCount() > 0 && b.getRowCount() <= 64);
      assertThat(new Relation(bundle.plans().get(0).schema(), batches).rows())
          .containsExactlyElementsOf(expected);
      try (Relation out = lane.runPlan(bundle.plans().get(0), bundle, source, Map.of())) {
        assertThat(out.rows()).containsExactlyElementsOf(expected);
      }
    }
  }

  @Test
  void aMemoryLimitReachedWhileReadingIsInsufficientResourcesNotAnUnreadableFile(@TempDir Path base)
      throws IOException {
    writeFlat(base, 5_000);
    ValidatedBundle bundle = Fixture.validate(FLAT_BUNDLE, Map.of());
    try (org.apache.arrow.memory.RootAllocator small =
            new org.apache.arrow.memory.RootAllocator(16_000);
        ParquetDatasetSource source = new ParquetDatasetSource(base, small, 4_096)) {
      assertThatThrownBy(() -> source.batches(bundle.bundle().dataset("f").orElseThrow()))
          .isInstanceOf(org.apache.arrow.memory.OutOfMemoryException.class);
      assertThat(small.getAllocatedMemory()).isZero();
    }
  }
}
