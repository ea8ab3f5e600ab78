package io.relspec.reference;

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
        BaseIntVector[] typed = new BaseIntVector[vectors.length];
        for (int b = 0; b < vectors.length; b++) {
          typed[b] = (BaseIntVector) vectors[b];
        }
        columns[k] = new Integers(typed);
      } else if (strings) {
        VarCharVector[] typed = new VarCharVector[vectors.length];
        for (int b = 0; b < vectors.length; b++) {
          typed[b] = (VarCharVector) vectors[b];
        }
        columns[k] = new Strings(typed);
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
      hash = 31 * hash + column.hash(batch, at);
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
      if (!column.same(batchA, atA, batchB, atB)) {
        return false;
      }
    }
    return true;
  }

  private sealed interface Column permits Integers, Strings {
    int hash(int batch, int row);

    boolean same(int batchA, int rowA, int batchB, int rowB);
  }

  private record Integers(BaseIntVector[] vectors) implements Column {
    @Override
    public int hash(int batch, int row) {
      BaseIntVector vector = vectors[batch];
      if (vector.isNull(row)) {
        return 0;
      }
      long value = vector.getValueAsLong(row) * 0x9E3779B97F4A7C15L;
      return (int) (value ^ (value >>> 32));
    }

    @Override
    public boolean same(int batchA, int rowA, int batchB, int rowB) {
      BaseIntVector a = vectors[batchA];
      BaseIntVector b = vectors[batchB];
      boolean nullA = a.isNull(rowA);
      if (nullA || b.isNull(rowB)) {
        return nullA && b.isNull(rowB);
      }
      return a.getValueAsLong(rowA) == b.getValueAsLong(rowB);
    }
  }

  private record Strings(VarCharVector[] vectors) implements Column {
    @Override
    public int hash(int batch, int row) {
      VarCharVector vector = vectors[batch];
      if (vector.isNull(row)) {
        return 0;
      }
      return ByteFunctionHelpers.hash(
          vector.getDataBuffer(), vector.getStartOffset(row), vector.getEndOffset(row));
    }

    @Override
    public boolean same(int batchA, int rowA, int batchB, int rowB) {
      VarCharVector a = vectors[batchA];
      VarCharVector b = vectors[batchB];
      boolean nullA = a.isNull(rowA);
      if (nullA || b.isNull(rowB)) {
        return nullA && b.isNull(rowB);
      }
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
