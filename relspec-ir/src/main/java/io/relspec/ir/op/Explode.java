package io.relspec.ir.op;

import java.util.Objects;
import java.util.Optional;

/**
 * One row per element of the list {@code column}, named {@code as}; {@code position} names the
 * 0-based index. Null or empty lists give no row, or one row of nulls when {@code outer}.
 */
public record Explode(String column, String as, Optional<String> position, boolean outer)
    implements Op {
  public Explode {
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(as, "as");
    Objects.requireNonNull(position, "position");
  }

  @Override
  public String opName() {
    return "explode";
  }
}
