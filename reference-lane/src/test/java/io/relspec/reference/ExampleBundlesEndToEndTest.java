package io.relspec.reference;

import static io.relspec.reference.Fixture.dec;
import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Both example bundles end to end on small hand-made data, every output row asserted. The link ids
 * are stable_hash64 values, computed with {@link SparkHash} (itself checked against Spark's own
 * documented value in {@link SparkHashTest}).
 */
class ExampleBundlesEndToEndTest {
  private static final Path EXAMPLES = Path.of("..", "examples");

  private static long linkId(String source, long id) {
    return SparkHash.hash(List.of(source, id), List.of(PrimitiveType.STRING, PrimitiveType.INT64));
  }

  /**
   * Note: the spec's {@code contained} is "rs &gt;= ls and re &lt;= le", the right span inside the
   * left one, so a name reference matches the shortest symbol occurrence inside it (the rule's
   * description says the opposite; the spec wins).
   */
  @Test
  void cpgBundle() {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve("cpg.json"));
    try (Fixture f = new Fixture().batchRows(2)) {
      f.rows("files", row(1, "a.py", "python"), row(2, "b.py", "python"), row(3, "c.rs", null))
          .rows(
              "symbol_occurrences",
              row(100, "a.py", "Foo", "definition", 0, 100, 0.9),
              row(101, "a.py", "bar", "definition", 10, 20, 0.8),
              row(102, "a.py", "baz", "reference", 12, 18, 0.5),
              row(103, "b.py", "Foo", "reference", 0, 50, 0.4),
              row(104, "b.py", "qux", "definition", 5, 9, null),
              row(105, "a.py", "qq", "definition", 12, 18, 0.7))
          .rows(
              "name_refs",
              row(1, "a.py", "x", 10, 20),
              row(2, "a.py", "y", 0, 100),
              row(3, "b.py", "z", 5, 9),
              row(4, "c.rs", "w", 1, 2),
              row(5, "a.py", "v", null, 5))
          .rows(
              "call_sites",
              row(10, "a.py", "Foo()", 10, 20, List.of("bar", "Foo")),
              row(11, "b.py", "qux()", 20, 25, List.of("qux", "nope")),
              row(12, "b.py", "none()", 30, 31, null),
              row(13, "b.py", "e()", 40, 41, List.of()),
              row(14, "a.py", "dup()", 50, 51, List.of("bar", "bar")));
      try (RunResult result = f.lane().run(bundle, f.source(bundle))) {
        assertThat(result.outputs())
            .extracting(OutputResult::name)
            .containsExactly("symbol_links", "file_link_counts");

        OutputResult links = result.output("symbol_links").orElseThrow();
        assertThat(links.rows().rows())
            .containsExactly(
                row(linkId("name_ref", 2), "a.py", 0L, 100L, "qq", "name_ref", "contained", 0.7),
                row(
                    linkId("call_site", 10),
                    "a.py",
                    10L,
                    20L,
                    "Foo",
                    "call_site",
                    "callee_name",
                    0.9),
                row(
                    linkId("call_site", 14),
                    "a.py",
                    50L,
                    51L,
                    "bar",
                    "call_site",
                    "callee_name",
                    0.8),
                row(linkId("name_ref", 3), "b.py", 5L, 9L, "qux", "name_ref", "contained", 0.0),
                row(
                    linkId("call_site", 11),
                    "b.py",
                    20L,
                    25L,
                    "qux",
                    "call_site",
                    "callee_name",
                    null));
        assertThat(links.errors().orElseThrow().rows())
            .containsExactlyInAnyOrder(
                row(
                    linkId("name_ref", 4),
                    "c.rs",
                    1L,
                    2L,
                    null,
                    "name_ref",
                    "NO_MATCH",
                    0.0,
                    "null_violation",
                    "symbol",
                    "column 'symbol' is null but contract 'symbol_links_v1' requires a value",
                    "ref_symbols"),
                row(
                    linkId("name_ref", 5),
                    "a.py",
                    null,
                    5L,
                    null,
                    "name_ref",
                    "NO_MATCH",
                    0.0,
                    "null_violation",
                    "symbol",
                    "column 'symbol' is null but contract 'symbol_links_v1' requires a value",
                    "ref_symbols"));
        assertThat(links.accounting()).isEqualTo(new Accounting(8, 5, 2, 0, 1, 2, 0, 0));

        OutputResult counts = result.output("file_link_counts").orElseThrow();
        assertThat(counts.rows().rows())
            .containsExactly(
                row("a.py", "python", 3L, 3L),
                row("b.py", "python", 2L, 1L),
                row("c.rs", null, 0L, 0L));
        assertThat(counts.errors()).isEmpty();
        assertThat(counts.accounting().balanced()).isTrue();
      }
    }
  }

  @Test
  void analyticsBundle() {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve("analytics.json"));
    try (Fixture f = new Fixture().batchRows(2)) {
      f.rows(
              "customers",
              row(1, "Ann", "north", LocalDate.of(2023, 5, 1)),
              row(2, "Bob", "south", LocalDate.of(2024, 2, 10)),
              row(3, null, "north", LocalDate.of(2022, 1, 15)),
              row(4, "Dee", null, LocalDate.of(2021, 7, 4)),
              row(5, "Eve", "south", null))
          .rows(
              "orders",
              row(100, 1, LocalDate.of(2024, 1, 5), "shipped", "250.00"),
              row(101, 1, LocalDate.of(2024, 3, 1), "delivered", "900.50"),
              row(102, 2, LocalDate.of(2024, 2, 11), "shipped", "120.00"),
              row(103, 2, LocalDate.of(2023, 12, 31), "shipped", "500.00"),
              row(104, 3, LocalDate.of(2024, 4, 1), "cancelled", "75.00"),
              row(105, 3, LocalDate.of(2024, 4, 2), "shipped", "300.00"),
              row(106, 4, LocalDate.of(2024, 5, 5), "delivered", "40.25"),
              row(107, null, LocalDate.of(2024, 6, 1), "shipped", "10.00"),
              row(108, 2, LocalDate.of(2024, 6, 2), "pending", null))
          .rows(
              "order_items",
              row(100, "A", 2, "10.00"),
              row(100, "B", 1, "5.50"),
              row(101, "A", 3, "10.00"),
              row(104, "A", 5, "10.00"),
              row(105, null, 1, "1.00"),
              row(102, "B", null, "5.50"),
              row(999, "C", 1, "1.00"));
      try (RunResult result = f.lane().run(bundle, f.source(bundle))) {
        assertThat(result.output("region_revenue").orElseThrow().rows().rows())
            .containsExactly(
                row("north", dec("1450.50"), 3L, 2L, 483.5),
                row("south", dec("120.00"), 1L, 1L, 120.0),
                row(null, dec("40.25"), 1L, 1L, 40.25));

        OutputResult top = result.output("top_customers").orElseThrow();
        assertThat(top.rows().rows())
            .containsExactly(
                row(1L, "Ann", dec("1150.50"), 2L, "gold"),
                row(2L, "Bob", dec("620.00"), 3L, "silver"));
        assertThat(top.errors().orElseThrow().rows())
            .containsExactly(
                row(
                    3L,
                    null,
                    dec("300.00"),
                    1L,
                    "silver",
                    "null_violation",
                    "name",
                    "column 'name' is null but contract 'top_customers_v1' requires a value",
                    "top_customers"));
        assertThat(top.accounting()).isEqualTo(new Accounting(3, 2, 1, 0, 0, 1, 0, 0));

        OutputResult skus = result.output("sku_sales").orElseThrow();
        assertThat(skus.rows().rows())
            .containsExactly(row("A", 5L, dec("50.00"), 3L), row("B", 1L, dec("5.50"), 1L));
        assertThat(skus.errors()).isEmpty();
        assertThat(skus.accounting()).isEqualTo(new Accounting(3, 2, 0, 1, 0, 1, 0, 0));

        assertThat(result.output("dormant_customers").orElseThrow().rows().rows())
            .containsExactly(row(5L, "Eve", null));
        assertThat(result.outputs()).allMatch(o -> o.accounting().balanced());
      }
    }
  }
}
