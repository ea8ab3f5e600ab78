package io.relspec.reference;

import io.relspec.ir.plan.RelSchema;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes rows into Arrow batches of at most {@code batchSize} rows: start a row, set or copy each
 * column, end the row. Unset columns of a row are null.
 */
final class BatchBuilder implements AutoCloseable {
  private static final int INITIAL_CAPACITY = 64;
  private final RelSchema schema;
  private final Schema arrow;
  private final BufferAllocator allocator;
  private final int batchSize;
  private final List<VectorSchemaRoot> done = new ArrayList<>();
  private VectorSchemaRoot current;
  private List<FieldVector> vectors;
  private int row;

  BatchBuilder(RelSchema schema, BufferAllocator allocator, int batchSize) {
    this.schema = schema;
    this.arrow = schema.toArrow();
    this.allocator = allocator;
    this.batchSize = batchSize;
  }

  /** Starts a new row; returns nothing, the row is implicit in the next calls. */
  void startRow() {
    if (current == null) {
      current = VectorSchemaRoot.create(arrow, allocator);
      // start small and let the vectors double: a selective filter must not hold a full-size
      // batch per input batch
      for (FieldVector vector : current.getFieldVectors()) {
        vector.setInitialCapacity(Math.min(batchSize, INITIAL_CAPACITY));
      }
      current.allocateNew();
      vectors = current.getFieldVectors();
      row = 0;
    }
  }

  void set(int column, Object value) {
    Values.write(vectors.get(column), row, value);
  }

  /** Copies the value at {@code index} of {@code source} (same Arrow type) into the column. */
  void copy(int column, ValueVector source, int index) {
    vectors.get(column).copyFromSafe(index, row, source);
  }

  void endRow() {
    row++;
    if (row == batchSize) {
      flush();
    }
  }

  private void flush() {
    if (current != null) {
      current.setRowCount(row);
      done.add(current);
      current = null;
    }
  }

  /** The finished rows; the builder hands its batches over to the relation. */
  Relation finish() {
    flush();
    Relation relation = new Relation(schema, done);
    done.clear();
    return relation;
  }

  RelSchema schema() {
    return schema;
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
    for (VectorSchemaRoot batch : done) {
      batch.close();
    }
    done.clear();
  }
}
