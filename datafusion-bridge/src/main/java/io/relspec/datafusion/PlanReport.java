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
 * @param partitions how many native plans ran the stage that reads the pipeline's first input in
 *     parallel (1: one plan); see {@code stages} for every stage
 * @param notes how a native op ran, by path, where there is more to say (a scan: Parquet read
 *     natively by {@code NativeScan}, or read by the JVM and why; a join: broadcast to the
 *     partitions or run in one plan)
 * @param stages the native stages in the order they ran (planned, for {@code explain}), each with
 *     how many native plans ran it in parallel
 */
public record PlanReport(
    String engine,
    List<String> nativeOps,
    List<Fallback> fallbacks,
    String nativePlan,
    int partitions,
    Map<String, String> notes,
    List<Stage> stages) {
  public PlanReport {
    nativeOps = List.copyOf(nativeOps);
    fallbacks = List.copyOf(fallbacks);
    notes = Map.copyOf(notes);
    stages = List.copyOf(stages);
  }

  /**
   * One native stage of an execution.
   *
   * @param ops the paths of the ops it ran, e.g. {@code ops[0..3]} (a range of the pipeline, or of
   *     a join's right side)
   * @param plans how many native plans ran it in parallel (1: one plan)
   * @param how how its input was split, or why it ran in one plan
   */
  public record Stage(String ops, int plans, String how) {
    public Stage {
      if (plans < 1) {
        throw new IllegalArgumentException("a stage runs at least one native plan, not " + plans);
      }
    }

    /** E.g. {@code ops[0..2]: 2 native plans in parallel; input batches in 2 contiguous slices}. */
    public String render() {
      return ops
          + ": "
          + (plans == 1 ? "1 native plan" : plans + " native plans in parallel")
          + (how.isEmpty() ? "" : "; " + how);
    }
  }

  public PlanReport(
      String engine,
      List<String> nativeOps,
      List<Fallback> fallbacks,
      String nativePlan,
      int partitions,
      Map<String, String> notes) {
    this(engine, nativeOps, fallbacks, nativePlan, partitions, notes, List.of());
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
    return new PlanReport(engine, nativeOps, fallbacks, nativePlan, newPartitions, notes, stages);
  }

  public PlanReport withNotes(Map<String, String> newNotes) {
    return new PlanReport(engine, nativeOps, fallbacks, nativePlan, partitions, newNotes, stages);
  }

  /** The same report with {@code newStages}, and {@code moreNotes} added to its notes. */
  public PlanReport withStages(List<Stage> newStages, Map<String, String> moreNotes) {
    Map<String, String> merged = new java.util.LinkedHashMap<>(notes);
    merged.putAll(moreNotes);
    return new PlanReport(engine, nativeOps, fallbacks, nativePlan, partitions, merged, newStages);
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
   * nested in a fallback, e.g. a join's right side, are fallbacks too), in path order; then one
   * entry per native stage ({@code stages[k]}, op {@code stage}) saying which ops it ran and in how
   * many native plans.
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
    for (int k = 0; k < stages.size(); k++) {
      out.add(
          new RunManifest.OpExecution(
              "stages[" + k + "]", "stage", "native", LANE, stages.get(k).render()));
    }
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
