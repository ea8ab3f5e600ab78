package io.relspec.reference;

import io.relspec.ir.plan.RelSchema;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A scannable input: its declared schema and its batches, either held in memory (borrowed, never
 * closed by the lane) or read on demand as a {@link BatchStream}. {@link #open()} reads batch by
 * batch; {@link #batches()} holds every batch (a streamed source materializes them once, and keeps
 * them until its owner closes it).
 */
public final class SourceBatches {
  private final RelSchema schema;
  private final List<VectorSchemaRoot> held;
  private final Supplier<BatchStream> stream;
  private final Supplier<List<VectorSchemaRoot>> all;

  /** An input whose batches are already in memory. */
  public SourceBatches(RelSchema schema, List<VectorSchemaRoot> batches) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.held = List.copyOf(batches);
    this.stream = null;
    this.all = null;
  }

  private SourceBatches(
      RelSchema schema, Supplier<BatchStream> stream, Supplier<List<VectorSchemaRoot>> all) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.held = null;
    this.stream = Objects.requireNonNull(stream, "stream");
    this.all = Objects.requireNonNull(all, "all");
  }

  /**
   * An input read on demand: {@code stream} opens a new pass over its batches, {@code all} holds
   * every batch (for callers that need them at once; its owner closes them).
   */
  public static SourceBatches streamed(
      RelSchema schema, Supplier<BatchStream> stream, Supplier<List<VectorSchemaRoot>> all) {
    return new SourceBatches(schema, stream, all);
  }

  public RelSchema schema() {
    return schema;
  }

  /** Every batch, in order (borrowed: copy what you keep, never close them). */
  public List<VectorSchemaRoot> batches() {
    return held != null ? held : all.get();
  }

  /** A new pass over the batches, one at a time; the caller closes it. */
  public BatchStream open() {
    return held != null ? BatchStream.of(held) : stream.get();
  }
}
