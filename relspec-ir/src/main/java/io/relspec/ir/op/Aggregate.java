package io.relspec.ir.op;

import io.relspec.ir.expr.Expr;
import java.util.List;
import java.util.Objects;

/** Group columns then aggregates, one row per group (one row in total without groupBy). */
public record Aggregate(List<String> groupBy, List<AggregateCall> aggregates) implements Op {
  public Aggregate {
    groupBy = List.copyOf(groupBy);
    aggregates = List.copyOf(aggregates);
  }

  @Override
  public String opName() {
    return "aggregate";
  }

  /** {@code {"name", "fn", "args", "distinct"}}: one aggregate output column. */
  public record AggregateCall(String name, String fn, List<Expr> args, boolean distinct) {
    public AggregateCall {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(fn, "fn");
      args = List.copyOf(args);
    }
  }
}
