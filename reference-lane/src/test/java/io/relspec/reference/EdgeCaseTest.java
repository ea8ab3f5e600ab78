package io.relspec.reference;

import static io.relspec.reference.Fixture.dec;
import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Value edge cases across ops: key normalization, overflow, NaN and signed zero. */
class EdgeCaseTest {

  @Test
  void joinKeysOfDifferentDecimalScalesMatchByValue() {
    try (Fixture f = new Fixture()) {
      f.dataset("l", "k:decimal(10,2)", "a:string")
          .dataset("r", "k2:decimal(12,3)", "b:string")
          .rows("l", row("1.50", "x"), row("2.00", "y"))
          .rows("r", row("1.500", "p"), row("2.001", "q"));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"l"},{"op":"join","type":"inner",
                    "right":{"ops":[{"op":"scan","dataset":"r"}]},"on":[{"left":"k","right":"k2"}]}]
                  """))
          .containsExactly(row(dec("1.50"), "x", dec("1.500"), "p"));
    }
  }

  @Test
  void groupingTreatsSignedZerosAndNaNsAsOneGroup() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "g:float64", "x:int64")
          .rows("t", row(0.0, 1), row(-0.0, 2), row(Double.NaN, 3), row(Double.NaN, 4));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},
                   {"op":"aggregate","groupBy":["g"],"aggregates":[{"name":"s","fn":"sum","args":[{"col":"x"}]}]}]
                  """))
          .containsExactlyInAnyOrder(row(0.0, 3L), row(Double.NaN, 7L));
    }
  }

  @Test
  void integerSumWrapsAndDecimalSumOverflowIsNull() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "x:int64", "d:decimal(38,0)")
          .rows("t", row(Long.MAX_VALUE, "99999999999999999999999999999999999999"), row(1L, "1"));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},
                   {"op":"aggregate","groupBy":[],"aggregates":[
                     {"name":"sx","fn":"sum","args":[{"col":"x"}]},
                     {"name":"sd","fn":"sum","args":[{"col":"d"}]},
                     {"name":"mx","fn":"max","args":[{"col":"d"}]}]}]
                  """))
          .containsExactly(
              row(Long.MIN_VALUE, null, dec("99999999999999999999999999999999999999")));
    }
  }

  @Test
  void sortPutsNaNAfterEveryNumberAndEqualsSignedZeros() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "v:float64", "i:int64")
          .rows(
              "t",
              row(Double.NaN, 1),
              row(1.0, 2),
              row(-0.0, 3),
              row(null, 4),
              row(0.0, 5),
              row(Double.NEGATIVE_INFINITY, 6));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"v"},{"col":"i","dir":"desc"}]}]
                  """))
          .extracting(r -> r.get(1))
          .containsExactly(6L, 5L, 3L, 2L, 1L, 4L);
    }
  }

  @Test
  void unionDistinctTreatsNullsAsEqual() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "a:int64", "b:string").rows("t", row(null, "x"), row(null, "x"), row(1, null));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},
                   {"op":"union","inputs":[{"ops":[{"op":"scan","dataset":"t"}]}],"distinct":true}]
                  """))
          .containsExactly(row(null, "x"), row(1L, null));
    }
  }

  @Test
  void explodeCarriesListsOfDecimalsAndNestedNulls() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "id:int64", "l:list<decimal(5,2)>")
          .rows("t", row(1, java.util.Arrays.asList("1.25", null, "3.00")));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},{"op":"explode","column":"l","as":"v","position":"p"},
                   {"op":"filter","predicate":{"fn":"is_not_null","args":[{"col":"v"}]}}]
                  """))
          .containsExactly(row(1L, dec("1.25"), 0L), row(1L, dec("3.00"), 2L));
    }
  }

  @Test
  void timestampLiteralsAtBothEndsOfTheRangeCompare() {
    long first = -62_135_596_800_000_000L; // 0001-01-01T00:00:00Z
    long last = 253_402_300_799_999_999L; // 9999-12-31T23:59:59.999999Z
    try (Fixture f = new Fixture()) {
      f.dataset("t", "ts:timestamp_us").rows("t", row(last), row(first), row(0L));
      assertThat(
              f.run(
                  """
                  [{"op":"scan","dataset":"t"},
                   {"op":"filter","predicate":{"fn":"lt","args":[{"col":"ts"},
                     {"lit":"9999-12-31T23:59:59.999999Z","type":"timestamp_us"}]}},
                   {"op":"derive","name":"late","expr":{"fn":"gt","args":[{"col":"ts"},
                     {"lit":"0001-01-01T00:00:00Z","type":"timestamp_us"}]}}]
                  """))
          .containsExactly(row(first, false), row(0L, true));
    }
  }
}
