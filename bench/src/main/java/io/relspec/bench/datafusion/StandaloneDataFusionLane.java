package io.relspec.bench.datafusion;

import io.relspec.bench.harness.RuleLane;
import io.relspec.datafusion.run.DataFusionExecutor;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.run.StagedOutputs;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ParquetDatasetSource;
import io.relspec.reference.SourceBatches;
import io.relspec.reference.run.ArrowLaneRunner;
import io.relspec.reference.run.Execution;
import io.relspec.reference.run.PlanInputs;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The standalone DataFusion engine of datafusion-bridge (Comet 0.12.0 native, no Spark) as a bench
 * lane, found through {@code META-INF/services/io.relspec.bench.harness.RuleLane}. Rules run
 * through {@link DataFusionExecutor}, the executor of {@code relspec run --engine datafusion}, so
 * the lane measures what that command does: inputs from the Parquet files (read natively where the
 * executor can, else into Arrow on the JVM, inside the measured time), native plans, per-op
 * fallbacks.
 *
 * <p>System property {@code relspec.bench.datafusion.partitions}: the profile's {@code
 * targetPartitions} (default 2, as Spark's {@code local[2]}).
 */
public final class StandaloneDataFusionLane implements RuleLane {
  private final RuntimeProfile profile =
      new RuntimeProfile(
          Integer.getInteger("relspec.bench.datafusion.partitions", 2),
          RuntimeProfile.DEFAULT_BATCH_SIZE,
          Optional.empty(),
          MemoryPool.GREEDY,
          Optional.empty());

  @Override
  public String name() {
    return "datafusion-standalone";
  }

  @Override
  public long runRule(ValidatedBundle bundle, String rule, Path data) {
    RelPlan plan = bundle.plan(rule).orElseThrow();
    try (BufferAllocator allocator = new RootAllocator();
        ParquetDatasetSource source =
            new ParquetDatasetSource(data, allocator, profile.batchSize())) {
      PlanInputs inputs =
          new PlanInputs() {
            @Override
            public SourceBatches batches(String ruleName, String dataset) {
              DatasetSpec spec = spec(bundle, dataset);
              return new SourceBatches(new RelSchema(spec.schema()), source.batches(spec));
            }

            @Override
            public Path files(String ruleName, String dataset) {
              return data.resolve(spec(bundle, dataset).location()).normalize();
            }

            @Override
            public Optional<DatasetSpec> declared(String ruleName, String dataset) {
              return Optional.of(spec(bundle, dataset));
            }
          };
      try (Execution execution = new DataFusionExecutor(profile).execute(plan, inputs, allocator)) {
        return execution.rows().rowCount();
      }
    }
  }

  private static DatasetSpec spec(ValidatedBundle bundle, String dataset) {
    return bundle.bundle().dataset(dataset).orElseThrow();
  }

  @Override
  public long runBundle(ValidatedBundle bundle, Path data, Path out) {
    StagedOutputs.deleteRecursively(out);
    RunManifest manifest =
        new ArrowLaneRunner(
                new DataFusionExecutor(profile),
                profile,
                new PrintStream(OutputStream.nullOutputStream()))
            .run(bundle, data, out, java.util.Map.of());
    return manifest.outputs().stream().mapToLong(RunManifest.OutputReport::rowsOut).sum();
  }
}
