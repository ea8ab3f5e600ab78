package io.relspec.datafusion.run;

import io.relspec.datafusion.DataFusionEngine;
import io.relspec.datafusion.DataFusionErrors;
import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.PlanReport;
import io.relspec.datafusion.QueryResult;
import io.relspec.datafusion.comet.CometEngine;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Union;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.reference.Relation;
import io.relspec.reference.SourceBatches;
import io.relspec.reference.run.Execution;
import io.relspec.reference.run.PlanExecutor;
import io.relspec.reference.run.PlanInputs;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * The standalone DataFusion engine as the {@link PlanExecutor} of {@code ArrowLaneRunner}: each
 * rule's ops run in one engine session over the borrowed input batches, natively where Comet 0.12
 * can and op by op on the reference lane where it cannot; the manifest records which ran where.
 * Declared Parquet datasets are read by Comet's {@code NativeScan} where their files hold exactly
 * the declared types, else into Arrow by the JVM reader (the manifest's scan entries say which and
 * why). No SparkSession or SparkContext is started.
 */
public final class DataFusionExecutor implements PlanExecutor {
  private final DataFusionEngine engine;
  private final RuntimeProfile profile;

  public DataFusionExecutor(DataFusionEngine engine, RuntimeProfile profile) {
    this.engine = engine;
    this.profile = profile;
  }

  /** The Comet-based engine, falling back to the reference lane for what it cannot run. */
  public DataFusionExecutor(RuntimeProfile profile) {
    this(new CometEngine(), profile);
  }

  @Override
  public String lane() {
    return PlanReport.LANE;
  }

  @Override
  public Map<String, String> versions() {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("engine", engine.name());
    versions.put("datafusion", "50.3.0");
    versions.put("comet", "0.12.0");
    versions.put("arrow", "12.0.1");
    return versions;
  }

  @Override
  public Execution execute(RelPlan plan, PlanInputs inputs, BufferAllocator allocator) {
    try (EngineSession session = engine.openSession(profile, allocator)) {
      for (String dataset : scanned(plan.ops(), new LinkedHashSet<>())) {
        Optional<DatasetSpec> declared = inputs.declared(plan.name(), dataset);
        if (declared.isPresent()) {
          // Parquet files the engine reads itself where it can; the JVM reader's batches otherwise
          session.registerParquet(
              declared.get(),
              inputs.files(plan.name(), dataset),
              () -> inputs.batches(plan.name(), dataset).batches());
          continue;
        }
        SourceBatches source = inputs.batches(plan.name(), dataset);
        session.registerBatches(dataset, source.schema().toArrow(), source.batches());
      }
      QueryResult result = session.execute(plan);
      // The result's batches move into the relation (the runner closes it); the result itself
      // holds nothing else.
      List<RunManifest.OpExecution> execution = result.report().executions();
      // Translation and execution are one call; no separate compile time to report.
      return new Execution(new Relation(plan.schema(), result.batches()), execution, 0.0);
    } catch (OutOfMemoryException e) {
      throw DataFusionErrors.outOfArrowMemory(
          engine.name(), plan.name(), profile.memoryLimitBytes().orElse(Long.MAX_VALUE), e);
    }
  }

  /** Every dataset or output the ops scan, nested pipelines included, in first-scan order. */
  static Set<String> scanned(List<Op> ops, Set<String> out) {
    for (Op op : ops) {
      if (op instanceof Scan scan) {
        out.add(scan.dataset());
      } else if (op instanceof Join join) {
        scanned(join.right().ops(), out);
      } else if (op instanceof IntervalAlign align) {
        scanned(align.right().ops(), out);
      } else if (op instanceof Union union) {
        union.inputs().forEach(input -> scanned(input.ops(), out));
      }
    }
    return out;
  }
}
