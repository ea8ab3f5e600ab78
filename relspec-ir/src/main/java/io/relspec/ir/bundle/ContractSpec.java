package io.relspec.ir.bundle;

import io.relspec.ir.op.SortKey;
import io.relspec.ir.type.Field;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The shape and rules of a rule output: columns, keys, non-null requirements, dedupe, canonical
 * sort and what to do with violating rows.
 */
public record ContractSpec(
    String name,
    int version,
    List<Field> columns,
    List<String> keyFields,
    List<String> requiredNonNull,
    Optional<DedupeSpec> dedupe,
    List<SortKey> canonicalSort,
    OnViolation onViolation) {
  /** The suffix of the dataset that receives quarantined rows. */
  public static final String ERRORS_SUFFIX = "__errors";

  public ContractSpec {
    Objects.requireNonNull(name, "name");
    columns = List.copyOf(columns);
    keyFields = List.copyOf(keyFields);
    requiredNonNull = List.copyOf(requiredNonNull);
    Objects.requireNonNull(dedupe, "dedupe");
    canonicalSort = List.copyOf(canonicalSort);
    Objects.requireNonNull(onViolation, "onViolation");
  }

  public Optional<Field> column(String column) {
    return columns.stream().filter(f -> f.name().equals(column)).findFirst();
  }

  /** {@code {"keys": [...], "orderBy": [sort keys]}}. */
  public record DedupeSpec(List<String> keys, List<SortKey> orderBy) {
    public DedupeSpec {
      keys = List.copyOf(keys);
      orderBy = List.copyOf(orderBy);
    }
  }
}
