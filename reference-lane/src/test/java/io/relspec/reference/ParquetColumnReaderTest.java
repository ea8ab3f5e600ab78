package io.relspec.reference;

import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.validate.ValidatedBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Columns decoded page by page by {@link ParquetColumnReader} read the same rows as written: V1 and
 * V2 pages, dictionary and plain encodings (and a dictionary that overflows to plain pages
 * mid-chunk), nulls, many small pages and row groups, batches that cross page boundaries.
 */
class ParquetColumnReaderTest {
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          """
          message t {
            required int64 id;
            optional int64 big;
            optional double score;
            optional binary name (STRING);
            optional int32 small;
            required binary tag (STRING);
          }
          """);

  private static final String BUNDLE =
      """
      {"relspec":1,"name":"p","datasets":[{"name":"t","format":"parquet","location":"t","schema":[
         {"name":"id","type":"int64","nullable":false},{"name":"big","type":"int64"},
         {"name":"score","type":"float64"},{"name":"name","type":"string"},
         {"name":"small","type":"int32"},{"name":"tag","type":"string","nullable":false}]}],
       "contracts":[{"name":"c","version":1,"columns":[{"name":"id","type":"int64"}]}],
       "rules":[{"name":"r","output":"o","contract":"c","ops":[{"op":"scan","dataset":"t"}]}]}
      """;

  /** Row {@code id}: nulls in runs and singly; repeated values (dictionary) and distinct ones. */
  private static List<Object> expected(long id) {
    boolean nulls = id % 7 == 3 || (id / 50) % 4 == 1;
    return row(
        id,
        nulls ? null : id % 13 == 0 ? Long.MIN_VALUE + id : id * 1_000_003L - 5,
        nulls ? null : id % 11 == 0 ? -0.0 : (id % 17) / 4.0,
        nulls || id % 5 == 0 ? null : id < 1_500 ? "name-" + (id % 40) : "distinct-ü-" + id,
        nulls ? null : (long) (int) (id * 7 - 3_000),
        "t" + (id % 3));
  }

  private static void write(Path file, int rows, boolean v2, boolean dictionary)
      throws IOException {
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(new Configuration(false))
            .withType(SCHEMA)
            .withWriterVersion(
                v2
                    ? ParquetProperties.WriterVersion.PARQUET_2_0
                    : ParquetProperties.WriterVersion.PARQUET_1_0)
            .withDictionaryEncoding(dictionary)
            .withDictionaryPageSize(2_048)
            .withPageSize(512)
            .withPageRowCountLimit(300)
            .withRowGroupSize(64_000L)
            .build()) {
      SimpleGroupFactory factory = new SimpleGroupFactory(SCHEMA);
      for (long id = 0; id < rows; id++) {
        List<Object> values = expected(id);
        Group g = factory.newGroup().append("id", id);
        if (values.get(1) != null) {
          g.append("big", (long) values.get(1))
              .append("score", (double) values.get(2))
              .append("small", (int) (long) (Long) values.get(4));
        }
        if (values.get(3) != null) {
          g.append("name", (String) values.get(3));
        }
        g.append("tag", (String) values.get(5));
        writer.write(g);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"false, true", "false, false", "true, true", "true, false"})
  void pagesDecodeToTheWrittenRows(boolean v2, boolean dictionary, @TempDir Path base)
      throws IOException {
    int rows = 3_000;
    Files.createDirectories(base.resolve("t"));
    Path file = base.resolve("t/part-0.parquet");
    write(file, rows, v2, dictionary);
    List<List<Object>> expected = new ArrayList<>();
    for (long id = 0; id < rows; id++) {
      expected.add(expected(id));
    }
    ValidatedBundle bundle = Fixture.validate(BUNDLE, Map.of());
    try (ReferenceLane lane = new ReferenceLane();
        ParquetDatasetSource source = new ParquetDatasetSource(base, lane.allocator(), 97)) {
      List<VectorSchemaRoot> batches = source.batches(bundle.bundle().dataset("t").orElseThrow());
      assertThat(new Relation(bundle.plans().get(0).schema(), batches).rows())
          .containsExactlyElementsOf(expected);
    }
  }

  @Test
  void version1FilesTakeThePageDecoderForEveryColumn(@TempDir Path base) throws IOException {
    Path file = base.resolve("v1.parquet");
    write(file, 3_000, false, true);
    try (ParquetFileReader reader =
            ParquetFileReader.open(
                HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(file.toUri()), new Configuration(false)));
        RootAllocator allocator = new RootAllocator()) {
      assertThat(reader.getRowGroups()).hasSizeGreaterThan(1);
      RelspecTypesRoot root = new RelspecTypesRoot(allocator);
      for (ColumnDescriptor column : SCHEMA.getColumns()) {
        assertThat(ParquetColumnReader.supports(column, reader, root.vector(column)))
            .as(column.toString())
            .isTrue();
      }
      root.close();
    }
  }

  @Test
  void theHybridDecoderReadsRunsAndBitPackedGroups() {
    // RLE run of 5 x 3 (bit width 3), then one bit-packed group of 8 values 0..7
    byte[] bytes = {
      (byte) (5 << 1), 3, (byte) ((1 << 1) | 1), (byte) 0b10001000, (byte) 0b11000110, (byte) 0xFA
    };
    int[] out = new int[13];
    ParquetColumnReader.hybrid(bytes, 0, bytes.length, 3, out, 13);
    assertThat(out).containsExactly(3, 3, 3, 3, 3, 0, 1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void wideBitPackedIdsDecodeWithBytesAfterTheRunAndAtTheArraysEnd() {
    // 3 groups of 8 values of 17 bits (dictionary ids of a large dictionary), packed little-endian
    int bitWidth = 17;
    int[] values = new int[24];
    java.util.Random random = new java.util.Random(17);
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextInt(1 << bitWidth);
    }
    byte[] packed = new byte[values.length * bitWidth / 8];
    for (int i = 0; i < values.length; i++) {
      for (int b = 0; b < bitWidth; b++) {
        if ((values[i] >>> b & 1) != 0) {
          int bit = i * bitWidth + b;
          packed[bit >>> 3] |= (byte) (1 << (bit & 7));
        }
      }
    }
    for (int padding : new int[] {0, 16}) {
      byte[] bytes = new byte[1 + packed.length + padding];
      bytes[0] = (byte) ((3 << 1) | 1);
      System.arraycopy(packed, 0, bytes, 1, packed.length);
      int[] out = new int[24];
      ParquetColumnReader.hybrid(bytes, 0, 1 + packed.length, bitWidth, out, 24);
      assertThat(out).as("padding %d", padding).containsExactly(values);
      // fewer values asked for than the run holds
      int[] some = new int[5];
      ParquetColumnReader.hybrid(bytes, 0, 1 + packed.length, bitWidth, some, 5);
      assertThat(some).containsExactly(java.util.Arrays.copyOf(values, 5));
    }
  }

  @Test
  void aBitPackedRunCutShortIsADamagedFile() {
    // a header for 2 groups of 8 values of 3 bits (6 bytes), with 2 bytes of them present
    byte[] bytes = {(byte) ((2 << 1) | 1), (byte) 0b10001000, (byte) 0b11000110, 0, 0, 0, 0, 0};
    assertThatThrownBy(() -> ParquetColumnReader.hybrid(bytes, 0, 3, 3, new int[16], 16))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Cannot read a Parquet column: its levels or dictionary ids end early. The file is"
                + " damaged; rewrite it");
  }

  /** One vector of each type of {@link #SCHEMA}'s columns. */
  private static final class RelspecTypesRoot {
    private final VectorSchemaRoot root;

    RelspecTypesRoot(RootAllocator allocator) {
      root =
          VectorSchemaRoot.create(
              Fixture.validate(BUNDLE, Map.of()).plans().get(0).schema().toArrow(), allocator);
    }

    org.apache.arrow.vector.FieldVector vector(ColumnDescriptor column) {
      return root.getVector(column.getPath()[0]);
    }

    void close() {
      root.close();
    }
  }
}
