package io.relspec.cli;

import io.relspec.ir.diagnostics.ColumnLineage;
import io.relspec.ir.diagnostics.LineageAnalyzer;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.validate.ValidatedBundle;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relspec lineage BUNDLE [--rule R] [--column C]}. */
@Command(
    name = "lineage",
    mixinStandardHelpOptions = true,
    description =
        "Prints, for each output column of each rule, whether it is a copy or derived and the"
            + " source dataset columns it comes from (through other rules' outputs).")
final class LineageCommand implements Callable<Integer> {
  @Mixin BundleOptions options;
  @Spec CommandSpec spec;

  @Option(names = "--rule", paramLabel = "NAME", description = "Only this rule.")
  Optional<String> rule = Optional.empty();

  @Option(names = "--column", paramLabel = "NAME", description = "Only this output column.")
  Optional<String> column = Optional.empty();

  @Override
  public Integer call() {
    ValidatedBundle validated = options.validate();
    Commands.requireRule(validated, rule, options.bundle.toString());
    Map<String, List<ColumnLineage>> lineage = LineageAnalyzer.analyze(validated);
    Map<String, List<String>> references = LineageAnalyzer.references(validated);
    PrintWriter out = spec.commandLine().getOut();
    boolean found = false;
    boolean first = true;
    for (RelPlan plan : validated.plans()) {
      if (rule.isPresent() && !rule.get().equals(plan.name())) {
        continue;
      }
      List<ColumnLineage> columns =
          lineage.get(plan.name()).stream()
              .filter(c -> column.isEmpty() || column.get().equals(c.column()))
              .toList();
      if (columns.isEmpty()) {
        continue;
      }
      found = true;
      if (!first) {
        out.println();
      }
      first = false;
      out.println("rule " + plan.name() + " -> " + plan.output());
      if (column.isEmpty()) {
        out.println("  reads: " + String.join(", ", references.get(plan.name())));
      }
      int width = columns.stream().mapToInt(c -> c.column().length()).max().orElse(0);
      for (ColumnLineage c : columns) {
        String sources = c.sources().isEmpty() ? "-" : String.join(", ", c.sources());
        String via =
            c.inputs().equals(c.sources()) ? "" : "  (via " + String.join(", ", c.inputs()) + ")";
        out.println(
            "  "
                + Commands.pad(c.column(), width)
                + "  "
                + Commands.pad(c.kind(), 7)
                + "  "
                + sources
                + via);
      }
    }
    if (!found && column.isPresent()) {
      throw new RelspecException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot show lineage of column '"
              + column.get()
              + "': no "
              + rule.map(r -> "output column of rule '" + r + "'").orElse("rule output column")
              + " has that name. Check the column name with relspec plan");
    }
    out.flush();
    return 0;
  }
}
