package io.relspec.datafusion;

import io.relspec.ir.run.RunManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an engine would do with a pipeline: which ops run natively and which cannot.
 *
 * @param engine the engine's name and version
 * @param nativeOps the paths and names of the ops that run natively, e.g. {@code ops[2] filter}
 * @param fallbacks the ops that cannot run natively, with reasons
 * @param nativePlan the engine's own plan text (empty when there are fallbacks)
 * @param partitions how many native plans run the first stage in parallel (1: one plan)
 * @param notes how a native op ran, by path, where there is more to say (a scan: Parquet read
 *     natively by {@code NativeScan}, or read by the JVM and why)
 */
public record PlanReport(
    String engine,
    List<String> nativeOps,
    List<Fallback> fallbacks,
    String nativePlan,
    int partitions,
    Map<String, String> notes) {
  public PlanReport {
    nativeOps = List.copyOf(nativeOps);
    fallbacks = List.copyOf(fallbacks);
    notes = Map.copyOf(notes);
  }

  public PlanReport(
      String engine,
      List<String> nativeOps,
      List<Fallback> fallbacks,
      String nativePlan,
      int partitions) {
    this(engine, nativeOps, fallbacks, nativePlan, partitions, Map.of());
  }

  public PlanReport withPartitions(int newPartitions) {
    return new PlanReport(engine, nativeOps, fallbacks, nativePlan, newPartitions, notes);
  }

  public PlanReport withNotes(Map<String, String> newNotes) {
    return new PlanReport(engine, nativeOps, fallbacks, nativePlan, partitions, newNotes);
  }

  /** The lane name of native ops in run manifests. */
  public static final String LANE = "datafusion";

  /** The lane that runs the fallbacks of an executed plan, in run manifests. */
  public static final String FALLBACK_LANE = "reference";

  /**
   * How each op ran, as run manifests record it (paths relative to the rule, e.g. {@code ops[2]}):
   * native ops on {@value #LANE} ({@code translated} for param, bound to literals, dedupe, a Sort +
   * Window + Filter rewrite, and interval_align, a HashJoin + Sort + Window + Filter rewrite, as
   * the capability registry says), fallbacks on {@value #FALLBACK_LANE} with their reasons (the ops
   * nested in a fallback, e.g. a join's right side, are fallbacks too), in path order.
   */
  public List<RunManifest.OpExecution> executions() {
    List<RunManifest.OpExecution> out = new ArrayList<>();
    for (String entry : nativeOps) {
      int space = entry.lastIndexOf(' ');
      String path = entry.substring(0, space);
      String op = entry.substring(space + 1);
      String mode =
          switch (op) {
            case "param", "dedupe", "interval_align" -> "translated";
            default -> "native";
          };
      String reason =
          switch (op) {
            case "param" -> "bound to a literal before planning";
            case "dedupe" -> "Sort + Window (count over a ROWS frame as the row number) + Filter";
            case "interval_align" ->
                "HashJoin on the keys with the span predicate, then Sort + Window ranking per left"
                    + " row + Filter";
            default -> "";
          };
      reason = notes.getOrDefault(path, reason);
      out.add(new RunManifest.OpExecution(path, op, mode, LANE, reason));
    }
    for (Fallback fallback : fallbacks) {
      out.add(
          new RunManifest.OpExecution(
              fallback.path(), fallback.op(), "fallback", FALLBACK_LANE, fallback.reason()));
    }
    out.sort(java.util.Comparator.comparing(e -> pathKey(e.path())));
    return out;
  }

  /** Sorts {@code ops[10]} after {@code ops[9]} and a nested path after its parent. */
  private static String pathKey(String path) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[(\\d+)\\]").matcher(path);
    StringBuilder key = new StringBuilder();
    int last = 0;
    while (m.find()) {
      key.append(path, last, m.start())
          .append(String.format("[%06d]", Integer.parseInt(m.group(1))));
      last = m.end();
    }
    return key.append(path.substring(last)).toString();
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
