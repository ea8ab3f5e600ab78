package io.relspec.ir.diagnostics;

import java.util.List;
import java.util.Objects;

/**
 * Where one output column of a rule comes from.
 *
 * @param rule the rule
 * @param column the column of the rule's output schema
 * @param derived false when the value is a copy of one source column (passed through, renamed or
 *     joined, never computed); true when it is computed (an expression, an aggregate, an exploded
 *     element, a match score) or merged from several columns
 * @param inputs the columns of the datasets or rule outputs the rule scans that the value comes
 *     from, as {@code name.column}, sorted
 * @param sources the same, followed transitively through the rules that produce scanned outputs,
 *     down to declared datasets, sorted
 */
public record ColumnLineage(
    String rule, String column, boolean derived, List<String> inputs, List<String> sources) {
  public ColumnLineage {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(column, "column");
    inputs = List.copyOf(inputs);
    sources = List.copyOf(sources);
  }

  /** {@code copy} or {@code derived}. */
  public String kind() {
    return derived ? "derived" : "copy";
  }
}
