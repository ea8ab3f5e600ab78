package io.relspec.reference.run;

import io.relspec.ir.plan.RelPlan;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The one interface an engine implements to run bundles through {@link ArrowLaneRunner}: run one
 * rule's ops (without its contract) and hand back Arrow batches. The runner does everything else
 * the same for every engine: dependency order, reading inputs, contract finalization, writing
 * Parquet, the manifest and the atomic commit.
 *
 * <p>Implementations: {@link io.relspec.reference.ReferenceExecutor} (the reference lane's own
 * executor, every op native); a DataFusion engine is the second.
 */
public interface PlanExecutor {
  /** The lane name for the manifest's {@code engine}, e.g. {@code reference}. */
  String lane();

  /** Engine and library versions for the manifest, e.g. {@code arrow -> 12.0.1}. */
  Map<String, String> versions();

  /**
   * Runs {@code plan.ops()} with {@code plan.params()} (the effective values) and returns rows of
   * exactly {@code plan.schema()}, in the order the ops define.
   *
   * @param inputs what scans read: declared datasets and outputs finalized earlier in the run, as
   *     borrowed Arrow batches or as Parquet directories
   * @param allocator every Arrow buffer of the result must come from it (it carries the run's
   *     memory limit); the runner closes the result
   * @throws io.relspec.ir.error.RelspecException with a user-facing message for bad input ({@code
   *     INVALID_INPUT}), resource limits ({@code INSUFFICIENT_RESOURCES}) or bugs ({@code
   *     INTERNAL})
   */
  Execution execute(RelPlan plan, PlanInputs inputs, BufferAllocator allocator);
}
