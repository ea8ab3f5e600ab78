package io.relspec.it.differential;

import io.relspec.ir.type.DataType;
import java.util.List;

/** What one lane did with a case: rows, an error, or not run (and why). */
sealed interface Outcome {
  /** The rows a lane produced, as canonical values (see {@link Canonical}), in output order. */
  record Rows(List<DataType> types, List<List<Object>> rows) implements Outcome {
    public Rows {
      types = List.copyOf(types);
      rows = List.copyOf(rows);
    }
  }

  /** The lane threw: the exception's class and message. */
  record Failed(String error) implements Outcome {}

  /** The lane did not run the case, e.g. {@code fallback explode}. */
  record NotRun(String reason) implements Outcome {}
}
