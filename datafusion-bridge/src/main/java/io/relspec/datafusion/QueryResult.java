package io.relspec.datafusion;

import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The rows a plan produced, as Arrow batches owned by the caller's allocator. Close it to free
 * them.
 *
 * @param schema the output schema (relspec names and types)
 * @param batches the output batches in output order
 * @param report which ops ran natively
 */
public record QueryResult(Schema schema, List<VectorSchemaRoot> batches, PlanReport report)
    implements AutoCloseable {
  public QueryResult {
    batches = List.copyOf(batches);
  }

  public long rowCount() {
    long rows = 0;
    for (VectorSchemaRoot batch : batches) {
      rows += batch.getRowCount();
    }
    return rows;
  }

  @Override
  public void close() {
    for (VectorSchemaRoot batch : batches) {
      batch.close();
    }
  }
}
