package io.relspec.ir.diagnostics;

import java.util.Objects;
import java.util.Optional;

/**
 * One finding about a bundle.
 *
 * @param severity error (gates the rule), warning or info
 * @param code a stable kind: {@code missing_column}, {@code type_mismatch}, {@code nullability},
 *     {@code key_not_produced}, {@code extra_column}, {@code unknown_column}, {@code
 *     unknown_dataset}, {@code invalid_rule}, {@code invalid_bundle}
 * @param rule the rule it is about, if any
 * @param location the JSON path in the bundle, e.g. {@code rules[2].ops[3].predicate}
 * @param message what is wrong
 * @param fix how to fix it
 * @param planSignature the plan signature of the rule (diagnostic records are keyed by it)
 */
public record Diagnostic(
    Severity severity,
    String code,
    Optional<String> rule,
    String location,
    String message,
    String fix,
    Optional<String> planSignature) {
  public Diagnostic {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(fix, "fix");
    Objects.requireNonNull(planSignature, "planSignature");
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }
}
