package io.relspec.reference.conformance;

import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.DatasetSource;
import io.relspec.reference.ReferenceLane;
import io.relspec.reference.Relation;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The JVM reference lane as a conformance {@link Lane}: in-memory Arrow inputs in batches of 3 rows
 * (so batch boundaries fall inside groups, keys and lists), {@link ReferenceLane#runPlan}.
 */
public final class ReferenceConformanceLane implements Lane {
  private static final int BATCH_ROWS = 3;

  private final BufferAllocator inputs = new RootAllocator();
  private final ReferenceLane lane = new ReferenceLane();

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public LaneResult run(ConformanceCase conformanceCase) {
    ValidatedBundle bundle = conformanceCase.validated();
    RelPlan plan = bundle.plans().get(0);
    Map<String, List<VectorSchemaRoot>> batches =
        ArrowInputs.batches(conformanceCase, bundle, inputs, BATCH_ROWS);
    try (Relation result = lane.runPlan(plan, bundle, DatasetSource.inMemory(batches), Map.of())) {
      return new LaneResult.Rows(
          result.schema().names(),
          result.schema().fields().stream().map(Field::type).toList(),
          result.rows(),
          "reference");
    } catch (RuntimeException e) {
      return new LaneResult.Failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      ArrowInputs.close(batches);
    }
  }

  @Override
  public void close() {
    lane.close();
    inputs.close();
  }
}
