package io.relspec.reference;

import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** interval_align (format v1, section 4) on hand-computed rows, every mode, how and tie rule. */
class IntervalAlignConformanceTest {
  private static final String OPS =
      """
      [{"op":"scan","dataset":"l"},
       {"op":"interval_align","right":{"ops":[{"op":"scan","dataset":"r"}]},"on":["path"],
        "leftSpan":["ls","le"],"rightSpan":["rs","re"],"mode":"%s","how":"%s",
        "selectRight":["rid","conf"],"tieBreakers":%s,"matchMeta":true}]
      """;
  private static final String BY_CONF = "[{\"col\":\"conf\",\"dir\":\"desc\"}]";

  private static Fixture fixture() {
    return new Fixture()
        .dataset("l", "id:int64", "path:string", "ls:int64", "le:int64")
        .dataset("r", "rid:int64", "path:string", "rs:int64", "re:int64", "conf:float64")
        .rows(
            "l",
            row(1, "p1", 10, 12),
            row(2, "p1", 0, 100),
            row(3, "p2", 5, 6),
            row(4, null, 1, 2),
            row(5, "p1", null, 5),
            row(6, "p1", 50, 51))
        .rows(
            "r",
            row(1, "p1", 10, 15, 0.5),
            row(2, "p1", 10, 12, 0.1),
            row(3, "p1", 8, 14, 0.9),
            row(4, "p1", 10, 12, 0.7),
            row(5, "p2", 4, 7, null),
            row(6, null, 1, 2, 1.0),
            row(7, "p1", null, 3, 1.0),
            row(8, "p1", 0, 200, 1.0));
  }

  @Test
  void containedLeftPicksShortestThenTieBreakerAndKeepsUnmatchedAsNoMatch() {
    try (Fixture f = fixture()) {
      assertThat(f.run(OPS.formatted("contained", "left", BY_CONF)))
          .containsExactly(
              row(1L, "p1", 10L, 12L, 4L, 0.7, "contained", -2.0),
              row(2L, "p1", 0L, 100L, 4L, 0.7, "contained", -2.0),
              row(3L, "p2", 5L, 6L, null, null, "NO_MATCH", null),
              row(4L, null, 1L, 2L, null, null, "NO_MATCH", null),
              row(5L, "p1", null, 5L, null, null, "NO_MATCH", null),
              row(6L, "p1", 50L, 51L, null, null, "NO_MATCH", null));
    }
  }

  @Test
  void overlapInnerDropsUnmatchedRows() {
    try (Fixture f = fixture()) {
      assertThat(f.run(OPS.formatted("overlap", "inner", BY_CONF)))
          .containsExactly(
              row(1L, "p1", 10L, 12L, 4L, 0.7, "overlap", -2.0),
              row(2L, "p1", 0L, 100L, 4L, 0.7, "overlap", -2.0),
              row(3L, "p2", 5L, 6L, 5L, null, "overlap", -3.0),
              row(6L, "p1", 50L, 51L, 8L, 1.0, "overlap", -200.0));
    }
  }

  @Test
  void exactMatchesOnlyEqualSpans() {
    try (Fixture f = fixture()) {
      assertThat(f.run(OPS.formatted("exact", "inner", BY_CONF)))
          .containsExactly(row(1L, "p1", 10L, 12L, 4L, 0.7, "exact", -2.0));
    }
  }

  @Test
  void withoutTieBreakersRemainingRightColumnsDecideAscending() {
    try (Fixture f = fixture()) {
      List<List<Object>> rows = f.run(OPS.formatted("exact", "inner", "[]"));
      assertThat(rows).containsExactly(row(1L, "p1", 10L, 12L, 2L, 0.1, "exact", -2.0));
    }
  }

  @Test
  void touchingSpansDoNotOverlapButEmptyRightSpanInsideDoes() {
    try (Fixture f =
        new Fixture()
            .dataset("l", "id:int64", "path:string", "ls:int32", "le:int32")
            .dataset("r", "rid:int64", "path:string", "rs:int64", "re:int64", "conf:float64")
            .rows("l", row(1, "p", 10, 20))
            .rows(
                "r", row(1, "p", 20, 30, 1.0), row(2, "p", 0, 10, 1.0), row(3, "p", 15, 15, 0.0))) {
      // the score is -(re - rs) computed on int64 then converted: +0.0 for an empty span
      List<List<Object>> rows = f.run(OPS.formatted("overlap", "left", BY_CONF));
      assertThat(rows).containsExactly(row(1L, "p", 10L, 20L, 3L, 0.0, "overlap", 0.0));
      assertThat(Double.doubleToRawLongBits((Double) rows.get(0).get(7))).isZero();
    }
  }

  @Test
  void severalKeysOfWideningTypesMatchTogetherAndANullPartNeverMatches() {
    try (Fixture f =
        new Fixture()
            .dataset("l", "id:int64", "path:string", "v:int32", "ls:int64", "le:int64")
            .dataset("r", "rid:int64", "path:string", "v:int64", "rs:int64", "re:int64")
            .rows("l", row(1, "p", 1, 0, 10), row(2, "p", 2, 0, 10), row(3, "p", null, 0, 10))
            .rows("r", row(7, "p", 1L, 2, 3), row(8, "p", 2L, 1, 9), row(9, "p", null, 2, 3))) {
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"l"},
                   {"op":"interval_align","right":{"ops":[{"op":"scan","dataset":"r"}]},
                    "on":["path",{"left":"v","right":"v"}],"leftSpan":["ls","le"],"rightSpan":["rs","re"],
                    "mode":"overlap","how":"left","selectRight":["rid"],"tieBreakers":[],"matchMeta":false}]
                  """))
          .containsExactly(
              row(1L, "p", 1L, 0L, 10L, 7L),
              row(2L, "p", 2L, 0L, 10L, 8L),
              row(3L, "p", null, 0L, 10L, null));
    }
  }
}
