package io.relspec.ir.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunGates;
import io.relspec.ir.run.RunManifest.SkippedRule;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The run gate every lane applies: what runs, what is skipped and why, per policy. */
class RunGatesTest {
  /**
   * cpg where contract symbol_links_v1 keys on a column no rule produces (key_not_produced on
   * ref_symbols and call_symbols), so file_link_counts, which reads symbol_links, is downstream;
   * plus an independent rule file_names.
   */
  static ObjectNode cpgWithUnproducedKey() {
    ObjectNode tree =
        Bundles.edited(
            "cpg.json",
            t -> {
              ObjectNode contract = Bundles.contract(t, "symbol_links_v1");
              ((ArrayNode) contract.get("columns"))
                  .add(Bundles.parse("{\"name\": \"owner\", \"type\": \"string\"}"));
              ((ArrayNode) contract.get("keyFields")).add("owner");
            });
    tree.withArray("rules")
        .add(
            Bundles.parse(
                "{\"name\": \"file_names\", \"output\": \"file_names\", \"contract\":"
                    + " \"file_names_v1\", \"ops\": [{\"op\": \"scan\", \"dataset\": \"files\","
                    + " \"columns\": [\"path\"]}]}"));
    tree.withArray("contracts")
        .add(
            Bundles.parse(
                "{\"name\": \"file_names_v1\", \"version\": 1, \"columns\": [{\"name\": \"path\","
                    + " \"type\": \"string\"}], \"keyFields\": [\"path\"]}"));
    return tree;
  }

  private static RunGates decide(ObjectNode tree, GatePolicy policy) {
    return RunGates.decide(Bundles.bundle(tree), "<test>", Map.of(), policy);
  }

  private static List<String> outputs(RunGates gates) {
    return gates.runnable().orElseThrow().outputs().stream().map(OutputPlan::name).toList();
  }

  @Test
  void aKeyNotProducedSkipsItsOutputAndEveryRuleDownstreamButRunsTheRest() {
    RunGates gates = decide(cpgWithUnproducedKey(), GatePolicy.SKIP_DOWNSTREAM);
    assertThat(gates.failed()).isFalse();
    assertThat(outputs(gates)).containsExactly("file_names");
    assertThat(gates.skipped())
        .extracting(SkippedRule::rule, SkippedRule::output)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ref_symbols", "symbol_links"),
            org.assertj.core.groups.Tuple.tuple("call_symbols", "symbol_links"),
            org.assertj.core.groups.Tuple.tuple("file_link_counts", "file_link_counts"));
    assertThat(gates.skipped().get(0).reason())
        .startsWith("key_not_produced: rule 'ref_symbols' does not produce key field 'owner'");
    assertThat(gates.skipped().get(2).reason())
        .isEqualTo(
            "upstream rule 'ref_symbols' skipped: reads output 'symbol_links' of stopped rule"
                + " 'ref_symbols'");
    assertThat(gates.errorLines())
        .anyMatch(l -> l.startsWith("ref_symbols: key_not_produced at rules[0]"));
  }

  @Test
  void contractErrorsKeepTheWholeBundlesSignatureAndPlans() {
    Bundle bundle = Bundles.bundle(cpgWithUnproducedKey());
    ValidatedBundle whole = BundleValidator.validate(bundle, "<test>", Map.of());
    ValidatedBundle runnable =
        RunGates.decide(bundle, "<test>", Map.of(), GatePolicy.SKIP_DOWNSTREAM)
            .runnable()
            .orElseThrow();
    assertThat(runnable.signature()).isEqualTo(whole.signature());
    assertThat(runnable.plans())
        .extracting(RelPlan::planSignature)
        .containsExactly(whole.plan("file_names").orElseThrow().planSignature());
  }

  @Test
  void aRuleThatDoesNotValidateIsSkippedWithItsDiagnostic() {
    ObjectNode tree =
        Bundles.edited(
            "cpg.json",
            t -> ((ObjectNode) Bundles.ops(t, "file_link_counts").get(0)).put("dataset", "filez"));
    RunGates gates = decide(tree, GatePolicy.SKIP_DOWNSTREAM);
    assertThat(outputs(gates)).containsExactly("symbol_links");
    assertThat(gates.skipped()).hasSize(1);
    assertThat(gates.skipped().get(0).rule()).isEqualTo("file_link_counts");
    assertThat(gates.skipped().get(0).reason())
        .startsWith("unknown_dataset: unknown dataset 'filez'");
  }

  @Test
  void failAllStopsEverythingAndWarnOnlyRunsEverything() {
    RunGates failAll = decide(cpgWithUnproducedKey(), GatePolicy.FAIL_ALL);
    assertThat(failAll.failed()).isTrue();
    assertThat(failAll.runnable()).isEmpty();
    assertThat(failAll.skipped())
        .extracting(SkippedRule::rule)
        .containsExactly("ref_symbols", "call_symbols", "file_link_counts", "file_names");
    assertThat(failAll.skipped().get(3).reason())
        .isEqualTo("policy fail-all: the bundle has 2 error(s)");

    RunGates warnOnly = decide(cpgWithUnproducedKey(), GatePolicy.WARN_ONLY);
    assertThat(warnOnly.failed()).isFalse();
    assertThat(warnOnly.skipped()).isEmpty();
    assertThat(outputs(warnOnly))
        .containsExactlyInAnyOrder("symbol_links", "file_link_counts", "file_names");
    assertThat(warnOnly.report().hasErrors()).isTrue();
  }

  @Test
  void aCleanBundleRunsWhole() {
    RunGates gates = decide(Bundles.tree("analytics.json"), GatePolicy.SKIP_DOWNSTREAM);
    assertThat(gates.skipped()).isEmpty();
    assertThat(gates.runnable().orElseThrow().plans()).hasSize(4);
  }
}
