package io.relspec.ir.plan;

import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Op;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated rule, ready for any engine lane: its ops, output schema and ordering (before the
 * output contract is applied), its signatures, and the effective param values for this run.
 *
 * @param rule the rule as written
 * @param schema the schema the ops produce
 * @param ordering the ordering metadata the ops produce
 * @param planSignature SHA-256 of the normalized ops
 * @param ruleSignature SHA-256 of the rule (name, output, priority, bindings, plan, contract)
 * @param contractSignature SHA-256 of the normalized output contract
 * @param params every declared param with its effective value: run-time value, else the rule's
 *     binding, else the param's default
 */
public record RelPlan(
    RuleDefinition rule,
    RelSchema schema,
    Ordering ordering,
    String planSignature,
    String ruleSignature,
    String contractSignature,
    Map<String, Literal> params) {
  public RelPlan {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(ordering, "ordering");
    Objects.requireNonNull(planSignature, "planSignature");
    Objects.requireNonNull(ruleSignature, "ruleSignature");
    Objects.requireNonNull(contractSignature, "contractSignature");
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  public String name() {
    return rule.name();
  }

  public List<Op> ops() {
    return rule.ops();
  }

  public String output() {
    return rule.output();
  }
}
