package io.relspec.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.diagnostics.BundleChecker;
import io.relspec.ir.diagnostics.CheckReport;
import io.relspec.ir.diagnostics.Diagnostic;
import io.relspec.ir.diagnostics.GateDecision;
import io.relspec.ir.diagnostics.GatePolicy;
import io.relspec.ir.diagnostics.Severity;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.spark.run.DiagnosticsDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relspec check BUNDLE [--policy P] [--json]}. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description =
        "Prints every diagnostic (errors, warnings, infos) and which rules would run, be blocked or"
            + " be skipped, and why. Exits 2 when there are errors.")
final class CheckCommand implements Callable<Integer> {
  @Mixin BundleOptions options;
  @Spec CommandSpec spec;

  @Option(
      names = {"--policy", "--gate-policy"},
      paramLabel = "POLICY",
      defaultValue = "skip-downstream",
      description = "skip-downstream, fail-all or warn-only (default: ${DEFAULT-VALUE}).")
  String policy;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description =
          "Also write the diagnostics as a dataset: DIR/diagnostics/part-0.parquet, one row per"
              + " diagnostic, keyed by plan signature.")
  Optional<Path> output = Optional.empty();

  @Override
  public Integer call() throws Exception {
    GatePolicy gatePolicy;
    try {
      gatePolicy = GatePolicy.fromCliName(policy);
    } catch (IllegalArgumentException e) {
      throw new RelspecException(ErrorCode.INVALID_ARGUMENT, e.getMessage() + ".");
    }
    Bundle bundle = BundleReader.read(options.bundle);
    CheckReport report =
        BundleChecker.check(bundle, options.bundle.toString(), options.runtimeParams(), gatePolicy);
    if (output.isPresent()) {
      try {
        Files.createDirectories(output.get());
      } catch (IOException e) {
        throw new RelspecException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot write diagnostics to "
                + output.get()
                + ": "
                + e.getMessage()
                + ". Pass a directory that can be created and written.",
            e);
      }
      DiagnosticsDataset.write(bundle.name(), report, output.get(), DiagnosticsDataset.CHECK_DIR);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Commands.JSON.writeValueAsString(toJson(report)));
    } else {
      print(out, report);
    }
    out.flush();
    return report.hasErrors() ? RelspecCommand.EXIT_USER_ERROR : 0;
  }

  private static void print(PrintWriter out, CheckReport report) {
    for (Diagnostic d : report.diagnostics()) {
      out.println(
          Commands.pad(d.severity().jsonName(), 7)
              + "  "
              + d.code()
              + "  "
              + d.rule().orElse("-")
              + "  "
              + d.location());
      out.println("         " + d.message());
      out.println("         fix: " + d.fix());
    }
    if (!report.diagnostics().isEmpty()) {
      out.println();
    }
    out.println("gates (" + report.policy().cliName() + "):");
    int width = report.gates().stream().mapToInt(g -> g.rule().length()).max().orElse(0);
    for (GateDecision gate : report.gates()) {
      out.println(
          "  "
              + Commands.pad(gate.status(), 7)
              + "  "
              + (gate.reason().isEmpty()
                  ? gate.rule()
                  : Commands.pad(gate.rule(), width) + "  " + gate.reason()));
    }
    out.println();
    out.println(
        count(report, Severity.ERROR, "error")
            + ", "
            + count(report, Severity.WARNING, "warning")
            + ", "
            + count(report, Severity.INFO, "info")
            + "; "
            + report.gates().stream().filter(GateDecision::runs).count()
            + " of "
            + report.gates().size()
            + " rules would run");
  }

  private static String count(CheckReport report, Severity severity, String word) {
    long n = report.diagnostics().stream().filter(d -> d.severity() == severity).count();
    return n + " " + word + (n == 1 ? "" : "s");
  }

  private static ObjectNode toJson(CheckReport report) {
    ObjectNode root = Commands.JSON.createObjectNode();
    root.put("policy", report.policy().cliName());
    ArrayNode diagnostics = root.putArray("diagnostics");
    for (Diagnostic d : report.diagnostics()) {
      ObjectNode node = diagnostics.addObject();
      node.put("severity", d.severity().jsonName());
      node.put("code", d.code());
      node.put("rule", d.rule().orElse(null));
      node.put("location", d.location());
      node.put("message", d.message());
      node.put("fix", d.fix());
      node.put("planSignature", d.planSignature().orElse(null));
    }
    ArrayNode gates = root.putArray("gates");
    for (GateDecision gate : report.gates()) {
      ObjectNode node = gates.addObject();
      node.put("rule", gate.rule());
      node.put("status", gate.status());
      node.put("reason", gate.reason());
    }
    root.put("errors", report.errorCount());
    return root;
  }
}
