package io.relspec.ir.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Pairs of bundle versions: every edit kind, every category, and equivalent rewrites. */
class SemanticDiffTest {
  private static ValidatedBundle validated(ObjectNode tree) {
    return BundleValidator.validate(Bundles.bundle(tree), "<test>", Map.of());
  }

  private static Map<String, RuleChange> diff(ObjectNode oldTree, ObjectNode newTree) {
    Map<String, RuleChange> byRule = new LinkedHashMap<>();
    for (RuleChange change : SemanticDiff.diff(validated(oldTree), validated(newTree))) {
      byRule.put(change.rule(), change);
    }
    return byRule;
  }

  private static Map<String, RuleChange> diff(String example, Consumer<ObjectNode> edit) {
    return diff(Bundles.tree(example), Bundles.edited(example, edit));
  }

  private static List<String> kinds(RuleChange change) {
    return change.edits().stream().map(e -> e.kind().jsonName()).distinct().toList();
  }

  private static String category(RuleChange change) {
    return change.category().orElse("-");
  }

  private static void assertOthersUnchanged(Map<String, RuleChange> changes, String changed) {
    changes.forEach(
        (rule, change) -> {
          if (!rule.equals(changed)) {
            assertThat(change.status()).as(rule).isEqualTo(RuleChange.UNCHANGED);
          }
        });
  }

  private static ObjectNode json(String text) {
    return (ObjectNode) Bundles.parse(text);
  }

  // ------------------------------------------------------------------ unchanged

  @Test
  void pair01IdenticalBundlesAreUnchanged() {
    Map<String, RuleChange> changes = diff("cpg.json", t -> {});
    assertThat(changes.values())
        .allSatisfy(
            c -> {
              assertThat(c.status()).isEqualTo("unchanged");
              assertThat(c.reason()).isEqualTo("identical");
              assertThat(c.oldDigest()).isEqualTo(c.newDigest());
            });
  }

  @Test
  void pair02SplittingAnAndFilterIntoTwoFiltersIsUnchanged() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t -> {
              ArrayNode ops = Bundles.ops(t, "region_revenue");
              ObjectNode filter = (ObjectNode) ops.get(2);
              ArrayNode args = (ArrayNode) filter.get("predicate").get("args");
              ObjectNode second = json("{\"op\": \"filter\"}");
              second.set("predicate", args.get(1));
              filter.set("predicate", args.get(0));
              ops.insert(3, second);
            });
    RuleChange change = changes.get("region_revenue");
    assertThat(change.status()).isEqualTo("unchanged");
    assertThat(change.reason())
        .isEqualTo("equivalent rewrite: the ops differ but the optimized plans are identical");
    assertOthersUnchanged(changes, "none");
  }

  @Test
  void pair03ReorderedConjunctsAreUnchanged() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t -> {
              ArrayNode args =
                  (ArrayNode) Bundles.ops(t, "region_revenue").get(2).get("predicate").get("args");
              args.insert(0, args.remove(1));
            });
    assertThat(changes.get("region_revenue").status()).isEqualTo("unchanged");
  }

  @Test
  void pair04ScanColumnListInsteadOfAProjectIsUnchanged() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t -> {
              ObjectNode join = (ObjectNode) Bundles.ops(t, "dormant_customers").get(1);
              join.set(
                  "right",
                  json(
                      "{\"ops\": [{\"op\": \"scan\", \"dataset\": \"orders\"}, {\"op\":"
                          + " \"project\", \"columns\": [\"customer_id\"]}]}"));
            });
    assertThat(changes.get("dormant_customers").status()).isEqualTo("unchanged");
  }

  @Test
  void pair05DeriveFoldedIntoTheAggregateIsUnchanged() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t -> {
              ArrayNode ops = Bundles.ops(t, "sku_sales");
              ObjectNode derive = (ObjectNode) ops.remove(2);
              ObjectNode gross = (ObjectNode) ops.get(2).get("aggregates").get(1);
              gross.set("args", Bundles.JSON.createArrayNode().add(derive.get("expr")));
            });
    assertThat(changes.get("sku_sales").status()).isEqualTo("unchanged");
  }

  @Test
  void pair06FilterWrittenAfterAProjectInsteadOfBeforeIsUnchanged() {
    ObjectNode base =
        Bundles.edited(
            "cpg.json",
            t ->
                Bundles.ops(t, "call_symbols")
                    .insert(
                        4,
                        json(
                            "{\"op\": \"filter\", \"predicate\": {\"fn\": \"gt\", \"args\":"
                                + " [{\"col\": \"def_confidence\"}, {\"lit\": 0.5, \"type\":"
                                + " \"float64\"}]}}")));
    ObjectNode moved =
        Bundles.edited(
            "cpg.json",
            t ->
                Bundles.ops(t, "call_symbols")
                    .add(
                        json(
                            "{\"op\": \"filter\", \"predicate\": {\"fn\": \"gt\", \"args\":"
                                + " [{\"col\": \"score\"}, {\"lit\": 0.5, \"type\":"
                                + " \"float64\"}]}}")));
    Map<String, RuleChange> changes = diff(base, moved);
    assertThat(changes.get("call_symbols").status()).isEqualTo("unchanged");
  }

  // ------------------------------------------------------------------ metadata

  @Test
  void pair07DescriptionAndTagsAreMetadata() {
    Map<String, RuleChange> changes =
        diff(
            "cpg.json",
            t -> {
              Bundles.rule(t, "ref_symbols").put("description", "Names to symbols.");
              Bundles.rule(t, "ref_symbols").set("tags", Bundles.JSON.createArrayNode().add("cpg"));
            });
    RuleChange change = changes.get("ref_symbols");
    assertThat(change.status()).isEqualTo("changed");
    assertThat(category(change)).isEqualTo("metadata");
    assertThat(kinds(change)).containsExactly("metadata_changed");
    assertThat(change.affectedDownstream()).isEmpty();
    assertOthersUnchanged(changes, "ref_symbols");
  }

  // ------------------------------------------------------------------ non_breaking

  @Test
  void pair08AddedColumnTheContractDoesNotDeclareIsNonBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t ->
                Bundles.ops(t, "dormant_customers")
                    .add(
                        json(
                            "{\"op\": \"derive\", \"name\": \"name_upper\", \"expr\": {\"fn\":"
                                + " \"upper\", \"args\": [{\"col\": \"name\"}]}}")));
    RuleChange change = changes.get("dormant_customers");
    assertThat(category(change)).isEqualTo("non_breaking");
    assertThat(kinds(change)).containsExactly("column_added");
    assertThat(change.reason())
        .isEqualTo("column_added name_upper: the contract does not declare it, so no one reads it");
  }

  @Test
  void pair09RenameNoOneReadsIsNonBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t -> {
              ArrayNode ops = Bundles.ops(t, "top_customers");
              ObjectNode right = (ObjectNode) ops.get(5).get("right").get("ops").get(1);
              ((ObjectNode) right.get("columns").get(0)).put("name", "customer_key");
              ((ObjectNode) ops.get(5).get("on").get(0)).put("right", "customer_key");
            });
    RuleChange change = changes.get("top_customers");
    assertThat(category(change)).isEqualTo("non_breaking");
    assertThat(change.edits())
        .extracting(e -> e.kind().jsonName() + " " + e.detail())
        .containsExactly("column_renamed cid -> customer_key");
    assertThat(change.reason())
        .isEqualTo(
            "renames cid -> customer_key: the contract declares neither, so no one reads it");
  }

  @Test
  void pair10NullableColumnAddedToRuleAndContractIsNonBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t -> {
              ((ArrayNode) Bundles.contract(t, "dormant_customers_v1").get("columns"))
                  .add(json("{\"name\": \"region_upper\", \"type\": \"string\"}"));
              Bundles.ops(t, "dormant_customers")
                  .add(
                      json(
                          "{\"op\": \"derive\", \"name\": \"region_upper\", \"expr\": {\"fn\":"
                              + " \"upper\", \"args\": [{\"col\": \"region\"}]}}"));
            });
    RuleChange change = changes.get("dormant_customers");
    assertThat(category(change)).isEqualTo("non_breaking");
    assertThat(kinds(change)).containsExactly("column_added", "contract_changed");
  }

  @Test
  void pair11PriorityChangeIsNonBreaking() {
    Map<String, RuleChange> changes =
        diff("cpg.json", t -> Bundles.rule(t, "call_symbols").put("priority", 5));
    RuleChange change = changes.get("call_symbols");
    assertThat(category(change)).isEqualTo("non_breaking");
    assertThat(change.edits())
        .extracting(e -> e.kind().jsonName() + " " + e.detail())
        .containsExactly("priority_changed 20 -> 5");
  }

  private static final String EVENTS =
      "{\"relspec\": 1, \"name\": \"events\", \"datasets\": [{\"name\": \"events\", \"format\":"
          + " \"parquet\", \"location\": \"e\", \"schema\": [{\"name\": \"id\", \"type\":"
          + " \"int64\"}, {\"name\": \"kind\", \"type\": \"string\"}, {\"name\": \"amount\","
          + " \"type\": \"int64\"}]}], \"contracts\": [{\"name\": \"clean_v1\", \"version\": 1,"
          + " \"columns\": [{\"name\": \"id\", \"type\": \"int64\"}, {\"name\": \"kind\","
          + " \"type\": \"string\"}, {\"name\": \"amount\", \"type\": \"int64\"}]}, {\"name\":"
          + " \"big_v1\", \"version\": 1, \"columns\": [{\"name\": \"kind\", \"type\":"
          + " \"string\"}, {\"name\": \"total\", \"type\": \"int64\"}]}], \"rules\": [{\"name\":"
          + " \"clean_events\", \"output\": \"clean_events\", \"contract\": \"clean_v1\","
          + " \"ops\": [{\"op\": \"scan\", \"dataset\": \"events\"}]}, {\"name\": \"big_orders\","
          + " \"output\": \"big_orders\", \"contract\": \"big_v1\", \"ops\": [{\"op\": \"scan\","
          + " \"dataset\": \"clean_events\"}, {\"op\": \"filter\", \"predicate\": {\"fn\":"
          + " \"and\", \"args\": [{\"fn\": \"eq\", \"args\": [{\"col\": \"kind\"}, {\"lit\":"
          + " \"order\", \"type\": \"string\"}]}, {\"fn\": \"gt\", \"args\": [{\"col\":"
          + " \"amount\"}, {\"lit\": 100, \"type\": \"int64\"}]}]}}, {\"op\": \"aggregate\","
          + " \"groupBy\": [\"kind\"], \"aggregates\": [{\"name\": \"total\", \"fn\": \"sum\","
          + " \"args\": [{\"col\": \"amount\"}]}]}]}]}";

  private static ObjectNode eventsWithCleanFilter(String predicate) {
    ObjectNode tree = json(EVENTS);
    Bundles.ops(tree, "clean_events")
        .add(json("{\"op\": \"filter\", \"predicate\": " + predicate + "}"));
    return tree;
  }

  @Test
  void pair12FilterThatOnlyRemovesRowsADownstreamFilterRemovesIsNonBreaking() {
    Map<String, RuleChange> changes =
        diff(
            json(EVENTS),
            eventsWithCleanFilter(
                "{\"fn\": \"ne\", \"args\": [{\"col\": \"kind\"}, {\"lit\": \"test\", \"type\":"
                    + " \"string\"}]}"));
    RuleChange change = changes.get("clean_events");
    assertThat(category(change)).isEqualTo("non_breaking");
    assertThat(kinds(change)).containsExactly("predicate_changed");
    assertThat(change.reason())
        .isEqualTo(
            "the added filter only removes rows that downstream rule(s) [big_orders] already"
                + " filter out (their predicates imply it); output 'clean_events' itself loses"
                + " those rows");
    assertThat(changes.get("big_orders").status()).isEqualTo("unchanged");
  }

  // ------------------------------------------------------------------ breaking

  @Test
  void pair13FilterADownstreamRuleDoesNotImplyIsBreaking() {
    Map<String, RuleChange> changes =
        diff(
            json(EVENTS),
            eventsWithCleanFilter(
                "{\"fn\": \"gt\", \"args\": [{\"col\": \"amount\"}, {\"lit\": 500, \"type\":"
                    + " \"int64\"}]}"));
    RuleChange change = changes.get("clean_events");
    assertThat(category(change)).isEqualTo("breaking");
    assertThat(kinds(change)).containsExactly("predicate_changed");
    assertThat(change.affectedDownstream()).containsExactly("big_orders");
    assertThat(change.reason())
        .isEqualTo(
            "rows or schema of output 'clean_events' change (predicate_changed); downstream rules"
                + " read it");
  }

  @Test
  void pair14ChangedPredicateIsBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t ->
                ((ObjectNode) Bundles.ops(t, "top_customers").get(2).get("predicate"))
                    .put("fn", "eq"));
    RuleChange change = changes.get("top_customers");
    assertThat(category(change)).isEqualTo("breaking");
    assertThat(kinds(change)).containsExactly("predicate_changed");
    assertThat(change.edits().get(0).detail())
        .isEqualTo("removed <>($3, 'cancelled'); added =($3, 'cancelled')");
  }

  @Test
  void pair15ChangedJoinTypeIsBreakingWithDownstream() {
    Map<String, RuleChange> changes =
        diff(
            "cpg.json",
            t -> ((ObjectNode) Bundles.ops(t, "call_symbols").get(2)).put("type", "left"));
    RuleChange change = changes.get("call_symbols");
    assertThat(category(change)).isEqualTo("breaking");
    assertThat(kinds(change)).contains("join_changed");
    assertThat(change.affectedDownstream()).containsExactly("file_link_counts");
  }

  @Test
  void pair16ChangedAggregateIsBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t ->
                ((ObjectNode) Bundles.ops(t, "sku_sales").get(3).get("aggregates").get(2))
                    .put("fn", "min"));
    RuleChange change = changes.get("sku_sales");
    assertThat(category(change)).isEqualTo("breaking");
    assertThat(kinds(change)).containsExactly("aggregate_changed");
  }

  @Test
  void pair17ChangedKernelOptionsAreBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "cpg.json",
            t -> {
              ObjectNode align = (ObjectNode) Bundles.ops(t, "ref_symbols").get(1);
              align.put("mode", "overlap");
            });
    RuleChange change = changes.get("ref_symbols");
    assertThat(category(change)).isEqualTo("breaking");
    assertThat(kinds(change)).contains("kernel_options_changed");
    assertThat(change.edits())
        .extracting(e -> e.kind().jsonName() + " " + e.detail())
        .contains("kernel_options_changed interval_align");
    assertThat(change.affectedDownstream()).containsExactly("file_link_counts");
  }

  @Test
  void pair18RetypedContractColumnIsBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t -> {
              ((ObjectNode) Bundles.contract(t, "dormant_customers_v1").get("columns").get(2))
                  .put("type", "int64");
              ObjectNode derive = (ObjectNode) Bundles.ops(t, "dormant_customers").get(2);
              derive.set("expr", json("{\"cast\": " + derive.get("expr") + ", \"to\": \"int64\"}"));
            });
    RuleChange change = changes.get("dormant_customers");
    assertThat(category(change)).isEqualTo("breaking");
    assertThat(kinds(change))
        .containsExactly("column_retyped", "expression_changed", "contract_changed");
    assertThat(change.edits())
        .extracting(e -> e.kind().jsonName() + " " + e.detail())
        .contains(
            "column_retyped signup_year: int32 -> int64",
            "contract_changed changes column signup_year");
  }

  @Test
  void pair19RemovedContractColumnIsBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t -> ((ArrayNode) Bundles.contract(t, "region_revenue_v1").get("columns")).remove(4));
    RuleChange change = changes.get("region_revenue");
    assertThat(category(change)).isEqualTo("breaking");
    assertThat(change.edits())
        .extracting(e -> e.kind().jsonName() + " " + e.detail())
        .containsExactly("contract_changed removes column avg_order");
  }

  @Test
  void pair20ChangedParamValueIsBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t ->
                Bundles.rule(t, "top_customers")
                    .set("params", json("{\"top_n_floor\": \"50.00\"}")));
    RuleChange change = changes.get("top_customers");
    assertThat(category(change)).isEqualTo("breaking");
    assertThat(kinds(change)).containsExactly("predicate_changed", "params_changed");
  }

  @Test
  void pair21ChangedSortAndLimitIsBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t -> ((ObjectNode) Bundles.ops(t, "top_customers").get(8)).put("n", 5));
    RuleChange change = changes.get("top_customers");
    assertThat(category(change)).isEqualTo("breaking");
    assertThat(kinds(change)).containsExactly("order_changed");
  }

  @Test
  void pair22ChangedSourceIsBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "cpg.json",
            t -> {
              ObjectNode right =
                  (ObjectNode) Bundles.ops(t, "file_link_counts").get(1).get("right");
              ((ObjectNode) right.get("ops").get(0)).put("dataset", "name_refs");
              ((ObjectNode) right.get("ops").get(0))
                  .set(
                      "columns",
                      Bundles.JSON.createArrayNode().add("path").add("name").add("ref_id"));
              right.set(
                  "ops",
                  Bundles.JSON
                      .createArrayNode()
                      .add(right.get("ops").get(0))
                      .add(
                          json(
                              "{\"op\": \"project\", \"columns\": [{\"name\": \"link_path\","
                                  + " \"expr\": {\"col\": \"path\"}}, {\"name\": \"symbol\","
                                  + " \"expr\": {\"col\": \"name\"}}, {\"name\": \"link_id\","
                                  + " \"expr\": {\"col\": \"ref_id\"}}]}")));
            });
    RuleChange change = changes.get("file_link_counts");
    assertThat(category(change)).isEqualTo("breaking");
    assertThat(kinds(change)).contains("source_changed");
  }

  // ------------------------------------------------------------------ added and removed

  @Test
  void pair23AddedAndRemovedRules() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t -> {
              ArrayNode rules = (ArrayNode) t.get("rules");
              ObjectNode copy = (ObjectNode) rules.get(3).deepCopy();
              copy.put("name", "dormant_customers_v2");
              copy.put("output", "dormant_customers_2");
              rules.remove(2);
              rules.add(copy);
            });
    assertThat(changes.get("sku_sales").status()).isEqualTo("removed");
    assertThat(category(changes.get("sku_sales"))).isEqualTo("breaking");
    assertThat(changes.get("sku_sales").reason())
        .isEqualTo("output 'sku_sales' is no longer produced");
    assertThat(changes.get("dormant_customers_v2").status()).isEqualTo("added");
    assertThat(category(changes.get("dormant_customers_v2"))).isEqualTo("non_breaking");
  }

  @Test
  void pair24RuleAddingRowsToAnExistingOutputIsBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "cpg.json",
            t -> {
              ArrayNode rules = (ArrayNode) t.get("rules");
              ObjectNode copy = (ObjectNode) rules.get(1).deepCopy();
              copy.put("name", "call_symbols_again");
              rules.add(copy);
            });
    RuleChange change = changes.get("call_symbols_again");
    assertThat(change.status()).isEqualTo("added");
    assertThat(category(change)).isEqualTo("breaking");
    assertThat(change.affectedDownstream()).containsExactly("file_link_counts");
  }

  @Test
  void pair25StrengthenedFilterThatDownstreamAlreadyImpliesIsNonBreaking() {
    ObjectNode before =
        eventsWithCleanFilter("{\"fn\": \"is_not_null\", \"args\": [{\"col\": \"id\"}]}");
    ObjectNode after =
        eventsWithCleanFilter(
            "{\"fn\": \"and\", \"args\": [{\"fn\": \"is_not_null\", \"args\": [{\"col\":"
                + " \"id\"}]}, {\"fn\": \"ge\", \"args\": [{\"col\": \"amount\"}, {\"lit\": 50,"
                + " \"type\": \"int64\"}]}]}");
    RuleChange change = diff(before, after).get("clean_events");
    assertThat(category(change)).isEqualTo("non_breaking");
    assertThat(kinds(change)).containsExactly("predicate_changed");
  }

  // ------------------------------------------------------------------ dataset schemas

  private static ObjectNode dataset(ObjectNode tree, String name) {
    for (var dataset : tree.get("datasets")) {
      if (dataset.get("name").asText().equals(name)) {
        return (ObjectNode) dataset;
      }
    }
    throw new AssertionError("no dataset " + name);
  }

  private static ObjectNode column(ObjectNode tree, String dataset, String column) {
    for (var field : dataset(tree, dataset).get("schema")) {
      if (field.get("name").asText().equals(column)) {
        return (ObjectNode) field;
      }
    }
    throw new AssertionError("no column " + dataset + "." + column);
  }

  private static void removeColumn(ObjectNode tree, String dataset, String column) {
    ArrayNode schema = (ArrayNode) dataset(tree, dataset).get("schema");
    for (int i = 0; i < schema.size(); i++) {
      if (schema.get(i).get("name").asText().equals(column)) {
        schema.remove(i);
        return;
      }
    }
    throw new AssertionError("no column " + dataset + "." + column);
  }

  private static List<String> edits(RuleChange change) {
    return change.edits().stream().map(e -> e.kind().jsonName() + " " + e.detail()).toList();
  }

  /**
   * events(id non-null, kind, amount, note); clean_events scans every column, its contract keeps
   * id, kind, amount (all nullable); big_orders reads clean_events; latest_per_kind dedupes events
   * by kind.
   */
  private static final String EVENTS_WITH_NOTE =
      """
      {"relspec": 1, "name": "events",
       "datasets": [{"name": "events", "format": "parquet", "location": "e", "schema": [
         {"name": "id", "type": "int64", "nullable": false}, {"name": "kind", "type": "string"},
         {"name": "amount", "type": "int64"}, {"name": "note", "type": "string"}]}],
       "contracts": [
         {"name": "clean_v1", "version": 1, "columns": [{"name": "id", "type": "int64"},
           {"name": "kind", "type": "string"}, {"name": "amount", "type": "int64"}]},
         {"name": "big_v1", "version": 1, "columns": [{"name": "kind", "type": "string"},
           {"name": "total", "type": "int64"}]},
         {"name": "latest_v1", "version": 1, "columns": [{"name": "kind", "type": "string"},
           {"name": "amount", "type": "int64"}]}],
       "rules": [
         {"name": "clean_events", "output": "clean_events", "contract": "clean_v1",
          "ops": [{"op": "scan", "dataset": "events"}]},
         {"name": "big_orders", "output": "big_orders", "contract": "big_v1", "ops": [
           {"op": "scan", "dataset": "clean_events"},
           {"op": "filter", "predicate": {"fn": "gt", "args": [{"col": "amount"},
             {"lit": 100, "type": "int64"}]}},
           {"op": "aggregate", "groupBy": ["kind"], "aggregates": [{"name": "total", "fn": "sum",
             "args": [{"col": "amount"}]}]}]},
         {"name": "latest_per_kind", "output": "latest_per_kind", "contract": "latest_v1", "ops": [
           {"op": "scan", "dataset": "events"},
           {"op": "dedupe", "keys": ["kind"], "orderBy": [{"col": "amount", "dir": "desc"}]}]}]}
      """;

  @Test
  void pair26DatasetColumnMadeNonNullIsNonBreaking() {
    Map<String, RuleChange> changes =
        diff("analytics.json", t -> column(t, "customers", "name").put("nullable", false));
    RuleChange dormant = changes.get("dormant_customers");
    assertThat(category(dormant)).isEqualTo("non_breaking");
    assertThat(edits(dormant))
        .containsExactly("dataset_changed dataset customers made non-null column name");
    assertThat(dormant.reason())
        .contains("the rule reads it, but its rows stay the same (a null in the data now stops");
    assertThat(category(changes.get("top_customers"))).isEqualTo("non_breaking");
    assertThat(changes.get("sku_sales").status()).isEqualTo("unchanged");
  }

  @Test
  void pair27DatasetColumnNoRuleReadsAddedIsNonBreaking() {
    Map<String, RuleChange> changes =
        diff(
            "analytics.json",
            t ->
                ((ArrayNode) dataset(t, "customers").get("schema"))
                    .add(json("{\"name\": \"email\", \"type\": \"string\"}")));
    for (String rule : List.of("dormant_customers", "region_revenue", "top_customers")) {
      RuleChange change = changes.get(rule);
      assertThat(category(change)).as(rule).isEqualTo("non_breaking");
      assertThat(edits(change))
          .as(rule)
          .contains("dataset_changed dataset customers adds column email");
      assertThat(change.reason())
          .as(rule)
          .contains("dataset customers adds column email: the rule does not read it");
      assertThat(change.affectedDownstream()).as(rule).isEmpty();
    }
    // dormant_customers scans every column: its own rows gain email, which its contract drops.
    assertThat(kinds(changes.get("dormant_customers")))
        .containsExactly("column_added", "dataset_changed");
    assertThat(changes.get("sku_sales").status()).isEqualTo("unchanged");
  }

  @Test
  void pair28RetypedDatasetColumnARuleReadsIsBreakingOnlyForItsReaders() {
    Map<String, RuleChange> changes =
        diff("analytics.json", t -> column(t, "orders", "amount").put("type", "decimal(10,2)"));
    for (String rule : List.of("region_revenue", "top_customers")) {
      RuleChange change = changes.get(rule);
      assertThat(category(change)).as(rule).isEqualTo("breaking");
      assertThat(edits(change))
          .as(rule)
          .contains(
              "dataset_changed dataset orders retypes column amount decimal(12,2) ->"
                  + " decimal(10,2)");
    }
    for (String rule : List.of("sku_sales", "dormant_customers")) {
      assertThat(category(changes.get(rule))).as(rule).isEqualTo("non_breaking");
    }
  }

  @Test
  void pair29RemovedDatasetColumnNoRuleReadsIsNonBreaking() {
    Map<String, RuleChange> changes =
        diff(
            json(EVENTS_WITH_NOTE),
            edited(EVENTS_WITH_NOTE, t -> removeColumn(t, "events", "note")));
    RuleChange clean = changes.get("clean_events");
    assertThat(category(clean)).isEqualTo("non_breaking");
    assertThat(edits(clean))
        .containsExactlyInAnyOrder(
            "dataset_changed dataset events removes column note", "column_removed note");
    assertThat(clean.reason())
        .contains("dataset events removes column note: the rule does not read it");
    assertThat(changes.get("big_orders").status()).isEqualTo("unchanged");
  }

  @Test
  void pair30RemovedDatasetColumnCopiedIntoTheContractIsBreakingWithDownstream() {
    Map<String, RuleChange> changes =
        diff(
            json(EVENTS_WITH_NOTE), edited(EVENTS_WITH_NOTE, t -> removeColumn(t, "events", "id")));
    // clean_events copied id into its contract, which now fills it with nulls.
    RuleChange clean = changes.get("clean_events");
    assertThat(category(clean)).isEqualTo("breaking");
    assertThat(edits(clean)).contains("dataset_changed dataset events removes column id");
    assertThat(clean.affectedDownstream()).containsExactly("big_orders");
    // latest_per_kind does not read id, but its dedupe breaks ties on every column it scans.
    assertThat(category(changes.get("latest_per_kind"))).isEqualTo("breaking");
  }

  @Test
  void pair31DatasetColumnMadeNullableOnlyCopiedIntoANullableContractColumnIsNonBreaking() {
    Map<String, RuleChange> changes =
        diff(
            json(EVENTS_WITH_NOTE),
            edited(EVENTS_WITH_NOTE, t -> column(t, "events", "id").put("nullable", true)));
    RuleChange clean = changes.get("clean_events");
    assertThat(category(clean)).isEqualTo("non_breaking");
    assertThat(clean.reason())
        .contains(
            "dataset events made nullable column id: the rule only copies it into contract"
                + " columns that already allow nulls");
    // latest_per_kind does not read id (its dedupe breaks ties on it only among non-null ids).
    assertThat(category(changes.get("latest_per_kind"))).isEqualTo("non_breaking");
  }

  @Test
  void pair32DatasetColumnMadeNullableThatARuleJoinsOnIsBreaking() {
    Map<String, RuleChange> changes =
        diff("analytics.json", t -> column(t, "orders", "order_id").put("nullable", true));
    RuleChange sku = changes.get("sku_sales");
    assertThat(category(sku)).isEqualTo("breaking");
    assertThat(edits(sku)).contains("dataset_changed dataset orders made nullable column order_id");
    assertThat(category(changes.get("dormant_customers"))).isEqualTo("non_breaking");
  }

  @Test
  void pair33DatasetColumnAddedUnderAWholeRowDedupeIsBreaking() {
    Map<String, RuleChange> changes =
        diff(
            json(EVENTS_WITH_NOTE),
            edited(
                EVENTS_WITH_NOTE,
                t ->
                    ((ArrayNode) dataset(t, "events").get("schema"))
                        .insert(1, json("{\"name\": \"source\", \"type\": \"string\"}"))));
    // Ties of the dedupe are broken by every remaining column: a new one can pick another row.
    assertThat(category(changes.get("latest_per_kind"))).isEqualTo("breaking");
    assertThat(category(changes.get("clean_events"))).isEqualTo("non_breaking");
    assertThat(changes.get("big_orders").status()).isEqualTo("unchanged");
  }

  private static ObjectNode edited(String text, Consumer<ObjectNode> edit) {
    ObjectNode tree = json(text);
    edit.accept(tree);
    return tree;
  }
}
