package io.relspec.ir.type;

import java.util.List;
import java.util.stream.Collectors;

/** {@code struct<name:T,...>}; every struct field is nullable. */
public record StructType(List<StructField> fields) implements DataType {
  public StructType {
    fields = List.copyOf(fields);
  }

  /** One named member of a struct. */
  public record StructField(String name, DataType type) {}

  @Override
  public String typeString() {
    return fields.stream()
        .map(f -> f.name() + ":" + f.type().typeString())
        .collect(Collectors.joining(",", "struct<", ">"));
  }

  @Override
  public String toString() {
    return typeString();
  }
}
