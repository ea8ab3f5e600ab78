package io.relspec.cli;

import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.validate.ValidatedBundle;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code relspec signature BUNDLE}. */
@Command(
    name = "signature",
    mixinStandardHelpOptions = true,
    description =
        "Prints '<rule> <rule signature> plan=<plan signature>' per rule (in bundle order), then 'bundle <signature>'.")
final class SignatureCommand implements Callable<Integer> {
  @Mixin BundleOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ValidatedBundle validated = options.validate();
    PrintWriter out = spec.commandLine().getOut();
    for (RuleDefinition rule : validated.bundle().rules()) {
      RelPlan plan = validated.plan(rule.name()).orElseThrow();
      out.println(rule.name() + " " + plan.ruleSignature() + " plan=" + plan.planSignature());
    }
    out.println("bundle " + validated.signature());
    out.flush();
    return 0;
  }
}
