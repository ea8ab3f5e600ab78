package io.relspec.datafusion;

import java.util.Objects;

/**
 * One op an engine cannot run natively, with the reason.
 *
 * @param path where the op is, e.g. {@code ops[3]} or {@code ops[1].right.ops[2]}
 * @param op the op's name, e.g. {@code explode}
 * @param reason why it cannot run natively
 */
public record Fallback(String path, String op, String reason) {
  public Fallback {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(reason, "reason");
  }

  public String render() {
    return path + " (" + op + "): " + reason;
  }
}
