package io.relspec.reference;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;

/**
 * The JVM reference lane: runs a validated bundle over Arrow batches exactly as format v1 says and
 * finalizes each output by its contract. Every Arrow buffer it allocates comes from one allocator
 * bounded by the profile's {@code memoryLimitBytes}; reaching it fails with {@code
 * INSUFFICIENT_RESOURCES}, not an {@code OutOfMemoryError}. Its kernels use the common fork-join
 * pool's threads besides the calling one, at most the profile's {@code targetPartitions} in all (1:
 * the calling thread only; 0: no limit).
 *
 * <p>Close every {@link RunResult} and {@link Relation} before closing the lane.
 */
public final class ReferenceLane implements AutoCloseable {
  private final BufferAllocator allocator;
  private final int batchSize;
  private final long memoryLimit;

  /** The profile's {@code targetPartitions}: how many threads a kernel may use (0: no limit). */
  private final int threads;

  public ReferenceLane(RuntimeProfile profile) {
    this.memoryLimit = profile.memoryLimitBytes().orElse(Long.MAX_VALUE);
    this.batchSize = profile.batchSize();
    this.threads = profile.targetPartitions();
    this.allocator = new RootAllocator(memoryLimit);
  }

  /**
   * A lane whose batches live in a child of {@code parent} (bounded by the profile's {@code
   * memoryLimitBytes}), so that other lanes sharing that root can take ownership of its results
   * without a copy. Closing the lane closes only the child.
   */
  public ReferenceLane(RuntimeProfile profile, BufferAllocator parent) {
    this.memoryLimit = profile.memoryLimitBytes().orElse(Long.MAX_VALUE);
    this.batchSize = profile.batchSize();
    this.threads = profile.targetPartitions();
    this.allocator = parent.newChildAllocator("reference-lane", 0, memoryLimit);
  }

  public ReferenceLane() {
    this(RuntimeProfile.DEFAULT);
  }

  /** The allocator the lane's batches live in (for building inputs in tests and callers). */
  public BufferAllocator allocator() {
    return allocator;
  }

  /** Runs every rule of the bundle and finalizes every output, in dependency order. */
  public RunResult run(ValidatedBundle bundle, DatasetSource datasets) {
    Map<String, OutputResult> finalized = new HashMap<>();
    List<OutputResult> results = new ArrayList<>();
    try {
      for (OutputPlan output : bundle.outputs()) {
        List<ContractFinalizer.RuleRows> ruleRows = new ArrayList<>();
        try {
          for (RelPlan plan : output.rules()) {
            Relation rows = runPlan(plan, bundle, datasets, finalized);
            ruleRows.add(new ContractFinalizer.RuleRows(plan.name(), rows));
          }
          OutputResult result;
          try {
            result =
                new ContractFinalizer(allocator, batchSize, memoryLimit)
                    .finalizeOutput(output, ruleRows);
          } catch (OutOfMemoryException e) {
            throw LaneErrors.outOfMemory(output.rules().get(0).name(), "finalize", memoryLimit, e);
          }
          finalized.put(output.name(), result);
          results.add(result);
        } finally {
          ruleRows.forEach(r -> r.rows().close());
        }
      }
    } catch (RuntimeException e) {
      results.forEach(OutputResult::close);
      throw e;
    }
    return new RunResult(bundle.signature(), results);
  }

  /**
   * Runs one rule's ops (without its contract). Scans of other outputs read {@code finalized}. The
   * caller closes the result.
   */
  public Relation runPlan(
      RelPlan plan,
      ValidatedBundle bundle,
      DatasetSource datasets,
      Map<String, OutputResult> finalized) {
    Executor.Inputs inputs =
        (rule, name) -> {
          OutputResult output = finalized.get(name);
          if (output != null) {
            return new SourceBatches(output.rows().schema(), output.rows().batches());
          }
          if (bundle.output(name).isPresent()) {
            throw LaneErrors.outputNotReady(rule, name);
          }
          DatasetSpec dataset =
              bundle
                  .bundle()
                  .dataset(name)
                  .orElseThrow(
                      () ->
                          LaneErrors.missingInput(
                              rule,
                              name,
                              bundle.bundle().datasets().stream().map(DatasetSpec::name).toList()));
          return SourceBatches.streamed(
              new RelSchema(dataset.schema()),
              () -> datasets.open(dataset),
              () -> datasets.batches(dataset));
        };
    Executor executor =
        new Executor(allocator, batchSize, memoryLimit, inputs, plan.name(), plan.params());
    return KernelThreads.limitedTo(threads, () -> executor.pipeline(plan.ops()));
  }

  /**
   * The fallback entry for other lanes: runs {@code ops} (any op but scan; nested pipelines may
   * scan the given datasets) over batches the caller already has, e.g. a DataFusion lane's input to
   * an explode it cannot run. The input batches are borrowed (copied, never closed); the caller
   * closes the result.
   *
   * @param rule the rule name, for messages
   * @param schema the schema of {@code input}
   * @param params the effective param values the ops refer to
   * @param datasets what nested pipelines (join right sides, union inputs) scan
   */
  public Relation runOps(
      String rule,
      RelSchema schema,
      List<org.apache.arrow.vector.VectorSchemaRoot> input,
      List<io.relspec.ir.op.Op> ops,
      Map<String, io.relspec.ir.expr.Literal> params,
      Map<String, SourceBatches> datasets) {
    Executor.Inputs inputs =
        (r, name) -> {
          if (name.equals(FALLBACK_INPUT)) {
            return new SourceBatches(schema, input);
          }
          SourceBatches source = datasets.get(name);
          if (source == null) {
            throw LaneErrors.missingInput(r, name, datasets.keySet().stream().sorted().toList());
          }
          return source;
        };
    List<io.relspec.ir.op.Op> all = new ArrayList<>();
    all.add(io.relspec.ir.op.Scan.of(FALLBACK_INPUT));
    all.addAll(ops);
    Executor executor = new Executor(allocator, batchSize, memoryLimit, inputs, rule, params);
    return KernelThreads.limitedTo(threads, () -> executor.pipeline(all));
  }

  /** The name the fallback input is scanned under (not a valid bundle name). */
  private static final String FALLBACK_INPUT = "<fallback input>";

  @Override
  public void close() {
    allocator.close();
  }
}
