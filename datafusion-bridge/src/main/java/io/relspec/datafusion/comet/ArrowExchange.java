package io.relspec.datafusion.comet;

import io.relspec.datafusion.DataFusionErrors;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;
import org.apache.comet.RelspecBatchIterator;

/**
 * Moves batches between relspec's Arrow Java (12.0.1) and the native engine through the Arrow C
 * Data Interface, one column per struct and never row by row. Comet's shaded Arrow 18.3 is not
 * involved: inputs are exported by Arrow 12 straight into the structs the native scan allocated,
 * outputs are imported by Arrow 12 from structs this class allocates. Both directions are
 * zero-copy; the native side releases what it was given, and the caller closes what it gets.
 */
final class ArrowExchange {
  private ArrowExchange() {}

  /** The batches of one registered dataset, offered to one native scan. */
  static final class BatchSource implements RelspecBatchIterator.Source {
    private final BufferAllocator allocator;
    private final List<VectorSchemaRoot> batches;
    private int next;
    private long exportedRows;

    BatchSource(BufferAllocator allocator, List<VectorSchemaRoot> batches) {
      this.allocator = allocator;
      this.batches = batches;
    }

    @Override
    public int peekRows() {
      return next < batches.size() ? batches.get(next).getRowCount() : -1;
    }

    @Override
    public int exportNext(long[] arrayAddrs, long[] schemaAddrs) {
      if (next >= batches.size()) {
        return -1;
      }
      VectorSchemaRoot batch = batches.get(next++);
      List<FieldVector> vectors = batch.getFieldVectors();
      for (int i = 0; i < vectors.size(); i++) {
        // The export retains the vector's buffers until the native side calls release.
        Data.exportVector(
            allocator,
            vectors.get(i),
            null,
            ArrowArray.wrap(arrayAddrs[i]),
            ArrowSchema.wrap(schemaAddrs[i]));
      }
      exportedRows += batch.getRowCount();
      return batch.getRowCount();
    }

    long exportedRows() {
      return exportedRows;
    }
  }

  /** C Data structs for one output batch, allocated here and filled by the native side. */
  static final class OutputStructs implements AutoCloseable {
    private final ArrowArray[] arrays;
    private final ArrowSchema[] schemas;
    private final boolean[] consumed;

    OutputStructs(BufferAllocator allocator, int columns) {
      arrays = new ArrowArray[columns];
      schemas = new ArrowSchema[columns];
      consumed = new boolean[columns];
      for (int i = 0; i < columns; i++) {
        // allocateNew does not clear the struct: zero it so that an unfilled struct has no
        // release callback (a stale one crashes the JVM when released).
        arrays[i] = ArrowArray.allocateNew(allocator);
        arrays[i].save(new ArrowArray.Snapshot());
        schemas[i] = ArrowSchema.allocateNew(allocator);
        schemas[i].save(new ArrowSchema.Snapshot());
      }
    }

    long[] arrayAddresses() {
      long[] addresses = new long[arrays.length];
      for (int i = 0; i < arrays.length; i++) {
        addresses[i] = arrays[i].memoryAddress();
      }
      return addresses;
    }

    long[] schemaAddresses() {
      long[] addresses = new long[schemas.length];
      for (int i = 0; i < schemas.length; i++) {
        addresses[i] = schemas[i].memoryAddress();
      }
      return addresses;
    }

    /**
     * Imports the filled structs as one batch with the expected (relspec) schema: names from {@code
     * expected}, buffers from the native side.
     */
    VectorSchemaRoot importBatch(
        BufferAllocator allocator, Schema expected, int rows, String engine) {
      List<FieldVector> vectors = new ArrayList<>();
      try {
        for (int i = 0; i < arrays.length; i++) {
          // The import moves the native buffers into the vector and frees both structs.
          consumed[i] = true;
          FieldVector imported = importColumn(allocator, i);
          if (expected == null) {
            vectors.add(imported);
            continue;
          }
          Field field = expected.getFields().get(i);
          if (!imported.getField().getType().equals(field.getType())) {
            String found = imported.getField().getType().toString();
            imported.close();
            throw DataFusionErrors.unexpectedOutput(
                engine, i, field.getName(), field.getType().toString(), found);
          }
          FieldVector target = field.createVector(allocator);
          TransferPair transfer = imported.makeTransferPair(target);
          transfer.transfer();
          imported.close();
          vectors.add(target);
        }
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
      if (expected == null) {
        return new VectorSchemaRoot(vectors);
      }
      return new VectorSchemaRoot(expected.getFields(), vectors, rows);
    }

    /**
     * Imports one column. Arrow Java 12 sizes an imported string or binary column's data as {@code
     * offsets[n] - offsets[0]} but reads it at {@code offsets[i]}, so a column whose first offset
     * is not 0 (DataFusion slices strings that way, e.g. after a limit with offset) would read past
     * its data. Such a column is copied into a rebased vector instead (a bulk copy of its data, and
     * its offsets rebased in Java; no JNI call per row).
     */
    private FieldVector importColumn(BufferAllocator allocator, int i) {
      ArrowArray.Snapshot array = arrays[i].snapshot();
      ArrowSchema.Snapshot schema = schemas[i].snapshot();
      byte format = MemoryUtil.UNSAFE.getByte(schema.format);
      boolean variableWidth =
          (format == 'u' || format == 'z')
              && MemoryUtil.UNSAFE.getByte(schema.format + 1) == 0
              && array.length > 0;
      if (!variableWidth) {
        return Data.importVector(allocator, arrays[i], schemas[i], null);
      }
      long validity = MemoryUtil.UNSAFE.getLong(array.buffers);
      long offsets = MemoryUtil.UNSAFE.getLong(array.buffers + 8);
      long data = MemoryUtil.UNSAFE.getLong(array.buffers + 16);
      int rows = (int) array.length;
      int first = MemoryUtil.UNSAFE.getInt(offsets + array.offset * 4);
      if (first == 0 && array.offset == 0) {
        return Data.importVector(allocator, arrays[i], schemas[i], null);
      }
      int last = MemoryUtil.UNSAFE.getInt(offsets + (array.offset + rows) * 4);
      Field field = Data.importField(allocator, schemas[i], null);
      BaseVariableWidthVector vector = (BaseVariableWidthVector) field.createVector(allocator);
      try {
        vector.allocateNew(Math.max(1, last - first), rows);
        MemoryUtil.UNSAFE.copyMemory(
            data + first, vector.getDataBuffer().memoryAddress(), (long) last - first);
        for (int row = 0; row <= rows; row++) {
          int offset = MemoryUtil.UNSAFE.getInt(offsets + (array.offset + row) * 4L);
          vector.getOffsetBuffer().setInt(row * 4L, offset - first);
        }
        for (int row = 0; row < rows; row++) {
          long bit = array.offset + row;
          boolean valid =
              validity == 0
                  || (MemoryUtil.UNSAFE.getByte(validity + (bit >> 3)) & (1 << (bit & 7))) != 0;
          BitVectorHelper.setValidityBit(vector.getValidityBuffer(), row, valid ? 1 : 0);
        }
        vector.setLastSet(rows - 1);
        vector.setValueCount(rows);
      } catch (RuntimeException e) {
        vector.close();
        throw e;
      } finally {
        arrays[i].release();
        arrays[i].close();
      }
      return vector;
    }

    @Override
    public void close() {
      for (int i = 0; i < arrays.length; i++) {
        if (!consumed[i]) {
          // Release what the native side filled; structs it did not fill have no callback.
          if (arrays[i].snapshot().release != 0) {
            arrays[i].release();
          }
          arrays[i].close();
          if (schemas[i].snapshot().release != 0) {
            schemas[i].release();
          }
          schemas[i].close();
        }
      }
    }
  }
}
