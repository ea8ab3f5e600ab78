package io.relspec.ir.capability;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.op.Op;
import io.relspec.ir.validate.FunctionRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The registry covers every op, function and aggregate of format v1 for every lane, each with a
 * reason. That each lane's native claims really run natively is checked in the lane's own module
 * (reference-lane's {@code CapabilityRegistryTest}).
 */
class KernelCapabilitiesTest {

  private static String snake(String className) {
    return className.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  @Test
  void coversEveryOpFunctionAndAggregateForEveryLane() {
    List<String> ops =
        Arrays.stream(Op.class.getPermittedSubclasses())
            .map(c -> snake(c.getSimpleName()))
            .toList();
    assertThat(KernelCapabilities.OPS).containsExactlyInAnyOrderElementsOf(ops);
    List<String> kernels = new ArrayList<>(ops);
    kernels.addAll(FunctionRegistry.SCALAR_FUNCTIONS);
    kernels.addAll(FunctionRegistry.AGGREGATE_FUNCTIONS);
    for (Lane lane : Lane.values()) {
      assertThat(KernelCapabilities.forLane(lane))
          .extracting(Capability::kernel)
          .containsExactlyInAnyOrderElementsOf(kernels);
    }
    assertThat(KernelCapabilities.all()).allMatch(c -> !c.reason().isBlank());
    assertThat(KernelCapabilities.lookup("explode", Lane.DATAFUSION).orElseThrow().support())
        .isEqualTo(Support.FALLBACK);
    assertThat(KernelCapabilities.render())
        .contains("interval_align")
        .contains("fallback")
        .hasLineCount(kernels.size() + 1);
  }

  @Test
  void lookupOfAnUnknownKernelIsEmpty() {
    assertThat(KernelCapabilities.lookup("no_such_op", Lane.SPARK)).isEmpty();
    assertThat(KernelCapabilities.lookup("scan", Lane.REFERENCE).orElseThrow().kind())
        .isEqualTo("op");
  }
}
