package io.relspec.ir.expr;

import java.util.List;
import java.util.Objects;

/** {@code {"fn": "name", "args": [...]}}: a call of a function from the registry. */
public record Call(String fn, List<Expr> args) implements Expr {
  public Call {
    Objects.requireNonNull(fn, "fn");
    args = List.copyOf(args);
  }

  public static Call of(String fn, Expr... args) {
    return new Call(fn, List.of(args));
  }
}
