package io.relspec.reference;

import java.util.List;
import java.util.Optional;

/**
 * One finalized output: its rows (the contract's columns, in canonical order when the contract has
 * a canonical sort), the quarantined rows when the contract quarantines, the accounting, and the
 * accounting of each rule (in the output's rule order).
 */
public record OutputResult(
    String name,
    Relation rows,
    Optional<Relation> errors,
    Accounting accounting,
    List<RuleAccounting> rules)
    implements AutoCloseable {
  public OutputResult {
    rules = List.copyOf(rules);
  }

  @Override
  public void close() {
    rows.close();
    errors.ifPresent(Relation::close);
  }
}
