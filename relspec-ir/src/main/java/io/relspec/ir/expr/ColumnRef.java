package io.relspec.ir.expr;

import java.util.Objects;
import java.util.Optional;

/** {@code {"col": "a"}}, or {@code {"col": "a", "side": "left"}} inside a join condition. */
public record ColumnRef(String name, Optional<Side> side) implements Expr {
  public ColumnRef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(side, "side");
  }

  public ColumnRef(String name) {
    this(name, Optional.empty());
  }
}
