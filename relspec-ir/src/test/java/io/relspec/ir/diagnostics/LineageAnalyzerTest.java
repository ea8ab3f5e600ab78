package io.relspec.ir.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineageAnalyzerTest {
  private static ColumnLineage column(
      Map<String, List<ColumnLineage>> lineage, String rule, String column) {
    return lineage.get(rule).stream()
        .filter(c -> c.column().equals(column))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void analyticsCopiesAndDerivations() {
    Map<String, List<ColumnLineage>> lineage =
        LineageAnalyzer.analyze(Examples.validated("analytics.json"));
    assertThat(lineage.keySet())
        .containsExactly("dormant_customers", "region_revenue", "sku_sales", "top_customers");
    ColumnLineage region = column(lineage, "region_revenue", "region");
    assertThat(region.kind()).isEqualTo("copy");
    assertThat(region.sources()).containsExactly("customers.region");
    ColumnLineage revenue = column(lineage, "region_revenue", "revenue");
    assertThat(revenue.kind()).isEqualTo("derived");
    assertThat(revenue.sources()).containsExactly("orders.amount");
    ColumnLineage orders = column(lineage, "region_revenue", "orders");
    assertThat(orders.derived()).isTrue();
    assertThat(orders.sources()).isEmpty();
    ColumnLineage gross = column(lineage, "sku_sales", "gross");
    assertThat(gross.sources()).containsExactly("order_items.qty", "order_items.unit_price");
    ColumnLineage name = column(lineage, "top_customers", "name");
    assertThat(name.kind()).isEqualTo("copy");
    assertThat(name.sources()).containsExactly("customers.name");
    ColumnLineage cid = column(lineage, "top_customers", "cid");
    assertThat(cid.kind()).isEqualTo("copy");
    assertThat(cid.sources()).containsExactly("customers.customer_id");
    assertThat(column(lineage, "dormant_customers", "signup_year").sources())
        .containsExactly("customers.signup_date");
  }

  @Test
  void cpgFollowsTheRuleGraphTransitively() {
    Map<String, List<ColumnLineage>> lineage =
        LineageAnalyzer.analyze(Examples.validated("cpg.json"));
    ColumnLineage symbol = column(lineage, "file_link_counts", "symbols");
    assertThat(symbol.inputs()).containsExactly("symbol_links.symbol");
    assertThat(symbol.sources()).containsExactly("symbol_occurrences.symbol");
    assertThat(symbol.kind()).isEqualTo("derived");
    ColumnLineage path = column(lineage, "file_link_counts", "path");
    assertThat(path.kind()).isEqualTo("copy");
    assertThat(path.sources()).containsExactly("files.path");
    ColumnLineage links = column(lineage, "file_link_counts", "links");
    assertThat(links.sources()).containsExactly("call_sites.call_id", "name_refs.ref_id");
    ColumnLineage matchKind = column(lineage, "ref_symbols", "match_kind");
    assertThat(matchKind.derived()).isTrue();
    assertThat(matchKind.sources()).containsExactly("symbol_occurrences.bstart");
    ColumnLineage callPath = column(lineage, "call_symbols", "path");
    assertThat(callPath.kind()).isEqualTo("copy");
    assertThat(callPath.sources()).containsExactly("call_sites.path");
    ColumnLineage callSymbol = column(lineage, "call_symbols", "symbol");
    assertThat(callSymbol.kind()).isEqualTo("copy");
    assertThat(callSymbol.sources()).containsExactly("symbol_occurrences.symbol");
  }

  @Test
  void referencedColumnsPerRule() {
    Map<String, List<String>> analytics =
        LineageAnalyzer.references(Examples.validated("analytics.json"));
    assertThat(analytics.get("region_revenue"))
        .containsExactly(
            "customers.customer_id",
            "customers.region",
            "orders.amount",
            "orders.customer_id",
            "orders.order_date",
            "orders.status");
    assertThat(analytics.get("dormant_customers"))
        .containsExactly("customers.customer_id", "customers.signup_date", "orders.customer_id");
    Map<String, List<String>> cpg = LineageAnalyzer.references(Examples.validated("cpg.json"));
    assertThat(cpg.get("file_link_counts"))
        .containsExactly(
            "files.language",
            "files.path",
            "symbol_links.link_id",
            "symbol_links.path",
            "symbol_links.symbol");
    assertThat(cpg.get("call_symbols"))
        .contains("call_sites.callees", "symbol_occurrences.role", "symbol_occurrences.confidence");
    assertThat(cpg.get("ref_symbols"))
        .contains("name_refs.bstart", "symbol_occurrences.bend", "symbol_occurrences.confidence");
  }
}
