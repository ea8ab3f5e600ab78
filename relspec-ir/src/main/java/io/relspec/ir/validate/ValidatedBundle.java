package io.relspec.ir.validate;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A bundle that resolved and type-checked, with one {@link RelPlan} per rule.
 *
 * @param bundle the bundle as read
 * @param source where it was read from (a file path, or a name for bundles built in code)
 * @param outputs the outputs in dependency order (an output comes after every output its rules
 *     scan); each holds its rules in (priority, name) order
 * @param datasetSignatures SHA-256 of each dataset's normalized spec, by name
 * @param signature the bundle signature
 */
public record ValidatedBundle(
    Bundle bundle,
    String source,
    List<OutputPlan> outputs,
    Map<String, String> datasetSignatures,
    String signature) {
  public ValidatedBundle {
    outputs = List.copyOf(outputs);
    datasetSignatures = Collections.unmodifiableMap(new LinkedHashMap<>(datasetSignatures));
  }

  /** Every rule's plan in dependency order. */
  public List<RelPlan> plans() {
    return outputs.stream().flatMap(o -> o.rules().stream()).toList();
  }

  public Optional<RelPlan> plan(String ruleName) {
    return plans().stream().filter(p -> p.name().equals(ruleName)).findFirst();
  }

  public Optional<OutputPlan> output(String outputName) {
    return outputs.stream().filter(o -> o.name().equals(outputName)).findFirst();
  }
}
