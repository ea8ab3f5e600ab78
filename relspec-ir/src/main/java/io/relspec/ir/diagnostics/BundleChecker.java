package io.relspec.ir.diagnostics;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.error.Problem;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Union;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.signature.Signatures;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.TypeRules;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a bundle before anything runs: resolution and type problems from {@link BundleValidator}
 * (attributed to the rules they are in), then each rule's output against its contract. Gates: an
 * error stops the affected rule, the other rules of its output (an output is unioned and finalized
 * as a whole) and every rule downstream; the rest of the bundle still validates and runs.
 */
public final class BundleChecker {
  private static final Pattern RULE_PATH = Pattern.compile("^rules\\[(\\d+)]");
  private static final Pattern DATASET_PATH = Pattern.compile("^datasets\\[(\\d+)]");
  private static final Pattern CONTRACT_PATH = Pattern.compile("^contracts\\[(\\d+)]");
  private static final Pattern PARAM_PATH =
      Pattern.compile("^--param (?:[A-Za-z0-9_]+\\.)?([A-Za-z0-9_]+)");
  private static final int MAX_ROUNDS = 64;
  private static final Set<String> FIX_VERBS =
      Set.of(
          "add", "bind", "break", "cast", "compare", "declare", "explode", "fix", "flatten", "give",
          "group", "make", "pass", "pick", "produce", "project", "remove", "rename", "set", "split",
          "start", "use");

  private final Bundle bundle;
  private final String source;
  private final Map<String, String> runtimeParams;
  private final GatePolicy policy;
  private final List<Diagnostic> diagnostics = new ArrayList<>();
  private final Set<String> seen = new HashSet<>();
  private final Map<String, String> blocked = new LinkedHashMap<>();
  private final Set<String> removedDatasets = new HashSet<>();
  private final Set<String> removedContracts = new HashSet<>();
  private final Map<String, Integer> ruleIndex = new HashMap<>();

  private BundleChecker(
      Bundle bundle, String source, Map<String, String> runtimeParams, GatePolicy policy) {
    this.bundle = bundle;
    this.source = source;
    this.runtimeParams = runtimeParams;
    this.policy = policy;
    for (int i = 0; i < bundle.rules().size(); i++) {
      ruleIndex.putIfAbsent(bundle.rules().get(i).name(), i);
    }
  }

  public static CheckReport check(
      Bundle bundle, String source, Map<String, String> runtimeParams, GatePolicy policy) {
    return new BundleChecker(bundle, source, runtimeParams, policy).run();
  }

  private CheckReport run() {
    Optional<ValidatedBundle> validated = Optional.empty();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      Bundle remaining = remaining();
      if (remaining.rules().isEmpty()) {
        validated = Optional.empty();
        break;
      }
      try {
        validated = Optional.of(BundleValidator.validate(remaining, source, runtimeParams));
      } catch (RelspecException e) {
        if (e.problems().isEmpty() || !attribute(remaining, e.problems())) {
          blockAll(e.getMessage());
          validated = Optional.empty();
          break;
        }
        continue;
      }
      if (!contractChecks(validated.get())) {
        break;
      }
    }
    List<GateDecision> gates = gates();
    if (policy == GatePolicy.FAIL_ALL && diagnostics.stream().anyMatch(Diagnostic::isError)) {
      long errors = diagnostics.stream().filter(Diagnostic::isError).count();
      List<GateDecision> all = new ArrayList<>();
      for (GateDecision gate : gates) {
        all.add(
            gate.runs()
                ? new GateDecision(
                    gate.rule(),
                    GateDecision.SKIPPED,
                    "policy fail-all: the bundle has " + errors + " error(s)")
                : gate);
      }
      return new CheckReport(policy, diagnostics, all, Optional.empty());
    }
    Set<String> stopped = new HashSet<>();
    gates.stream().filter(g -> !g.runs()).forEach(g -> stopped.add(g.rule()));
    Optional<ValidatedBundle> runnable =
        validated.filter(v -> v.plans().stream().noneMatch(p -> stopped.contains(p.name())));
    if (validated.isPresent() && runnable.isEmpty()) {
      Bundle rest = filtered(r -> !stopped.contains(r.name()));
      runnable =
          rest.rules().isEmpty()
              ? Optional.empty()
              : Optional.of(BundleValidator.validate(rest, source, runtimeParams));
    }
    return new CheckReport(policy, diagnostics, gates, runnable);
  }

  // ------------------------------------------------------------------ validator problems

  /** Records the problems as diagnostics and blocks the rules they affect; false if none. */
  private boolean attribute(Bundle remaining, List<Problem> problems) {
    boolean progress = false;
    for (Problem problem : problems) {
      String path = problem.path();
      Matcher rule = RULE_PATH.matcher(path);
      Matcher dataset = DATASET_PATH.matcher(path);
      Matcher contract = CONTRACT_PATH.matcher(path);
      Matcher param = PARAM_PATH.matcher(path);
      if (rule.find()) {
        RuleDefinition definition = remaining.rules().get(Integer.parseInt(rule.group(1)));
        int original = ruleIndex.get(definition.name());
        String location = "rules[" + original + "]" + path.substring(rule.end());
        add(fromProblem(Optional.of(definition), location, problem.message()));
        progress |= block(definition.name(), "1 or more errors in the rule");
      } else if (dataset.find()) {
        DatasetSpec spec = remaining.datasets().get(Integer.parseInt(dataset.group(1)));
        add(fromProblem(Optional.empty(), path, problem.message()));
        removedDatasets.add(spec.name());
        progress = true;
        for (RuleDefinition r : remaining.rules()) {
          if (scans(r.ops()).contains(spec.name())) {
            block(r.name(), "scans dataset '" + spec.name() + "', which has errors");
          }
        }
      } else if (contract.find()) {
        ContractSpec spec = remaining.contracts().get(Integer.parseInt(contract.group(1)));
        add(fromProblem(Optional.empty(), path, problem.message()));
        removedContracts.add(spec.name());
        progress = true;
        for (RuleDefinition r : remaining.rules()) {
          if (r.contract().equals(spec.name())) {
            block(r.name(), "names contract '" + spec.name() + "', which has errors");
          }
        }
      } else if (param.find()) {
        add(fromProblem(Optional.empty(), path, problem.message()));
        for (RuleDefinition r : remaining.rules()) {
          if (declares(r.ops(), param.group(1))) {
            progress |=
                block(r.name(), "a run-time value for param '" + param.group(1) + "' is wrong");
          }
        }
      } else {
        add(fromProblem(Optional.empty(), path, problem.message()));
      }
    }
    return progress;
  }

  private Diagnostic fromProblem(Optional<RuleDefinition> rule, String location, String text) {
    String code = "invalid_rule";
    if (rule.isEmpty()) {
      code = "invalid_bundle";
    } else if (text.contains("does not produce column")) {
      code = "missing_column";
    } else if (text.contains("which is not a widening")) {
      code = "type_mismatch";
    } else if (text.startsWith("unknown column")) {
      code = "unknown_column";
    } else if (text.startsWith("unknown dataset")) {
      code = "unknown_dataset";
    }
    // Validator messages end with how to fix when their last clause starts with a verb.
    int cut = Math.max(text.lastIndexOf(". "), text.lastIndexOf("; "));
    String message = text;
    String fix;
    if (cut > 0 && FIX_VERBS.contains(text.substring(cut + 2).split(" ", 2)[0].toLowerCase())) {
      message = text.substring(0, cut);
      fix = capitalize(text.substring(cut + 2));
    } else if (code.equals("missing_column")) {
      fix =
          "Produce the column in the rule (e.g. with a derive op) or make it nullable in the contract";
    } else if (code.equals("unknown_column")) {
      fix = "Use one of the available columns, or produce the column earlier in the pipeline";
    } else {
      fix = "Change the bundle at " + location + " as the message says";
    }
    return new Diagnostic(
        Severity.ERROR,
        code,
        rule.map(RuleDefinition::name),
        location,
        message,
        fix,
        rule.map(r -> Signatures.plan(r.ops())));
  }

  private static String capitalize(String text) {
    return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  // ------------------------------------------------------------------ contract checks

  /** Checks every rule against its contract; true if new errors blocked rules. */
  private boolean contractChecks(ValidatedBundle validated) {
    boolean blockedMore = false;
    for (OutputPlan output : validated.outputs()) {
      ContractSpec contract = output.contract();
      for (RelPlan plan : output.rules()) {
        String location = "rules[" + ruleIndex.get(plan.name()) + "]";
        for (Field column : contract.columns()) {
          Optional<Field> produced = plan.schema().field(column.name());
          boolean required =
              !column.nullable() || contract.requiredNonNull().contains(column.name());
          if (produced.isEmpty()) {
            if (contract.keyFields().contains(column.name())) {
              blockedMore |=
                  contractError(
                      plan,
                      "key_not_produced",
                      location + ".ops",
                      "rule '"
                          + plan.name()
                          + "' does not produce key field '"
                          + column.name()
                          + "' of contract '"
                          + contract.name()
                          + "': every row would get a null key",
                      "Produce '"
                          + column.name()
                          + "' in the rule (e.g. with a derive op) or remove it from the"
                          + " contract's keyFields");
            } else if (!required) {
              add(
                  diagnostic(
                      Severity.WARNING,
                      "missing_column",
                      plan,
                      location + ".ops",
                      "rule '"
                          + plan.name()
                          + "' does not produce column '"
                          + column.name()
                          + "' of contract '"
                          + contract.name()
                          + "': finalization fills it with null",
                      "Produce '" + column.name() + "' in the rule, or drop it from the contract"));
            }
          } else {
            if (required && produced.get().nullable()) {
              add(
                  diagnostic(
                      Severity.WARNING,
                      "nullability",
                      plan,
                      location + ".ops",
                      "rule '"
                          + plan.name()
                          + "' produces column '"
                          + column.name()
                          + "' as nullable, but contract '"
                          + contract.name()
                          + "' forbids nulls: rows with a null are routed by onViolation '"
                          + contract.onViolation().jsonName()
                          + "'",
                      "Filter out or coalesce nulls of '"
                          + column.name()
                          + "' in the rule, or make the column nullable in the contract"));
            }
            if (!produced.get().type().equals(column.type())
                && TypeRules.canWiden(produced.get().type(), column.type())) {
              add(
                  diagnostic(
                      Severity.INFO,
                      "widened_column",
                      plan,
                      location + ".ops",
                      "column '"
                          + column.name()
                          + "' is widened from "
                          + produced.get().type().typeString()
                          + " to "
                          + column.type().typeString()
                          + " by contract '"
                          + contract.name()
                          + "'",
                      "Nothing to do; cast in the rule to make the widening explicit"));
            }
          }
        }
        for (Field field : plan.schema().fields()) {
          if (contract.column(field.name()).isEmpty()) {
            add(
                diagnostic(
                    Severity.INFO,
                    "extra_column",
                    plan,
                    location + ".ops",
                    "rule '"
                        + plan.name()
                        + "' produces column '"
                        + field.name()
                        + "', which contract '"
                        + contract.name()
                        + "' does not declare: finalization drops it",
                    "Project it away in the rule, or add it to the contract"));
          }
        }
      }
    }
    return blockedMore;
  }

  private boolean contractError(
      RelPlan plan, String code, String location, String message, String fix) {
    add(diagnostic(Severity.ERROR, code, plan, location, message, fix));
    if (policy == GatePolicy.WARN_ONLY) {
      return false;
    }
    return block(plan.name(), "1 or more contract errors");
  }

  private static Diagnostic diagnostic(
      Severity severity, String code, RelPlan plan, String location, String message, String fix) {
    return new Diagnostic(
        severity,
        code,
        Optional.of(plan.name()),
        location,
        message,
        fix,
        Optional.of(plan.planSignature()));
  }

  private void add(Diagnostic diagnostic) {
    String key = diagnostic.code() + "|" + diagnostic.location() + "|" + diagnostic.message();
    if (seen.add(key)) {
      diagnostics.add(diagnostic);
    }
  }

  // ------------------------------------------------------------------ gates

  private boolean block(String rule, String reason) {
    return blocked.putIfAbsent(rule, reason) == null;
  }

  private void blockAll(String reason) {
    for (RuleDefinition rule : bundle.rules()) {
      block(rule.name(), reason);
    }
  }

  private Bundle remaining() {
    Set<String> stopped = new HashSet<>();
    gatesFromBlocked().forEach((rule, reason) -> stopped.add(rule));
    return new Bundle(
        bundle.formatVersion(),
        bundle.name(),
        bundle.datasets().stream().filter(d -> !removedDatasets.contains(d.name())).toList(),
        bundle.contracts().stream().filter(c -> !removedContracts.contains(c.name())).toList(),
        bundle.rules().stream().filter(r -> !stopped.contains(r.name())).toList());
  }

  private Bundle filtered(java.util.function.Predicate<RuleDefinition> keep) {
    return new Bundle(
        bundle.formatVersion(),
        bundle.name(),
        bundle.datasets().stream().filter(d -> !removedDatasets.contains(d.name())).toList(),
        bundle.contracts().stream().filter(c -> !removedContracts.contains(c.name())).toList(),
        bundle.rules().stream().filter(keep).toList());
  }

  /**
   * Every stopped rule with its reason: the blocked rules, the other rules of their outputs, and
   * (transitively) every rule that scans a stopped output.
   */
  private Map<String, String> gatesFromBlocked() {
    Map<String, String> stopped = new LinkedHashMap<>(blocked);
    Map<String, List<RuleDefinition>> producers = new LinkedHashMap<>();
    for (RuleDefinition rule : bundle.rules()) {
      producers.computeIfAbsent(rule.output(), k -> new ArrayList<>()).add(rule);
    }
    Deque<String> work = new ArrayDeque<>(blocked.keySet());
    Map<String, String> cause = new HashMap<>();
    blocked.keySet().forEach(r -> cause.put(r, r));
    while (!work.isEmpty()) {
      String name = work.pop();
      RuleDefinition rule = bundle.rules().get(ruleIndex.get(name));
      String root = cause.get(name);
      for (RuleDefinition sibling : producers.get(rule.output())) {
        if (!stopped.containsKey(sibling.name())) {
          stopped.put(
              sibling.name(),
              "output '" + rule.output() + "' is incomplete without stopped rule '" + root + "'");
          cause.put(sibling.name(), root);
          work.add(sibling.name());
        }
      }
      for (RuleDefinition reader : bundle.rules()) {
        if (!stopped.containsKey(reader.name()) && scans(reader.ops()).contains(rule.output())) {
          stopped.put(
              reader.name(), "reads output '" + rule.output() + "' of stopped rule '" + root + "'");
          cause.put(reader.name(), root);
          work.add(reader.name());
        }
      }
    }
    return stopped;
  }

  private List<GateDecision> gates() {
    Map<String, String> stopped = gatesFromBlocked();
    List<GateDecision> gates = new ArrayList<>();
    for (RuleDefinition rule : bundle.rules()) {
      String reason = stopped.get(rule.name());
      if (reason == null) {
        gates.add(new GateDecision(rule.name(), GateDecision.RUN, ""));
      } else if (blocked.containsKey(rule.name())) {
        gates.add(new GateDecision(rule.name(), GateDecision.BLOCKED, reason));
      } else {
        gates.add(new GateDecision(rule.name(), GateDecision.SKIPPED, reason));
      }
    }
    return gates;
  }

  /** The dataset and output names a pipeline (and its nested pipelines) scans. */
  static Set<String> scans(List<Op> ops) {
    Set<String> names = new LinkedHashSet<>();
    for (Op op : ops) {
      if (op instanceof Scan scan) {
        names.add(scan.dataset());
      } else if (op instanceof Join join) {
        names.addAll(scans(join.right().ops()));
      } else if (op instanceof Union union) {
        union.inputs().forEach(input -> names.addAll(scans(input.ops())));
      } else if (op instanceof IntervalAlign align) {
        names.addAll(scans(align.right().ops()));
      }
    }
    return names;
  }

  private static boolean declares(List<Op> ops, String param) {
    for (Op op : ops) {
      if (op instanceof Param p && p.name().equals(param)) {
        return true;
      } else if (op instanceof Join join && declares(join.right().ops(), param)) {
        return true;
      } else if (op instanceof Union union
          && union.inputs().stream().anyMatch(i -> declares(i.ops(), param))) {
        return true;
      } else if (op instanceof IntervalAlign align && declares(align.right().ops(), param)) {
        return true;
      }
    }
    return false;
  }
}
