package io.relspec.ir.run;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.diagnostics.BundleChecker;
import io.relspec.ir.diagnostics.CheckReport;
import io.relspec.ir.diagnostics.Diagnostic;
import io.relspec.ir.diagnostics.GateDecision;
import io.relspec.ir.diagnostics.GatePolicy;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The diagnostics gate every lane's runner applies before anything executes: which outputs run and
 * which rules are skipped, and why. Engine-neutral; a runner takes {@link #runnable()}, runs its
 * outputs as usual and copies {@link #skipped()} into {@link RunManifest#skipped()}.
 *
 * <p>Under {@code skip-downstream} (the default) an error stops its rule, the other rules of the
 * same output (an output is finalized as a whole, so an output with a stopped rule is skipped) and
 * every rule reading a stopped output, transitively. Under {@code fail-all} any error stops the run
 * ({@link #failed()}); under {@code warn-only} contract errors stop nothing, but a rule that does
 * not validate still cannot run and stops its downstream rules.
 *
 * @param report the check the decision was made from
 * @param runnable the outputs that run, in dependency order; empty when none does. Its signature is
 *     the whole bundle's when the whole bundle validates, else that of the rules that run.
 * @param skipped every rule that does not run, in bundle order, with its output and the reason:
 *     {@code <code>: <message>} of its own error diagnostics, or {@code upstream rule 'X' skipped:
 *     ...}
 */
public record RunGates(
    CheckReport report, Optional<ValidatedBundle> runnable, List<RunManifest.SkippedRule> skipped) {
  private static final Pattern STOPPED_RULE = Pattern.compile("stopped rule '([^']+)'");

  public RunGates {
    skipped = List.copyOf(skipped);
  }

  /**
   * Checks the bundle and decides what runs.
   *
   * @param source where the bundle was read from, for messages and the manifest
   * @param runtimeParams the {@code --param} values
   */
  public static RunGates decide(
      Bundle bundle, String source, Map<String, String> runtimeParams, GatePolicy policy) {
    return from(bundle, runtimeParams, BundleChecker.check(bundle, source, runtimeParams, policy));
  }

  /** Decides what runs from a check already made of {@code bundle} with the same params. */
  public static RunGates from(
      Bundle bundle, Map<String, String> runtimeParams, CheckReport report) {
    Set<String> stopped = new HashSet<>();
    List<RunManifest.SkippedRule> skipped = new ArrayList<>();
    for (GateDecision gate : report.gates()) {
      if (gate.runs()) {
        continue;
      }
      stopped.add(gate.rule());
      String output =
          bundle.rules().stream()
              .filter(r -> r.name().equals(gate.rule()))
              .map(RuleDefinition::output)
              .findFirst()
              .orElse("");
      skipped.add(new RunManifest.SkippedRule(gate.rule(), output, reason(report, gate)));
    }
    if (report.runnable().isEmpty() || stopped.size() == report.gates().size()) {
      return new RunGates(report, Optional.empty(), skipped);
    }
    ValidatedBundle partial = report.runnable().get();
    if (stopped.isEmpty()) {
      return new RunGates(report, Optional.of(partial), skipped);
    }
    ValidatedBundle runnable = partial;
    try {
      // Contract errors leave the whole bundle valid: keep its signature and plans, drop outputs.
      ValidatedBundle all = BundleValidator.validate(bundle, partial.source(), runtimeParams);
      runnable =
          new ValidatedBundle(
              all.bundle(),
              all.source(),
              all.outputs().stream().filter(o -> runs(o, stopped)).toList(),
              all.datasetSignatures(),
              all.signature());
    } catch (RelspecException e) {
      // A rule that does not validate: the rules that run were validated without it.
    }
    return new RunGates(report, Optional.of(runnable), skipped);
  }

  /** True when the policy stops the whole run: {@code fail-all} and at least one error. */
  public boolean failed() {
    return report.policy() == GatePolicy.FAIL_ALL && report.hasErrors();
  }

  /** The error diagnostics, one line each: {@code rule: code at location: message}. */
  public List<String> errorLines() {
    return report.diagnostics().stream()
        .filter(Diagnostic::isError)
        .map(
            d ->
                d.rule().orElse("(bundle)")
                    + ": "
                    + d.code()
                    + " at "
                    + d.location()
                    + ": "
                    + d.message())
        .toList();
  }

  private static boolean runs(OutputPlan output, Set<String> stopped) {
    return output.rules().stream().noneMatch(p -> stopped.contains(p.name()));
  }

  private static String reason(CheckReport report, GateDecision gate) {
    if (gate.status().equals(GateDecision.BLOCKED)) {
      String own =
          report.diagnostics().stream()
              .filter(d -> d.isError() && d.rule().filter(gate.rule()::equals).isPresent())
              .map(d -> d.code() + ": " + d.message())
              .collect(Collectors.joining("; "));
      return own.isEmpty() ? gate.reason() : own;
    }
    Matcher cause = STOPPED_RULE.matcher(gate.reason());
    if (!cause.find()) {
      return gate.reason();
    }
    String relation = gate.reason().startsWith("reads output") ? "upstream rule" : "sibling rule";
    return relation + " '" + cause.group(1) + "' skipped: " + gate.reason();
  }
}
