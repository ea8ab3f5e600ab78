package io.relspec.ir.op;

import io.relspec.ir.expr.Expr;
import java.util.Objects;

/** All columns, with {@code name} added at the end or replaced in place. */
public record Derive(String name, Expr expr) implements Op {
  public Derive {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expr, "expr");
  }

  @Override
  public String opName() {
    return "derive";
  }
}
