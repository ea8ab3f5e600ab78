package io.relspec.it.differential;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.validate.BundleValidator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The float results whose bits the spec leaves open, and how far lanes may legitimately differ on
 * them.
 *
 * <p>{@code avg}, and {@code sum} over floats, are computed in double precision, and format.md
 * ("order of float additions") does not fix the order of the additions: the reference lane adds in
 * input order, Spark and DataFusion add partial sums per partition. Any order of n additions is
 * within (n - 1) * u * sum(|x|) of the exact sum, u = 2^-53 (to first order; Higham, "Accuracy and
 * Stability of Numerical Algorithms", 4.2), as long as no partial sum overflows, so two orders
 * differ by at most twice that. So a value such as avg over {-1e32, 1e32, -0.0026} may be -2.5E-7
 * in one lane and -6.44E-4 in another, and both are right (regression case
 * datafusion-avg-decimal-double-sum-order).
 *
 * <p>{@link #find} follows such results from their aggregate to the plan's output. It only accepts
 * plans where they reach the output unchanged (kept or renamed by project, past filters, derives
 * and sorts that do not read them): a result that feeds a filter, a key, an expression or a limit
 * can change rows, and such a plan is left to the exact comparison. {@link #toleranceQuery} is the
 * query the reference lane runs to measure n and sum(|x|) over every input of that aggregate: a
 * bound for each group, since no group has more inputs or a larger sum.
 */
final class FloatSumBounds {
  private FloatSumBounds() {}

  /**
   * Output columns of a plan that hold an order-dependent float sum unchanged.
   *
   * @param prefix the ops before the aggregate that computes them
   * @param calls the aggregate's order-dependent calls, by call name
   * @param outputs output column index -> the call name it carries
   */
  record Found(
      List<Op> prefix, Map<String, Aggregate.AggregateCall> calls, Map<Integer, String> outputs) {}

  /**
   * The output columns that carry an order-dependent float sum unchanged, or empty if there are
   * none or if such a sum can change rows (then the exact comparison applies).
   */
  static Optional<Found> find(Bundle bundle, RelPlan plan) {
    List<Op> ops = plan.ops();
    Map<String, String> carried = new LinkedHashMap<>();
    Map<String, Aggregate.AggregateCall> calls = new LinkedHashMap<>();
    List<Op> prefix = List.of();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      if (op instanceof Scan || op instanceof Param) {
        continue;
      }
      if (op instanceof Aggregate aggregate) {
        if (!carried.isEmpty() && reads(aggregate, carried.keySet())) {
          return Optional.empty();
        }
        carried.clear();
        calls = new LinkedHashMap<>();
        List<Field> out =
            BundleValidator.resolvePipeline(bundle, ops.subList(0, i + 1), "rules[0].ops").fields();
        for (Aggregate.AggregateCall call : aggregate.aggregates()) {
          if (orderDependent(call, out)) {
            calls.put(call.name(), call);
            carried.put(call.name(), call.name());
          }
        }
        prefix = ops.subList(0, i);
        continue;
      }
      if (nestedSums(op)) {
        return Optional.empty();
      }
      if (carried.isEmpty()) {
        continue;
      }
      if (op instanceof Project project) {
        Map<String, String> next = new LinkedHashMap<>();
        for (Project.Column column : project.columns()) {
          if (column.expr() instanceof ColumnRef ref && carried.containsKey(ref.name())) {
            next.put(column.name(), carried.get(ref.name()));
          } else if (reads(column.expr(), carried.keySet())) {
            return Optional.empty();
          }
        }
        carried = next;
      } else if (op instanceof Derive derive) {
        if (reads(derive.expr(), carried.keySet())) {
          return Optional.empty();
        }
        carried.remove(derive.name());
      } else if (op instanceof Filter filter) {
        if (reads(filter.predicate(), carried.keySet())) {
          return Optional.empty();
        }
      } else if (op instanceof Sort sort) {
        for (SortKey key : sort.keys()) {
          if (carried.containsKey(key.column())) {
            return Optional.empty();
          }
        }
      } else {
        // joins, unions, dedupe, interval_align, explode and limit: rows may depend on the values
        return Optional.empty();
      }
    }
    if (carried.isEmpty()) {
      return Optional.empty();
    }
    Map<Integer, String> outputs = new LinkedHashMap<>();
    carried.forEach((column, call) -> outputs.put(plan.schema().indexOf(column), call));
    return Optional.of(new Found(prefix, calls, outputs));
  }

  /**
   * A bundle whose rule runs {@code found}'s prefix, then one row: for each call, {@code m_<call>}
   * = sum(|x|) over its finite inputs as float64, and {@code n} = the number of input rows.
   */
  static Bundle toleranceQuery(Bundle bundle, Found found) {
    List<Aggregate.AggregateCall> measures = new ArrayList<>();
    found
        .calls()
        .forEach(
            (name, call) -> {
              Expr magnitude = Call.of("abs", new Cast(call.args().get(0), PrimitiveType.FLOAT64));
              // finite inputs only: infinities and NaN give the same result in every order, unless
              // a partial sum overflows, which a finite sum(|x|) beyond MAX_VALUE shows
              Expr finite =
                  new Case(
                      List.of(
                          new Case.When(
                              Call.of(
                                  "le",
                                  magnitude,
                                  Literal.of(Double.MAX_VALUE, PrimitiveType.FLOAT64)),
                              magnitude)),
                      Optional.of(Literal.of(0.0, PrimitiveType.FLOAT64)));
              measures.add(new Aggregate.AggregateCall("m_" + name, "sum", List.of(finite), false));
            });
    measures.add(new Aggregate.AggregateCall("n", "count", List.of(), false));
    List<Op> ops = new ArrayList<>(found.prefix());
    ops.add(new Aggregate(List.of(), measures));
    RuleDefinition rule = bundle.rules().get(0);
    RuleDefinition query =
        new RuleDefinition(
            rule.name(),
            rule.output(),
            rule.contract(),
            rule.priority(),
            ops,
            rule.params(),
            rule.description(),
            rule.tags());
    return new Bundle(
        bundle.formatVersion(),
        bundle.name(),
        bundle.datasets(),
        bundle.contracts(),
        List.of(query));
  }

  /**
   * Per output column, the largest difference two addition orders can make, from {@link
   * #toleranceQuery}'s one row: 2 * (n + 1) * 2^-52 * sum(|x|), which also covers avg's division
   * (one more rounding of at most u * |avg| <= u * sum(|x|)); infinite if sum(|x|) overflows.
   */
  static Map<Integer, Double> tolerances(Found found, List<Object> measured) {
    Map<String, Double> byCall = new HashMap<>();
    List<String> names = new ArrayList<>(found.calls().keySet());
    long n = (Long) measured.get(names.size());
    for (int i = 0; i < names.size(); i++) {
      Object sum = measured.get(i);
      double magnitude = sum == null ? 0.0 : (Double) sum;
      double bound = 2.0 * (n + 1) * Math.ulp(1.0) * magnitude;
      byCall.put(
          names.get(i),
          Double.isFinite(magnitude) && magnitude <= Double.MAX_VALUE / (4.0 * (n + 1))
              ? bound
              : Double.POSITIVE_INFINITY);
    }
    Map<Integer, Double> out = new LinkedHashMap<>();
    found.outputs().forEach((index, call) -> out.put(index, byCall.get(call)));
    return out;
  }

  /**
   * Whether the two multisets of rows are equal when the columns in {@code tolerances} may differ
   * by their tolerance: every other column exactly as {@link Canonical} renders it, nulls, NaN and
   * infinities exactly. Rows with the same exact columns pair up in the order of their tolerant
   * values.
   */
  static boolean equalWithin(
      List<List<Object>> expected, List<List<Object>> actual, Map<Integer, Double> tolerances) {
    if (expected.size() != actual.size()) {
      return false;
    }
    Map<String, List<List<Object>>> want = byExactColumns(expected, tolerances.keySet());
    Map<String, List<List<Object>>> got = byExactColumns(actual, tolerances.keySet());
    if (!want.keySet().equals(got.keySet())) {
      return false;
    }
    for (Map.Entry<String, List<List<Object>>> group : want.entrySet()) {
      List<List<Object>> a = sortedByTolerant(group.getValue(), tolerances.keySet());
      List<List<Object>> b = sortedByTolerant(got.get(group.getKey()), tolerances.keySet());
      if (a.size() != b.size()) {
        return false;
      }
      for (int r = 0; r < a.size(); r++) {
        for (Map.Entry<Integer, Double> column : tolerances.entrySet()) {
          int index = column.getKey();
          if (!within(a.get(r).get(index), b.get(r).get(index), column.getValue())) {
            return false;
          }
        }
      }
    }
    return true;
  }

  private static boolean within(Object a, Object b, double tolerance) {
    if (a == null || b == null) {
      return a == b;
    }
    double x = (Double) a;
    double y = (Double) b;
    if (!Double.isFinite(x) || !Double.isFinite(y)) {
      // an overflowed partial sum can turn into infinity or NaN in one order only
      return tolerance == Double.POSITIVE_INFINITY
          || Double.compare(x, y) == 0
          || (Double.isNaN(x) && Double.isNaN(y));
    }
    return Math.abs(x - y) <= tolerance;
  }

  private static Map<String, List<List<Object>>> byExactColumns(
      List<List<Object>> rows, Set<Integer> tolerant) {
    Map<String, List<List<Object>>> out = new HashMap<>();
    for (List<Object> row : rows) {
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < row.size(); i++) {
        parts.add(tolerant.contains(i) ? "~" : Canonical.render(row.get(i)));
      }
      out.computeIfAbsent(String.join("|", parts), k -> new ArrayList<>()).add(row);
    }
    return out;
  }

  private static List<List<Object>> sortedByTolerant(
      List<List<Object>> rows, Set<Integer> tolerant) {
    Comparator<List<Object>> order = (x, y) -> 0;
    for (int index : tolerant) {
      Comparator<List<Object>> byColumn =
          Comparator.comparing(
              row -> (Double) row.get(index), Comparator.nullsFirst(Double::compare));
      order = order.thenComparing(byColumn);
    }
    List<List<Object>> out = new ArrayList<>(rows);
    out.sort(order);
    return out;
  }

  private static boolean orderDependent(Aggregate.AggregateCall call, List<Field> out) {
    if (call.fn().equals("avg")) {
      return true;
    }
    return call.fn().equals("sum")
        && out.stream()
            .anyMatch(f -> f.name().equals(call.name()) && f.type() == PrimitiveType.FLOAT64);
  }

  /** Whether a join, union or interval_align input pipeline computes an avg or a float sum. */
  private static boolean nestedSums(Op op) {
    List<List<Op>> nested = new ArrayList<>();
    if (op instanceof io.relspec.ir.op.Join join) {
      nested.add(join.right().ops());
    } else if (op instanceof io.relspec.ir.op.Union union) {
      union.inputs().forEach(p -> nested.add(p.ops()));
    } else if (op instanceof io.relspec.ir.op.IntervalAlign align) {
      nested.add(align.right().ops());
    }
    for (List<Op> ops : nested) {
      for (Op inner : ops) {
        if (inner instanceof Aggregate aggregate
            && aggregate.aggregates().stream()
                .anyMatch(c -> c.fn().equals("avg") || c.fn().equals("sum"))) {
          return true;
        }
        if (nestedSums(inner)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean reads(Aggregate aggregate, Set<String> columns) {
    Set<String> used = new HashSet<>(aggregate.groupBy());
    for (Aggregate.AggregateCall call : aggregate.aggregates()) {
      call.args().forEach(arg -> Expr.addColumns(arg, used));
    }
    return used.stream().anyMatch(columns::contains);
  }

  private static boolean reads(Expr expr, Set<String> columns) {
    Set<String> used = new HashSet<>();
    Expr.addColumns(expr, used);
    return used.stream().anyMatch(columns::contains);
  }
}
