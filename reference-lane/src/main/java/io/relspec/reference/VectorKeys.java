package io.relspec.reference;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.util.ByteFunctionHelpers;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Dedupe keys read in place from their Arrow vectors, with no value object per row: integer columns
 * (int8 to int64) as longs, strings as their UTF-8 bytes. Two rows have the same key exactly when
 * the values are equal ({@link Values#key} leaves values of these types as they are); nulls equal
 * nulls. Other key types go through {@link FirstPerKey}'s value objects.
 *
 * <p>Measured inside the CPG bundle's delegated Spark tasks (dedupe by path, bstart, bend), the
 * value objects (a String per path, a Long per offset) and their hashing were most of the dedupe's
 * time.
 */
final class VectorKeys implements FirstPerKey.Keys {
  private final RowIndex index;
  private final Column[] columns;

  private VectorKeys(RowIndex index, Column[] columns) {
    this.index = index;
    this.columns = columns;
  }

  /**
   * The keys of the rows of {@code index} in these columns, or empty when a column's vectors are
   * not all of one supported kind.
   */
  static Optional<FirstPerKey.Keys> of(RowIndex index, int[] keyColumns) {
    List<VectorSchemaRoot> batches = index.relation.batches();
    Column[] columns = new Column[keyColumns.length];
    for (int k = 0; k < keyColumns.length; k++) {
      FieldVector[] vectors = new FieldVector[batches.size()];
      boolean integers = true;
      boolean strings = true;
      for (int b = 0; b < vectors.length; b++) {
        vectors[b] = batches.get(b).getVector(keyColumns[k]);
        integers &= vectors[b] instanceof BaseIntVector;
        strings &= vectors[b] instanceof VarCharVector;
      }
      if (integers) {
        columns[k] = new Integers(Arrays.copyOf(vectors, vectors.length, BaseIntVector[].class));
      } else if (strings) {
        columns[k] = new Strings(Arrays.copyOf(vectors, vectors.length, VarCharVector[].class));
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(new VectorKeys(index, columns));
  }

  @Override
  public int hash(int row) {
    int batch = index.batch[row];
    int at = index.row[row];
    int hash = 1;
    for (Column column : columns) {
      hash = 31 * hash + (column.isNull(batch, at) ? 0 : column.hash(batch, at));
    }
    return hash;
  }

  @Override
  public boolean same(int a, int b) {
    int batchA = index.batch[a];
    int atA = index.row[a];
    int batchB = index.batch[b];
    int atB = index.row[b];
    for (Column column : columns) {
      boolean nullA = column.isNull(batchA, atA);
      boolean nullB = column.isNull(batchB, atB);
      if (nullA != nullB || (!nullA && !column.same(batchA, atA, batchB, atB))) {
        return false;
      }
    }
    return true;
  }

  /** One key column's vectors, by batch; {@link #hash} and {@link #same} read non-null values. */
  private sealed interface Column permits Integers, Strings {
    boolean isNull(int batch, int row);

    int hash(int batch, int row);

    boolean same(int batchA, int rowA, int batchB, int rowB);
  }

  private record Integers(BaseIntVector[] vectors) implements Column {
    @Override
    public boolean isNull(int batch, int row) {
      return vectors[batch].isNull(row);
    }

    @Override
    public int hash(int batch, int row) {
      long value = vectors[batch].getValueAsLong(row) * 0x9E3779B97F4A7C15L;
      return (int) (value ^ (value >>> 32));
    }

    @Override
    public boolean same(int batchA, int rowA, int batchB, int rowB) {
      return vectors[batchA].getValueAsLong(rowA) == vectors[batchB].getValueAsLong(rowB);
    }
  }

  private record Strings(VarCharVector[] vectors) implements Column {
    @Override
    public boolean isNull(int batch, int row) {
      return vectors[batch].isNull(row);
    }

    @Override
    public int hash(int batch, int row) {
      VarCharVector vector = vectors[batch];
      return ByteFunctionHelpers.hash(
          vector.getDataBuffer(), vector.getStartOffset(row), vector.getEndOffset(row));
    }

    @Override
    public boolean same(int batchA, int rowA, int batchB, int rowB) {
      VarCharVector a = vectors[batchA];
      VarCharVector b = vectors[batchB];
      return ByteFunctionHelpers.equal(
              a.getDataBuffer(),
              a.getStartOffset(rowA),
              a.getEndOffset(rowA),
              b.getDataBuffer(),
              b.getStartOffset(rowB),
              b.getEndOffset(rowB))
          == 1;
    }
  }
}
