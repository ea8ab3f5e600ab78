package io.relspec.reference;

import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.reference.capability.Lane;
import io.relspec.reference.run.Execution;
import io.relspec.reference.run.OpExecutions;
import io.relspec.reference.run.PlanExecutor;
import io.relspec.reference.run.PlanInputs;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/** The reference lane's {@link PlanExecutor}: every op runs natively over Arrow vectors. */
public final class ReferenceExecutor implements PlanExecutor {
  public static final String LANE = Lane.REFERENCE.jsonName();

  private final int batchSize;
  private final long memoryLimit;

  /**
   * @param batchSize rows per output batch (the runtime profile's {@code batchSize})
   * @param memoryLimit the allocator's limit, for the message when it is reached
   */
  public ReferenceExecutor(int batchSize, long memoryLimit) {
    this.batchSize = batchSize;
    this.memoryLimit = memoryLimit;
  }

  @Override
  public String lane() {
    return LANE;
  }

  @Override
  public Map<String, String> versions() {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("reference", RunManifest.RELSPEC_VERSION);
    versions.put("arrow", version(org.apache.arrow.vector.VectorSchemaRoot.class, "12.0.1"));
    versions.put("parquet", version(org.apache.parquet.hadoop.ParquetWriter.class, "1.13.1"));
    return versions;
  }

  private static String version(Class<?> type, String built) {
    String found = type.getPackage().getImplementationVersion();
    return found == null ? built : found;
  }

  @Override
  public Execution execute(RelPlan plan, PlanInputs inputs, BufferAllocator allocator) {
    Executor executor =
        new Executor(
            allocator, batchSize, memoryLimit, inputs::batches, plan.name(), plan.params());
    Relation rows = executor.pipeline(plan.ops());
    return new Execution(rows, OpExecutions.fromRegistry(plan.ops(), Lane.REFERENCE), 0.0);
  }
}
