package io.relspec.reference.conformance;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** A case's input rows as Arrow batches, for the lanes that take Arrow (reference, DataFusion). */
public final class ArrowInputs {
  private ArrowInputs() {}

  /**
   * Every dataset of the case's bundle as batches of at most {@code batchRows} rows (one empty
   * batch for a dataset without rows); the caller closes them.
   */
  public static Map<String, List<VectorSchemaRoot>> batches(
      ConformanceCase conformanceCase,
      ValidatedBundle bundle,
      BufferAllocator allocator,
      int batchRows) {
    return batches(conformanceCase::rows, bundle, allocator, batchRows);
  }

  /** As {@link #batches(ConformanceCase, ValidatedBundle, BufferAllocator, int)}, rows by name. */
  public static Map<String, List<VectorSchemaRoot>> batches(
      Function<String, List<List<Object>>> rows,
      ValidatedBundle bundle,
      BufferAllocator allocator,
      int batchRows) {
    Map<String, List<VectorSchemaRoot>> out = new LinkedHashMap<>();
    for (DatasetSpec dataset : bundle.bundle().datasets()) {
      out.put(
          dataset.name(),
          batches(
              new RelSchema(dataset.schema()), rows.apply(dataset.name()), allocator, batchRows));
    }
    return out;
  }

  public static List<VectorSchemaRoot> batches(
      RelSchema schema, List<List<Object>> rows, BufferAllocator allocator, int batchRows) {
    List<VectorSchemaRoot> out = new ArrayList<>();
    int start = 0;
    do {
      VectorSchemaRoot root = VectorSchemaRoot.create(schema.toArrow(), allocator);
      root.allocateNew();
      int end = Math.min(rows.size(), start + batchRows);
      for (int r = start; r < end; r++) {
        for (int c = 0; c < schema.fields().size(); c++) {
          FieldVector vector = root.getVector(c);
          Values.write(vector, r - start, rows.get(r).get(c));
        }
      }
      for (FieldVector vector : root.getFieldVectors()) {
        vector.setValueCount(end - start);
      }
      root.setRowCount(end - start);
      out.add(root);
      start = end;
    } while (start < rows.size());
    return out;
  }

  /** The rows of Arrow batches in the cases' value domain. */
  public static List<List<Object>> rows(List<VectorSchemaRoot> batches) {
    List<List<Object>> rows = new ArrayList<>();
    for (VectorSchemaRoot batch : batches) {
      for (int r = 0; r < batch.getRowCount(); r++) {
        List<Object> row = new ArrayList<>();
        for (FieldVector vector : batch.getFieldVectors()) {
          row.add(Values.read(vector, r));
        }
        rows.add(java.util.Collections.unmodifiableList(row));
      }
    }
    return rows;
  }

  public static void close(Map<String, List<VectorSchemaRoot>> batches) {
    batches.values().forEach(list -> list.forEach(VectorSchemaRoot::close));
  }
}
