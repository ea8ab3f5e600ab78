package io.relspec.ir.op;

import java.util.Objects;

/** An equality key {@code {"left": a, "right": b}}; a bare name means the same on both sides. */
public record EquiKey(String left, String right) {
  public EquiKey {
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
  }

  public static EquiKey same(String column) {
    return new EquiKey(column, column);
  }
}
