package io.relspec.reference;

/** A compiled expression: its value (canonical class, or null) for one row. */
@FunctionalInterface
public interface Evaluator {
  Object eval(Row row);
}
