package io.relspec.reference.conformance;

import io.relspec.ir.type.DataType;
import java.util.List;

/** What a {@link Lane} did with a {@link ConformanceCase}. */
public sealed interface LaneResult {

  /**
   * The lane ran the case.
   *
   * @param names the output column names
   * @param types the output column types
   * @param rows the output rows in the lane's output order, in the cases' value domain
   * @param execution how it ran, e.g. {@code native} or {@code fallback: ops[1] explode (...)}
   */
  record Rows(List<String> names, List<DataType> types, List<List<Object>> rows, String execution)
      implements LaneResult {
    public Rows {
      names = List.copyOf(names);
      types = List.copyOf(types);
      rows = List.copyOf(rows);
    }
  }

  /** The lane ran the case and failed, e.g. a runtime error of the engine. */
  record Failed(String error) implements LaneResult {}

  /** The lane cannot run the case at all, and says why (e.g. an op it does not implement). */
  record CannotRun(String reason) implements LaneResult {}
}
