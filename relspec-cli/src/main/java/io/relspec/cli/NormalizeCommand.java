package io.relspec.cli;

import io.relspec.ir.json.BundleWriter;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code relspec normalize BUNDLE}. */
@Command(
    name = "normalize",
    mixinStandardHelpOptions = true,
    description =
        "Prints the normalized bundle JSON (every default explicit), the form signatures are computed over.")
final class NormalizeCommand implements Callable<Integer> {
  @Mixin BundleOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ValidatedBundle validated = options.validate();
    spec.commandLine()
        .getOut()
        .print(BundleWriter.toPrettyJson(BundleWriter.bundle(validated.bundle())));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
