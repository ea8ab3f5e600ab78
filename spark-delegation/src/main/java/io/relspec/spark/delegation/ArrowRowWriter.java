package io.relspec.spark.delegation;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.Types;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Spark rows into an Arrow batch for the columns a delegated segment mostly carries (int64,
 * timestamp, int32, date, float64, bool, string), with the vectors allocated for a whole batch up
 * front and a string's bytes copied straight from the row into the vector's data buffer. Spark's
 * {@code ArrowWriter} (used for any other column type) grows each vector as it goes and copies a
 * string through a {@code ByteBuffer} view, byte-by-byte for a row's slice: measured in the CPG
 * bundle's delegated tasks, that was about half of turning their input rows into batches.
 */
final class ArrowRowWriter {
  private final Column[] columns;

  private ArrowRowWriter(Column[] columns) {
    this.columns = columns;
  }

  /** A writer for batches of this schema, or empty when a column's type is not covered. */
  static Optional<ArrowRowWriter> of(Schema schema) {
    List<Field> fields = schema.getFields();
    Column[] columns = new Column[fields.size()];
    for (int c = 0; c < columns.length; c++) {
      switch (Types.getMinorTypeForArrowType(fields.get(c).getType())) {
        case BIGINT ->
            columns[c] =
                (row, ordinal, to, index) -> ((BigIntVector) to).set(index, row.getLong(ordinal));
        case TIMESTAMPMICROTZ ->
            columns[c] =
                (row, ordinal, to, index) ->
                    ((TimeStampMicroTZVector) to).set(index, row.getLong(ordinal));
        case INT, DATEDAY -> columns[c] = Column.INTS;
        case FLOAT8 ->
            columns[c] =
                (row, ordinal, to, index) -> ((Float8Vector) to).set(index, row.getDouble(ordinal));
        case BIT ->
            columns[c] =
                (row, ordinal, to, index) ->
                    ((BitVector) to).set(index, row.getBoolean(ordinal) ? 1 : 0);
        case VARCHAR -> columns[c] = Column.STRINGS;
        default -> {
          return Optional.empty();
        }
      }
    }
    return Optional.of(new ArrowRowWriter(columns));
  }

  /**
   * Writes up to {@code max} rows into {@code root} (new, of the schema this writer was made for,
   * not yet allocated) and sets its row count.
   *
   * @return how many rows were written
   */
  int write(Iterator<InternalRow> rows, VectorSchemaRoot root, int max) {
    List<FieldVector> vectors = root.getFieldVectors();
    FieldVector[] to = vectors.toArray(FieldVector[]::new);
    for (FieldVector vector : to) {
      vector.setInitialCapacity(max);
      vector.allocateNew();
    }
    int count = 0;
    while (count < max && rows.hasNext()) {
      InternalRow row = rows.next();
      for (int c = 0; c < columns.length; c++) {
        if (row.isNullAt(c)) {
          if (to[c] instanceof VarCharVector strings) {
            // an empty value: its end offset is its start
            strings.getOffsetBuffer().setInt(4L * (count + 1), strings.getStartOffset(count));
          }
          // the validity bit stays 0 (allocateNew zeroes it)
        } else {
          columns[c].write(row, c, to[c], count);
        }
      }
      count++;
    }
    for (FieldVector vector : to) {
      if (vector instanceof VarCharVector strings) {
        strings.setLastSet(count - 1);
      }
    }
    root.setRowCount(count);
    return count;
  }

  /** One column's non-null value of a row into its vector at {@code index}. */
  private interface Column {
    void write(InternalRow row, int ordinal, FieldVector to, int index);

    Column INTS =
        (row, ordinal, to, index) -> {
          if (to instanceof IntVector ints) {
            ints.set(index, row.getInt(ordinal));
          } else {
            ((DateDayVector) to).set(index, row.getInt(ordinal));
          }
        };

    Column STRINGS =
        (row, ordinal, to, index) -> {
          VarCharVector vector = (VarCharVector) to;
          UTF8String value = row.getUTF8String(ordinal);
          int bytes = value.numBytes();
          int start = vector.getStartOffset(index);
          long end = (long) start + bytes;
          while (vector.getDataBuffer().capacity() < end) {
            vector.reallocDataBuffer();
          }
          ArrowBuf data = vector.getDataBuffer();
          Platform.copyMemory(
              value.getBaseObject(),
              value.getBaseOffset(),
              null,
              data.memoryAddress() + start,
              bytes);
          vector.getOffsetBuffer().setInt(4L * (index + 1), (int) end);
          BitVectorHelper.setBit(vector.getValidityBuffer(), index);
        };
  }
}
