package io.relspec.reference;

import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.ValueVector;

/**
 * Whole-buffer copies between Arrow vectors and Java arrays: one bounds check per buffer instead of
 * one per value (interval_align reads and writes millions of values).
 */
final class ArrowBulk {
  private ArrowBulk() {}

  /** Copies the {@code rows} values of {@code vector} to {@code out[offset..]}. */
  static void readLongs(BigIntVector vector, int rows, long[] out, int offset) {
    if (rows > 0) {
      vector
          .getDataBuffer()
          .nioBuffer(0, rows * Long.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asLongBuffer()
          .get(out, offset, rows);
    }
  }

  /** Copies the {@code rows} values of {@code vector} to {@code out[offset..]}. */
  static void readDoubles(Float8Vector vector, int rows, double[] out, int offset) {
    if (rows > 0) {
      vector
          .getDataBuffer()
          .nioBuffer(0, rows * Double.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asDoubleBuffer()
          .get(out, offset, rows);
    }
  }

  /** The {@code rows + 1} offsets of a variable-width vector. */
  static int[] offsets(BaseVariableWidthVector vector, int rows) {
    int[] out = new int[rows + 1];
    if (rows > 0) {
      vector
          .getOffsetBuffer()
          .nioBuffer(0, (rows + 1) * Integer.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asIntBuffer()
          .get(out, 0, rows + 1);
    }
    return out;
  }

  /** The value bytes of a variable-width vector, up to {@code end}. */
  static byte[] bytes(BaseVariableWidthVector vector, int end) {
    byte[] out = new byte[end];
    if (end > 0) {
      vector.getDataBuffer().getBytes(0, out, 0, end);
    }
    return out;
  }

  /**
   * Sets {@code nulls[offset + i]} for each null of the first {@code rows} values (others are left
   * as they are); false when the vector has no null.
   */
  static boolean readNulls(ValueVector vector, int rows, boolean[] nulls, int offset) {
    if (rows == 0 || vector.getNullCount() == 0) {
      return false;
    }
    byte[] bits = new byte[(rows + 7) / 8];
    vector.getValidityBuffer().getBytes(0, bits, 0, bits.length);
    for (int b = 0; b < bits.length; b++) {
      if (bits[b] == (byte) 0xFF) {
        continue;
      }
      for (int i = b * 8; i < Math.min(rows, b * 8 + 8); i++) {
        if ((bits[b] & (1 << (i & 7))) == 0) {
          nulls[offset + i] = true;
        }
      }
    }
    return true;
  }

  /**
   * Writes {@code count} values and their validity ({@code nulls} may be null: none) into an
   * allocated fixed-width vector of 8-byte values and sets its value count.
   */
  static void writeLongs(BigIntVector target, long[] values, boolean[] nulls, int count) {
    if (count > 0) {
      target
          .getDataBuffer()
          .nioBuffer(0, count * Long.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asLongBuffer()
          .put(values, 0, count);
      writeValidity(target, nulls, count);
    }
    target.setValueCount(count);
  }

  /** As {@link #writeLongs} for doubles. */
  static void writeDoubles(Float8Vector target, double[] values, boolean[] nulls, int count) {
    if (count > 0) {
      target
          .getDataBuffer()
          .nioBuffer(0, count * Double.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asDoubleBuffer()
          .put(values, 0, count);
      writeValidity(target, nulls, count);
    }
    target.setValueCount(count);
  }

  /** The validity bits of {@code count} values: all set, or cleared where {@code nulls} says. */
  static void writeValidity(FieldVector target, boolean[] nulls, int count) {
    byte[] bits = new byte[(count + 7) / 8];
    for (int i = 0; i < count; i++) {
      if (nulls == null || !nulls[i]) {
        bits[i >> 3] |= (byte) (1 << (i & 7));
      }
    }
    ArrowBuf validity = target.getValidityBuffer();
    validity.setBytes(0, bits, 0, bits.length);
  }
}
