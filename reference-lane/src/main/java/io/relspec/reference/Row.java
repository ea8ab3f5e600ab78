package io.relspec.reference;

/** The values of one row an expression sees, by column index of its scope. */
public interface Row {
  Object get(int column);
}
