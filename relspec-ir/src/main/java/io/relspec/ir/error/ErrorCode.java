package io.relspec.ir.error;

/**
 * The stable category of a relspec failure, so that users (and tests) can tell "your bundle is
 * wrong" from "relspec is broken" from "give it more resources" at a glance.
 */
public enum ErrorCode {
  /** The JSON document cannot be read: syntax, unknown keys, wrong value types. */
  INVALID_DOCUMENT(Kind.USER),
  /** The bundle reads fine but does not type-check or resolve. */
  INVALID_BUNDLE(Kind.USER),
  /** A run-time argument (a param value, a profile, a path) is wrong. */
  INVALID_ARGUMENT(Kind.USER),
  /** Input data is missing or does not match the declared schema. */
  INVALID_INPUT(Kind.USER),
  /** An output contract rejected rows and the contract says to fail. */
  CONTRACT_VIOLATION(Kind.USER),
  /** The operation is valid but the chosen engine lane cannot run it. */
  UNSUPPORTED(Kind.USER),
  /** A memory, depth or size limit was reached. */
  INSUFFICIENT_RESOURCES(Kind.RESOURCES),
  /** A bug in relspec. */
  INTERNAL(Kind.INTERNAL);

  /** Who has to act. */
  public enum Kind {
    USER,
    RESOURCES,
    INTERNAL
  }

  private final Kind kind;

  ErrorCode(Kind kind) {
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
