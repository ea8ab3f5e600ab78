package io.relspec.spark.compile;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** interval_align: keys, span modes, shortest-span ranking, tie breaks, how=left, matchMeta. */
class IntervalAlignTest extends CompilerTestSupport {
  @BeforeEach
  void tables() {
    register(
        "refs",
        table(
            "path string, s int32, e int32",
            row("p", 10, 20),
            row("p", 10, 20),
            row("p", 100, 110),
            row(null, 10, 20),
            row("p", null, 20),
            row("q", 0, 5)));
    register(
        "occ",
        table(
            "path string, os int64, oe int64, sym string",
            row("p", 10L, 20L, "A"),
            row("p", 12L, 18L, "C"),
            row("p", 12L, 18L, "B"),
            row("p", 5L, 25L, "D"),
            row("p", 15L, 30L, "E"),
            row(null, 10L, 20L, "N"),
            row("q", 0L, 5L, "Q"),
            row("q", null, 5L, "QN")));
  }

  private Dataset<Row> align(String mode, String how, String tieBreakers) {
    return compile(
        """
        [{"op": "scan", "dataset": "refs"},
         {"op": "interval_align", "right": {"ops": [{"op": "scan", "dataset": "occ"}]},
          "on": [{"left": "path", "right": "path"}], "leftSpan": ["s", "e"], "rightSpan": ["os", "oe"],
          "mode": "%s", "how": "%s", "selectRight": ["sym"], "tieBreakers": %s, "matchMeta": true},
         {"op": "sort", "keys": [{"col": "path"}, {"col": "s"}]}]
        """
            .formatted(mode, how, tieBreakers));
  }

  @Test
  void containedLeftKeepsUnmatchedRowsAsNoMatch() {
    Dataset<Row> rows = align("contained", "left", "[]");
    assertThat(rows.columns())
        .containsExactly("path", "s", "e", "sym", "match_kind", "match_score");
    // B and C tie on length 6; no tieBreakers, so the remaining right columns decide: sym B < C.
    assertThat(rows(rows))
        .containsExactly(
            r("p", 10, 20, "B", "contained", -6.0),
            r("p", 10, 20, "B", "contained", -6.0),
            r("p", 100, 110, null, "NO_MATCH", null),
            r("p", null, 20, null, "NO_MATCH", null),
            r("q", 0, 5, "Q", "contained", -5.0),
            r(null, 10, 20, null, "NO_MATCH", null));
  }

  /** match_score is -(re - rs) negated in int64: a zero-length right span scores 0.0, not -0.0. */
  @Test
  void zeroLengthRightSpanScoresPositiveZero() {
    register("pts", table("path string, os int64, oe int64", row("p", 15L, 15L)));
    java.util.List<java.util.List<Object>> rows =
        run(
            """
            [{"op": "scan", "dataset": "refs"},
             {"op": "filter", "predicate": {"fn": "eq", "args": [{"col": "s"}, {"lit": 10, "type": "int32"}]}},
             {"op": "interval_align", "right": {"ops": [{"op": "scan", "dataset": "pts"}]},
              "on": ["path"], "leftSpan": ["s", "e"], "rightSpan": ["os", "oe"],
              "mode": "contained", "how": "inner", "matchMeta": true}]
            """);
    assertThat(rows)
        .hasSize(2)
        .allSatisfy(
            row -> {
              assertThat(row.get(3)).isEqualTo("contained");
              assertThat(Double.doubleToRawLongBits((Double) row.get(4)))
                  .isEqualTo(Double.doubleToRawLongBits(0.0));
            });
  }

  @Test
  void exactInnerDropsUnmatchedRows() {
    assertThat(rows(align("exact", "inner", "[]")))
        .containsExactly(
            r("p", 10, 20, "A", "exact", -10.0),
            r("p", 10, 20, "A", "exact", -10.0),
            r("q", 0, 5, "Q", "exact", -5.0));
  }

  @Test
  void overlapUsesTieBreakersBeforeRemainingColumns() {
    assertThat(rows(align("overlap", "inner", "[{\"col\": \"sym\", \"dir\": \"desc\"}]")))
        .containsExactly(
            r("p", 10, 20, "C", "overlap", -6.0),
            r("p", 10, 20, "C", "overlap", -6.0),
            r("q", 0, 5, "Q", "overlap", -5.0));
  }

  @Test
  void withoutMatchMetaOnlyLeftAndSelectedColumns() {
    Dataset<Row> rows =
        compile(
            """
            [{"op": "scan", "dataset": "refs"},
             {"op": "interval_align", "right": {"ops": [{"op": "scan", "dataset": "occ"}]},
              "on": ["path"], "leftSpan": ["s", "e"], "rightSpan": ["os", "oe"],
              "mode": "overlap", "how": "inner", "selectRight": ["sym", "os"], "matchMeta": false}]
            """);
    assertThat(rows.columns()).containsExactly("path", "s", "e", "sym", "os");
    assertThat(rows(rows))
        .containsExactlyInAnyOrder(
            r("p", 10, 20, "B", 12L), r("p", 10, 20, "B", 12L), r("q", 0, 5, "Q", 0L));
  }
}
