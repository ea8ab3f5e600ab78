package io.relspec.ir.bundle;

import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Op;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A rule: a pipeline of ops that produces rows of {@code output} under {@code contract}. Several
 * rules may produce one output; they are unioned in (priority, name) order.
 */
public record RuleDefinition(
    String name,
    String output,
    String contract,
    int priority,
    List<Op> ops,
    Map<String, Literal> params,
    Optional<String> description,
    List<String> tags) {
  public static final int DEFAULT_PRIORITY = 100;

  public RuleDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(contract, "contract");
    ops = List.copyOf(ops);
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    Objects.requireNonNull(description, "description");
    tags = List.copyOf(tags);
  }
}
