package io.relspec.ir.capability;

import io.relspec.ir.validate.FunctionRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The kernel capability registry: for every op, scalar function and aggregate of format v1 and
 * every lane, whether the lane runs it natively, translates it, or falls back to the reference
 * lane's kernel, and why. The reference lane runs everything natively (its tests prove it); the
 * Spark and DataFusion rows are the declared plan for those lanes, to be confirmed by their own
 * capability tests (a lane that claims native support must be shown to run natively).
 *
 * <p>The one registry every lane reads: runners report each op's mode and reason from it in the run
 * manifest ({@code RuleReport.execution}); {@code relspec capabilities} prints it.
 */
public final class KernelCapabilities {
  public static final List<String> OPS = io.relspec.ir.op.Op.NAMES;

  private static final String REFERENCE_REASON = "implemented directly over Arrow vectors";

  private static final Map<String, Capability> TABLE = build();

  private KernelCapabilities() {}

  private static String key(String kernel, Lane lane) {
    return kernel + "@" + lane.jsonName();
  }

  private static Map<String, Capability> build() {
    Map<String, Capability> table = new LinkedHashMap<>();
    for (String op : OPS) {
      put(table, new Capability("op", op, Lane.REFERENCE, Support.NATIVE, REFERENCE_REASON));
      put(table, sparkOp(op));
      put(table, dataFusionOp(op));
    }
    for (String fn : FunctionRegistry.SCALAR_FUNCTIONS) {
      put(table, new Capability("function", fn, Lane.REFERENCE, Support.NATIVE, REFERENCE_REASON));
      put(table, sparkFunction(fn));
      put(table, dataFusionFunction(fn));
    }
    for (String fn : FunctionRegistry.AGGREGATE_FUNCTIONS) {
      put(table, new Capability("aggregate", fn, Lane.REFERENCE, Support.NATIVE, REFERENCE_REASON));
      put(
          table,
          new Capability(
              "aggregate",
              fn,
              Lane.SPARK,
              Support.TRANSLATED,
              "Catalyst aggregate function (HashAggregate)"));
      put(
          table,
          fn.equals("min") || fn.equals("max")
              ? new Capability(
                  "aggregate",
                  fn,
                  Lane.DATAFUSION,
                  Support.TRANSLATED,
                  "Comet HashAggregate; on strings Spark plans SortAggregate, which Comet 0.12"
                      + " leaves to Spark")
              : new Capability(
                  "aggregate",
                  fn,
                  Lane.DATAFUSION,
                  Support.NATIVE,
                  "Comet 0.12 HashAggregate (Partial/Final) runs it in DataFusion"));
    }
    return Collections.unmodifiableMap(table);
  }

  private static void put(Map<String, Capability> table, Capability capability) {
    table.put(key(capability.kernel(), capability.lane()), capability);
  }

  private static Capability sparkOp(String op) {
    return switch (op) {
      case "interval_align" ->
          new Capability(
              "op",
              op,
              Lane.SPARK,
              Support.FALLBACK,
              "Catalyst has no interval kernel; a range join is O(n*m), so key groups go to the"
                  + " reference kernel (sort-based, O((n+m) log m))");
      case "dedupe" ->
          new Capability(
              "op",
              op,
              Lane.SPARK,
              Support.TRANSLATED,
              "row_number() over (partition by keys order by orderBy, then every remaining column asc"
                  + " nulls last) = 1");
      default ->
          new Capability("op", op, Lane.SPARK, Support.TRANSLATED, "Catalyst logical plan node");
    };
  }

  private static Capability dataFusionOp(String op) {
    return switch (op) {
      case "explode" ->
          new Capability(
              "op",
              op,
              Lane.DATAFUSION,
              Support.FALLBACK,
              "Comet 0.12 has no Generate/explode operator");
      case "interval_align" ->
          new Capability(
              "op",
              op,
              Lane.DATAFUSION,
              Support.FALLBACK,
              "the reference lane's sort-based kernel by choice: Comet 0.12 has no interval join,"
                  + " and the translation (HashJoin on the keys with the span predicate, then Sort"
                  + " + Window ranking per left row + Filter) pairs every left and right row of a"
                  + " key; CometEngine.nativeFirst() runs that translation");
      case "dedupe" ->
          new Capability(
              "op",
              op,
              Lane.DATAFUSION,
              Support.FALLBACK,
              "the reference lane's hash-based dedupe by choice: the translation (Comet 0.12 Sort"
                  + " + Window count(1) over a ROWS frame as the row number, 0.12 has no"
                  + " row_number, + Filter) runs in one plan over all rows, 27.8 s for 1.8M rows"
                  + " of the CPG bundle; CometEngine.nativeFirst() runs that translation");
      case "param" ->
          new Capability(
              "op", op, Lane.DATAFUSION, Support.TRANSLATED, "bound to literals before planning");
      case "union" ->
          new Capability(
              "op",
              op,
              Lane.DATAFUSION,
              Support.FALLBACK,
              "Comet 0.12 has no union operator that datafusion-bridge can drive");
      default ->
          new Capability(
              "op",
              op,
              Lane.DATAFUSION,
              Support.NATIVE,
              "Comet 0.12 operator (scan, filter, projection, hash/sort-merge join, aggregate, sort,"
                  + " limit) runs in DataFusion");
    };
  }

  private static Capability sparkFunction(String fn) {
    String reason =
        switch (fn) {
          case "stable_hash64" -> "Catalyst xxhash64 (seed 42), the definition of stable_hash64";
          case "div" -> "integer div is Catalyst IntegralDivide, others Divide; both null on zero";
          case "span_len", "span_contains", "span_overlaps" ->
              "rewritten as Catalyst arithmetic and comparisons";
          case "trim" -> "Catalyst StringTrim (removes spaces only)";
          default -> "Catalyst expression of the same semantics";
        };
    return new Capability("function", fn, Lane.SPARK, Support.TRANSLATED, reason);
  }

  private static Capability dataFusionFunction(String fn) {
    return switch (fn) {
      case "like" ->
          new Capability(
              "function",
              fn,
              Lane.DATAFUSION,
              Support.TRANSLATED,
              "Comet Like with a constant pattern (one breaking the escape rule is a null"
                  + " literal); a pattern computed per row falls back to the reference lane, since"
                  + " DataFusion reads a backslash before any character as an escape");
      case "upper", "lower", "trim", "concat", "substr", "date_add_days" ->
          new Capability(
              "function",
              fn,
              Lane.DATAFUSION,
              Support.FALLBACK,
              "not mapped by datafusion-bridge: Comet 0.12's version differs from the spec or is"
                  + " unchecked (upper/lower are locale-dependent and off by default)");
      default ->
          new Capability(
              "function",
              fn,
              Lane.DATAFUSION,
              Support.TRANSLATED,
              "Spark expression serialized to Comet, evaluated by DataFusion with Spark semantics");
    };
  }

  /** Every capability, ops first, then functions, then aggregates, each with all lanes. */
  public static List<Capability> all() {
    return new ArrayList<>(TABLE.values());
  }

  /** How {@code lane} runs {@code kernel}, if the kernel is in format v1. */
  public static Optional<Capability> lookup(String kernel, Lane lane) {
    return Optional.ofNullable(TABLE.get(key(kernel, lane)));
  }

  /** Every capability of one lane. */
  public static List<Capability> forLane(Lane lane) {
    return TABLE.values().stream().filter(c -> c.lane() == lane).toList();
  }

  /** The table as text: one line per kernel with each lane's support, then the reasons. */
  public static String render() {
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            "%-10s %-16s %-11s %-11s %-11s%n",
            "kind", "kernel", "reference", "spark", "datafusion"));
    Map<String, List<Capability>> byKernel =
        TABLE.values().stream()
            .collect(
                Collectors.groupingBy(Capability::kernel, LinkedHashMap::new, Collectors.toList()));
    for (List<Capability> row : byKernel.values()) {
      Capability first = row.get(0);
      text.append(
          String.format(
              "%-10s %-16s %-11s %-11s %-11s%n",
              first.kind(),
              first.kernel(),
              support(row, Lane.REFERENCE),
              support(row, Lane.SPARK),
              support(row, Lane.DATAFUSION)));
    }
    return text.toString();
  }

  private static String support(List<Capability> row, Lane lane) {
    return row.stream()
        .filter(c -> c.lane() == lane)
        .map(c -> c.support().jsonName())
        .findFirst()
        .orElse("-");
  }
}
