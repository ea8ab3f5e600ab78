package io.relspec.ir.diagnostics;

import java.util.Objects;

/**
 * Whether a rule runs.
 *
 * @param rule the rule
 * @param status {@code run}, {@code blocked} (its own errors) or {@code skipped} (because of
 *     another rule, or the policy)
 * @param reason why, empty for {@code run}
 */
public record GateDecision(String rule, String status, String reason) {
  public static final String RUN = "run";
  public static final String BLOCKED = "blocked";
  public static final String SKIPPED = "skipped";

  public GateDecision {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
  }

  public boolean runs() {
    return status.equals(RUN);
  }
}
