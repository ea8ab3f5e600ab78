package io.relspec.reference;

import io.relspec.ir.expr.Bytes;
import io.relspec.ir.plan.RelSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Builds new batches out of rows picked from other batches (a sort's, a dedupe's or a contract's
 * output), column by column: fixed-width values of 1 to 8 bytes and variable-width values (strings,
 * binary) are copied straight between the vectors' buffers, each target vector allocated once at
 * its final size; other vectors (booleans, decimals, lists, structs) copy value by value.
 */
final class RowGather {
  private RowGather() {}

  /** Where one output column's values come from. */
  interface ColumnSource {
    /**
     * The vector holding output row {@code j}'s value (of the target's Arrow type), or null when
     * the value is computed: then {@link #value} gives it.
     */
    ValueVector vector(int j);

    /** The row of output row {@code j}'s value in {@link #vector}. */
    int row(int j);

    /** Output row {@code j}'s value when {@link #vector} is null (a canonical {@link Values}). */
    default Object value(int j) {
      return null;
    }
  }

  /**
   * {@code rows} output rows in batches of at most {@code batchSize}, column {@code c} from {@code
   * columns.apply(c)} with output row numbers counted from the first output row.
   */
  static Relation gather(
      RelSchema schema,
      BufferAllocator allocator,
      int batchSize,
      int rows,
      IntFunction<ColumnSource> columns) {
    List<VectorSchemaRoot> batches = new ArrayList<>();
    try {
      int width = schema.fields().size();
      ColumnSource[] sources = new ColumnSource[width];
      for (int c = 0; c < width; c++) {
        sources[c] = columns.apply(c);
      }
      for (int from = 0; from < rows; from += batchSize) {
        int count = Math.min(batchSize, rows - from);
        VectorSchemaRoot batch = VectorSchemaRoot.create(schema.toArrow(), allocator);
        batches.add(batch);
        for (int c = 0; c < width; c++) {
          column(batch.getVector(c), count, shifted(sources[c], from));
        }
        batch.setRowCount(count);
      }
      return new Relation(schema, batches);
    } catch (RuntimeException | Error e) {
      try {
        AutoCloseables.close(batches);
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static ColumnSource shifted(ColumnSource source, int from) {
    if (from == 0) {
      return source;
    }
    return new ColumnSource() {
      @Override
      public ValueVector vector(int j) {
        return source.vector(from + j);
      }

      @Override
      public int row(int j) {
        return source.row(from + j);
      }

      @Override
      public Object value(int j) {
        return source.value(from + j);
      }
    };
  }

  /** Fills the new vector {@code target} with {@code count} values and sets its value count. */
  static void column(FieldVector target, int count, ColumnSource source) {
    if (target instanceof BaseFixedWidthVector fixed
        && fixed.getTypeWidth() >= 1
        && fixed.getTypeWidth() <= 8
        && Integer.bitCount(fixed.getTypeWidth()) == 1) {
      fixedWidth(fixed, count, source);
    } else if (target instanceof BaseVariableWidthVector variable) {
      variableWidth(variable, count, source);
    } else {
      target.setInitialCapacity(count);
      target.allocateNew();
      for (int j = 0; j < count; j++) {
        ValueVector vector = source.vector(j);
        if (vector == null) {
          Values.write(target, j, source.value(j));
        } else {
          target.copyFromSafe(source.row(j), j, vector);
        }
      }
    }
    target.setValueCount(count);
  }

  private static void fixedWidth(BaseFixedWidthVector target, int count, ColumnSource source) {
    int width = target.getTypeWidth();
    target.allocateNew(count);
    ArrowBuf data = target.getDataBuffer();
    ArrowBuf validity = target.getValidityBuffer();
    for (int j = 0; j < count; j++) {
      ValueVector vector = source.vector(j);
      if (vector == null) {
        Object value = source.value(j);
        if (value != null) {
          Values.write(target, j, value);
        }
        continue;
      }
      int row = source.row(j);
      if (vector.isNull(row)) {
        continue;
      }
      ArrowBuf from = vector.getDataBuffer();
      switch (width) {
        case 8 -> data.setLong((long) j * 8, from.getLong((long) row * 8));
        case 4 -> data.setInt((long) j * 4, from.getInt((long) row * 4));
        case 2 -> data.setShort((long) j * 2, from.getShort((long) row * 2));
        default -> data.setByte(j, from.getByte(row));
      }
      BitVectorHelper.setBit(validity, j);
    }
  }

  private static void variableWidth(
      BaseVariableWidthVector target, int count, ColumnSource source) {
    // first the bytes of every value, so the data buffer is allocated once
    long bytes = 0;
    byte[][] computed = null;
    for (int j = 0; j < count; j++) {
      ValueVector vector = source.vector(j);
      if (vector == null) {
        Object value = source.value(j);
        if (value != null) {
          if (computed == null) {
            computed = new byte[count][];
          }
          computed[j] = encoded(target, value);
          bytes += computed[j].length;
        }
      } else if (!vector.isNull(source.row(j))) {
        bytes += ((BaseVariableWidthVector) vector).getValueLength(source.row(j));
      }
    }
    target.allocateNew(Math.max(1, bytes), count);
    ArrowBuf data = target.getDataBuffer();
    ArrowBuf offsets = target.getOffsetBuffer();
    ArrowBuf validity = target.getValidityBuffer();
    long end = 0;
    offsets.setInt(0, 0);
    for (int j = 0; j < count; j++) {
      ValueVector vector = source.vector(j);
      if (vector == null) {
        if (computed != null && computed[j] != null) {
          data.setBytes(end, computed[j], 0, computed[j].length);
          end += computed[j].length;
          BitVectorHelper.setBit(validity, j);
        }
      } else {
        int row = source.row(j);
        if (!vector.isNull(row)) {
          BaseVariableWidthVector from = (BaseVariableWidthVector) vector;
          long start = from.getStartOffset(row);
          int length = from.getValueLength(row);
          data.setBytes(end, from.getDataBuffer(), start, length);
          end += length;
          BitVectorHelper.setBit(validity, j);
        }
      }
      offsets.setInt((long) (j + 1) * BaseVariableWidthVector.OFFSET_WIDTH, (int) end);
    }
    target.setLastSet(count - 1);
  }

  /** The bytes {@link Values#write} stores for {@code value} in a vector like {@code target}. */
  private static byte[] encoded(BaseVariableWidthVector target, Object value) {
    if (value instanceof String string && target instanceof VarCharVector) {
      return string.getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof Bytes binary && target instanceof VarBinaryVector) {
      return binary.toByteArray();
    }
    throw new IllegalStateException(
        "Cannot gather a " + value.getClass().getSimpleName() + " into " + target.getField());
  }
}
