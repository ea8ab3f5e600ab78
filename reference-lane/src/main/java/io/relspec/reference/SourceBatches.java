package io.relspec.reference;

import io.relspec.ir.plan.RelSchema;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.VectorSchemaRoot;

/** A scannable input: its declared schema and its batches (borrowed, never closed by the lane). */
public record SourceBatches(RelSchema schema, List<VectorSchemaRoot> batches) {
  public SourceBatches {
    Objects.requireNonNull(schema, "schema");
    batches = List.copyOf(batches);
  }
}
