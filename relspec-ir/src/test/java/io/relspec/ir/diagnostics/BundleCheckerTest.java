package io.relspec.ir.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BundleCheckerTest {
  private static CheckReport check(ObjectNode tree, GatePolicy policy) {
    return BundleChecker.check(Bundles.bundle(tree), "<test>", Map.of(), policy);
  }

  static List<String> lines(CheckReport report) {
    return report.diagnostics().stream()
        .map(
            d ->
                d.severity().jsonName()
                    + " "
                    + d.code()
                    + " "
                    + d.rule().orElse("-")
                    + " "
                    + d.location()
                    + ": "
                    + d.message()
                    + " | "
                    + d.fix())
        .toList();
  }

  private static List<String> gates(CheckReport report) {
    return report.gates().stream()
        .map(g -> g.rule() + " " + g.status() + (g.reason().isEmpty() ? "" : ": " + g.reason()))
        .toList();
  }

  /** cpg with ref_symbols selecting a right column that does not exist, plus a separate rule. */
  private static ObjectNode cpgWithBrokenRefSymbols() {
    ObjectNode tree =
        Bundles.edited(
            "cpg.json",
            t ->
                ((ObjectNode) Bundles.ops(t, "ref_symbols").get(1))
                    .set("selectRight", Bundles.JSON.createArrayNode().add("symbol").add("conf")));
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

  @Test
  void analyticsHasNoErrorsAndReportsWarningsAndInfos() {
    CheckReport report = check(Bundles.tree("analytics.json"), GatePolicy.SKIP_DOWNSTREAM);
    assertThat(report.hasErrors()).isFalse();
    assertThat(report.gates()).allMatch(GateDecision::runs);
    assertThat(report.runnable().orElseThrow().plans()).hasSize(4);
    assertThat(report.diagnostics())
        .extracting(d -> d.code() + " " + d.rule().orElseThrow())
        .containsExactly(
            "extra_column dormant_customers",
            "extra_column dormant_customers",
            "nullability sku_sales",
            "widened_column sku_sales",
            "nullability top_customers",
            "nullability top_customers",
            "extra_column top_customers");
    assertThat(lines(report))
        .contains(
            "warning nullability sku_sales rules[2].ops: rule 'sku_sales' produces column 'sku' as"
                + " nullable, but contract 'sku_sales_v1' forbids nulls: rows with a null are"
                + " routed by onViolation 'drop' | Filter out or coalesce nulls of 'sku' in the"
                + " rule, or make the column nullable in the contract",
            "info extra_column top_customers rules[1].ops: rule 'top_customers' produces column"
                + " 'cid', which contract 'top_customers_v1' does not declare: finalization drops"
                + " it | Project it away in the rule, or add it to the contract",
            "info widened_column sku_sales rules[2].ops: column 'gross' is widened from"
                + " decimal(31,2) to decimal(32,2) by contract 'sku_sales_v1' | Nothing to do;"
                + " cast in the rule to make the widening explicit");
    assertThat(report.diagnostics()).allMatch(d -> d.planSignature().isPresent());
  }

  @Test
  void cpgHasNoErrors() {
    CheckReport report = check(Bundles.tree("cpg.json"), GatePolicy.SKIP_DOWNSTREAM);
    assertThat(report.hasErrors()).isFalse();
    assertThat(report.diagnostics())
        .extracting(d -> d.code() + " " + d.rule().orElseThrow())
        .containsExactly("nullability ref_symbols", "nullability call_symbols");
    assertThat(report.runnable().orElseThrow().plans()).hasSize(3);
  }

  @Test
  void anErrorStopsItsRuleItsOutputAndDownstreamOnly() {
    CheckReport report = check(cpgWithBrokenRefSymbols(), GatePolicy.SKIP_DOWNSTREAM);
    assertThat(gates(report))
        .containsExactly(
            "ref_symbols blocked: 1 or more errors in the rule",
            "call_symbols skipped: output 'symbol_links' is incomplete without stopped rule"
                + " 'ref_symbols'",
            "file_link_counts skipped: reads output 'symbol_links' of stopped rule 'ref_symbols'",
            "file_names run");
    assertThat(report.runnable().orElseThrow().plans())
        .extracting(p -> p.name())
        .containsExactly("file_names");
    assertThat(lines(report))
        .contains(
            "error unknown_column ref_symbols rules[0].ops[1].selectRight[1]: unknown column 'conf';"
                + " available columns: [occ_id, path, symbol, bstart, bend, confidence] | Use one"
                + " of the available columns, or produce the column earlier in the pipeline");
  }

  @Test
  void failAllStopsEveryRuleAndWarnOnlyStillStopsRulesThatDoNotValidate() {
    CheckReport failAll = check(cpgWithBrokenRefSymbols(), GatePolicy.FAIL_ALL);
    assertThat(gates(failAll))
        .contains("file_names skipped: policy fail-all: the bundle has 1 error(s)");
    assertThat(failAll.runnable()).isEmpty();
    CheckReport warnOnly = check(cpgWithBrokenRefSymbols(), GatePolicy.WARN_ONLY);
    assertThat(gates(warnOnly)).contains("ref_symbols blocked: 1 or more errors in the rule");
    assertThat(gates(warnOnly)).contains("file_names run");
  }

  @Test
  void keyNotProducedIsAnErrorUnlessWarnOnly() {
    ObjectNode tree =
        Bundles.edited(
            "analytics.json",
            t -> {
              ObjectNode contract = Bundles.contract(t, "dormant_customers_v1");
              ((ArrayNode) contract.get("columns"))
                  .add(Bundles.parse("{\"name\": \"account\", \"type\": \"string\"}"));
              contract.set("keyFields", Bundles.JSON.createArrayNode().add("account"));
            });
    CheckReport report = check(tree, GatePolicy.SKIP_DOWNSTREAM);
    assertThat(lines(report))
        .contains(
            "error key_not_produced dormant_customers rules[3].ops: rule 'dormant_customers' does"
                + " not produce key field 'account' of contract 'dormant_customers_v1': every row"
                + " would get a null key | Produce 'account' in the rule (e.g. with a derive op)"
                + " or remove it from the contract's keyFields");
    assertThat(gates(report))
        .containsExactly(
            "region_revenue run",
            "top_customers run",
            "sku_sales run",
            "dormant_customers blocked: 1 or more contract errors");
    assertThat(report.runnable().orElseThrow().plans()).hasSize(3);
    CheckReport warnOnly = check(tree, GatePolicy.WARN_ONLY);
    assertThat(warnOnly.hasErrors()).isTrue();
    assertThat(warnOnly.gates()).allMatch(GateDecision::runs);
  }

  @Test
  void missingNullableColumnIsAWarningAndMissingRequiredColumnAnError() {
    ObjectNode tree =
        Bundles.edited(
            "analytics.json",
            t -> {
              ((ArrayNode) Bundles.contract(t, "dormant_customers_v1").get("columns"))
                  .add(Bundles.parse("{\"name\": \"email\", \"type\": \"string\"}"));
              ((ArrayNode) Bundles.contract(t, "sku_sales_v1").get("columns"))
                  .add(
                      Bundles.parse(
                          "{\"name\": \"margin\", \"type\": \"float64\", \"nullable\": false}"));
            });
    CheckReport report = check(tree, GatePolicy.SKIP_DOWNSTREAM);
    assertThat(lines(report))
        .contains(
            "warning missing_column dormant_customers rules[3].ops: rule 'dormant_customers' does"
                + " not produce column 'email' of contract 'dormant_customers_v1': finalization"
                + " fills it with null | Produce 'email' in the rule, or drop it from the contract",
            "error missing_column sku_sales rules[2].ops: rule 'sku_sales' does not produce column"
                + " 'margin', which contract 'sku_sales_v1' requires to be non-null; produce it"
                + " (e.g. with a derive op) or make it nullable in the contract. The rule"
                + " produces: [sku, units, gross, max_qty] | Produce the column in the rule (e.g."
                + " with a derive op) or make it nullable in the contract");
    assertThat(gates(report)).contains("sku_sales blocked: 1 or more errors in the rule");
  }

  @Test
  void typeMismatchUnknownDatasetAndBundleLevelProblems() {
    ObjectNode tree =
        Bundles.edited(
            "analytics.json",
            t -> {
              ObjectNode maxQty =
                  (ObjectNode) Bundles.contract(t, "sku_sales_v1").get("columns").get(3);
              maxQty.put("type", "int8");
              ((ObjectNode) Bundles.ops(t, "dormant_customers").get(0)).put("dataset", "clients");
              ((ObjectNode) t.get("datasets").get(2).get("schema").get(1)).put("name", "qty");
            });
    CheckReport report = check(tree, GatePolicy.SKIP_DOWNSTREAM);
    List<String> lines = lines(report);
    assertThat(lines)
        .anyMatch(
            l ->
                l.startsWith(
                    "error invalid_bundle - datasets[2].schema[2].name: column 'qty'"
                        + " is declared twice"));
    assertThat(lines)
        .anyMatch(
            l ->
                l.startsWith(
                    "error unknown_dataset dormant_customers rules[3].ops[0].dataset: unknown"
                        + " dataset 'clients'"));
    assertThat(gates(report))
        .containsExactly(
            "region_revenue run",
            "top_customers run",
            "sku_sales blocked: scans dataset 'order_items', which has errors",
            "dormant_customers blocked: 1 or more errors in the rule");
  }

  @Test
  void typeMismatchIsAnError() {
    ObjectNode tree =
        Bundles.edited(
            "analytics.json",
            t ->
                ((ObjectNode) Bundles.contract(t, "sku_sales_v1").get("columns").get(3))
                    .put("type", "int8"));
    CheckReport report = check(tree, GatePolicy.SKIP_DOWNSTREAM);
    assertThat(lines(report))
        .contains(
            "error type_mismatch sku_sales rules[2].ops: rule 'sku_sales' produces column 'max_qty'"
                + " as int32, but contract 'sku_sales_v1' declares int8, which is not a widening |"
                + " Add a cast in the rule or change the contract");
  }

  @Test
  void otherRuleProblemsAreInvalidRule() {
    ObjectNode tree =
        Bundles.edited(
            "analytics.json",
            t -> Bundles.ops(t, "sku_sales").add(Bundles.parse("{\"op\": \"limit\", \"n\": 3}")));
    CheckReport report = check(tree, GatePolicy.SKIP_DOWNSTREAM);
    assertThat(lines(report))
        .contains(
            "error invalid_rule sku_sales rules[2].ops[4]: Cannot limit rows whose order is"
                + " unordered: engines would return different rows | Add a sort op before the"
                + " limit");
    assertThat(gates(report)).contains("sku_sales blocked: 1 or more errors in the rule");
  }
}
