package io.relspec.ir.op;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Reads a dataset (or another rule's finalized output); {@code columns} selects and orders. */
public record Scan(String dataset, Optional<List<String>> columns) implements Op {
  public Scan {
    Objects.requireNonNull(dataset, "dataset");
    columns = columns.map(List::copyOf);
  }

  public static Scan of(String dataset) {
    return new Scan(dataset, Optional.empty());
  }

  @Override
  public String opName() {
    return "scan";
  }
}
