package io.relspec.ir.signature;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.RuleDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every signature of a bundle, computed directly with {@link Signatures} (the validator, which will
 * compute them for real, is not written yet). The contract of a rule is looked up by name.
 */
record BundleSignatures(
    List<RuleSignature> rules,
    Map<String, String> contracts,
    Map<String, String> datasets,
    String bundle) {

  /** The signatures of one rule. */
  record RuleSignature(String name, String rule, String plan, String contract) {}

  static BundleSignatures of(Bundle bundle) {
    Map<String, String> contracts = new LinkedHashMap<>();
    for (ContractSpec contract : bundle.contracts()) {
      contracts.put(contract.name(), Signatures.contract(contract));
    }
    Map<String, String> datasets = new LinkedHashMap<>();
    for (DatasetSpec dataset : bundle.datasets()) {
      datasets.put(dataset.name(), Signatures.dataset(dataset));
    }
    List<RuleSignature> rules = new ArrayList<>();
    Map<String, String> ruleSignatures = new LinkedHashMap<>();
    for (RuleDefinition rule : bundle.rules()) {
      String plan = Signatures.plan(rule.ops());
      String contract = contracts.get(rule.contract());
      if (contract == null) {
        throw new IllegalArgumentException(
            "Cannot sign rule "
                + rule.name()
                + ": its contract "
                + rule.contract()
                + " is missing");
      }
      String signature = Signatures.rule(rule, plan, contract);
      rules.add(new RuleSignature(rule.name(), signature, plan, contract));
      ruleSignatures.put(rule.name(), signature);
    }
    return new BundleSignatures(
        rules, contracts, datasets, Signatures.bundle(datasets, ruleSignatures));
  }

  RuleSignature rule(String name) {
    return rules.stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no rule " + name));
  }

  /**
   * The text of a {@code NAME.expected} file: one {@code rule <name> <rule sig> plan=<plan sig>}
   * line per rule in rule order, then {@code contract <name> <sig>} and {@code dataset <name>
   * <sig>} lines in bundle order, then {@code bundle <sig>}.
   */
  String expectedText() {
    StringBuilder text = new StringBuilder();
    for (RuleSignature rule : rules) {
      text.append("rule ")
          .append(rule.name())
          .append(' ')
          .append(rule.rule())
          .append(" plan=")
          .append(rule.plan())
          .append('\n');
    }
    contracts.forEach(
        (name, sig) -> text.append("contract ").append(name).append(' ').append(sig).append('\n'));
    datasets.forEach(
        (name, sig) -> text.append("dataset ").append(name).append(' ').append(sig).append('\n'));
    return text.append("bundle ").append(bundle).append('\n').toString();
  }

  /** What {@code scripts/verify_signatures.py} prints for the bundle. */
  String verifierText() {
    StringBuilder text = new StringBuilder();
    for (RuleSignature rule : rules) {
      text.append(rule.name())
          .append(' ')
          .append(rule.rule())
          .append(" plan=")
          .append(rule.plan())
          .append('\n');
    }
    return text.append("bundle ").append(bundle).append('\n').toString();
  }
}
