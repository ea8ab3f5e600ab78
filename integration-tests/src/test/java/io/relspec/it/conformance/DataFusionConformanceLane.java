package io.relspec.it.conformance;

import io.relspec.datafusion.DataFusionEngine;
import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.Fallback;
import io.relspec.datafusion.PlanReport;
import io.relspec.datafusion.QueryResult;
import io.relspec.datafusion.comet.CometEngine;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.conformance.ArrowInputs;
import io.relspec.reference.conformance.ConformanceCase;
import io.relspec.reference.conformance.Lane;
import io.relspec.reference.conformance.LaneResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Standalone DataFusion (datafusion-bridge, Comet 0.12.0's JNI, no Spark) as a conformance {@link
 * Lane}: {@code CometEngine.nativeFirst()}, which translates every op it can (dedupe and
 * interval_align included, which the default engine leaves to the reference lane's kernels, whose
 * conformance the reference lane's own run checks) and runs the rest on the reference lane. The
 * execution says whether the whole case ran natively or which ops fell back, and why.
 */
final class DataFusionConformanceLane implements Lane {
  private static final int BATCH_ROWS = 4;

  private final BufferAllocator allocator = new RootAllocator();
  private final DataFusionEngine engine = CometEngine.nativeFirst();

  @Override
  public String name() {
    return "datafusion";
  }

  @Override
  public LaneResult run(ConformanceCase conformanceCase) {
    ValidatedBundle bundle = conformanceCase.validated();
    RelPlan plan = bundle.plans().get(0);
    Map<String, List<VectorSchemaRoot>> batches =
        ArrowInputs.batches(conformanceCase, bundle, allocator, BATCH_ROWS);
    try (EngineSession session = engine.openSession(RuntimeProfile.DEFAULT, allocator)) {
      for (Map.Entry<String, List<VectorSchemaRoot>> entry : batches.entrySet()) {
        session.registerBatches(
            entry.getKey(), entry.getValue().get(0).getSchema(), entry.getValue());
      }
      PlanReport report = session.explain(plan);
      String execution =
          report.fullyNative()
              ? "native"
              : "fallback to reference: "
                  + report.fallbacks().stream().map(Fallback::render).toList();
      try (QueryResult result = session.execute(plan)) {
        List<org.apache.arrow.vector.types.pojo.Field> arrow = result.schema().getFields();
        List<String> names = new ArrayList<>();
        for (org.apache.arrow.vector.types.pojo.Field field : arrow) {
          names.add(field.getName());
        }
        List<Field> planFields = plan.schema().fields();
        for (int i = 0; i < Math.min(arrow.size(), planFields.size()); i++) {
          if (!arrow.get(i).getType().equals(RelSchema.arrowType(planFields.get(i).type()))) {
            return new LaneResult.Failed(
                "column "
                    + names.get(i)
                    + " has Arrow type "
                    + arrow.get(i).getType()
                    + ", the plan says "
                    + planFields.get(i).type());
          }
        }
        return new LaneResult.Rows(
            names,
            planFields.subList(0, Math.min(arrow.size(), planFields.size())).stream()
                .map(Field::type)
                .toList(),
            ArrowInputs.rows(result.batches()),
            execution);
      }
    } catch (RuntimeException e) {
      return new LaneResult.Failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      ArrowInputs.close(batches);
    }
  }

  @Override
  public void close() {
    allocator.close();
  }
}
