package io.relspec.spark.delegation;

import io.relspec.datafusion.DataFusionEngine;
import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.QueryResult;
import io.relspec.datafusion.comet.CometEngine;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.runtime.RuntimeProfile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Runs one segment of a rule in a Spark task: the partition's rows go into Arrow batches of the
 * profile's batch size (Spark's own {@link ArrowWriter}), the standalone DataFusion engine executes
 * the segment over them (natively, with its per-op reference-lane fallback), and its Arrow output
 * comes back as rows through {@link ColumnarBatch} / {@link ArrowColumnVector} (plain JVM reads of
 * the Arrow buffers, no JNI call per row). Row-local segments run chunk by chunk (at most {@value
 * #CHUNK_BATCHES} batches per native execution); keyed segments (dedupe) see the whole partition at
 * once. A segment starting with interval_align runs over a pair of co-partitioned inputs ({@link
 * #call(Iterator, Iterator)}, from {@code zipPartitions}): the whole left partition and the whole
 * right partition of the same index, registered as {@value Fragment#INPUT} and {@value
 * Fragment#RIGHT}, in one native execution.
 */
final class PartitionRunner
    implements FlatMapFunction<Iterator<InternalRow>, InternalRow>,
        FlatMapFunction2<Iterator<InternalRow>, Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;

  /** Batches per native execution of a row-local segment. */
  static final int CHUNK_BATCHES = 16;

  private final byte[] fragment;
  private final String rule;
  private final String ops;
  private final boolean wholePartition;
  private final DelegationMetrics.Accumulators metrics;

  PartitionRunner(
      byte[] fragment,
      String rule,
      String ops,
      boolean wholePartition,
      DelegationMetrics.Accumulators metrics) {
    this.fragment = fragment;
    this.rule = rule;
    this.ops = ops;
    this.wholePartition = wholePartition;
    this.metrics = metrics;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    return start(rows, null);
  }

  /** A partition of the left side and the right side's partition of the same index. */
  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> left, Iterator<InternalRow> right) {
    return start(left, right);
  }

  /**
   * The function of a segment that reads Parquet files ({@link Fragment#readsFiles}): over an RDD
   * of range indexes, one per partition, it runs the pipeline of each range.
   */
  FlatMapFunction<Iterator<Integer>, InternalRow> overRanges() {
    return ranges -> {
      int range = ranges.next();
      if (ranges.hasNext()) {
        throw new IllegalStateException("one key range per partition, got more");
      }
      return start(java.util.Collections.emptyIterator(), null, range);
    };
  }

  private Iterator<InternalRow> start(Iterator<InternalRow> rows, Iterator<InternalRow> right) {
    return start(rows, right, -1);
  }

  private Iterator<InternalRow> start(
      Iterator<InternalRow> rows, Iterator<InternalRow> right, int range) {
    TaskContext task = TaskContext.get();
    int partition = task == null ? -1 : task.partitionId();
    Rows out = new Rows(Fragment.fromBytes(fragment), rows, right, partition, range);
    if (task != null) {
      task.addTaskCompletionListener(
          (org.apache.spark.util.TaskCompletionListener) done -> out.close());
    }
    return out;
  }

  /** The delegated rows of one partition, computed a chunk at a time as Spark pulls them. */
  private final class Rows implements Iterator<InternalRow>, AutoCloseable {
    private final Fragment plan;
    private final Iterator<InternalRow> input;
    private final Iterator<InternalRow> right;
    private final int partition;
    private final int range;
    private final Schema arrowSchema;
    private final Schema rightSchema;

    /** How the input's (and the right side's) rows go into Arrow, decided once per task. */
    private final Optional<ArrowRowWriter> inputWriter;

    private final Optional<ArrowRowWriter> rightWriter;
    private final BufferAllocator allocator;
    private final DataFusionEngine engine = new CometEngine();
    private QueryResult result;
    private int nextBatch;
    private ColumnarBatch batch;
    private Iterator<InternalRow> batchRows;
    private boolean closed;
    private boolean filesRead;

    Rows(
        Fragment plan,
        Iterator<InternalRow> input,
        Iterator<InternalRow> right,
        int partition,
        int range) {
      this.plan = plan;
      this.input = input;
      this.right = right;
      this.partition = partition;
      this.range = range;
      this.arrowSchema = plan.readsFiles() ? null : plan.input().toArrow();
      this.rightSchema = plan.paired() ? plan.right().toArrow() : null;
      this.inputWriter = arrowSchema == null ? Optional.empty() : ArrowRowWriter.of(arrowSchema);
      this.rightWriter = rightSchema == null ? Optional.empty() : ArrowRowWriter.of(rightSchema);
      // The profile's memoryLimitBytes bounds each native plan's memory pool (the bridge passes
      // it to DataFusion); the Arrow buffers of the task's batches are not limited here.
      this.allocator = new RootAllocator(Long.MAX_VALUE);
    }

    @Override
    public boolean hasNext() {
      while (batchRows == null || !batchRows.hasNext()) {
        if (closed) {
          return false;
        }
        batchRows = null;
        if (result != null && nextBatch < result.batches().size()) {
          VectorSchemaRoot root = result.batches().get(nextBatch++);
          metrics.batchesOut().add(1);
          metrics.rowsOut().add(root.getRowCount());
          batch = columnar(root);
          batchRows = batch.rowIterator();
          continue;
        }
        releaseResult();
        if (plan.readsFiles()) {
          if (filesRead) {
            close();
            return false;
          }
          filesRead = true;
          executeRange();
          continue;
        }
        if (!input.hasNext()) {
          close();
          return false;
        }
        List<VectorSchemaRoot> batches = readChunk(input, arrowSchema, inputWriter);
        if (right == null) {
          execute(batches, List.of());
        } else {
          List<VectorSchemaRoot> rightBatches;
          try {
            rightBatches = readChunk(right, rightSchema, rightWriter);
            if (rightBatches.isEmpty()) {
              // an empty right partition: the left rows still align (how=left: NO_MATCH)
              VectorSchemaRoot empty = VectorSchemaRoot.create(rightSchema, allocator);
              empty.setRowCount(0);
              rightBatches = List.of(empty);
            }
          } catch (RuntimeException e) {
            batches.forEach(VectorSchemaRoot::close);
            throw e;
          }
          execute(batches, rightBatches);
        }
      }
      return true;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      // a view of the Arrow batch, valid until the next call: the RDD's scan (RDDScanExec) turns
      // every row into an UnsafeRow itself, so a copy here would be a second one
      return batchRows.next();
    }

    /** The next rows of an input as Arrow batches (all of them for a keyed segment). */
    private List<VectorSchemaRoot> readChunk(
        Iterator<InternalRow> rows, Schema schema, Optional<ArrowRowWriter> fast) {
      List<VectorSchemaRoot> batches = new ArrayList<>();
      int batchSize = plan.profile().batchSize();
      try {
        while (rows.hasNext() && (wholePartition || batches.size() < CHUNK_BATCHES)) {
          VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
          batches.add(root);
          int n;
          if (fast.isPresent()) {
            n = fast.get().write(rows, root, batchSize);
          } else {
            ArrowWriter writer = ArrowWriter.create(root);
            n = 0;
            while (n < batchSize && rows.hasNext()) {
              writer.write(rows.next());
              n++;
            }
            writer.finish();
          }
          metrics.rowsIn().add(n);
        }
      } catch (RuntimeException e) {
        batches.forEach(VectorSchemaRoot::close);
        throw e;
      }
      metrics.batchesIn().add(batches.size());
      return batches;
    }

    private void execute(List<VectorSchemaRoot> batches, List<VectorSchemaRoot> rightBatches) {
      executeIn(
          plan.profile(),
          session -> {
            session.registerBatches(Fragment.INPUT, arrowSchema, batches);
            if (plan.paired()) {
              session.registerBatches(Fragment.RIGHT, rightSchema, rightBatches);
            }
          },
          plan.pipeline(),
          () -> {
            // The outputs outlive the session and never point into the inputs (the bridge copies
            // an output that still holds an exported input).
            batches.forEach(VectorSchemaRoot::close);
            rightBatches.forEach(VectorSchemaRoot::close);
          });
    }

    /**
     * Runs the pipeline of this task's key range (in one native plan: the fragment's profile has
     * {@code targetPartitions} 1), the engine reading both datasets' Parquet files itself.
     */
    private void executeRange() {
      executeIn(
          plan.profile(),
          session -> {
            for (Map.Entry<String, DatasetSpec> dataset : plan.files().entrySet()) {
              String location = plan.locations().get(dataset.getKey());
              session.registerParquet(
                  dataset.getValue(),
                  Path.of(location),
                  () -> {
                    throw DelegationErrors.notReadNatively(dataset.getKey(), location);
                  });
            }
          },
          plan.ranges().get(range),
          () -> {});
    }

    /**
     * One native execution in a session of its own: {@code register} gives it its datasets, {@code
     * afterwards} runs whatever happened; a failure names the rule, ops and partition.
     */
    private void executeIn(
        RuntimeProfile profile,
        Consumer<EngineSession> register,
        Pipeline pipeline,
        Runnable afterwards) {
      RuntimeException failure = null;
      try (EngineSession session = engine.openSession(profile, allocator)) {
        register.accept(session);
        result = session.execute(pipeline, plan.params());
        nextBatch = 0;
        metrics.executions().add(1);
        if (result.report().fullyNative()) {
          metrics.nativeExecutions().add(1);
        }
      } catch (RelspecException e) {
        failure = DelegationErrors.failed(rule, ops, partition, e);
      } catch (RuntimeException | Error e) {
        failure = DelegationErrors.crashed(rule, ops, partition, e);
      } finally {
        afterwards.run();
      }
      if (failure != null) {
        closeAfterFailure(failure);
        throw failure;
      }
    }

    /** Frees what can be freed; a leak report must not hide the failure itself. */
    private void closeAfterFailure(RuntimeException failure) {
      try {
        close();
      } catch (RuntimeException leak) {
        failure.addSuppressed(leak);
      }
    }

    private ColumnarBatch columnar(VectorSchemaRoot root) {
      List<FieldVector> vectors = root.getFieldVectors();
      ColumnVector[] columns = new ColumnVector[vectors.size()];
      for (int i = 0; i < columns.length; i++) {
        columns[i] = new ArrowColumnVector(vectors.get(i));
      }
      return new ColumnarBatch(columns, root.getRowCount());
    }

    private void releaseResult() {
      batch = null;
      if (result != null) {
        result.close();
        result = null;
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      batchRows = null;
      releaseResult();
      allocator.close();
    }
  }
}
