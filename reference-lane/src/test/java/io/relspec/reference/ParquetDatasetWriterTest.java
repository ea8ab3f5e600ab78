package io.relspec.reference;

import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.expr.Bytes;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.StructType;
import io.relspec.ir.validate.ValidatedBundle;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Arrow batches written as Parquet read back equal, by this lane and by Spark. */
class ParquetDatasetWriterTest {
  private static final String COLUMNS =
      """
      {"name":"id","type":"int64","nullable":false},{"name":"i8","type":"int8"},
      {"name":"i16","type":"int16"},{"name":"i32","type":"int32"},{"name":"f32","type":"float32"},
      {"name":"f64","type":"float64"},{"name":"flag","type":"boolean"},{"name":"s","type":"string"},
      {"name":"bin","type":"binary"},{"name":"d9","type":"decimal(9,2)"},
      {"name":"d18","type":"decimal(18,3)"},{"name":"d30","type":"decimal(30,4)"},
      {"name":"day","type":"date32"},{"name":"ts","type":"timestamp_us"},
      {"name":"ints","type":"list<int64>"},{"name":"names","type":"list<string>"}
      """;

  private static final String BUNDLE =
      """
      {"relspec":1,"name":"w","datasets":[{"name":"t","format":"parquet","location":"t","schema":[
      """
          + COLUMNS
          + """
      ]}],
       "contracts":[{"name":"c","version":1,"columns":[{"name":"id","type":"int64"}]}],
       "rules":[{"name":"r","output":"o","contract":"c","ops":[{"op":"scan","dataset":"t"}]}]}
      """;

  private static final long TS =
      java.time.temporal.ChronoUnit.MICROS.between(
          Instant.EPOCH, Instant.parse("2024-03-01T12:34:56.123456Z"));

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("ParquetDatasetWriterTest")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static List<List<Object>> rows() {
    return List.of(
        row(
            1L,
            -128L,
            32767L,
            Long.valueOf(Integer.MIN_VALUE),
            1.5d,
            -0.25d,
            true,
            "héllo \uD83D\uDE00",
            Bytes.copyOf(new byte[] {0, 1, (byte) 0xFF}),
            new BigDecimal("-1234567.89"),
            new BigDecimal("123456789012345.678"),
            new BigDecimal("-12345678901234567890123456.7890"),
            (int) LocalDate.of(1969, 12, 31).toEpochDay(),
            TS,
            Arrays.asList(1L, null, -3L),
            List.of("a", "")),
        row(
            2L, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null),
        row(
            3L,
            127L,
            -32768L,
            Long.valueOf(Integer.MAX_VALUE),
            Double.NaN,
            Double.NEGATIVE_INFINITY,
            false,
            "",
            Bytes.copyOf(new byte[0]),
            new BigDecimal("0.01"),
            new BigDecimal("-0.001"),
            new BigDecimal("99999999999999999999999999.9999"),
            (int) LocalDate.of(2100, 2, 28).toEpochDay(),
            -1L,
            List.of(),
            Arrays.asList((String) null)));
  }

  private static Relation relation(RelSchema schema, List<List<Object>> rows, BufferAllocator a) {
    // two rows per batch, so the writer sees more than one batch
    try (BatchBuilder out = new BatchBuilder(schema, a, 2)) {
      for (List<Object> row : rows) {
        out.startRow();
        for (int c = 0; c < row.size(); c++) {
          out.set(c, row.get(c));
        }
        out.endRow();
      }
      return out.finish();
    }
  }

  private static ParquetMetadata footer(Path dir) throws IOException {
    Path file;
    try (Stream<Path> files = Files.list(dir)) {
      file = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration(false)))) {
      return reader.getFooter();
    }
  }

  @Test
  void writtenBatchesReadBackEqualWithSchemaAndMetadata(@TempDir Path base) throws IOException {
    ValidatedBundle bundle = Fixture.validate(BUNDLE, Map.of());
    DatasetSpec spec = bundle.bundle().dataset("t").orElseThrow();
    RelSchema schema = new RelSchema(spec.schema());
    try (BufferAllocator allocator = new RootAllocator()) {
      try (Relation written = relation(schema, rows(), allocator)) {
        long count =
            ParquetDatasetWriter.write(
                base.resolve("t"),
                schema,
                written.batches(),
                Map.of("relspec.plan.signature", "abc123"));
        assertThat(count).isEqualTo(3);
        try (ParquetDatasetSource source = new ParquetDatasetSource(base, allocator, 1024)) {
          Relation read = new Relation(schema, source.batches(spec));
          assertThat(read.rows()).containsExactlyElementsOf(written.rows());
        }
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
    ParquetMetadata footer = footer(base.resolve("t"));
    assertThat(footer.getFileMetaData().getKeyValueMetaData())
        .containsEntry("relspec.plan.signature", "abc123");
    assertThat(
            footer
                .getFileMetaData()
                .getSchema()
                .getType("id")
                .isRepetition(org.apache.parquet.schema.Type.Repetition.REQUIRED))
        .isTrue();
    assertThat(
            footer
                .getFileMetaData()
                .getSchema()
                .getType("s")
                .isRepetition(org.apache.parquet.schema.Type.Repetition.OPTIONAL))
        .isTrue();
  }

  @Test
  void theParquetSchemaIsTheOneSparkWritesForTheSameColumns(@TempDir Path base) throws IOException {
    RelSchema schema =
        new RelSchema(
            List.of(
                Field.notNull("id", PrimitiveType.INT64),
                Field.nullable("i8", PrimitiveType.INT8),
                Field.nullable("i16", PrimitiveType.INT16),
                Field.nullable("i32", PrimitiveType.INT32),
                Field.nullable("f32", PrimitiveType.FLOAT32),
                Field.nullable("f64", PrimitiveType.FLOAT64),
                Field.notNull("flag", PrimitiveType.BOOLEAN),
                Field.nullable("s", PrimitiveType.STRING),
                Field.nullable("bin", PrimitiveType.BINARY),
                Field.nullable("d9", new io.relspec.ir.type.DecimalType(9, 2)),
                Field.nullable("d18", new io.relspec.ir.type.DecimalType(18, 3)),
                Field.nullable("d30", new io.relspec.ir.type.DecimalType(30, 4)),
                Field.nullable("day", PrimitiveType.DATE32),
                Field.nullable("ts", PrimitiveType.TIMESTAMP_US),
                Field.nullable("ints", new io.relspec.ir.type.ListType(PrimitiveType.INT64)),
                Field.nullable(
                    "st",
                    new StructType(
                        List.of(
                            new StructType.StructField("a", PrimitiveType.INT32),
                            new StructType.StructField("b", PrimitiveType.STRING))))));
    List<Object> ours =
        row(
            7L,
            -1L,
            2L,
            3L,
            0.5d,
            2.25d,
            true,
            "x",
            Bytes.copyOf("yz".getBytes(StandardCharsets.UTF_8)),
            new BigDecimal("1.25"),
            new BigDecimal("-2.500"),
            new BigDecimal("3.0001"),
            (int) LocalDate.of(2024, 2, 29).toEpochDay(),
            TS,
            Arrays.asList(4L, null),
            Arrays.asList(5L, null));
    List<Object> nulls = new ArrayList<>(Arrays.asList(new Object[ours.size()]));
    nulls.set(0, 8L);
    nulls.set(6, false);
    try (BufferAllocator allocator = new RootAllocator();
        Relation written = relation(schema, List.of(ours, nulls), allocator)) {
      ParquetDatasetWriter.write(base.resolve("ours"), schema, written.batches(), Map.of());
    }

    org.apache.spark.sql.types.StructType sparkSchema =
        new org.apache.spark.sql.types.StructType(
            new StructField[] {
              DataTypes.createStructField("id", DataTypes.LongType, false),
              DataTypes.createStructField("i8", DataTypes.ByteType, true),
              DataTypes.createStructField("i16", DataTypes.ShortType, true),
              DataTypes.createStructField("i32", DataTypes.IntegerType, true),
              DataTypes.createStructField("f32", DataTypes.FloatType, true),
              DataTypes.createStructField("f64", DataTypes.DoubleType, true),
              DataTypes.createStructField("flag", DataTypes.BooleanType, false),
              DataTypes.createStructField("s", DataTypes.StringType, true),
              DataTypes.createStructField("bin", DataTypes.BinaryType, true),
              DataTypes.createStructField("d9", DataTypes.createDecimalType(9, 2), true),
              DataTypes.createStructField("d18", DataTypes.createDecimalType(18, 3), true),
              DataTypes.createStructField("d30", DataTypes.createDecimalType(30, 4), true),
              DataTypes.createStructField("day", DataTypes.DateType, true),
              DataTypes.createStructField("ts", DataTypes.TimestampType, true),
              DataTypes.createStructField(
                  "ints", DataTypes.createArrayType(DataTypes.LongType, true), true),
              DataTypes.createStructField(
                  "st",
                  DataTypes.createStructType(
                      new StructField[] {
                        DataTypes.createStructField("a", DataTypes.IntegerType, true),
                        DataTypes.createStructField("b", DataTypes.StringType, true)
                      }),
                  true)
            });
    Row expected =
        RowFactory.create(
            7L,
            (byte) -1,
            (short) 2,
            3,
            0.5f,
            2.25d,
            true,
            "x",
            "yz".getBytes(StandardCharsets.UTF_8),
            new BigDecimal("1.25"),
            new BigDecimal("-2.500"),
            new BigDecimal("3.0001"),
            Date.valueOf(LocalDate.of(2024, 2, 29)),
            Timestamp.from(Instant.parse("2024-03-01T12:34:56.123456Z")),
            Arrays.asList(4L, null),
            RowFactory.create(5, null));
    Row expectedNulls =
        RowFactory.create(
            8L, null, null, null, null, null, false, null, null, null, null, null, null, null, null,
            null);
    spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    spark
        .createDataFrame(List.of(expected, expectedNulls), sparkSchema)
        .coalesce(1)
        .write()
        .mode(SaveMode.ErrorIfExists)
        .parquet(base.resolve("spark").toString());

    // the same Parquet types, repetitions and names as Spark's own writer
    assertThat(footer(base.resolve("ours")).getFileMetaData().getSchema())
        .isEqualTo(footer(base.resolve("spark")).getFileMetaData().getSchema());

    // and Spark reads our file into the same schema and values as its own
    Dataset<Row> theirs = spark.read().parquet(base.resolve("spark").toString());
    Dataset<Row> read = spark.read().parquet(base.resolve("ours").toString());
    assertThat(read.schema()).isEqualTo(theirs.schema());
    assertThat(read.count()).isEqualTo(2);
    assertThat(read.exceptAll(theirs).count()).isZero();
    assertThat(theirs.exceptAll(read).count()).isZero();
  }

  @Test
  void anExistingTargetIsNotOverwritten(@TempDir Path base) throws IOException {
    RelSchema schema = new RelSchema(List.of(Field.notNull("id", PrimitiveType.INT64)));
    Files.createDirectories(base.resolve("t"));
    Files.writeString(base.resolve("t/keep.txt"), "old");
    try (BufferAllocator allocator = new RootAllocator();
        Relation written = relation(schema, List.of(row(1L)), allocator)) {
      assertThatThrownBy(
              () ->
                  ParquetDatasetWriter.write(
                      base.resolve("t"), schema, written.batches(), Map.of()))
          .isInstanceOf(RelspecException.class)
          .hasMessageContaining("it already exists")
          .extracting(e -> ((RelspecException) e).code())
          .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }
    try (Stream<Path> files = Files.list(base.resolve("t"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep.txt");
    }
  }
}
