package io.relspec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.reference.run.ParquetRows;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sql, lineage, check and diff commands with their exact outputs on the examples. */
class DiagnosticsCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  /** Exit code, stdout and stderr of one command line. */
  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = RelspecCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(exit, out.toString(), err.toString());
  }

  static String example(String name) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("examples").resolve(name);
      if (Files.exists(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException("Cannot find examples/" + name);
  }

  private static String lines(String... lines) {
    return String.join(System.lineSeparator(), lines) + System.lineSeparator();
  }

  @Test
  void sqlOfOneRuleInPostgres() {
    Run run =
        run("sql", example("analytics.json"), "--rule", "region_revenue", "--dialect", "postgres");
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .isEqualTo(
            lines(
                "-- rule region_revenue -> region_revenue (plan"
                    + " 7f2057a85680c8b8f7092eeb3c02bc1cc7b808bae5c788d6fdff8e2a6b2e3037)",
                "SELECT \"t0\".\"region\", SUM(\"t\".\"amount\") AS \"revenue\", COUNT(*) AS"
                    + " \"orders\", COUNT(DISTINCT \"t\".\"customer_id\") AS \"customers\","
                    + " AVG(CAST(\"t\".\"amount\" AS DOUBLE PRECISION)) AS \"avg_order\"",
                "FROM (SELECT *",
                "    FROM \"orders\"",
                "    WHERE \"order_date\" >= DATE '2024-01-01' AND \"status\" IN ('delivered',"
                    + " 'shipped')) AS \"t\"",
                "  INNER JOIN (SELECT \"customer_id\", \"region\"",
                "    FROM \"customers\") AS \"t0\" ON \"t\".\"customer_id\" ="
                    + " \"t0\".\"customer_id\"",
                "GROUP BY \"t0\".\"region\"",
                "ORDER BY 2 DESC, \"t0\".\"region\";"));
  }

  @Test
  void sqlOfOneRuleInSpark() {
    Run run =
        run("sql", example("analytics.json"), "--rule", "dormant_customers", "--dialect", "spark");
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .isEqualTo(
            lines(
                "-- rule dormant_customers -> dormant_customers (plan"
                    + " f067b6c979b897f544552f0abe232f01a81ccaaf0477d0e6a34d183a444842c4)",
                "SELECT `customer_id`, `name`, `region`, `signup_date`, EXTRACT(YEAR FROM"
                    + " `signup_date`) `signup_year`",
                "FROM `customers`",
                "WHERE NOT EXISTS (SELECT 1",
                "    FROM (SELECT `customer_id`",
                "        FROM `orders`) `t`",
                "    WHERE `customers`.`customer_id` = `t`.`customer_id`);"));
  }

  @Test
  void sqlOfAWholeBundleHasEveryRuleAndOutput() {
    Run run = run("sql", example("cpg.json"), "--dialect", "spark", "--optimized");
    assertThat(run.exit()).isZero();
    assertThat(run.out().lines().filter(l -> l.startsWith("-- rule ")).map(l -> l.split(" ")[2]))
        .containsExactly("ref_symbols", "call_symbols", "file_link_counts");
    assertThat(run.out())
        .contains(
            "-- output symbol_links finalized by contract symbol_links_v1 v1 (rules ref_symbols,"
                + " call_symbols)")
        .contains("XXHASH64('name_ref', `ref_id`)")
        .contains(
            "-- dedupe: one row per [path, bstart, bend] (ROW_NUMBER() = 1 by orderBy, then every"
                + " other column ascending, nulls last)")
        .contains(
            "-- left out: rows with a null in [link_id, path, symbol, source] (null_violation);"
                + " every row whose key [link_id] occurs more than once after the dedupe"
                + " (duplicate_key; COUNT(*) OVER (PARTITION BY key) = 1)")
        .contains(
            "-- onViolation quarantine: relspec writes them to symbol_links__errors with"
                + " error_code; this query gives the rows of symbol_links")
        .contains("COUNT(*) OVER (PARTITION BY `link_id`")
        .contains(
            "-- left out: rows with a null in [path, links, symbols] (null_violation); every row"
                + " whose key [path] occurs more than once (duplicate_key; COUNT(*) OVER"
                + " (PARTITION BY key) = 1)")
        .contains(
            "-- onViolation fail: relspec writes nothing when any row would be left out; this"
                + " query gives the rows it writes when none is (the check query below lists"
                + " duplicated keys)")
        .contains(
            "-- check of output file_link_counts: keys [path] that occur more than once (no rows"
                + " when the keys are unique)")
        .doesNotContain("STABLE_HASH64");
    // 3 rules, 2 outputs and the 2 key checks.
    assertThat(run.out().lines().filter(l -> l.startsWith("-- digest ")).count()).isEqualTo(7);
  }

  @Test
  void sqlRejectsAnUnknownDialectAndRule() {
    Run dialect = run("sql", example("cpg.json"), "--dialect", "oracle");
    assertThat(dialect.exit()).isEqualTo(2);
    assertThat(dialect.err())
        .isEqualTo(
            lines(
                "error: Cannot render SQL in dialect 'oracle': unknown dialect. Use one of [spark,"
                    + " postgres, ansi]."));
    Run rule = run("sql", example("cpg.json"), "--rule", "nope");
    assertThat(rule.exit()).isEqualTo(2);
    assertThat(rule.err()).startsWith("error: Cannot show rule 'nope': bundle ");
  }

  @Test
  void lineageOfOneRule() {
    Run run = run("lineage", example("cpg.json"), "--rule", "file_link_counts");
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .isEqualTo(
            lines(
                "rule file_link_counts -> file_link_counts",
                "  reads: files.language, files.path, symbol_links.link_id, symbol_links.path,"
                    + " symbol_links.symbol",
                "  path      copy     files.path",
                "  language  copy     files.language",
                "  links     derived  call_sites.call_id, name_refs.ref_id  (via"
                    + " symbol_links.link_id)",
                "  symbols   derived  symbol_occurrences.symbol  (via symbol_links.symbol)"));
  }

  @Test
  void lineageOfOneColumnAcrossRules() {
    Run run = run("lineage", example("analytics.json"), "--column", "customer_id");
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .isEqualTo(
            lines(
                "rule dormant_customers -> dormant_customers",
                "  customer_id  copy     customers.customer_id",
                "",
                "rule top_customers -> top_customers",
                "  customer_id  copy     orders.customer_id"));
    Run missing = run("lineage", example("analytics.json"), "--column", "nope");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo(
            lines(
                "error: Cannot show lineage of column 'nope': no rule output column has that name."
                    + " Check the column name with relspec plan"));
  }

  @Test
  void checkOfAnalytics() {
    Run run = run("check", example("analytics.json"));
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .isEqualTo(
            lines(
                "info     extra_column  dormant_customers  rules[3].ops",
                "         rule 'dormant_customers' produces column 'region', which contract"
                    + " 'dormant_customers_v1' does not declare: finalization drops it",
                "         fix: Project it away in the rule, or add it to the contract",
                "info     extra_column  dormant_customers  rules[3].ops",
                "         rule 'dormant_customers' produces column 'signup_date', which contract"
                    + " 'dormant_customers_v1' does not declare: finalization drops it",
                "         fix: Project it away in the rule, or add it to the contract",
                "warning  nullability  sku_sales  rules[2].ops",
                "         rule 'sku_sales' produces column 'sku' as nullable, but contract"
                    + " 'sku_sales_v1' forbids nulls: rows with a null are routed by onViolation"
                    + " 'drop'",
                "         fix: Filter out or coalesce nulls of 'sku' in the rule, or make the"
                    + " column nullable in the contract",
                "info     widened_column  sku_sales  rules[2].ops",
                "         column 'gross' is widened from decimal(31,2) to decimal(32,2) by"
                    + " contract 'sku_sales_v1'",
                "         fix: Nothing to do; cast in the rule to make the widening explicit",
                "warning  nullability  top_customers  rules[1].ops",
                "         rule 'top_customers' produces column 'customer_id' as nullable, but"
                    + " contract 'top_customers_v1' forbids nulls: rows with a null are routed by"
                    + " onViolation 'quarantine'",
                "         fix: Filter out or coalesce nulls of 'customer_id' in the rule, or make"
                    + " the column nullable in the contract",
                "warning  nullability  top_customers  rules[1].ops",
                "         rule 'top_customers' produces column 'name' as nullable, but contract"
                    + " 'top_customers_v1' forbids nulls: rows with a null are routed by"
                    + " onViolation 'quarantine'",
                "         fix: Filter out or coalesce nulls of 'name' in the rule, or make the"
                    + " column nullable in the contract",
                "info     extra_column  top_customers  rules[1].ops",
                "         rule 'top_customers' produces column 'cid', which contract"
                    + " 'top_customers_v1' does not declare: finalization drops it",
                "         fix: Project it away in the rule, or add it to the contract",
                "",
                "gates (skip-downstream):",
                "  run      region_revenue",
                "  run      top_customers",
                "  run      sku_sales",
                "  run      dormant_customers",
                "",
                "0 errors, 3 warnings, 4 infos; 4 of 4 rules would run"));
  }

  private Path brokenCpg() throws IOException {
    ObjectNode tree = (ObjectNode) JSON.readTree(Files.readString(Path.of(example("cpg.json"))));
    ObjectNode align = (ObjectNode) tree.get("rules").get(0).get("ops").get(1);
    ((ArrayNode) align.get("selectRight")).set(1, JSON.getNodeFactory().textNode("conf"));
    Path file = temp.resolve("cpg_broken.json");
    Files.writeString(file, tree.toString());
    return file;
  }

  @Test
  void checkOfABrokenBundleExitsNonZeroAndReportsWhatIsSkipped() throws IOException {
    Run run = run("check", brokenCpg().toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.out())
        .isEqualTo(
            lines(
                "error    unknown_column  ref_symbols  rules[0].ops[1].selectRight[1]",
                "         unknown column 'conf'; available columns: [occ_id, path, symbol,"
                    + " bstart, bend, confidence]",
                "         fix: Use one of the available columns, or produce the column earlier in"
                    + " the pipeline",
                "",
                "gates (skip-downstream):",
                "  blocked  ref_symbols       1 or more errors in the rule",
                "  skipped  call_symbols      output 'symbol_links' is incomplete without stopped"
                    + " rule 'ref_symbols'",
                "  skipped  file_link_counts  reads output 'symbol_links' of stopped rule"
                    + " 'ref_symbols'",
                "",
                "1 error, 0 warnings, 0 infos; 0 of 3 rules would run"));
  }

  @Test
  void checkAsJson() throws IOException {
    Run run = run("check", brokenCpg().toString(), "--json", "--policy", "fail-all");
    assertThat(run.exit()).isEqualTo(2);
    JsonNode report = JSON.readTree(run.out());
    assertThat(report.get("policy").asText()).isEqualTo("fail-all");
    assertThat(report.get("errors").asInt()).isEqualTo(1);
    JsonNode diagnostic = report.get("diagnostics").get(0);
    assertThat(diagnostic.get("code").asText()).isEqualTo("unknown_column");
    assertThat(diagnostic.get("location").asText()).isEqualTo("rules[0].ops[1].selectRight[1]");
    assertThat(diagnostic.get("planSignature").asText()).hasSize(64);
    assertThat(report.get("gates").get(2).get("status").asText()).isEqualTo("skipped");
  }

  @Test
  void checkWritesDiagnosticsAsParquetKeyedByPlanSignature() throws IOException {
    Path dir = temp.resolve("check-out");
    Run run = run("check", example("analytics.json"), "--output", dir.toString());
    assertThat(run.exit()).isZero();
    List<Map<String, String>> rows = ParquetRows.read(dir.resolve("diagnostics/part-0.parquet"));
    assertThat(rows).hasSize(7);
    Map<String, String> first = rows.get(0);
    assertThat(first)
        .containsEntry("code", "extra_column")
        .containsEntry("rule", "dormant_customers")
        .containsEntry("severity", "info")
        .containsEntry("bundle", "shop_analytics")
        .containsEntry("gate", "run")
        .containsEntry(
            "plan_signature", "f067b6c979b897f544552f0abe232f01a81ccaaf0477d0e6a34d183a444842c4");
    assertThat(rows)
        .extracting(r -> r.get("code") + " " + r.get("rule"))
        .containsExactly(
            "extra_column dormant_customers",
            "extra_column dormant_customers",
            "nullability sku_sales",
            "widened_column sku_sales",
            "nullability top_customers",
            "nullability top_customers",
            "extra_column top_customers");

    // A second check replaces the dataset rather than failing or appending.
    assertThat(run("check", example("analytics.json"), "--output", dir.toString()).exit()).isZero();
    assertThat(ParquetRows.read(dir.resolve("diagnostics/part-0.parquet"))).hasSize(7);
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList())
        .containsExactly("diagnostics");
  }

  private Path analyticsV2() throws IOException {
    ObjectNode tree =
        (ObjectNode) JSON.readTree(Files.readString(Path.of(example("analytics.json"))));
    ObjectNode topCustomers = (ObjectNode) tree.get("rules").get(1);
    ((ObjectNode) topCustomers.get("ops").get(2).get("predicate")).put("fn", "eq");
    ((ObjectNode) tree.get("rules").get(3)).put("description", "Customers without orders.");
    ArrayNode args =
        (ArrayNode) tree.get("rules").get(0).get("ops").get(2).get("predicate").get("args");
    args.insert(0, args.remove(1));
    Path file = temp.resolve("analytics_v2.json");
    Files.writeString(file, tree.toString());
    return file;
  }

  @Test
  void diffAsText() throws IOException {
    String oldFile = example("analytics.json");
    String newFile = analyticsV2().toString();
    Run run = run("diff", oldFile, newFile);
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .isEqualTo(
            lines(
                "diff "
                    + oldFile
                    + " -> "
                    + newFile
                    + ": 2 changed (1 breaking), 0 added, 0 removed, 2 unchanged",
                "changed    dormant_customers  metadata: only description or tags changed; the"
                    + " optimized plans are identical",
                "  edit metadata_changed: description or tags",
                "unchanged  region_revenue     equivalent rewrite: the ops differ but the"
                    + " optimized plans are identical",
                "unchanged  sku_sales          identical",
                "changed    top_customers      breaking: rows or schema of output 'top_customers'"
                    + " change (predicate_changed)",
                "  edit predicate_changed: removed <>($3, 'cancelled'); added =($3,"
                    + " 'cancelled')"));
  }

  @Test
  void diffAsJson() throws IOException {
    Run run = run("diff", example("analytics.json"), analyticsV2().toString(), "--json");
    assertThat(run.exit()).isZero();
    JsonNode changes = JSON.readTree(run.out());
    assertThat(changes).hasSize(4);
    JsonNode top = changes.get(3);
    assertThat(top.get("rule").asText()).isEqualTo("top_customers");
    assertThat(top.get("status").asText()).isEqualTo("changed");
    assertThat(top.get("category").asText()).isEqualTo("breaking");
    assertThat(top.get("edits").get(0).get("kind").asText()).isEqualTo("predicate_changed");
    assertThat(top.get("oldDigest").asText()).isNotEqualTo(top.get("newDigest").asText());
    assertThat(changes.get(1).get("category").isNull()).isTrue();
  }
}
