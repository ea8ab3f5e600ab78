package io.relspec.reference;

import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Every row of a relation addressed by one int: its batch and its index in the batch. */
final class RowIndex {
  final Relation relation;
  final int[] batch;
  final int[] row;
  final int size;

  private RowIndex(Relation relation, int[] batch, int[] row) {
    this.relation = relation;
    this.batch = batch;
    this.row = row;
    this.size = row.length;
  }

  static RowIndex of(Relation relation) {
    long count = relation.rowCount();
    if (count > Integer.MAX_VALUE - 8) {
      throw LaneErrors.tooManyRows(count);
    }
    int[] batch = new int[(int) count];
    int[] row = new int[(int) count];
    int i = 0;
    List<VectorSchemaRoot> batches = relation.batches();
    for (int b = 0; b < batches.size(); b++) {
      for (int r = 0; r < batches.get(b).getRowCount(); r++) {
        batch[i] = b;
        row[i] = r;
        i++;
      }
    }
    return new RowIndex(relation, batch, row);
  }

  FieldVector vector(int column, int i) {
    return relation.batches().get(batch[i]).getVector(column);
  }

  Object value(int column, int i) {
    return Values.read(vector(column, i), row[i]);
  }

  /** The values of one column for every row. */
  Object[] column(int column) {
    Object[] values = new Object[size];
    for (int i = 0; i < size; i++) {
      values[i] = value(column, i);
    }
    return values;
  }

  /** Row {@code i} as a {@link Row}. */
  Row asRow(int i) {
    VectorSchemaRoot root = relation.batches().get(batch[i]);
    int r = row[i];
    return column -> Values.read(root.getVector(column), r);
  }

  /**
   * The batch holding row {@code i} of a relation whose batch {@code b} starts at row {@code
   * offsets[b]} ({@code offsets} has one more entry, the row count): the last b with {@code
   * offsets[b] <= i}, so empty batches (which start where the next one does) are passed over.
   */
  static int batchOf(int[] offsets, int i) {
    int lo = 0;
    int hi = offsets.length - 2;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (offsets[mid] <= i) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
