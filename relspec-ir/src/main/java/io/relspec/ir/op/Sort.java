package io.relspec.ir.op;

import java.util.List;

/** Rows in key order; sets EXPLICIT ordering. */
public record Sort(List<SortKey> keys) implements Op {
  public Sort {
    keys = List.copyOf(keys);
  }

  @Override
  public String opName() {
    return "sort";
  }
}
