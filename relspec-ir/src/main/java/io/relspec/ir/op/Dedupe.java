package io.relspec.ir.op;

import java.util.List;

/**
 * One row per distinct key: the first by {@code orderBy}; ties are broken by every remaining column
 * in output-schema order, ascending, nulls last.
 */
public record Dedupe(List<String> keys, List<SortKey> orderBy) implements Op {
  public Dedupe {
    keys = List.copyOf(keys);
    orderBy = List.copyOf(orderBy);
  }

  @Override
  public String opName() {
    return "dedupe";
  }
}
