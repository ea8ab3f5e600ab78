package io.relspec.ir.op;

import io.relspec.ir.expr.Expr;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Left columns then right columns (semi/anti: left only). Equality in {@code on} never matches
 * null; {@code condition} is an extra predicate over both sides.
 */
public record Join(
    JoinType type,
    Pipeline right,
    List<EquiKey> on,
    Optional<Expr> condition,
    Optional<String> rightSuffix)
    implements Op {
  public Join {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(right, "right");
    on = List.copyOf(on);
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(rightSuffix, "rightSuffix");
  }

  @Override
  public String opName() {
    return "join";
  }
}
