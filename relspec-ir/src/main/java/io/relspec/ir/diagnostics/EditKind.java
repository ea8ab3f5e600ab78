package io.relspec.ir.diagnostics;

/** What changed in a rule between two bundle versions. */
public enum EditKind {
  COLUMN_ADDED("column_added"),
  COLUMN_REMOVED("column_removed"),
  COLUMN_RENAMED("column_renamed"),
  COLUMN_RETYPED("column_retyped"),
  EXPRESSION_CHANGED("expression_changed"),
  PREDICATE_CHANGED("predicate_changed"),
  JOIN_CHANGED("join_changed"),
  AGGREGATE_CHANGED("aggregate_changed"),
  KERNEL_OPTIONS_CHANGED("kernel_options_changed"),
  ORDER_CHANGED("order_changed"),
  SOURCE_CHANGED("source_changed"),
  /** A column of a dataset the rule scans was added, removed, retyped or changed nullability. */
  DATASET_CHANGED("dataset_changed"),
  PARAMS_CHANGED("params_changed"),
  CONTRACT_CHANGED("contract_changed"),
  OUTPUT_CHANGED("output_changed"),
  PRIORITY_CHANGED("priority_changed"),
  PLAN_CHANGED("plan_changed"),
  METADATA_CHANGED("metadata_changed");

  private final String jsonName;

  EditKind(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }
}
