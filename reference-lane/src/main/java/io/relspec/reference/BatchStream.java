package io.relspec.reference;

import java.util.Iterator;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The batches of one input, read one at a time. A batch returned by {@link #next()} stays valid
 * until the next call to {@code next()} or {@link #close()}; the stream owns it (the reader never
 * closes it, and copies or slices what it keeps). Closing the stream releases what it still holds
 * (open files, the current batch).
 */
public interface BatchStream extends AutoCloseable {
  /** The next batch, or null when there is none. */
  VectorSchemaRoot next();

  @Override
  void close();

  /** A stream over batches the caller holds: it neither copies nor closes them. */
  static BatchStream of(List<VectorSchemaRoot> batches) {
    Iterator<VectorSchemaRoot> it = List.copyOf(batches).iterator();
    return new BatchStream() {
      @Override
      public VectorSchemaRoot next() {
        return it.hasNext() ? it.next() : null;
      }

      @Override
      public void close() {}
    };
  }
}
