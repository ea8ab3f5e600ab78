package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.Fallback;
import io.relspec.datafusion.PlanReport;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.PrimitiveType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ops the Comet lane cannot run are reported with reasons, never run approximately (the native-only
 * engine refuses them; see {@link ReferenceFallbackTest} for the engine that falls back).
 */
class FallbackReportTest {
  private BufferAllocator allocator;
  private List<VectorSchemaRoot> input;
  private EngineSession session;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    input = TestData.batches(allocator, TestData.rows(100), 100);
    session = CometEngine.nativeOnly().openSession(RuntimeProfile.DEFAULT, allocator);
    session.registerBatches("events", TestData.EVENTS, input);
  }

  @AfterEach
  void tearDown() {
    session.close();
    input.forEach(VectorSchemaRoot::close);
    allocator.close();
  }

  @Test
  void aFullyNativePipelineHasNoFallbacks() {
    PlanReport report =
        session.explain(
            Pipeline.of(
                Scan.of("events"),
                new Filter(Call.of("is_not_null", new ColumnRef("name"))),
                new Derive("w", Call.of("abs", new ColumnRef("v")))),
            Map.of());
    assertThat(report.fullyNative()).isTrue();
    assertThat(report.nativeOps()).containsExactly("ops[0] scan", "ops[1] filter", "ops[2] derive");
    assertThat(report.summary()).isEqualTo("datafusion-comet 0.12.0 runs 3 out of 3 ops natively");
    assertThat(report.nativePlan())
        .startsWith("PROJECTION")
        .contains("FILTER", "SCAN(relspec:events)");
  }

  @Test
  void unsupportedOpsAreReportedWithReasonsAndNotExecuted() {
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("events"),
            new Filter(Call.of("gt", new ColumnRef("v"), Literal.of(0L, PrimitiveType.INT64))),
            new Derive("upper_name", Call.of("upper", new ColumnRef("name"))),
            new Explode("tags", "tag", Optional.empty(), false),
            new Dedupe(List.of("id"), List.of(SortKey.asc("v"))));

    PlanReport report = session.explain(pipeline, Map.of());
    assertThat(report.fullyNative()).isFalse();
    assertThat(report.nativeOps()).containsExactly("ops[0] scan", "ops[1] filter");
    assertThat(report.fallbacks())
        .extracting(Fallback::path, Fallback::op)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ops[2]", "derive"),
            org.assertj.core.groups.Tuple.tuple("ops[3]", "explode"),
            org.assertj.core.groups.Tuple.tuple("ops[4]", "dedupe"));
    assertThat(report.fallbacks().get(0).reason())
        .isEqualTo("function 'upper' is not mapped to a Comet 0.12 expression by this bridge yet");
    assertThat(report.fallbacks().get(1).reason()).contains("comes after ops[2] (derive)");
    assertThat(report.nativePlan()).isEmpty();

    long before = allocator.getAllocatedMemory();
    assertThatThrownBy(() -> session.execute(pipeline, Map.of()))
        .isInstanceOf(RelspecException.class)
        .satisfies(e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED))
        .hasMessageStartingWith(
            "Cannot execute plan on datafusion-comet 0.12.0: 3 op(s) cannot run natively")
        .hasMessageContaining("ops[2] (derive): function 'upper' is not mapped");
    assertThat(allocator.getAllocatedMemory()).as("nothing allocated").isEqualTo(before);
  }

  @Test
  void aJoinWhoseRightSideFallsBackIsReportedAtBothLevels() {
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("events"),
            new Join(
                JoinType.INNER,
                Pipeline.of(Scan.of("events"), new Explode("tags", "tag", Optional.empty(), true)),
                List.of(EquiKey.same("id")),
                Optional.empty(),
                Optional.of("_r")));
    PlanReport report = session.explain(pipeline, Map.of());
    assertThat(report.fallbacks())
        .extracting(Fallback::render)
        .containsExactly(
            "ops[1].right.ops[1] (explode): Comet 0.12's operator set has no Generate/explode"
                + " operator",
            "ops[1] (join): its right pipeline cannot run natively (see ops[1].right)");
  }

  @Test
  void anUnknownDatasetIsAUserError() {
    assertThatThrownBy(() -> session.explain(Pipeline.of(Scan.of("nope")), Map.of()))
        .isInstanceOf(RelspecException.class)
        .satisfies(
            e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT))
        .hasMessage(
            "Cannot scan dataset 'nope': it is not registered in this session (registered:"
                + " [events]). Register it with EngineSession.registerBatches before executing"
                + " the plan");
  }

  @Test
  void aClosedSessionRefusesWork() {
    session.close();
    assertThatThrownBy(() -> session.explain(Pipeline.of(Scan.of("events")), Map.of()))
        .hasMessageStartingWith("Cannot use engine session: it is closed.");
  }
}
