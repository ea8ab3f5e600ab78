package io.relspec.ir.expr;

import java.util.Objects;

/** {@code {"param": "p"}}: the value of a parameter declared by a {@code param} op. */
public record ParamRef(String name) implements Expr {
  public ParamRef {
    Objects.requireNonNull(name, "name");
  }
}
