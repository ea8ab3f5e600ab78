package io.relspec.spark.delegation;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/** {@link ArrowRowWriter} against Spark's own {@link ArrowWriter}, on the same rows. */
class ArrowRowWriterTest {
  private static final RelSchema SCHEMA =
      new RelSchema(
          List.of(
              Field.nullable("l", PrimitiveType.INT64),
              Field.nullable("s", PrimitiveType.STRING),
              Field.nullable("i", PrimitiveType.INT32),
              Field.nullable("d", PrimitiveType.FLOAT64),
              Field.nullable("b", PrimitiveType.BOOLEAN),
              Field.nullable("day", PrimitiveType.DATE32),
              Field.nullable("ts", PrimitiveType.TIMESTAMP_US)));

  private static final StructType SPARK =
      new StructType()
          .add("l", DataTypes.LongType)
          .add("s", DataTypes.StringType)
          .add("i", DataTypes.IntegerType)
          .add("d", DataTypes.DoubleType)
          .add("b", DataTypes.BooleanType)
          .add("day", DataTypes.DateType)
          .add("ts", DataTypes.TimestampType);

  /**
   * Unsafe rows as Spark's shuffle hands them: nulls in every column, empty, multi-byte and long
   * strings (past the data buffer's first allocation), NaN and -0.0.
   */
  private static List<InternalRow> rows(int count) {
    Random random = new Random(42);
    UnsafeProjection unsafe = UnsafeProjection.create(SPARK);
    String[] strings = {"", "a", "päth/ä.py", "x".repeat(5_000), "\u00e9\u4e2d"};
    double[] doubles = {0.0, -0.0, Double.NaN, 1.5, -1e300};
    List<InternalRow> rows = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      Object[] values = {
        random.nextLong(),
        UTF8String.fromString(strings[random.nextInt(strings.length)] + n),
        random.nextInt(),
        doubles[random.nextInt(doubles.length)],
        random.nextBoolean(),
        random.nextInt(40_000) - 20_000,
        random.nextLong() / 1_000
      };
      for (int c = 0; c < values.length; c++) {
        if (random.nextInt(9) == 0) {
          values[c] = null;
        }
      }
      rows.add(unsafe.apply(new GenericInternalRow(values)).copy());
    }
    return rows;
  }

  @Test
  void writesTheBatchesSparksArrowWriterWrites() {
    Schema schema = SCHEMA.toArrow();
    List<InternalRow> rows = rows(2_500);
    try (RootAllocator allocator = new RootAllocator()) {
      Iterator<InternalRow> fast = rows.iterator();
      Iterator<InternalRow> spark = rows.iterator();
      int batches = 0;
      while (fast.hasNext()) {
        try (VectorSchemaRoot ours = VectorSchemaRoot.create(schema, allocator);
            VectorSchemaRoot theirs = VectorSchemaRoot.create(schema, allocator)) {
          int written = ArrowRowWriter.of(schema).orElseThrow().write(fast, ours, 1_000);
          ArrowWriter writer = ArrowWriter.create(theirs);
          for (int n = 0; n < 1_000 && spark.hasNext(); n++) {
            writer.write(spark.next());
          }
          writer.finish();
          assertThat(written).isEqualTo(theirs.getRowCount()).isPositive();
          assertThat(ours.getRowCount()).isEqualTo(written);
          assertThat(ours.contentToTSVString()).isEqualTo(theirs.contentToTSVString());
          assertThat(ours.equals(theirs)).as("vectors equal, nulls included").isTrue();
          batches++;
        }
      }
      assertThat(batches).as("1,000 rows a batch, the last one short").isEqualTo(3);
    }
  }

  @Test
  void leavesOtherTypesToSparksWriter() {
    for (PrimitiveType type :
        List.of(
            PrimitiveType.INT8, PrimitiveType.INT16, PrimitiveType.FLOAT32, PrimitiveType.BINARY)) {
      RelSchema narrow = new RelSchema(List.of(Field.nullable("t", type)));
      assertThat(ArrowRowWriter.of(narrow.toArrow())).as(type.toString()).isEmpty();
    }
  }
}
