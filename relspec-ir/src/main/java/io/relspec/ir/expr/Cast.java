package io.relspec.ir.expr;

import io.relspec.ir.type.DataType;
import java.util.Objects;

/** {@code {"cast": E, "to": "T"}}: a failed cast is null. */
public record Cast(Expr expr, DataType to) implements Expr {
  public Cast {
    Objects.requireNonNull(expr, "expr");
    Objects.requireNonNull(to, "to");
  }
}
