package io.relspec.ir.type;

import java.util.Objects;

/** {@code list<T>}; elements may be null. */
public record ListType(DataType element) implements DataType {
  public ListType {
    Objects.requireNonNull(element, "element");
  }

  @Override
  public String typeString() {
    return "list<" + element.typeString() + ">";
  }

  @Override
  public String toString() {
    return typeString();
  }
}
