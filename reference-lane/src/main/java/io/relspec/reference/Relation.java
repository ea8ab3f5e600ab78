package io.relspec.reference;

import io.relspec.ir.plan.RelSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Rows of one schema held as Arrow batches. A relation owns its batches and releases them on {@link
 * #close()}.
 */
public final class Relation implements AutoCloseable {
  private final RelSchema schema;
  private final List<VectorSchemaRoot> batches;

  public Relation(RelSchema schema, List<VectorSchemaRoot> batches) {
    this.schema = schema;
    this.batches = List.copyOf(batches);
  }

  public RelSchema schema() {
    return schema;
  }

  public List<VectorSchemaRoot> batches() {
    return batches;
  }

  public long rowCount() {
    long rows = 0;
    for (VectorSchemaRoot batch : batches) {
      rows += batch.getRowCount();
    }
    return rows;
  }

  /** Every row as a list of canonical values (see {@link Values}), in batch order. */
  public List<List<Object>> rows() {
    List<List<Object>> rows = new ArrayList<>();
    for (VectorSchemaRoot batch : batches) {
      List<FieldVector> vectors = batch.getFieldVectors();
      for (int r = 0; r < batch.getRowCount(); r++) {
        List<Object> row = new ArrayList<>(vectors.size());
        for (FieldVector vector : vectors) {
          row.add(Values.read(vector, r));
        }
        rows.add(Collections.unmodifiableList(row));
      }
    }
    return rows;
  }

  /** The values of one column, in row order. */
  public List<Object> column(String name) {
    int index = schema.indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException(
          "Cannot read column '" + name + "': the relation has " + schema.names());
    }
    List<Object> values = new ArrayList<>();
    for (VectorSchemaRoot batch : batches) {
      FieldVector vector = batch.getVector(index);
      for (int r = 0; r < batch.getRowCount(); r++) {
        values.add(Values.read(vector, r));
      }
    }
    return values;
  }

  @Override
  public void close() {
    for (VectorSchemaRoot batch : batches) {
      batch.close();
    }
  }
}
