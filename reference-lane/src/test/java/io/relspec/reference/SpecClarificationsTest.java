package io.relspec.reference;

import static io.relspec.reference.Fixture.dec;
import static io.relspec.reference.Fixture.eval;
import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The relspec clarifications of docs/format.md ("results the registry leaves open") on the
 * reference lane: substr's SQL window, null spans, floating zeros and NaN where rows merge, and the
 * decimal sum's overflow rule. The lane-independent cases are in {@code ConformanceCases}.
 */
class SpecClarificationsTest {

  static String lit(Object value, String type) {
    String json =
        value == null ? "null" : value instanceof String s ? "\"" + s + "\"" : value.toString();
    return "{\"lit\":" + json + ",\"type\":\"" + type + "\"}";
  }

  static String fn(String name, String... args) {
    return "{\"fn\":\"" + name + "\",\"args\":[" + String.join(",", args) + "]}";
  }

  private static final String NULL_INT = "{\"col\":\"n\"}";

  private static String i32(int v) {
    return lit(v, "int32");
  }

  private static String i64(long v) {
    return lit(v, "int64");
  }

  private static String str(String v) {
    return lit(v, "string");
  }

  /**
   * relspec clarification: substr is the SQL standard's window [start, start + len) over 1-based
   * character positions, clipped to the string. A start of 0 or below lies before the first
   * character (it never counts from the end, as Spark's own substring does).
   */
  @Test
  void substrTakesTheSqlWindowOfCharacters() {
    assertThat(
            eval(
                fn("substr", str("ab"), i32(0), i32(1)),
                fn("substr", str("hello"), i32(-1), i32(3)),
                fn("substr", str("hello"), i32(-5), i32(20)),
                fn("substr", str("hello"), i32(1), i32(0)),
                fn("substr", str("hello"), i32(4), i32(10)),
                fn("substr", str("hello"), i32(6), i32(1)),
                fn("substr", str("a\uD83D\uDE00b"), i32(2), i32(1)),
                fn("substr", str("hello"), i32(Integer.MIN_VALUE), i32(Integer.MAX_VALUE)),
                fn("substr", str("hello"), i32(2), i32(Integer.MAX_VALUE)),
                fn("substr", str("hello"), lit(null, "int32"), i32(1))))
        .containsExactly("", "h", "hello", "", "lo", "", "\uD83D\uDE00", "", "ello", null);
  }

  /** relspec clarification: the span functions are null when any argument is null. */
  @Test
  void spanFunctionsAreNullWhenAnyArgumentIsNull() {
    assertThat(
            eval(
                // null in, null out, even where "rs >= ls and ..." alone would be false
                fn("span_contains", i64(4), NULL_INT, i64(3), i64(1)),
                fn("not", fn("span_contains", i64(4), NULL_INT, i64(3), i64(1))),
                fn("span_overlaps", i64(4), NULL_INT, i64(0), i64(1)),
                fn("span_len", NULL_INT, i64(3))))
        .containsExactly(null, null, null, null);
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
}
