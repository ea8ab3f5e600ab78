package io.relspec.reference;

import static io.relspec.reference.Fixture.dec;
import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Spec conformance of every op (format v1, section 4) on hand-computed rows. */
class OpConformanceTest {

  @Test
  void scanSelectsAndOrdersColumnsAndFilterDropsNullPredicates() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "a:int64", "b:string")
          .rows("t", row(1, "x"), row(null, "y"), row(3, "z"), row(4, null));
      List<List<Object>> rows =
          f.run(
              """
              [{"op":"scan","dataset":"t","columns":["b","a"]},
               {"op":"filter","predicate":{"fn":"gt","args":[{"col":"a"},{"lit":1,"type":"int64"}]}}]
              """);
      assertThat(rows).containsExactly(row("z", 3L), row(null, 4L));
    }
  }

  @Test
  void projectAndDeriveReplaceInPlaceOrAppend() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "a:int32", "b:string").rows("t", row(1, "x"), row(2, null));
      List<List<Object>> rows =
          f.run(
              """
              [{"op":"scan","dataset":"t"},
               {"op":"derive","name":"a","expr":{"fn":"mul","args":[{"col":"a"},{"lit":10,"type":"int32"}]}},
               {"op":"derive","name":"c","expr":{"fn":"coalesce","args":[{"col":"b"},{"lit":"none","type":"string"}]}},
               {"op":"project","columns":["c",{"name":"a2","expr":{"col":"a"}}]}]
              """);
      assertThat(rows).containsExactly(row("x", 10L), row("none", 20L));
    }
  }

  @Test
  void emptyInputFlowsThroughEveryStreamingOp() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "a:int64", "l:list<int64>");
      List<List<Object>> rows =
          f.run(
              """
              [{"op":"scan","dataset":"t"},
               {"op":"filter","predicate":{"fn":"is_not_null","args":[{"col":"a"}]}},
               {"op":"explode","column":"l","as":"e","outer":true},
               {"op":"sort","keys":[{"col":"a"}]},
               {"op":"limit","n":5}]
              """);
      assertThat(rows).isEmpty();
    }
  }

  @Test
  void sortUsesDefaultNullOrderAndCodePointStrings() {
    try (Fixture f = new Fixture()) {
      // U+FF5E (fullwidth tilde) sorts before U+1F600 (emoji) by code point, after it by UTF-16
      f.dataset("t", "k:int64", "s:string")
          .rows(
              "t",
              row(2, "b"),
              row(null, "n"),
              row(1, "\uD83D\uDE00"),
              row(1, "\uFF5E"),
              row(3, null));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"k"},{"col":"s","dir":"desc"}]}]
                  """))
          .containsExactly(
              row(1L, "\uD83D\uDE00"),
              row(1L, "\uFF5E"),
              row(2L, "b"),
              row(3L, null),
              row(null, "n"));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"k","dir":"desc"},{"col":"s"}]}]
                  """))
          .containsExactly(
              row(null, "n"),
              row(3L, null),
              row(2L, "b"),
              row(1L, "\uFF5E"),
              row(1L, "\uD83D\uDE00"));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"s","nulls":"first"}]}]
                  """))
          .extracting(r -> r.get(1))
          .containsExactly(null, "b", "n", "\uFF5E", "\uD83D\uDE00");
    }
  }

  @Test
  void limitTakesNAfterOffsetOfTheSortedRows() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "a:int64").rows("t", row(5), row(1), row(4), row(2), row(3));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"a"}]},{"op":"limit","n":2,"offset":1}]
                  """))
          .containsExactly(row(2L), row(3L));
    }
  }

  @Test
  void joinTypesNeverMatchNullKeys() {
    try (Fixture f = new Fixture()) {
      f.dataset("l", "k:int32", "lv:string")
          .dataset("r", "k:int64", "rv:string")
          .rows("l", row(1, "a"), row(2, "b"), row(null, "c"), row(1, "d"))
          .rows("r", row(1L, "x"), row(3L, "y"), row(null, "z"), row(1L, "w"));
      String right = "{\"ops\":[{\"op\":\"scan\",\"dataset\":\"r\"}]}";
      String ops =
          "[{\"op\":\"scan\",\"dataset\":\"l\"},{\"op\":\"join\",\"type\":\"%s\",\"right\":"
              + right
              + ",\"on\":[\"k\"],\"rightSuffix\":\"_r\"}]";
      assertThat(f.run(ops.formatted("inner")))
          .containsExactlyInAnyOrder(
              row(1L, "a", 1L, "x"),
              row(1L, "a", 1L, "w"),
              row(1L, "d", 1L, "x"),
              row(1L, "d", 1L, "w"));
      assertThat(f.run(ops.formatted("left")))
          .containsExactlyInAnyOrder(
              row(1L, "a", 1L, "x"),
              row(1L, "a", 1L, "w"),
              row(1L, "d", 1L, "x"),
              row(1L, "d", 1L, "w"),
              row(2L, "b", null, null),
              row(null, "c", null, null));
      assertThat(f.run(ops.formatted("right")))
          .containsExactlyInAnyOrder(
              row(1L, "a", 1L, "x"),
              row(1L, "a", 1L, "w"),
              row(1L, "d", 1L, "x"),
              row(1L, "d", 1L, "w"),
              row(null, null, 3L, "y"),
              row(null, null, null, "z"));
      assertThat(f.run(ops.formatted("full")))
          .containsExactlyInAnyOrder(
              row(1L, "a", 1L, "x"),
              row(1L, "a", 1L, "w"),
              row(1L, "d", 1L, "x"),
              row(1L, "d", 1L, "w"),
              row(2L, "b", null, null),
              row(null, "c", null, null),
              row(null, null, 3L, "y"),
              row(null, null, null, "z"));
      assertThat(f.run(ops.formatted("semi")))
          .containsExactlyInAnyOrder(row(1L, "a"), row(1L, "d"));
      assertThat(f.run(ops.formatted("anti")))
          .containsExactlyInAnyOrder(row(2L, "b"), row(null, "c"));
    }
  }

  @Test
  void joinConditionFiltersCandidatePairsAndLeftKeepsUnmatched() {
    try (Fixture f = new Fixture()) {
      f.dataset("l", "k:int64", "v:int64")
          .dataset("r", "k:int64", "v:int64")
          .rows("l", row(1, 10), row(1, 1))
          .rows("r", row(1, 5), row(1, 20));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"l"},
                   {"op":"join","type":"left","right":{"ops":[{"op":"scan","dataset":"r"}]},"on":["k"],
                    "condition":{"fn":"lt","args":[{"col":"v","side":"left"},{"col":"v","side":"right"}]},
                    "rightSuffix":"_r"}]
                  """))
          .containsExactlyInAnyOrder(
              row(1L, 10L, 1L, 20L), row(1L, 1L, 1L, 5L), row(1L, 1L, 1L, 20L));
    }
  }

  @Test
  void aggregateGroupsNullsTogetherAndHandlesDistinctAndEmptyInput() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "g:string", "x:int32", "d:decimal(10,2)")
          .dataset("empty", "x:int32")
          .rows(
              "t",
              row("a", 1, "1.50"),
              row("a", 1, "2.25"),
              row(null, 5, null),
              row("a", null, "0.25"),
              row(null, 7, "1.00"));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},
                   {"op":"aggregate","groupBy":["g"],"aggregates":[
                     {"name":"n","fn":"count"},
                     {"name":"nx","fn":"count","args":[{"col":"x"}]},
                     {"name":"dx","fn":"count","args":[{"col":"x"}],"distinct":true},
                     {"name":"sx","fn":"sum","args":[{"col":"x"}]},
                     {"name":"sd","fn":"sum","args":[{"col":"d"}]},
                     {"name":"ax","fn":"avg","args":[{"col":"x"}]},
                     {"name":"mn","fn":"min","args":[{"col":"d"}]},
                     {"name":"mx","fn":"max","args":[{"col":"x"}]}]}]
                  """))
          .containsExactlyInAnyOrder(
              row("a", 3L, 2L, 1L, 2L, dec("4.00"), 1.0, dec("0.25"), 1L),
              row(null, 2L, 2L, 2L, 12L, dec("1.00"), 6.0, dec("1.00"), 7L));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"empty"},
                   {"op":"aggregate","groupBy":[],"aggregates":[
                     {"name":"n","fn":"count"},{"name":"s","fn":"sum","args":[{"col":"x"}]},
                     {"name":"a","fn":"avg","args":[{"col":"x"}]}]}]
                  """))
          .containsExactly(row(0L, null, null));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"empty"},
                   {"op":"aggregate","groupBy":["x"],"aggregates":[{"name":"n","fn":"count"}]}]
                  """))
          .isEmpty();
    }
  }

  /**
   * relspec clarification, floating zeros and NaN: -0.0 equals 0.0 and NaN equals NaN wherever rows
   * are compared; where equal rows merge into one (group keys, union distinct rows, distinct
   * aggregate arguments, min/max) the value written is 0.0 or the canonical NaN, while a join keeps
   * each side's own value.
   */
  @Test
  void floatingZerosMergeAsZeroAndJoinsKeepTheirOwnSign() {
    double otherNaN = Double.longBitsToDouble(0x7ff8000000000001L);
    try (Fixture f = new Fixture()) {
      f.dataset("t", "k:int64", "f:float64")
          .rows("t", row(1, -0.0), row(1, 0.0), row(2, -0.0), row(3, otherNaN), row(3, Double.NaN));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},
                   {"op":"aggregate","groupBy":["f"],"aggregates":[{"name":"n","fn":"count"}]}]
                  """))
          .containsExactlyInAnyOrder(row(0.0, 3L), row(Double.NaN, 2L))
          .allSatisfy(
              r ->
                  assertThat(Double.doubleToRawLongBits((Double) r.get(0)))
                      .isIn(
                          Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(Double.NaN)));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t","columns":["f"]},
                   {"op":"union","inputs":[{"ops":[{"op":"scan","dataset":"t","columns":["f"]}]}],"distinct":true}]
                  """))
          .containsExactlyInAnyOrder(row(0.0), row(Double.NaN));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},
                   {"op":"aggregate","groupBy":["k"],"aggregates":[
                     {"name":"mn","fn":"min","args":[{"col":"f"}]},
                     {"name":"mx","fn":"max","args":[{"col":"f"}]},
                     {"name":"dn","fn":"count","args":[{"col":"f"}],"distinct":true},
                     {"name":"ds","fn":"sum","args":[{"col":"f"}],"distinct":true}]}]
                  """))
          .containsExactlyInAnyOrder(
              row(1L, 0.0, 0.0, 1L, 0.0),
              row(2L, 0.0, 0.0, 1L, 0.0),
              row(3L, Double.NaN, Double.NaN, 1L, Double.NaN));
      // a join compares -0.0 equal to 0.0 but writes each side's own value
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},
                   {"op":"filter","predicate":{"fn":"eq","args":[{"col":"k"},{"lit":2,"type":"int64"}]}},
                   {"op":"join","right":{"ops":[{"op":"scan","dataset":"t"},
                       {"op":"filter","predicate":{"fn":"eq","args":[{"col":"k"},{"lit":1,"type":"int64"}]}}]},
                    "on":["f"],"rightSuffix":"_r"}]
                  """))
          .containsExactlyInAnyOrder(row(2L, -0.0, 1L, -0.0), row(2L, -0.0, 1L, 0.0));
    }
  }

  /**
   * relspec clarification: sum of decimals is null when the positive or the negative values alone
   * do not fit the result type, even if the exact total would (the order rows are added in never
   * decides).
   */
  @Test
  void decimalSumOverflowsWhenEitherSignAloneDoesNotFit() {
    String max = "99999999999999999999999999999999.999999";
    try (Fixture f = new Fixture()) {
      f.dataset("t", "k:int64", "d:decimal(38,6)")
          .rows(
              "t",
              row(1, max),
              row(1, "0.000150"),
              row(1, "-" + max),
              row(2, max),
              row(2, "-" + max),
              row(3, "1.500000"),
              row(3, "-0.500000"),
              row(3, "1.500000"),
              row(3, null));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},
                   {"op":"aggregate","groupBy":["k"],"aggregates":[
                     {"name":"s","fn":"sum","args":[{"col":"d"}]},
                     {"name":"sd","fn":"sum","args":[{"col":"d"}],"distinct":true}]}]
                  """))
          .containsExactlyInAnyOrder(
              row(1L, null, null),
              row(2L, dec("0.000000"), dec("0.000000")),
              row(3L, dec("2.500000"), dec("1.000000")));
    }
  }

  @Test
  void unionMatchesByNameWidensAndFillsMissingWithNull() {
    try (Fixture f = new Fixture()) {
      f.dataset("a", "x:int32", "y:string")
          .dataset("b", "z:string", "x:int64")
          .rows("a", row(1, "p"), row(2, "q"))
          .rows("b", row("r", 2L), row("s", 9L));
      String ops =
          """
          [{"op":"scan","dataset":"a"},
           {"op":"union","inputs":[{"ops":[{"op":"scan","dataset":"b"}]},{"ops":[{"op":"scan","dataset":"a"}]}],
            "distinct":%s}]
          """;
      assertThat(f.run(ops.formatted("false")))
          .containsExactly(
              row(1L, "p", null),
              row(2L, "q", null),
              row(2L, null, "r"),
              row(9L, null, "s"),
              row(1L, "p", null),
              row(2L, "q", null));
      assertThat(f.run(ops.formatted("true")))
          .containsExactly(
              row(1L, "p", null), row(2L, "q", null), row(2L, null, "r"), row(9L, null, "s"));
    }
  }

  @Test
  void explodeNullAndEmptyListsWithAndWithoutOuter() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "id:int64", "l:list<string>", "tail:string")
          .rows(
              "t",
              row(1, List.of("a", "b"), "x"),
              row(2, null, "y"),
              row(3, List.of(), "z"),
              row(4, java.util.Arrays.asList("c", null), "w"));
      String ops =
          """
          [{"op":"scan","dataset":"t"},{"op":"explode","column":"l","as":"e","position":"pos","outer":%s}]
          """;
      assertThat(f.run(ops.formatted("false")))
          .containsExactly(
              row(1L, "a", 0L, "x"),
              row(1L, "b", 1L, "x"),
              row(4L, "c", 0L, "w"),
              row(4L, null, 1L, "w"));
      assertThat(f.run(ops.formatted("true")))
          .containsExactly(
              row(1L, "a", 0L, "x"),
              row(1L, "b", 1L, "x"),
              row(2L, null, null, "y"),
              row(3L, null, null, "z"),
              row(4L, "c", 0L, "w"),
              row(4L, null, 1L, "w"));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},{"op":"explode","column":"l","as":"e"}]
                  """))
          .containsExactly(
              row(1L, "a", "x"), row(1L, "b", "x"), row(4L, "c", "w"), row(4L, null, "w"));
    }
  }

  @Test
  void dedupeKeepsFirstByOrderByThenRemainingColumnsAscendingNullsLast() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "k:string", "score:float64", "a:int64", "b:string")
          .rows(
              "t",
              row("x", 1.0, 5, "q"),
              row("x", 2.0, 9, "z"),
              row("x", 2.0, 3, null),
              row("x", 2.0, 3, "b"),
              row("y", null, 1, "a"),
              row("y", null, null, "a"),
              row(null, 1.0, 1, "n"),
              row(null, 1.0, 0, "n"));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},{"op":"dedupe","keys":["k"],"orderBy":[{"col":"score","dir":"desc"}]}]
                  """))
          .containsExactlyInAnyOrder(
              row("x", 2.0, 3L, "b"), row("y", null, 1L, "a"), row(null, 1.0, 0L, "n"));
    }
  }

  @Test
  void paramOpPassesRowsAndParamValuesApply() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "a:int64").rows("t", row(1), row(5), row(10));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},{"op":"param","name":"min","type":"int64","default":4},
                   {"op":"filter","predicate":{"fn":"ge","args":[{"col":"a"},{"param":"min"}]}}]
                  """))
          .containsExactly(row(5L), row(10L));
    }
  }
}
