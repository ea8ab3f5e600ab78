package io.relspec.reference;

import java.util.Optional;

/**
 * One finalized output: its rows (the contract's columns, in canonical order when the contract has
 * a canonical sort), the quarantined rows when the contract quarantines, and the accounting.
 */
public record OutputResult(
    String name, Relation rows, Optional<Relation> errors, Accounting accounting)
    implements AutoCloseable {
  @Override
  public void close() {
    rows.close();
    errors.ifPresent(Relation::close);
  }
}
