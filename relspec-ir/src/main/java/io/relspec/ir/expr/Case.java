package io.relspec.ir.expr;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code {"case": [{"when": E, "then": E}, ...], "else": E}}: the first true branch wins; a missing
 * {@code else} is null.
 */
public record Case(List<When> branches, Optional<Expr> otherwise) implements Expr {
  public Case {
    branches = List.copyOf(branches);
    Objects.requireNonNull(otherwise, "otherwise");
  }

  /** One {@code when}/{@code then} branch. */
  public record When(Expr when, Expr then) {
    public When {
      Objects.requireNonNull(when, "when");
      Objects.requireNonNull(then, "then");
    }
  }
}
