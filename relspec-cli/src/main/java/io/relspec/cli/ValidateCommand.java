package io.relspec.cli;

import io.relspec.ir.validate.ValidatedBundle;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code relspec validate BUNDLE}. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Reads, resolves and type-checks a bundle; prints a one-line summary or every problem (exit 2).")
final class ValidateCommand implements Callable<Integer> {
  @Mixin BundleOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ValidatedBundle validated = options.validate();
    int rules = validated.plans().size();
    spec.commandLine()
        .getOut()
        .printf(
            "ok: bundle %s (%s): %d dataset%s, %d contract%s, %d rule%s into %d output%s; signature %s%n",
            validated.bundle().name(),
            options.bundle,
            validated.bundle().datasets().size(),
            plural(validated.bundle().datasets().size()),
            validated.bundle().contracts().size(),
            plural(validated.bundle().contracts().size()),
            rules,
            plural(rules),
            validated.outputs().size(),
            plural(validated.outputs().size()),
            validated.signature());
    return 0;
  }

  private static String plural(int n) {
    return n == 1 ? "" : "s";
  }
}
