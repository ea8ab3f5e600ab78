package io.relspec.spark.compile;

import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.json.LiteralCodec;
import io.relspec.ir.json.ParamCollector;
import io.relspec.ir.op.Param;
import io.relspec.spark.SparkErrors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The effective value of every param a rule declares: a value given at run time wins over the
 * rule's binding, which wins over the param's default. Binding an undeclared or mistyped value, or
 * leaving a param without default unbound, is an error.
 */
public final class ParamBinder {
  private ParamBinder() {}

  /**
   * @param rule the rule whose params are bound
   * @param runtime values given at run time ({@code --param name=value} or {@code rule.name=value},
   *     which wins), as text; entries for params the rule does not declare are ignored, since one
   *     run binds every rule
   */
  public static Map<String, Literal> bind(RuleDefinition rule, Map<String, String> runtime) {
    Map<String, Param> declared = new LinkedHashMap<>();
    ParamCollector.collect(rule.ops(), declared);
    for (Map.Entry<String, Literal> binding : rule.params().entrySet()) {
      Param param = declared.get(binding.getKey());
      if (param == null) {
        throw SparkErrors.undeclaredParam(rule.name(), binding.getKey());
      }
      if (!binding.getValue().type().equals(param.type())) {
        throw SparkErrors.badParamValue(
            rule.name(),
            param.name(),
            param.type(),
            String.valueOf(binding.getValue().value().orElse(null)),
            "the rule binds a value of type " + binding.getValue().type().typeString());
      }
    }
    Map<String, Literal> effective = new LinkedHashMap<>();
    for (Param param : declared.values()) {
      Optional<Literal> value = Optional.empty();
      String text = runtime.get(rule.name() + "." + param.name());
      if (text == null) {
        text = runtime.get(param.name());
      }
      if (text != null) {
        try {
          value = Optional.of(new Literal(LiteralCodec.fromText(text, param.type()), param.type()));
        } catch (LiteralCodec.BadLiteralException e) {
          throw SparkErrors.badParamValue(
              rule.name(), param.name(), param.type(), text, e.getMessage());
        }
      } else if (rule.params().containsKey(param.name())) {
        value = Optional.of(rule.params().get(param.name()));
      } else if (param.defaultValue().isPresent()) {
        value = param.defaultValue();
      }
      if (value.isEmpty()) {
        throw SparkErrors.unboundParam("rule '" + rule.name() + "'", param.name());
      }
      effective.put(param.name(), value.get());
    }
    return effective;
  }
}
