package io.relspec.ir.diagnostics;

import java.util.Arrays;

/** What error diagnostics stop before anything executes. */
public enum GatePolicy {
  /** An error stops its rule, the other rules of its output and every rule downstream. */
  SKIP_DOWNSTREAM("skip-downstream"),
  /** Any error stops every rule. */
  FAIL_ALL("fail-all"),
  /**
   * Contract errors are reported but stop nothing; a rule that does not validate still cannot run
   * and stops its downstream rules.
   */
  WARN_ONLY("warn-only");

  private final String cliName;

  GatePolicy(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  public static GatePolicy fromCliName(String name) {
    for (GatePolicy policy : values()) {
      if (policy.cliName.equals(name)) {
        return policy;
      }
    }
    throw new IllegalArgumentException(
        "Cannot use gate policy '"
            + name
            + "': unknown policy. Use one of "
            + Arrays.stream(values()).map(GatePolicy::cliName).toList());
  }
}
