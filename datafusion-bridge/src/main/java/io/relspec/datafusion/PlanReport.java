package io.relspec.datafusion;

import java.util.List;

/**
 * What an engine would do with a pipeline: which ops run natively and which cannot.
 *
 * @param engine the engine's name and version
 * @param nativeOps the paths and names of the ops that run natively, e.g. {@code ops[2] filter}
 * @param fallbacks the ops that cannot run natively, with reasons
 * @param nativePlan the engine's own plan text (empty when there are fallbacks)
 * @param partitions how many native plans run the first stage in parallel (1: one plan)
 */
public record PlanReport(
    String engine,
    List<String> nativeOps,
    List<Fallback> fallbacks,
    String nativePlan,
    int partitions) {
  public PlanReport {
    nativeOps = List.copyOf(nativeOps);
    fallbacks = List.copyOf(fallbacks);
  }

  public PlanReport withPartitions(int newPartitions) {
    return new PlanReport(engine, nativeOps, fallbacks, nativePlan, newPartitions);
  }

  public boolean fullyNative() {
    return fallbacks.isEmpty();
  }

  /** Comet's summary line: "accelerated 4 out of 5 ops (80%)". */
  public String summary() {
    int total = nativeOps.size() + fallbacks.size();
    return engine
        + " runs "
        + nativeOps.size()
        + " out of "
        + total
        + " ops natively"
        + (partitions > 1 ? " in " + partitions + " partitions" : "")
        + (fallbacks.isEmpty()
            ? ""
            : "; cannot run: " + fallbacks.stream().map(Fallback::render).toList());
  }
}
