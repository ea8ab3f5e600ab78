package io.relspec.ir.diagnostics;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one rule differs between two bundle versions.
 *
 * @param rule the rule name
 * @param status {@code unchanged}, {@code changed}, {@code added} or {@code removed}
 * @param category {@code breaking}, {@code non_breaking} or {@code metadata}; empty when unchanged
 * @param reason why the status and category were chosen
 * @param edits what changed, in {@link EditKind} order
 * @param affectedDownstream rules (of the new bundle, transitively) whose outputs may change
 *     because of this one; empty unless breaking
 * @param oldDigest digest of the old optimized plan, empty for added rules
 * @param newDigest digest of the new optimized plan, empty for removed rules
 */
public record RuleChange(
    String rule,
    String status,
    Optional<String> category,
    String reason,
    List<Edit> edits,
    List<String> affectedDownstream,
    Optional<String> oldDigest,
    Optional<String> newDigest) {
  public static final String UNCHANGED = "unchanged";
  public static final String CHANGED = "changed";
  public static final String ADDED = "added";
  public static final String REMOVED = "removed";
  public static final String BREAKING = "breaking";
  public static final String NON_BREAKING = "non_breaking";
  public static final String METADATA = "metadata";

  public RuleChange {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(reason, "reason");
    edits = List.copyOf(edits);
    affectedDownstream = List.copyOf(affectedDownstream);
    Objects.requireNonNull(oldDigest, "oldDigest");
    Objects.requireNonNull(newDigest, "newDigest");
  }

  /** One edit: its kind and what exactly changed. */
  public record Edit(EditKind kind, String detail) {
    public Edit {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
