package io.relspec.ir.bundle;

import io.relspec.ir.plan.Ordering;
import io.relspec.ir.type.Field;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** An input dataset: where it is, how it is stored, its schema and ordering. */
public record DatasetSpec(
    String name,
    DatasetFormat format,
    String location,
    List<Field> schema,
    Ordering ordering,
    ScanOptions scan) {
  public DatasetSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(location, "location");
    schema = List.copyOf(schema);
    Objects.requireNonNull(ordering, "ordering");
    Objects.requireNonNull(scan, "scan");
  }

  public Optional<Field> field(String column) {
    return schema.stream().filter(f -> f.name().equals(column)).findFirst();
  }
}
