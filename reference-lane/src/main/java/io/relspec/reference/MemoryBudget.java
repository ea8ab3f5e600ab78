package io.relspec.reference;

import io.relspec.ir.expr.Bytes;
import java.math.BigDecimal;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The memory limit applied to what the Arrow allocator does not see: the Java-heap working sets of
 * blocking ops (hash aggregate groups, the join's build index and hash table, sort and dedupe row
 * indexes and key columns, distinct-union row sets). One budget serves a run of rules through one
 * allocator; an op {@link #reserve}s the heap bytes it estimates as its working set grows and
 * releases them when it ends. A reservation fails when the allocator's Arrow buffers plus every
 * open reservation would pass the limit, with {@link LaneErrors#overBudget} naming the rule, the op
 * and the limit, instead of the JVM running out of heap.
 *
 * <p>Estimates are of the objects the reference lane keeps (compressed oops, 16-byte object
 * headers): they bound the order of magnitude, not the exact bytes.
 */
final class MemoryBudget {
  /** Reservations reach the budget in steps of this many bytes (cheap in per-row loops). */
  private static final long STEP = 32 * 1024;

  private final BufferAllocator allocator;
  private final long limit;
  private long reserved;

  MemoryBudget(BufferAllocator allocator, long limit) {
    this.allocator = allocator;
    this.limit = limit;
  }

  long limit() {
    return limit;
  }

  /** Heap bytes reserved by open reservations. */
  long reserved() {
    return reserved;
  }

  /** A new, empty reservation for {@code op} of {@code rule}; close it when the op ends. */
  Reservation reserve(String rule, String op) {
    return new Reservation(rule, op);
  }

  /** The heap bytes one op holds; {@link #close()} gives them back. */
  final class Reservation implements AutoCloseable {
    private final String rule;
    private final String op;
    private long held;
    private long pending;

    private Reservation(String rule, String op) {
      this.rule = rule;
      this.op = op;
    }

    /** Adds {@code bytes} to the op's working set; fails once the budget cannot hold it. */
    void add(long bytes) {
      pending += bytes;
      if (pending >= STEP) {
        commit();
      }
    }

    /** Adds {@code bytes} and checks the budget now (before a large allocation). */
    void addNow(long bytes) {
      pending += bytes;
      commit();
    }

    private void commit() {
      long total = reserved + pending;
      if (limit != Long.MAX_VALUE && allocator.getAllocatedMemory() + total > limit) {
        long needed = held + pending;
        pending = 0;
        throw LaneErrors.overBudget(rule, op, limit, needed);
      }
      reserved = total;
      held += pending;
      pending = 0;
    }

    long held() {
      return held + pending;
    }

    @Override
    public void close() {
      reserved -= held;
      held = 0;
      pending = 0;
    }
  }

  // ------------------------------------------------------------------ estimates

  /** Bytes of a {@link RowIndex} over {@code rows} rows (two int arrays). */
  static long rowIndex(long rows) {
    return 8 * rows + 32;
  }

  /**
   * Bytes a {@link ColumnSort} of {@code rows} rows allocates besides its input columns: the
   * permutation, each key's encoded longs, the sort keys and the primitive sorts' buffers.
   */
  static long columnSort(long rows) {
    return 40 * rows + 64;
  }

  /**
   * Bytes of one column of {@code relation} read as an {@code Object[]} of canonical values (see
   * {@link Values}): a reference and a boxed value per row, plus the column's data bytes twice
   * (strings, decimals and lists as Java objects take about that).
   */
  static long column(Relation relation, int column) {
    long bytes = 16;
    for (VectorSchemaRoot batch : relation.batches()) {
      FieldVector vector = batch.getVector(column);
      bytes += 24L * batch.getRowCount() + 2L * vector.getBufferSize();
    }
    return bytes;
  }

  /** Bytes of one canonical value (see {@link Values}) held on the heap. */
  static long value(Object value) {
    if (value == null || value instanceof Boolean) {
      return 0;
    }
    if (value instanceof String s) {
      return 40 + s.length();
    }
    if (value instanceof BigDecimal) {
      return 64;
    }
    if (value instanceof Bytes b) {
      return 48 + b.length();
    }
    if (value instanceof List<?> list) {
      long bytes = 40;
      for (Object element : list) {
        bytes += 4 + value(element);
      }
      return bytes;
    }
    return 16;
  }

  /** Bytes of a hash map entry whose key is the list {@code key}. */
  static long keyEntry(List<Object> key) {
    return 48 + value(key);
  }
}
