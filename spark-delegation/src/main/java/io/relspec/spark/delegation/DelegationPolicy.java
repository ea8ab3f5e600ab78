package io.relspec.spark.delegation;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which rules delegate their partition-local ops to DataFusion: none, all, or the rules named.
 * Written {@code none}, {@code all} or {@code rule1,rule2}, as the conf {@value #CONF} and the
 * command line's {@code --delegate} take it.
 *
 * @param all every rule
 * @param rules the rules named (empty when {@code all} or none)
 */
public record DelegationPolicy(boolean all, Set<String> rules) {
  /** The Spark conf a session or spark-submit sets: {@code none}, {@code all} or rule names. */
  public static final String CONF = "spark.relspec.delegate";

  public static final DelegationPolicy NONE = new DelegationPolicy(false, Set.of());
  public static final DelegationPolicy ALL = new DelegationPolicy(true, Set.of());

  public DelegationPolicy {
    rules = Set.copyOf(rules);
  }

  /** {@code none} (or empty), {@code all} (or {@code true}), else comma-separated rule names. */
  public static DelegationPolicy parse(String value) {
    String text = value.trim();
    if (text.isEmpty() || text.equals("none") || text.equals("false")) {
      return NONE;
    }
    if (text.equals("all") || text.equals("true")) {
      return ALL;
    }
    Set<String> names = new TreeSet<>();
    Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
    return names.isEmpty() ? NONE : new DelegationPolicy(false, names);
  }

  public boolean applies(String rule) {
    return all || rules.contains(rule);
  }

  public boolean none() {
    return !all && rules.isEmpty();
  }
}
