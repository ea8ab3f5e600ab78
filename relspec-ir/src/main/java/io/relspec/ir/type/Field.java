package io.relspec.ir.type;

import java.util.Objects;

/** A named, typed column of a schema; {@code nullable} defaults to true in bundles. */
public record Field(String name, DataType type, boolean nullable) {
  public Field {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }

  public static Field nullable(String name, DataType type) {
    return new Field(name, type, true);
  }

  public static Field notNull(String name, DataType type) {
    return new Field(name, type, false);
  }

  public Field withName(String newName) {
    return new Field(newName, type, nullable);
  }

  public Field withNullable(boolean newNullable) {
    return new Field(name, type, newNullable);
  }
}
