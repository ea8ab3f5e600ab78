package io.relspec.ir.op;

import io.relspec.ir.expr.Expr;
import java.util.Objects;

/** Keeps the rows where the predicate is true; null drops the row. */
public record Filter(Expr predicate) implements Op {
  public Filter {
    Objects.requireNonNull(predicate, "predicate");
  }

  @Override
  public String opName() {
    return "filter";
  }
}
