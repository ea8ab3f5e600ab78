package io.relspec.ir.op;

import java.util.List;

/**
 * The current rows followed by each input's rows, matched by column name; a column missing on one
 * side is null; {@code distinct} removes duplicate rows.
 */
public record Union(List<Pipeline> inputs, boolean distinct) implements Op {
  public Union {
    inputs = List.copyOf(inputs);
  }

  @Override
  public String opName() {
    return "union";
  }
}
