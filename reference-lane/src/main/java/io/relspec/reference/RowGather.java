package io.relspec.reference;

import io.relspec.ir.plan.RelSchema;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Builds new batches out of rows picked from a sequence of batches (a sort's, a dedupe's or a
 * contract's output), column by column. A column of 8- or 4-byte values or of strings or binary is
 * first read whole into Java arrays in one sequential pass over its vectors, then the picked rows
 * are taken from those arrays and written into each target vector in bulk: rows picked in a random
 * order (a sort) then cost a read or two from one array each, not a walk through batch, vector and
 * buffer objects with bounds checks. Other columns (booleans, small integers, decimals, lists,
 * structs) copy value by value. Large gathers fill their columns on two threads.
 */
final class RowGather {
  private RowGather() {}

  /** Below this many rows, columns are filled on the calling thread only. */
  private static final int PARALLEL_MIN_ROWS = 1 << 16;

  /** Where one output column's values come from. */
  sealed interface Column permits Picked, Computed {}

  /**
   * Values picked from {@code parts}: the column's vector in every input batch, in order; input row
   * {@code i} is row {@code i} of their concatenation. Every part has the target's Arrow type.
   */
  record Picked(List<? extends ValueVector> parts) implements Column {}

  /** Values computed per output row (canonical {@link Values}, null for null). */
  record Computed(IntFunction<Object> valueAt) implements Column {}

  /**
   * The input rows {@code rows} (in that order) in batches of at most {@code batchSize}, column
   * {@code c} from {@code columns.apply(c)}; the heap arrays a column is read into are added to
   * {@code heap} first.
   */
  static Relation gather(
      RelSchema schema,
      BufferAllocator allocator,
      int batchSize,
      int[] rows,
      IntFunction<Column> columns,
      MemoryBudget.Reservation heap) {
    List<VectorSchemaRoot> batches = new ArrayList<>();
    try {
      for (int from = 0; from < rows.length; from += batchSize) {
        batches.add(VectorSchemaRoot.create(schema.toArrow(), allocator));
      }
      int width = schema.fields().size();
      IntStream columnIndexes = IntStream.range(0, width);
      if (rows.length >= PARALLEL_MIN_ROWS && width > 1 && KernelThreads.parallel()) {
        // columns are independent: each thread fills its own columns' vectors
        columnIndexes = columnIndexes.parallel();
      }
      columnIndexes.forEach(c -> fill(c, columns.apply(c), batches, batchSize, rows, heap));
      for (int b = 0; b < batches.size(); b++) {
        batches.get(b).setRowCount(Math.min(batchSize, rows.length - b * batchSize));
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

  /** Fills column {@code c} of every output batch. */
  private static void fill(
      int c,
      Column column,
      List<VectorSchemaRoot> batches,
      int batchSize,
      int[] rows,
      MemoryBudget.Reservation heap) {
    Image image =
        column instanceof Picked picked
            ? Image.of(batches.isEmpty() ? null : batches.get(0).getVector(c), picked.parts(), heap)
            : null;
    for (int b = 0; b < batches.size(); b++) {
      FieldVector target = batches.get(b).getVector(c);
      int from = b * batchSize;
      int count = Math.min(batchSize, rows.length - from);
      if (image != null) {
        image.write(target, rows, from, count);
      } else if (column instanceof Computed computed) {
        target.setInitialCapacity(count);
        target.allocateNew();
        for (int j = 0; j < count; j++) {
          Values.write(target, j, computed.valueAt().apply(from + j));
        }
      } else {
        copyEach(target, ((Picked) column).parts(), rows, from, count);
      }
      target.setValueCount(count);
    }
  }

  /** Value by value: the fallback for vectors no {@link Image} holds. */
  private static void copyEach(
      FieldVector target, List<? extends ValueVector> parts, int[] rows, int from, int count) {
    int[] starts = new int[parts.size() + 1];
    for (int p = 0; p < parts.size(); p++) {
      starts[p + 1] = starts[p] + parts.get(p).getValueCount();
    }
    target.setInitialCapacity(count);
    target.allocateNew();
    for (int j = 0; j < count; j++) {
      int i = rows[from + j];
      int p = RowIndex.batchOf(starts, i);
      target.copyFromSafe(i - starts[p], j, parts.get(p));
    }
  }

  /** One column of every input row in Java arrays, read in one pass over its vectors. */
  private abstract static class Image {
    /** Per input row whether it is null; null when no row is. */
    final boolean[] nulls;

    Image(boolean[] nulls) {
      this.nulls = nulls;
    }

    /**
     * An image of {@code parts}, or null when a value-by-value copy must do: the target is not a
     * vector of 8- or 4-byte values, strings or binary, or a part is not of its class.
     */
    static Image of(
        FieldVector target, List<? extends ValueVector> parts, MemoryBudget.Reservation heap) {
      if (target == null) {
        return null;
      }
      for (ValueVector part : parts) {
        if (part.getClass() != target.getClass()) {
          return null;
        }
      }
      long rows = 0;
      for (ValueVector part : parts) {
        rows += part.getValueCount();
      }
      if (target instanceof BaseFixedWidthVector fixed
          && (fixed.getTypeWidth() == 8 || fixed.getTypeWidth() == 4)) {
        reserve(heap, rows * (1 + fixed.getTypeWidth()));
        boolean[] nulls = nulls(parts, (int) rows);
        return fixed.getTypeWidth() == 8
            ? new Longs(parts, (int) rows, nulls)
            : new Ints(parts, (int) rows, nulls);
      }
      if (target instanceof VarCharVector || target instanceof VarBinaryVector) {
        long bytes = 0;
        for (ValueVector part : parts) {
          BaseVariableWidthVector variable = (BaseVariableWidthVector) part;
          int count = variable.getValueCount();
          bytes += count == 0 ? 0 : variable.getOffsetBuffer().getInt((long) count * 4);
        }
        if (bytes > Integer.MAX_VALUE - 16) {
          return null;
        }
        reserve(heap, rows * 5 + bytes);
        return new Strings(parts, (int) rows, (int) bytes, nulls(parts, (int) rows));
      }
      return null;
    }

    /** Columns are read on two threads: one reserves at a time. */
    private static void reserve(MemoryBudget.Reservation heap, long bytes) {
      synchronized (heap) {
        heap.addNow(bytes);
      }
    }

    private static boolean[] nulls(List<? extends ValueVector> parts, int rows) {
      boolean[] nulls = new boolean[rows];
      boolean any = false;
      int offset = 0;
      for (ValueVector part : parts) {
        any |= ArrowBulk.readNulls(part, part.getValueCount(), nulls, offset);
        offset += part.getValueCount();
      }
      return any ? nulls : null;
    }

    boolean isNull(int i) {
      return nulls != null && nulls[i];
    }

    /** Allocates {@code target} and writes rows {@code rows[from, from + count)} into it. */
    abstract void write(FieldVector target, int[] rows, int from, int count);

    /** The validity of the picked rows, null when none of them is null. */
    boolean[] pickedNulls(int[] rows, int from, int count) {
      if (nulls == null) {
        return null;
      }
      boolean[] out = new boolean[count];
      for (int j = 0; j < count; j++) {
        out[j] = nulls[rows[from + j]];
      }
      return out;
    }
  }

  private static final class Longs extends Image {
    private final long[] values;

    Longs(List<? extends ValueVector> parts, int rows, boolean[] nulls) {
      super(nulls);
      values = new long[rows];
      int offset = 0;
      for (ValueVector part : parts) {
        int count = part.getValueCount();
        if (count > 0) {
          part.getDataBuffer()
              .nioBuffer(0, count * 8)
              .order(ByteOrder.LITTLE_ENDIAN)
              .asLongBuffer()
              .get(values, offset, count);
        }
        offset += count;
      }
    }

    @Override
    void write(FieldVector target, int[] rows, int from, int count) {
      ((BaseFixedWidthVector) target).allocateNew(count);
      long[] picked = new long[count];
      for (int j = 0; j < count; j++) {
        picked[j] = values[rows[from + j]];
      }
      if (count > 0) {
        target
            .getDataBuffer()
            .nioBuffer(0, count * 8)
            .order(ByteOrder.LITTLE_ENDIAN)
            .asLongBuffer()
            .put(picked, 0, count);
      }
      ArrowBulk.writeValidity(target, pickedNulls(rows, from, count), count);
    }
  }

  private static final class Ints extends Image {
    private final int[] values;

    Ints(List<? extends ValueVector> parts, int rows, boolean[] nulls) {
      super(nulls);
      values = new int[rows];
      int offset = 0;
      for (ValueVector part : parts) {
        int count = part.getValueCount();
        if (count > 0) {
          part.getDataBuffer()
              .nioBuffer(0, count * 4)
              .order(ByteOrder.LITTLE_ENDIAN)
              .asIntBuffer()
              .get(values, offset, count);
        }
        offset += count;
      }
    }

    @Override
    void write(FieldVector target, int[] rows, int from, int count) {
      ((BaseFixedWidthVector) target).allocateNew(count);
      int[] picked = new int[count];
      for (int j = 0; j < count; j++) {
        picked[j] = values[rows[from + j]];
      }
      if (count > 0) {
        target
            .getDataBuffer()
            .nioBuffer(0, count * 4)
            .order(ByteOrder.LITTLE_ENDIAN)
            .asIntBuffer()
            .put(picked, 0, count);
      }
      ArrowBulk.writeValidity(target, pickedNulls(rows, from, count), count);
    }
  }

  /** Strings or binary: every value's bytes in one array, row {@code i} at {@code starts[i]}. */
  private static final class Strings extends Image {
    private final byte[] bytes;
    private final int[] starts;

    Strings(List<? extends ValueVector> parts, int rows, int total, boolean[] nulls) {
      super(nulls);
      bytes = new byte[total];
      starts = new int[rows + 1];
      int row = 0;
      int base = 0;
      for (ValueVector part : parts) {
        BaseVariableWidthVector variable = (BaseVariableWidthVector) part;
        int count = variable.getValueCount();
        if (count == 0) {
          continue;
        }
        int[] offsets = ArrowBulk.offsets(variable, count);
        int length = offsets[count] - offsets[0];
        variable.getDataBuffer().getBytes(offsets[0], bytes, base, length);
        for (int r = 0; r < count; r++) {
          starts[row + r] = base + offsets[r] - offsets[0];
        }
        row += count;
        base += length;
        starts[row] = base;
      }
    }

    @Override
    void write(FieldVector target, int[] rows, int from, int count) {
      BaseVariableWidthVector variable = (BaseVariableWidthVector) target;
      int[] offsets = new int[count + 1];
      for (int j = 0; j < count; j++) {
        int i = rows[from + j];
        int length = isNull(i) ? 0 : starts[i + 1] - starts[i];
        offsets[j + 1] = offsets[j] + length;
      }
      byte[] data = new byte[offsets[count]];
      for (int j = 0; j < count; j++) {
        int i = rows[from + j];
        System.arraycopy(bytes, starts[i], data, offsets[j], offsets[j + 1] - offsets[j]);
      }
      variable.allocateNew(Math.max(1, data.length), count);
      variable.getDataBuffer().setBytes(0, data, 0, data.length);
      variable
          .getOffsetBuffer()
          .nioBuffer(0, (count + 1) * 4)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asIntBuffer()
          .put(offsets, 0, count + 1);
      ArrowBulk.writeValidity(target, pickedNulls(rows, from, count), count);
      variable.setLastSet(count - 1);
    }
  }
}
