package io.relspec.spark.engine;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which rules must run natively on DataFusion: none, every rule of the bundle, or the named rules.
 * A rule that must, and has an operator that fell back to Spark, fails its output before anything
 * is written.
 *
 * @param all every rule must run natively
 * @param rules the rules that must (when not {@code all})
 */
public record FailOnFallback(boolean all, Set<String> rules) {
  /** The conf ({@code true}, {@code false} or a comma-separated list of rule names). */
  public static final String CONF = "spark.relspec.failOnFallback";

  public static final FailOnFallback NONE = new FailOnFallback(false, Set.of());
  public static final FailOnFallback ALL = new FailOnFallback(true, Set.of());

  public FailOnFallback {
    rules = Set.copyOf(rules);
  }

  public static FailOnFallback rules(Set<String> rules) {
    return rules.isEmpty() ? NONE : new FailOnFallback(false, rules);
  }

  /** {@code true}/{@code all}, {@code false}/empty, or {@code rule1,rule2}. */
  public static FailOnFallback parse(String value) {
    String text = value.trim();
    if (text.isEmpty() || text.equalsIgnoreCase("false") || text.equalsIgnoreCase("none")) {
      return NONE;
    }
    if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("all")) {
      return ALL;
    }
    Set<String> names = new TreeSet<>();
    Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
    return rules(names);
  }

  public boolean applies(String rule) {
    return all || rules.contains(rule);
  }

  public boolean none() {
    return !all && rules.isEmpty();
  }
}
