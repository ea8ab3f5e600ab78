package io.relspec.cli;

import io.relspec.ir.capability.KernelCapabilities;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code relspec capabilities}: the kernel capability registry. */
@Command(
    name = "capabilities",
    mixinStandardHelpOptions = true,
    description =
        "Prints, for every op, function and aggregate x lane (reference, spark, datafusion),"
            + " whether it runs natively, translated or as a fallback, and why.")
final class CapabilitiesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(KernelCapabilities.render());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
