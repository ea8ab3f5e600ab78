package io.relspec.ir.op;

/**
 * The first {@code n} rows after {@code offset} of the current order. Both are 0 to 2^53-1, the
 * integers a JSON number carries exactly (so that two different limits never share a signature).
 */
public record Limit(long n, long offset) implements Op {
  /** 2^53-1. */
  public static final long MAX_ROWS = (1L << 53) - 1;

  public Limit {
    if (n < 0 || n > MAX_ROWS) {
      throw new IllegalArgumentException(
          "Cannot create limit with n " + n + ": it must be 0 to " + MAX_ROWS);
    }
    if (offset < 0 || offset > MAX_ROWS) {
      throw new IllegalArgumentException(
          "Cannot create limit with offset " + offset + ": it must be 0 to " + MAX_ROWS);
    }
  }

  @Override
  public String opName() {
    return "limit";
  }
}
