package io.relspec.ir.diagnostics;

import io.relspec.ir.validate.ValidatedBundle;
import java.util.List;
import java.util.Optional;

/**
 * The result of checking a bundle: every diagnostic, the gate decision of every rule (in the
 * bundle's rule order) and the validated bundle of the rules that run, if any.
 */
public record CheckReport(
    GatePolicy policy,
    List<Diagnostic> diagnostics,
    List<GateDecision> gates,
    Optional<ValidatedBundle> runnable) {
  public CheckReport {
    diagnostics = List.copyOf(diagnostics);
    gates = List.copyOf(gates);
  }

  public long errorCount() {
    return diagnostics.stream().filter(Diagnostic::isError).count();
  }

  public boolean hasErrors() {
    return errorCount() > 0;
  }

  public Optional<GateDecision> gate(String rule) {
    return gates.stream().filter(g -> g.rule().equals(rule)).findFirst();
  }
}
