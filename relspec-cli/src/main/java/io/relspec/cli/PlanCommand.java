package io.relspec.cli;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.json.LiteralCodec;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.validate.ValidatedBundle;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relspec plan BUNDLE [--rule NAME]}. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description =
        "Prints each rule's ops, output schema, ordering, params and signatures, in dependency order.")
final class PlanCommand implements Callable<Integer> {
  @Mixin BundleOptions options;
  @Spec CommandSpec spec;

  @Option(names = "--rule", paramLabel = "NAME", description = "Only this rule.")
  Optional<String> rule = Optional.empty();

  @Override
  public Integer call() {
    ValidatedBundle validated = options.validate();
    if (rule.isPresent() && validated.plan(rule.get()).isEmpty()) {
      throw new RelspecException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot show rule '"
              + rule.get()
              + "': bundle "
              + options.bundle
              + " has no such rule. Rules: "
              + validated.plans().stream().map(RelPlan::name).toList());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("bundle " + validated.bundle().name() + " signature " + validated.signature());
    for (OutputPlan output : validated.outputs()) {
      for (RelPlan plan : output.rules()) {
        if (rule.isPresent() && !rule.get().equals(plan.name())) {
          continue;
        }
        out.println();
        out.println(
            "rule "
                + plan.name()
                + " -> "
                + plan.output()
                + " (priority "
                + plan.rule().priority()
                + ")");
        out.println(
            "  ops:       "
                + String.join(" -> ", plan.ops().stream().map(op -> op.opName()).toList()));
        out.println("  schema:    " + plan.schema().describe());
        out.println("  ordering:  " + plan.ordering().describe());
        if (!plan.params().isEmpty()) {
          StringBuilder params = new StringBuilder();
          for (Map.Entry<String, Literal> param : plan.params().entrySet()) {
            if (params.length() > 0) {
              params.append(", ");
            }
            Literal value = param.getValue();
            params
                .append(param.getKey())
                .append('=')
                .append(LiteralCodec.toJson(value.value(), value.type()));
          }
          out.println("  params:    " + params);
        }
        out.println("  plan:      " + plan.planSignature());
        out.println("  rule:      " + plan.ruleSignature());
        out.println(
            "  contract:  "
                + output.contract().name()
                + " v"
                + output.contract().version()
                + " "
                + plan.contractSignature());
      }
      if (rule.isEmpty()) {
        out.println();
        out.println(
            "output "
                + output.name()
                + " <- "
                + output.rules().stream().map(RelPlan::name).toList());
        out.println("  schema:    " + output.schema().describe());
        out.println("  ordering:  " + output.ordering().describe());
        out.println(
            "  violations: "
                + output.contract().onViolation().jsonName()
                + (output.contract().onViolation().jsonName().equals("quarantine")
                    ? " -> " + output.errorsName()
                    : ""));
      }
    }
    out.flush();
    return 0;
  }
}
