package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.Fallback;
import io.relspec.datafusion.PlanReport;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.OutputResult;
import io.relspec.reference.ParquetDatasetSource;
import io.relspec.reference.ReferenceLane;
import io.relspec.reference.Relation;
import io.relspec.reference.RunResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ops Comet 0.12 cannot run go to the JVM reference lane one at a time, between native plans; the
 * results equal the reference lane's own run of the whole pipeline.
 */
class ReferenceFallbackTest {
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final RelSchema EVENTS =
      new RelSchema(
          List.of(
              io.relspec.ir.type.Field.notNull("id", PrimitiveType.INT64),
              io.relspec.ir.type.Field.notNull("v", PrimitiveType.INT64),
              io.relspec.ir.type.Field.notNull("grp", PrimitiveType.INT32),
              io.relspec.ir.type.Field.nullable("amount", PrimitiveType.FLOAT64),
              io.relspec.ir.type.Field.nullable("name", PrimitiveType.STRING)));

  @Test
  void unsupportedOpsRunOnTheReferenceLaneBetweenNativePlans() {
    List<Op> ops =
        List.of(
            Scan.of("events"),
            new Filter(Call.of("gt", new ColumnRef("v"), Literal.of(-500L, PrimitiveType.INT64))),
            new Derive("upper_name", Call.of("upper", new ColumnRef("name"))),
            new Dedupe(List.of("grp", "upper_name"), List.of(SortKey.desc("v"), SortKey.asc("id"))),
            new Derive("w", Call.of("abs", new ColumnRef("v"))),
            new Sort(List.of(SortKey.asc("grp"), SortKey.desc("w"), SortKey.asc("id"))));
    try (BufferAllocator allocator = new RootAllocator();
        ReferenceLane reference = new ReferenceLane(RuntimeProfile.DEFAULT, allocator)) {
      List<VectorSchemaRoot> input = TestData.batches(allocator, TestData.rows(3000), 700);
      // every op with a translation native (dedupe included), the one without on the JVM
      try (EngineSession session =
          CometEngine.nativeFirst().openSession(RuntimeProfile.DEFAULT, allocator)) {
        session.registerBatches("events", TestData.EVENTS, input);

        PlanReport explained = session.explain(new Pipeline(ops), Map.of());
        assertThat(explained.nativeOps())
            .containsExactly(
                "ops[0] scan", "ops[1] filter", "ops[3] dedupe", "ops[4] derive", "ops[5] sort");
        assertThat(explained.fallbacks())
            .extracting(Fallback::path, Fallback::op)
            .containsExactly(tuple("ops[2]", "derive"));
        assertThat(explained.fallbacks().get(0).reason()).contains("function 'upper'");
        int cores = RuntimeProfile.DEFAULT.effectivePartitions();
        assertThat(explained.summary())
            .isEqualTo(
                "datafusion-comet 0.12.0 runs 5 out of 6 ops natively"
                    + (cores > 1 ? " in " + cores + " partitions" : "")
                    + "; cannot run: [ops[2]"
                    + " (derive): function 'upper' is not mapped to a Comet 0.12 expression by"
                    + " this bridge yet]");

        long before = allocator.getAllocatedMemory();
        try (QueryResult result = session.execute(new Pipeline(ops), Map.of());
            Relation expected =
                reference.runOps(
                    "expected", EVENTS, input, ops.subList(1, ops.size()), Map.of(), Map.of())) {
          // explain plans targetPartitions plans for the segment after the JVM op (its rows do
          // not exist yet); the run records how many it used
          assertThat(result.report().withStages(List.of(), Map.of()))
              .isEqualTo(explained.withStages(List.of(), Map.of()));
          assertThat(result.report().stages())
              .extracting(PlanReport.Stage::ops)
              .startsWith("ops[0..1]")
              .contains("the rows of ops[2]")
              .hasSizeGreaterThanOrEqualTo(2);
          assertThat(result.report().stages().get(0).plans()).isEqualTo(Math.min(cores, 5));
          assertThat(result.report().executions())
              .filteredOn(e -> !e.op().equals("stage"))
              .extracting(
                  RunManifest.OpExecution::path,
                  RunManifest.OpExecution::mode,
                  RunManifest.OpExecution::lane)
              .containsExactly(
                  tuple("ops[0]", "native", "datafusion"),
                  tuple("ops[1]", "native", "datafusion"),
                  tuple("ops[2]", "fallback", "reference"),
                  tuple("ops[3]", "translated", "datafusion"),
                  tuple("ops[4]", "native", "datafusion"),
                  tuple("ops[5]", "native", "datafusion"));
          assertThat(expected.rowCount()).isBetween(100L, 2999L);
          assertThat(rows(result)).containsExactlyElementsOf(expected.rows());
          assertThat(result.schema().getFields())
              .extracting(f -> f.getName())
              .containsExactly("id", "v", "grp", "amount", "name", "upper_name", "w");
        }
        assertThat(allocator.getAllocatedMemory()).as("every stage released").isEqualTo(before);
      } finally {
        input.forEach(VectorSchemaRoot::close);
      }
    }
  }

  @Test
  void dedupeWithoutFloatOrderColumnsRunsNativelyAsAWindow() {
    List<Op> ops =
        List.of(
            Scan.of("events"),
            new Project(
                List.of(
                    Project.Column.keep("id"),
                    Project.Column.keep("v"),
                    Project.Column.keep("grp"),
                    Project.Column.keep("name"))),
            new Derive(
                "bucket", Call.of("mod", new ColumnRef("v"), Literal.of(3L, PrimitiveType.INT64))),
            new Dedupe(List.of("grp", "name"), List.of(SortKey.desc("bucket"))));
    try (BufferAllocator allocator = new RootAllocator();
        ReferenceLane reference = new ReferenceLane(RuntimeProfile.DEFAULT, allocator)) {
      List<VectorSchemaRoot> input = TestData.batches(allocator, TestData.rows(4000), 900);
      try (EngineSession session =
              CometEngine.nativeFirst().openSession(RuntimeProfile.DEFAULT, allocator);
          Relation expected =
              reference.runOps(
                  "expected", EVENTS, input, ops.subList(1, ops.size()), Map.of(), Map.of())) {
        session.registerBatches("events", TestData.EVENTS, input);
        try (QueryResult result = session.execute(new Pipeline(ops), Map.of())) {
          assertThat(result.report().fullyNative()).isTrue();
          assertThat(result.report().nativeOps()).contains("ops[3] dedupe");
          assertThat(result.report().nativePlan()).contains("WINDOW", "SORT");
          // 7 groups x 51 names (50 and null): every (grp, name) pair that occurs, once.
          assertThat(expected.rowCount()).isBetween(50L, 400L);
          assertThat(rows(result)).containsExactlyInAnyOrderElementsOf(expected.rows());
        }
      } finally {
        input.forEach(VectorSchemaRoot::close);
      }
    }
  }

  /**
   * Every rule of an example bundle over {@code examples/data}: the bridge (native where it can,
   * the reference lane for the rest) gives the reference lane's rows, in order where the rule
   * orders them. Scans of other outputs read the reference lane's finalized outputs.
   */
  @ParameterizedTest
  @CsvSource({"cpg, false", "cpg, true", "analytics, false"})
  void everyRuleOfAnExampleBundleEqualsTheReferenceLane(String name, boolean nativeFirst) {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve(name + ".json"));
    RuntimeProfile profile = RuntimeProfile.DEFAULT;
    List<String> fallbackOps = new ArrayList<>();
    int nativeOps = 0;
    try (BufferAllocator allocator = new RootAllocator();
        ReferenceLane reference = new ReferenceLane(profile, allocator);
        ParquetDatasetSource source =
            new ParquetDatasetSource(EXAMPLES.resolve("data"), allocator, 64);
        RunResult finalized = reference.run(bundle, source);
        EngineSession session =
            (nativeFirst ? CometEngine.nativeFirst() : new CometEngine())
                .openSession(profile, allocator)) {
      for (DatasetSpec dataset : bundle.bundle().datasets()) {
        session.registerBatches(
            dataset.name(), new RelSchema(dataset.schema()).toArrow(), source.batches(dataset));
      }
      Map<String, OutputResult> outputs = new HashMap<>();
      for (OutputResult output : finalized.outputs()) {
        outputs.put(output.name(), output);
        session.registerBatches(
            output.name(), output.rows().schema().toArrow(), output.rows().batches());
      }
      for (OutputPlan output : bundle.outputs()) {
        for (RelPlan plan : output.rules()) {
          try (Relation expected = reference.runPlan(plan, bundle, source, outputs);
              QueryResult actual = session.execute(plan)) {
            assertThat(actual.schema().getFields())
                .extracting(f -> f.getName())
                .as(plan.name())
                .containsExactlyElementsOf(plan.schema().names());
            assertThat(actual.rowCount()).as(plan.name()).isEqualTo(expected.rowCount());
            if (plan.ordering().isExplicit()) {
              assertThat(rows(actual)).as(plan.name()).containsExactlyElementsOf(expected.rows());
            } else {
              assertThat(rows(actual))
                  .as(plan.name())
                  .containsExactlyInAnyOrderElementsOf(expected.rows());
            }
            nativeOps += actual.report().nativeOps().size();
            actual.report().fallbacks().forEach(f -> fallbackOps.add(plan.name() + " " + f.op()));
          }
        }
      }
    }
    assertThat(nativeOps).isPositive();
    if (name.equals("cpg")) {
      assertThat(fallbackOps).anyMatch(op -> op.endsWith(" explode"));
      if (nativeFirst) {
        // interval_align and dedupe run natively (hash join + window ranking, sort + window)
        assertThat(fallbackOps).noneMatch(op -> op.endsWith(" interval_align"));
        assertThat(fallbackOps).noneMatch(op -> op.endsWith(" dedupe"));
      } else {
        // by default on the reference lane's kernels, by choice
        assertThat(fallbackOps).anyMatch(op -> op.endsWith(" interval_align"));
      }
    } else {
      assertThat(fallbackOps).containsExactly("region_revenue aggregate");
    }
  }

  /** The rows of a result read the way the reference lane reads its own (canonical values). */
  private static List<List<Object>> rows(QueryResult result) {
    // Relation.rows() reads the batches only; the relation is not closed (the result owns them).
    return new Relation(new RelSchema(List.of()), result.batches()).rows();
  }
}
