package io.relspec.reference;

import static io.relspec.reference.Fixture.dec;
import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.validate.ValidatedBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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

/**
 * Dataset-level reading: hive-style partition columns, CSV datasets, streaming (a limit reads only
 * the batches it needs), and the formats the lane does not read.
 */
class FileDatasetsTest {
  private static final MessageType IDS =
      MessageTypeParser.parseMessageType(
          "message t { required int64 id; optional binary s (STRING); }");

  private static void write(Path file, long first, int count) throws IOException {
    Files.createDirectories(file.getParent());
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(new Configuration(false))
            .withType(IDS)
            .withRowGroupSize(8 * 1024L)
            .build()) {
      SimpleGroupFactory factory = new SimpleGroupFactory(IDS);
      for (long id = first; id < first + count; id++) {
        writer.write(factory.newGroup().append("id", id).append("s", "s" + id));
      }
    }
  }

  private static String bundle(String dataset, String ops) {
    return """
        {"relspec":1,"name":"b","datasets":[%s],
         "contracts":[{"name":"c","version":1,"columns":[{"name":"id","type":"int64"}]}],
         "rules":[{"name":"r","output":"o","contract":"c","ops":%s}]}
        """
        .formatted(dataset, ops);
  }

  private static final String PARTITIONED =
      """
      {"name":"t","format":"parquet","location":"t",
       "schema":[{"name":"region","type":"string"},{"name":"id","type":"int64","nullable":false},
                 {"name":"day","type":"date32"},{"name":"s","type":"string"}],
       "scan":{"partitionCols":[{"name":"day","type":"date32"},{"name":"region","type":"string"}]}}
      """;

  private static List<List<Object>> scan(Path data, String dataset) {
    ValidatedBundle bundle =
        Fixture.validate(bundle(dataset, "[{\"op\":\"scan\",\"dataset\":\"t\"}]"), Map.of());
    try (ReferenceLane lane = new ReferenceLane();
        ParquetDatasetSource source = new ParquetDatasetSource(data, lane.allocator(), 2);
        Relation out = lane.runPlan(bundle.plans().get(0), bundle, source, Map.of())) {
      List<List<Object>> streamed = out.rows();
      // the same rows when the source reads the dataset whole
      List<VectorSchemaRoot> whole = source.batches(bundle.bundle().dataset("t").orElseThrow());
      assertThat(new Relation(out.schema(), whole).rows()).isEqualTo(streamed);
      return streamed;
    }
  }

  private static int day(String date) {
    return (int) LocalDate.parse(date).toEpochDay();
  }

  @Test
  void partitionColumnsComeFromNameValueDirectoriesInDeclaredTypesAndPlaces(@TempDir Path data)
      throws IOException {
    write(data.resolve("t/region=eu/day=2024-01-02/part-0.parquet"), 1, 3);
    // levels in any order; Hive's default partition is null; values are unescaped
    write(data.resolve("t/day=2024-01-01/region=__HIVE_DEFAULT_PARTITION__/part-0.parquet"), 4, 1);
    write(data.resolve("t/region=a%2Fb/day=2024-01-03/part-0.parquet"), 5, 1);
    // not a data file of the dataset
    Files.writeString(data.resolve("t/region=eu/day=2024-01-02/_SUCCESS"), "");
    assertThat(scan(data, PARTITIONED))
        .containsExactlyInAnyOrder(
            row("eu", 1L, day("2024-01-02"), "s1"),
            row("eu", 2L, day("2024-01-02"), "s2"),
            row("eu", 3L, day("2024-01-02"), "s3"),
            row(null, 4L, day("2024-01-01"), "s4"),
            row("a/b", 5L, day("2024-01-03"), "s5"));
  }

  @Test
  void aPartitionValueThatDoesNotParseNamesDatasetDirectoryAndColumn(@TempDir Path data)
      throws IOException {
    write(data.resolve("t/region=eu/day=2024-01-02/part-0.parquet"), 1, 1);
    write(data.resolve("t/region=us/day=someday/part-0.parquet"), 2, 1);
    assertThatThrownBy(() -> scan(data, PARTITIONED))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("Cannot read dataset 't' from ")
        .hasMessageContaining("region=us/day=someday")
        .hasMessageContaining("partition column 'day' has value 'someday'")
        .hasMessageContaining("date32")
        .extracting(e -> ((RelspecException) e).code())
        .isEqualTo(ErrorCode.INVALID_INPUT);
    String ints = PARTITIONED.replace("date32", "int32");
    assertThatThrownBy(() -> scan(data, ints))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("partition column 'day' has value '2024-01-02'");
  }

  @Test
  void hivesDefaultPartitionInAColumnDeclaredNonNullIsInvalidInput(@TempDir Path data)
      throws IOException {
    write(data.resolve("t/region=__HIVE_DEFAULT_PARTITION__/day=2024-01-02/part-0.parquet"), 1, 1);
    String required =
        PARTITIONED.replace(
            "{\"name\":\"region\",\"type\":\"string\"},",
            "{\"name\":\"region\",\"type\":\"string\",\"nullable\":false},");
    assertThat(required).isNotEqualTo(PARTITIONED);
    assertThatThrownBy(() -> scan(data, required))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("partition column 'region' has value '__HIVE_DEFAULT_PARTITION__'")
        .hasMessageContaining("declared non-null")
        .extracting(e -> ((RelspecException) e).code())
        .isEqualTo(ErrorCode.INVALID_INPUT);
  }

  @Test
  void aDeclaredPartitionColumnWithoutADirectoryIsInvalidInput(@TempDir Path data)
      throws IOException {
    write(data.resolve("t/region=eu/part-0.parquet"), 1, 1);
    assertThatThrownBy(() -> scan(data, PARTITIONED))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("Cannot read dataset 't' from ")
        .hasMessageContaining("partition column 'day' is declared but no directory")
        .hasMessageContaining("[region]")
        .extracting(e -> ((RelspecException) e).code())
        .isEqualTo(ErrorCode.INVALID_INPUT);
  }

  private static final String CSV =
      """
      {"name":"t","format":"csv","location":"t",
       "schema":[{"name":"id","type":"int64","nullable":false},{"name":"name","type":"string"},
                 {"name":"amount","type":"decimal(10,2)"},{"name":"day","type":"date32"},
                 {"name":"flag","type":"boolean"},{"name":"score","type":"float64"},
                 {"name":"small","type":"int16"}]}
      """;

  @Test
  void csvFilesAreReadWithAHeaderByPositionWithEmptyFieldsNull(@TempDir Path data)
      throws IOException {
    Files.createDirectories(data.resolve("t"));
    Files.writeString(
        data.resolve("t/part-0.csv"),
        """
        id,name,amount,day,flag,score,small
        1,alice,12.5,2024-01-02,true,1.5,7
        2,"bob, jr",,2024-01-03,FALSE,NaN,-3

        3,"say \\"hi\\"",7,,,,
        """);
    // header names are not matched (Spark's enforceSchema): position decides
    Files.writeString(data.resolve("t/part-1.csv"), "a,b,c,d,e,f,g\n4,\"\",0.125,,,-Inf,\n");
    Files.writeString(data.resolve("t/notes.txt"), "not a data file");
    assertThat(scan(data, CSV))
        .containsExactly(
            row(1L, "alice", dec("12.50"), day("2024-01-02"), true, 1.5, 7L),
            row(2L, "bob, jr", null, day("2024-01-03"), false, Double.NaN, -3L),
            row(3L, "say \"hi\"", dec("7.00"), null, null, null, null),
            row(4L, null, dec("0.13"), null, null, Double.NEGATIVE_INFINITY, null));
  }

  @Test
  void aCsvFieldThatDoesNotParseOrAMissingFieldIsInvalidInputNamingFileLineAndColumn(
      @TempDir Path data) throws IOException {
    Files.createDirectories(data.resolve("t"));
    Path file = data.resolve("t/part-0.csv");
    Files.writeString(file, "h\n1,a,1,2024-01-01,true,1,1\n2,b,1,2024-01-01,true,1,70000\n");
    assertThatThrownBy(() -> scan(data, CSV))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("Cannot read dataset 't' file " + file)
        .hasMessageContaining("line 3: column 'small' has value '70000'")
        .extracting(e -> ((RelspecException) e).code())
        .isEqualTo(ErrorCode.INVALID_INPUT);
    Files.writeString(file, "h\n1,a,1\n");
    assertThatThrownBy(() -> scan(data, CSV))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("the record has 3 fields but the dataset declares 7");
    Files.writeString(file, "h\n,a,1,2024-01-01,true,1,1\n");
    assertThatThrownBy(() -> scan(data, CSV))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("column 'id' is declared non-null but the field is empty");
  }

  @Test
  void listColumnsInCsvAndDeltaDatasetsAreUnsupported(@TempDir Path data) throws IOException {
    Files.createDirectories(data.resolve("t"));
    Files.writeString(data.resolve("t/part-0.csv"), "h\n");
    assertThatThrownBy(
            () ->
                scan(
                    data,
                    CSV.replace(
                        "{\"name\":\"small\",\"type\":\"int16\"}",
                        "{\"name\":\"small\",\"type\":\"list<int16>\"}")))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("column 'small' is declared list<int16>, which a CSV file cannot")
        .extracting(e -> ((RelspecException) e).code())
        .isEqualTo(ErrorCode.UNSUPPORTED);
    assertThatThrownBy(() -> scan(data, CSV.replace("\"format\":\"csv\"", "\"format\":\"delta\"")))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("format delta is not supported")
        .extracting(e -> ((RelspecException) e).code())
        .isEqualTo(ErrorCode.UNSUPPORTED);
  }

  @Test
  void aLimitAfterAScanOfParquetFilesReadsOnlyTheBatchesItNeeds(@TempDir Path data)
      throws IOException {
    write(data.resolve("t/part-0.parquet"), 0, 5_000);
    write(data.resolve("t/part-1.parquet"), 5_000, 5_000);
    String dataset =
        """
        {"name":"t","format":"parquet","location":"t",
         "ordering":{"kind":"explicit","keys":[{"col":"id"}]},
         "schema":[{"name":"id","type":"int64","nullable":false},{"name":"s","type":"string"}]}
        """;
    ValidatedBundle bundle =
        Fixture.validate(
            bundle(
                dataset,
                "[{\"op\":\"scan\",\"dataset\":\"t\"},{\"op\":\"limit\",\"n\":150,\"offset\":20}]"),
            Map.of());
    AtomicInteger read = new AtomicInteger();
    try (ReferenceLane lane = new ReferenceLane();
        ParquetDatasetSource files = new ParquetDatasetSource(data, lane.allocator(), 100)) {
      DatasetSource counted =
          new DatasetSource() {
            @Override
            public List<VectorSchemaRoot> batches(DatasetSpec spec) {
              throw new AssertionError("the lane reads datasets batch by batch");
            }

            @Override
            public BatchStream open(DatasetSpec spec) {
              BatchStream stream = files.open(spec);
              return new BatchStream() {
                @Override
                public VectorSchemaRoot next() {
                  VectorSchemaRoot batch = stream.next();
                  if (batch != null) {
                    read.incrementAndGet();
                  }
                  return batch;
                }

                @Override
                public void close() {
                  stream.close();
                }
              };
            }
          };
      try (Relation out = lane.runPlan(bundle.plans().get(0), bundle, counted, Map.of())) {
        assertThat(out.rowCount()).isEqualTo(150);
        assertThat(out.rows().get(0)).isEqualTo(row(20L, "s20"));
      }
      // rows 0..169 are in the first two batches of 100
      assertThat(read.get()).isEqualTo(2);
      assertThat(lane.allocator().getAllocatedMemory()).isZero();
    }
  }

  @Test
  void structColumnsAreReadByMemberName(@TempDir Path data) throws IOException {
    MessageType points =
        MessageTypeParser.parseMessageType(
            """
            message t {
              required int64 id;
              optional group point { optional int64 x; optional binary label (STRING); }
            }
            """);
    Path file = data.resolve("t/part-0.parquet");
    Files.createDirectories(file.getParent());
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(new Configuration(false))
            .withType(points)
            .build()) {
      SimpleGroupFactory factory = new SimpleGroupFactory(points);
      Group one = factory.newGroup().append("id", 1L);
      one.addGroup("point").append("x", 10L).append("label", "a");
      writer.write(one);
      writer.write(factory.newGroup().append("id", 2L));
      Group three = factory.newGroup().append("id", 3L);
      three.addGroup("point").append("label", "c");
      writer.write(three);
    }
    String dataset =
        """
        {"name":"t","format":"parquet","location":"t",
         "schema":[{"name":"id","type":"int64"},
                   {"name":"point","type":"struct<x:int64,label:string>"}]}
        """;
    assertThat(scan(data, dataset))
        .containsExactly(row(1L, row(10L, "a")), row(2L, null), row(3L, row(null, "c")));
    // another member type is an input error naming the column
    assertThatThrownBy(() -> scan(data, dataset.replace("x:int64", "x:string")))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("column 'point' is struct<x:int64,label:string> in the file")
        .extracting(e -> ((RelspecException) e).code())
        .isEqualTo(ErrorCode.INVALID_INPUT);
  }
}
