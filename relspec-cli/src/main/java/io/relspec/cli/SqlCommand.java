package io.relspec.cli;

import io.relspec.ir.diagnostics.PlanOptimizer;
import io.relspec.ir.diagnostics.RelCompiler;
import io.relspec.ir.diagnostics.SqlDialectName;
import io.relspec.ir.diagnostics.SqlRenderer;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.validate.ValidatedBundle;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.calcite.rel.RelNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relspec sql BUNDLE [--rule R] [--dialect spark|postgres|ansi] [--optimized]}. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description =
        "Prints each rule (and each output's finalization) as SQL of a dialect, in dependency"
            + " order. The SQL is for people and other engines; relspec does not run it.")
final class SqlCommand implements Callable<Integer> {
  @Mixin BundleOptions options;
  @Spec CommandSpec spec;

  @Option(names = "--rule", paramLabel = "NAME", description = "Only this rule.")
  Optional<String> rule = Optional.empty();

  @Option(
      names = "--dialect",
      paramLabel = "DIALECT",
      defaultValue = "ansi",
      description = "spark, postgres or ansi (default: ${DEFAULT-VALUE}).")
  String dialect;

  @Option(
      names = "--optimized",
      description = "Render the optimized plan (fixed Hep rule set) and print its digest.")
  boolean optimized;

  @Override
  public Integer call() {
    SqlDialectName sqlDialect;
    try {
      sqlDialect = SqlDialectName.fromCliName(dialect);
    } catch (IllegalArgumentException e) {
      throw new RelspecException(ErrorCode.INVALID_ARGUMENT, e.getMessage() + ".");
    }
    ValidatedBundle validated = options.validate();
    Commands.requireRule(validated, rule, options.bundle.toString());
    RelCompiler compiler = new RelCompiler(validated);
    PrintWriter out = spec.commandLine().getOut();
    boolean first = true;
    for (OutputPlan output : validated.outputs()) {
      for (RelPlan plan : output.rules()) {
        if (rule.isPresent() && !rule.get().equals(plan.name())) {
          continue;
        }
        if (!first) {
          out.println();
        }
        first = false;
        out.println(
            "-- rule "
                + plan.name()
                + " -> "
                + plan.output()
                + " (plan "
                + plan.planSignature()
                + ")");
        print(out, compiler.rule(plan), sqlDialect);
      }
      if (rule.isEmpty()) {
        out.println();
        out.println(
            "-- output "
                + output.name()
                + " finalized by contract "
                + output.contract().name()
                + " v"
                + output.contract().version()
                + " (rules "
                + String.join(", ", output.rules().stream().map(RelPlan::name).toList())
                + ")");
        for (String note : SqlRenderer.finalizationNotes(output.name(), output.contract())) {
          out.println("-- " + note);
        }
        print(out, compiler.output(output), sqlDialect);
        Optional<RelNode> check = compiler.duplicateKeys(output);
        if (check.isPresent()) {
          out.println();
          out.println(
              "-- check of output "
                  + output.name()
                  + ": keys "
                  + output.contract().keyFields()
                  + " that occur more than once (no rows when the keys are unique)");
          print(out, check.get(), sqlDialect);
        }
      }
    }
    out.flush();
    return 0;
  }

  private void print(PrintWriter out, RelNode rel, SqlDialectName sqlDialect) {
    RelNode shown = rel;
    if (optimized) {
      shown = PlanOptimizer.optimize(rel);
      out.println("-- digest " + PlanOptimizer.digest(shown));
    }
    for (String udf : SqlRenderer.udfs(shown, sqlDialect)) {
      out.println("-- needs a user-defined function: " + udf);
    }
    out.println(SqlRenderer.render(shown, sqlDialect) + ";");
  }
}
