package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.expr.Bytes;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * {@link RowGather} against reading the picked rows value by value: every column type, nulls, rows
 * picked out of order and more than once across several source batches, computed values mixed in,
 * output batches cut at the batch size; and no buffer left behind when a value cannot be gathered.
 */
class RowGatherTest {
  private static final List<DataType> TYPES =
      List.of(
          PrimitiveType.BOOLEAN,
          PrimitiveType.INT8,
          PrimitiveType.INT16,
          PrimitiveType.INT32,
          PrimitiveType.INT64,
          PrimitiveType.FLOAT32,
          PrimitiveType.FLOAT64,
          PrimitiveType.STRING,
          PrimitiveType.BINARY,
          PrimitiveType.DATE32,
          PrimitiveType.TIMESTAMP_US,
          new DecimalType(12, 2),
          new ListType(PrimitiveType.INT64));

  @Test
  void gathersEveryTypeAsReadValueByValue() {
    Random random = new Random(11);
    List<Field> fields = new ArrayList<>();
    for (int c = 0; c < TYPES.size(); c++) {
      fields.add(Field.nullable("c" + c, TYPES.get(c)));
    }
    RelSchema schema = new RelSchema(fields);
    try (RootAllocator allocator = new RootAllocator()) {
      Relation source;
      try (BatchBuilder in = new BatchBuilder(schema, allocator, 37)) {
        for (int r = 0; r < 200; r++) {
          in.startRow();
          for (int c = 0; c < TYPES.size(); c++) {
            in.set(c, random.nextInt(5) == 0 ? null : value(TYPES.get(c), random));
          }
          in.endRow();
        }
        source = in.finish();
      }
      try (source) {
        RowIndex index = RowIndex.of(source);
        int rows = 500;
        int[] picked = new int[rows];
        Object[][] computed = new Object[TYPES.size()][rows];
        for (int j = 0; j < rows; j++) {
          picked[j] = random.nextInt(index.size);
          for (int c = 0; c < TYPES.size(); c++) {
            computed[c][j] = random.nextInt(5) == 0 ? null : value(TYPES.get(c), random);
          }
        }
        // every third column computed, the others picked from the source batches, with an empty
        // vector between the first two batches
        List<List<FieldVector>> parts = new ArrayList<>();
        List<FieldVector> empties = new ArrayList<>();
        for (int c = 0; c < TYPES.size(); c++) {
          List<FieldVector> column = new ArrayList<>();
          for (VectorSchemaRoot batch : source.batches()) {
            column.add(batch.getVector(c));
            if (column.size() == 1) {
              FieldVector empty = schema.toArrow().getFields().get(c).createVector(allocator);
              empty.allocateNew();
              empty.setValueCount(0);
              empties.add(empty);
              column.add(empty);
            }
          }
          parts.add(column);
        }
        IntFunction<RowGather.Column> columns =
            c ->
                c % 3 == 0
                    ? new RowGather.Computed(j -> computed[c][j])
                    : new RowGather.Picked(parts.get(c));
        try (MemoryBudget.Reservation heap =
                new MemoryBudget(allocator, Long.MAX_VALUE).reserve("r", "gather");
            Relation out = RowGather.gather(schema, allocator, 64, picked, columns, heap)) {
          assertThat(out.batches()).hasSize(8);
          assertThat(out.batches().get(7).getRowCount()).isEqualTo(rows - 7 * 64);
          List<List<Object>> expected = new ArrayList<>();
          for (int j = 0; j < rows; j++) {
            List<Object> row = new ArrayList<>();
            for (int c = 0; c < TYPES.size(); c++) {
              row.add(c % 3 == 0 ? computed[c][j] : index.value(c, picked[j]));
            }
            expected.add(row);
          }
          assertThat(out.rows()).containsExactlyElementsOf(expected);
          for (var batch : out.batches()) {
            for (var vector : batch.getFieldVectors()) {
              assertThat(vector.getValueCount()).isEqualTo(batch.getRowCount());
            }
          }
          // the fixed-width and string columns went through the arrays, the rest value by value
          assertThat(heap.held()).isGreaterThan(rows);
          assertThat(
                  RowGather.gather(schema, allocator, 64, new int[0], columns, heap)
                      .batches()
                      .isEmpty())
              .isTrue();
        } finally {
          empties.forEach(FieldVector::close);
        }
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aValueOfTheWrongKindFailsAndReleasesTheBatchesBuilt() {
    RelSchema schema = new RelSchema(List.of(Field.nullable("s", PrimitiveType.STRING)));
    try (RootAllocator allocator = new RootAllocator();
        MemoryBudget.Reservation heap =
            new MemoryBudget(allocator, Long.MAX_VALUE).reserve("r", "gather")) {
      // a valid string in the first batch, a long in the second
      RowGather.Column wrong = new RowGather.Computed(j -> j < 4 ? "ok" : (Object) 7L);
      assertThatThrownBy(() -> RowGather.gather(schema, allocator, 4, new int[8], c -> wrong, heap))
          .isInstanceOf(ClassCastException.class);
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  private static Object value(DataType type, Random random) {
    if (type instanceof DecimalType) {
      return BigDecimal.valueOf(random.nextInt(100_000) - 50_000, 2);
    }
    if (type instanceof ListType) {
      return random.nextBoolean() ? List.of() : List.of((long) random.nextInt(9), 1L);
    }
    switch ((PrimitiveType) type) {
      case BOOLEAN:
        return random.nextBoolean();
      case INT8:
        return (long) (random.nextInt(256) - 128);
      case INT16:
        return (long) (random.nextInt(65536) - 32768);
      case INT32:
        return (long) random.nextInt();
      case INT64:
      case TIMESTAMP_US:
        return random.nextLong();
      case FLOAT32:
        return (double) random.nextFloat();
      case FLOAT64:
        return random.nextGaussian();
      case STRING:
        return random.nextBoolean() ? "" : "s\u00e9\uD83D\uDE00" + random.nextInt(1000);
      case BINARY:
        return Bytes.copyOf(new byte[] {(byte) random.nextInt(), 0, (byte) random.nextInt()});
      case DATE32:
        return random.nextInt(40_000);
      default:
        throw new AssertionError(type);
    }
  }
}
