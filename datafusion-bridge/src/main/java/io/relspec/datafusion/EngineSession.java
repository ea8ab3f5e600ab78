package io.relspec.datafusion;

import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.plan.RelPlan;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Datasets registered by name, and pipelines executed over them. Not thread-safe; one session per
 * thread.
 */
public interface EngineSession extends AutoCloseable {
  /**
   * Registers a dataset held in Arrow batches. The session borrows the batches: they must stay open
   * (and unchanged) until the session is closed; they are exported to the engine zero-copy.
   *
   * @throws io.relspec.ir.error.RelspecException if the name is taken, a batch does not have {@code
   *     schema}, or a column has no relspec type
   */
  void registerBatches(String dataset, Schema schema, List<VectorSchemaRoot> batches);

  /**
   * Registers a declared Parquet dataset whose files the engine may read itself ({@code location}
   * is its directory, {@code DATA/<location>}; the dataset's {@code scan} options apply). Where the
   * engine cannot read them exactly as the JVM reader would (see the implementation), or where a
   * JVM op needs the rows, it takes the batches of {@code jvmBatches} instead: called at most once,
   * lazily; the batches are borrowed as in {@link #registerBatches}. How each scan read its dataset
   * is in the report's notes.
   */
  void registerParquet(
      io.relspec.ir.bundle.DatasetSpec dataset,
      java.nio.file.Path location,
      java.util.function.Supplier<List<VectorSchemaRoot>> jvmBatches);

  /** Which ops of the pipeline run natively; never executes anything. */
  PlanReport explain(Pipeline pipeline, Map<String, Literal> params);

  /**
   * Executes a pipeline (its first op is a scan of a registered dataset) and returns its rows.
   *
   * @throws io.relspec.ir.error.RelspecException {@code UNSUPPORTED} (listing every fallback) when
   *     an op cannot run natively; {@code INSUFFICIENT_RESOURCES} when the memory limit is too
   *     small
   */
  QueryResult execute(Pipeline pipeline, Map<String, Literal> params);

  /** Executes a validated rule's ops with its effective params. */
  default QueryResult execute(RelPlan plan) {
    return execute(new Pipeline(plan.ops()), plan.params());
  }

  /** Which ops of a validated rule run natively. */
  default PlanReport explain(RelPlan plan) {
    return explain(new Pipeline(plan.ops()), plan.params());
  }

  @Override
  void close();
}
