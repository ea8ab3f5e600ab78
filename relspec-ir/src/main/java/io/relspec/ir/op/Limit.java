package io.relspec.ir.op;

/** The first {@code n} rows after {@code offset} of the current order. */
public record Limit(long n, long offset) implements Op {
  @Override
  public String opName() {
    return "limit";
  }
}
