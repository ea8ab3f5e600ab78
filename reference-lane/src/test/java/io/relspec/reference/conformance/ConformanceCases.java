package io.relspec.reference.conformance;

import static io.relspec.reference.conformance.CaseValues.date;
import static io.relspec.reference.conformance.CaseValues.dec;
import static io.relspec.reference.conformance.CaseValues.row;
import static io.relspec.reference.conformance.Json.cast;
import static io.relspec.reference.conformance.Json.fn;
import static io.relspec.reference.conformance.Json.lit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The spec conformance cases of format v1 (docs/format.md, section 4 and the function registry):
 * every op, function and kernel on hand-computed rows, with null handling, ties, empty input,
 * {@code how=left} unmatched rows and explode of null and empty lists with and without {@code
 * outer}. The expected rows are written from the spec, never computed by a lane.
 */
public final class ConformanceCases {
  private ConformanceCases() {}

  /** Built on first use (after this class's constants). */
  private static final class Holder {
    static final List<ConformanceCase> ALL = build();
  }

  public static List<ConformanceCase> all() {
    return Holder.ALL;
  }

  /** The case with this name. */
  public static ConformanceCase named(String name) {
    return all().stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no conformance case " + name));
  }

  private static List<ConformanceCase> build() {
    List<ConformanceCase> cases = new ArrayList<>();
    ops(cases);
    intervalAlign(cases);
    functions(cases);
    edges(cases);
    List<String> names = cases.stream().map(ConformanceCase::name).toList();
    if (names.stream().distinct().count() != names.size()) {
      throw new IllegalStateException("Cannot list conformance cases: duplicate names " + names);
    }
    return List.copyOf(cases);
  }

  private static CaseBuilder op(List<ConformanceCase> cases) {
    return new CaseBuilder(cases, "op");
  }

  private static void ops(List<ConformanceCase> cases) {
    op(cases)
        .dataset("t", "a:int64", "b:string")
        .rows("t", row(1, "x"), row(null, "y"), row(3, "z"), row(4, null))
        .rule(
            "scan selects and orders columns, filter drops null predicates",
            """
            [{"op":"scan","dataset":"t","columns":["b","a"]},
             {"op":"filter","predicate":{"fn":"gt","args":[{"col":"a"},{"lit":1,"type":"int64"}]}}]
            """)
        .anyOrder(row("z", 3L), row(null, 4L));

    op(cases)
        .dataset("t", "a:int32", "b:string")
        .rows("t", row(1, "x"), row(2, null))
        .rule(
            "project and derive replace in place or append",
            """
            [{"op":"scan","dataset":"t"},
             {"op":"derive","name":"a","expr":{"fn":"mul","args":[{"col":"a"},{"lit":10,"type":"int32"}]}},
             {"op":"derive","name":"c","expr":{"fn":"coalesce","args":[{"col":"b"},{"lit":"none","type":"string"}]}},
             {"op":"project","columns":["c",{"name":"a2","expr":{"col":"a"}}]}]
            """)
        .anyOrder(row("x", 10L), row("none", 20L));

    op(cases)
        .dataset("t", "a:int64", "l:list<int64>")
        .rule(
            "empty input flows through filter, explode, sort and limit",
            """
            [{"op":"scan","dataset":"t"},
             {"op":"filter","predicate":{"fn":"is_not_null","args":[{"col":"a"}]}},
             {"op":"explode","column":"l","as":"e","outer":true},
             {"op":"sort","keys":[{"col":"a"}]},
             {"op":"limit","n":5}]
            """)
        .none();

    // U+FF5E (fullwidth tilde) sorts before U+1F600 (emoji) by code point, after it by UTF-16
    CaseBuilder sort =
        op(cases)
            .dataset("t", "k:int64", "s:string")
            .rows(
                "t",
                row(2, "b"),
                row(null, "n"),
                row(1, "\uD83D\uDE00"),
                row(1, "\uFF5E"),
                row(3, null));
    sort.rule(
            "sort asc nulls last then desc by code point",
            """
            [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"k"},{"col":"s","dir":"desc"}]}]
            """)
        .inOrder(
            row(1L, "\uD83D\uDE00"),
            row(1L, "\uFF5E"),
            row(2L, "b"),
            row(3L, null),
            row(null, "n"));
    sort.rule(
            "sort desc nulls first then asc by code point",
            """
            [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"k","dir":"desc"},{"col":"s"}]}]
            """)
        .inOrder(
            row(null, "n"),
            row(3L, null),
            row(2L, "b"),
            row(1L, "\uFF5E"),
            row(1L, "\uD83D\uDE00"));
    sort.rule(
            "sort asc with nulls first",
            """
            [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"s","nulls":"first"}]},
             {"op":"project","columns":["s"]}]
            """)
        .inOrder(row((Object) null), row("b"), row("n"), row("\uFF5E"), row("\uD83D\uDE00"));

    op(cases)
        .dataset("t", "a:int64")
        .rows("t", row(5), row(1), row(4), row(2), row(3))
        .rule(
            "limit takes n after offset of the sorted rows",
            """
            [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"a"}]},{"op":"limit","n":2,"offset":1}]
            """)
        .inOrder(row(2L), row(3L));

    String join =
        "[{\"op\":\"scan\",\"dataset\":\"l\"},{\"op\":\"join\",\"type\":\"%s\",\"right\":"
            + "{\"ops\":[{\"op\":\"scan\",\"dataset\":\"r\"}]}"
            + ",\"on\":[\"k\"],\"rightSuffix\":\"_r\"}]";
    op(cases)
        .dataset("l", "k:int32", "lv:string")
        .dataset("r", "k:int64", "rv:string")
        .rows("l", row(1, "a"), row(2, "b"), row(null, "c"), row(1, "d"))
        .rows("r", row(1L, "x"), row(3L, "y"), row(null, "z"), row(1L, "w"))
        .rule("join inner never matches null keys", join.formatted("inner"))
        .anyOrder(
            row(1L, "a", 1L, "x"),
            row(1L, "a", 1L, "w"),
            row(1L, "d", 1L, "x"),
            row(1L, "d", 1L, "w"))
        .rule("join left keeps unmatched and null-key rows", join.formatted("left"))
        .anyOrder(
            row(1L, "a", 1L, "x"),
            row(1L, "a", 1L, "w"),
            row(1L, "d", 1L, "x"),
            row(1L, "d", 1L, "w"),
            row(2L, "b", null, null),
            row(null, "c", null, null))
        .rule("join right keeps unmatched and null-key rows", join.formatted("right"))
        .anyOrder(
            row(1L, "a", 1L, "x"),
            row(1L, "a", 1L, "w"),
            row(1L, "d", 1L, "x"),
            row(1L, "d", 1L, "w"),
            row(null, null, 3L, "y"),
            row(null, null, null, "z"))
        .rule("join full keeps unmatched rows of both sides", join.formatted("full"))
        .anyOrder(
            row(1L, "a", 1L, "x"),
            row(1L, "a", 1L, "w"),
            row(1L, "d", 1L, "x"),
            row(1L, "d", 1L, "w"),
            row(2L, "b", null, null),
            row(null, "c", null, null),
            row(null, null, 3L, "y"),
            row(null, null, null, "z"))
        .rule("join semi keeps matched left rows once", join.formatted("semi"))
        .anyOrder(row(1L, "a"), row(1L, "d"))
        .rule("join anti keeps unmatched and null-key left rows", join.formatted("anti"))
        .anyOrder(row(2L, "b"), row(null, "c"));

    op(cases)
        .dataset("l", "k:int64", "v:int64")
        .dataset("r", "k:int64", "v:int64")
        .rows("l", row(1, 10), row(1, 1), row(2, 7))
        .rows("r", row(1, 5), row(1, 20))
        .rule(
            "join left condition filters pairs and keeps unmatched rows",
            """
            [{"op":"scan","dataset":"l"},
             {"op":"join","type":"left","right":{"ops":[{"op":"scan","dataset":"r"}]},"on":["k"],
              "condition":{"fn":"lt","args":[{"col":"v","side":"left"},{"col":"v","side":"right"}]},
              "rightSuffix":"_r"}]
            """)
        .anyOrder(
            row(1L, 10L, 1L, 20L),
            row(1L, 1L, 1L, 5L),
            row(1L, 1L, 1L, 20L),
            row(2L, 7L, null, null));

    CaseBuilder aggregate =
        op(cases)
            .dataset("t", "g:string", "x:int32", "d:decimal(10,2)")
            .dataset("empty", "x:int32")
            .rows(
                "t",
                row("a", 1, "1.50"),
                row("a", 1, "2.25"),
                row(null, 5, null),
                row("a", null, "0.25"),
                row(null, 7, "1.00"));
    aggregate
        .rule(
            "aggregate groups nulls together, skips null arguments, counts distinct",
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
            """)
        .anyOrder(
            row("a", 3L, 2L, 1L, 2L, dec("4.00"), 1.0, dec("0.25"), 1L),
            row(null, 2L, 2L, 2L, 12L, dec("1.00"), 6.0, dec("1.00"), 7L))
        .rule(
            "aggregate without groupBy over empty input gives one row",
            """
            [{"op":"scan","dataset":"empty"},
             {"op":"aggregate","groupBy":[],"aggregates":[
               {"name":"n","fn":"count"},{"name":"s","fn":"sum","args":[{"col":"x"}]},
               {"name":"a","fn":"avg","args":[{"col":"x"}]}]}]
            """)
        .anyOrder(row(0L, null, null))
        .rule(
            "aggregate with groupBy over empty input gives no row",
            """
            [{"op":"scan","dataset":"empty"},
             {"op":"aggregate","groupBy":["x"],"aggregates":[{"name":"n","fn":"count"}]}]
            """)
        .none();

    String union =
        """
        [{"op":"scan","dataset":"a"},
         {"op":"union","inputs":[{"ops":[{"op":"scan","dataset":"b"}]},{"ops":[{"op":"scan","dataset":"a"}]}],
          "distinct":%s}]
        """;
    op(cases)
        .dataset("a", "x:int32", "y:string")
        .dataset("b", "z:string", "x:int64")
        .rows("a", row(1, "p"), row(2, "q"))
        .rows("b", row("r", 2L), row("s", 9L))
        .rule("union matches by name, widens and fills missing with null", union.formatted("false"))
        .anyOrder(
            row(1L, "p", null),
            row(2L, "q", null),
            row(2L, null, "r"),
            row(9L, null, "s"),
            row(1L, "p", null),
            row(2L, "q", null))
        .rule("union distinct removes duplicate rows", union.formatted("true"))
        .anyOrder(row(1L, "p", null), row(2L, "q", null), row(2L, null, "r"), row(9L, null, "s"));

    String explode =
        """
        [{"op":"scan","dataset":"t"},{"op":"explode","column":"l","as":"e","position":"pos","outer":%s}]
        """;
    new CaseBuilder(cases, "kernel")
        .dataset("t", "id:int64", "l:list<string>", "tail:string")
        .rows(
            "t",
            row(1, List.of("a", "b"), "x"),
            row(2, null, "y"),
            row(3, List.of(), "z"),
            row(4, Arrays.asList("c", null), "w"))
        .rule("explode drops null and empty lists", explode.formatted("false"))
        .anyOrder(
            row(1L, "a", 0L, "x"),
            row(1L, "b", 1L, "x"),
            row(4L, "c", 0L, "w"),
            row(4L, null, 1L, "w"))
        .rule(
            "explode outer keeps null and empty lists as a null element and position",
            explode.formatted("true"))
        .anyOrder(
            row(1L, "a", 0L, "x"),
            row(1L, "b", 1L, "x"),
            row(2L, null, null, "y"),
            row(3L, null, null, "z"),
            row(4L, "c", 0L, "w"),
            row(4L, null, 1L, "w"))
        .rule(
            "explode without position replaces the list column in place",
            """
            [{"op":"scan","dataset":"t"},{"op":"explode","column":"l","as":"e"}]
            """)
        .anyOrder(row(1L, "a", "x"), row(1L, "b", "x"), row(4L, "c", "w"), row(4L, null, "w"));

    new CaseBuilder(cases, "kernel")
        .dataset("t", "k:string", "score:float64", "a:int64", "b:string")
        .rows(
            "t",
            row("x", 1.0, 5, "q"),
            row("x", 2.0, 9, "z"),
            row("x", 2.0, 3, null),
            row("x", 2.0, 3, "b"),
            row("y", null, 1, "a"),
            row("y", null, null, "a"),
            row(null, 1.0, 1, "n"),
            row(null, 1.0, 0, "n"))
        .rule(
            "dedupe keeps the first by orderBy then remaining columns asc nulls last",
            """
            [{"op":"scan","dataset":"t"},{"op":"dedupe","keys":["k"],"orderBy":[{"col":"score","dir":"desc"}]}]
            """)
        .anyOrder(row("x", 2.0, 3L, "b"), row("y", null, 1L, "a"), row(null, 1.0, 0L, "n"));

    op(cases)
        .dataset("t", "a:int64")
        .rows("t", row(1), row(5), row(10))
        .rule(
            "param passes rows and its default applies",
            """
            [{"op":"scan","dataset":"t"},{"op":"param","name":"min","type":"int64","default":4},
             {"op":"filter","predicate":{"fn":"ge","args":[{"col":"a"},{"param":"min"}]}}]
            """)
        .anyOrder(row(5L), row(10L));
  }

  private static void intervalAlign(List<ConformanceCase> cases) {
    String ops =
        """
        [{"op":"scan","dataset":"l"},
         {"op":"interval_align","right":{"ops":[{"op":"scan","dataset":"r"}]},"on":["path"],
          "leftSpan":["ls","le"],"rightSpan":["rs","re"],"mode":"%s","how":"%s",
          "selectRight":["rid","conf"],"tieBreakers":%s,"matchMeta":true}]
        """;
    String byConf = "[{\"col\":\"conf\",\"dir\":\"desc\"}]";
    new CaseBuilder(cases, "kernel")
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
            row(8, "p1", 0, 200, 1.0))
        .rule(
            "interval_align contained left picks the shortest, then the tie breaker, keeps unmatched"
                + " as NO_MATCH",
            ops.formatted("contained", "left", byConf))
        .anyOrder(
            row(1L, "p1", 10L, 12L, 4L, 0.7, "contained", -2.0),
            row(2L, "p1", 0L, 100L, 4L, 0.7, "contained", -2.0),
            row(3L, "p2", 5L, 6L, null, null, "NO_MATCH", null),
            row(4L, null, 1L, 2L, null, null, "NO_MATCH", null),
            row(5L, "p1", null, 5L, null, null, "NO_MATCH", null),
            row(6L, "p1", 50L, 51L, null, null, "NO_MATCH", null))
        .rule(
            "interval_align overlap inner drops unmatched rows",
            ops.formatted("overlap", "inner", byConf))
        .anyOrder(
            row(1L, "p1", 10L, 12L, 4L, 0.7, "overlap", -2.0),
            row(2L, "p1", 0L, 100L, 4L, 0.7, "overlap", -2.0),
            row(3L, "p2", 5L, 6L, 5L, null, "overlap", -3.0),
            row(6L, "p1", 50L, 51L, 8L, 1.0, "overlap", -200.0))
        .rule(
            "interval_align exact matches only equal spans",
            ops.formatted("exact", "inner", byConf))
        .anyOrder(row(1L, "p1", 10L, 12L, 4L, 0.7, "exact", -2.0))
        .rule(
            "interval_align without tie breakers remaining right columns decide ascending",
            ops.formatted("exact", "inner", "[]"))
        .anyOrder(row(1L, "p1", 10L, 12L, 2L, 0.1, "exact", -2.0));

    // the score is -(re - rs) computed on int64 then converted: +0.0 for an empty span
    new CaseBuilder(cases, "kernel")
        .dataset("l", "id:int64", "path:string", "ls:int32", "le:int32")
        .dataset("r", "rid:int64", "path:string", "rs:int64", "re:int64", "conf:float64")
        .rows("l", row(1, "p", 10, 20))
        .rows("r", row(1, "p", 20, 30, 1.0), row(2, "p", 0, 10, 1.0), row(3, "p", 15, 15, 0.0))
        .rule(
            "interval_align touching spans do not overlap, an empty span inside does (score +0.0)",
            ops.formatted("overlap", "left", byConf))
        .anyOrder(row(1L, "p", 10L, 20L, 3L, 0.0, "overlap", 0.0));

    new CaseBuilder(cases, "kernel")
        .dataset("l", "id:int64", "path:string", "v:int32", "ls:int64", "le:int64")
        .dataset("r", "rid:int64", "path:string", "v:int64", "rs:int64", "re:int64")
        .rows("l", row(1, "p", 1, 0, 10), row(2, "p", 2, 0, 10), row(3, "p", null, 0, 10))
        .rows("r", row(7, "p", 1L, 2, 3), row(8, "p", 2L, 1, 9), row(9, "p", null, 2, 3))
        .rule(
            "interval_align several widening keys match together, a null part never matches",
            """
            [{"op":"scan","dataset":"l"},
             {"op":"interval_align","right":{"ops":[{"op":"scan","dataset":"r"}]},
              "on":["path",{"left":"v","right":"v"}],"leftSpan":["ls","le"],"rightSpan":["rs","re"],
              "mode":"overlap","how":"left","selectRight":["rid"],"tieBreakers":[],"matchMeta":false}]
            """)
        .anyOrder(
            row(1L, "p", 1L, 0L, 10L, 7L),
            row(2L, "p", 2L, 0L, 10L, 8L),
            row(3L, "p", null, 0L, 10L, null));

    new CaseBuilder(cases, "kernel")
        .dataset("l", "id:int64", "path:string", "ls:int64", "le:int64")
        .dataset("r", "rid:int64", "path:string", "rs:int64", "re:int64", "conf:float64")
        .rows("r", row(1, "p", 0, 10, 1.0))
        .rule(
            "interval_align left over an empty left input gives no row",
            ops.formatted("overlap", "left", byConf))
        .none();
  }

  private static final String NULL_INT = "{\"col\":\"n\"}";
  private static final String NULL_BOOL = lit(null, "boolean");
  private static final String TRUE = lit(true, "boolean");
  private static final String FALSE = lit(false, "boolean");

  private static String i32(int v) {
    return lit(v, "int32");
  }

  private static String i64(long v) {
    return lit(v, "int64");
  }

  private static String str(String v) {
    return lit(v, "string");
  }

  private static void functions(List<ConformanceCase> cases) {
    CaseBuilder f = new CaseBuilder(cases, "function");
    f.eval(
            "integer arithmetic truncates, wraps, and division by zero is null",
            fn("div", i64(7), i64(-2)),
            fn("div", i64(-7), i64(2)),
            fn("div", i64(7), i64(0)),
            fn("mod", i64(-7), i64(2)),
            fn("mod", i64(7), i64(0)),
            fn("add", i32(Integer.MAX_VALUE), i32(1)),
            fn("sub", i32(1), i64(3)),
            fn("neg", NULL_INT),
            fn("abs", i64(-4)),
            fn("bit_and", i64(12), i32(10)),
            fn("bit_or", i64(12), i32(3)),
            fn("mul", i64(3), NULL_INT))
        .anyOrder(
            row(-3L, -3L, null, -1L, null, (long) Integer.MIN_VALUE, -2L, null, 4L, 8L, 15L, null));
    f.eval(
            "floating division by zero is null and ints widen to float",
            fn("div", lit(1.0, "float64"), lit(0.0, "float64")),
            fn("mod", lit(5.5, "float64"), i32(2)),
            fn("add", i64(1), lit(0.5, "float64")))
        .anyOrder(row(null, 1.5, 1.5));
    f.eval(
            "decimal arithmetic follows Spark result types and rounds half up",
            fn("mul", lit("1.10", "decimal(3,2)"), lit("2.5", "decimal(2,1)")),
            fn("add", lit("1.10", "decimal(3,2)"), lit("2.5", "decimal(2,1)")),
            fn("div", lit("1.10", "decimal(3,2)"), lit("2.5", "decimal(2,1)")),
            fn("div", lit("2", "decimal(1,0)"), lit("3", "decimal(1,0)")),
            fn("div", lit("2", "decimal(1,0)"), lit("0", "decimal(1,0)")),
            fn("add", lit("1.5", "decimal(2,1)"), i32(1)))
        .anyOrder(
            row(dec("2.750"), dec("3.60"), dec("0.440000"), dec("0.666667"), null, dec("2.5")));
    f.eval(
            "comparisons and boolean logic are three-valued",
            fn("lt", str("\uFF5E"), str("\uD83D\uDE00")),
            fn("eq", i32(1), i64(1)),
            fn("ne", NULL_INT, i64(1)),
            fn("and", NULL_BOOL, FALSE),
            fn("and", NULL_BOOL, TRUE),
            fn("or", NULL_BOOL, TRUE),
            fn("or", NULL_BOOL, FALSE),
            fn("not", NULL_BOOL),
            fn("in", i64(2), i64(1), NULL_INT),
            fn("in", i64(1), i64(1), NULL_INT),
            fn("in", NULL_INT, i64(1)),
            fn("between", i64(5), i64(1), i64(10)),
            fn("between", i64(5), NULL_INT, i64(4)),
            fn("is_null", NULL_INT),
            fn("is_not_null", NULL_INT))
        .anyOrder(
            row(
                true, true, null, false, null, true, null, null, null, true, null, true, false,
                true, false));
    f.eval(
            "signed zeros compare equal",
            fn("eq", lit(0.0, "float64"), lit(-0.0, "float64")),
            fn("lt", lit(-0.0, "float64"), lit(0.0, "float64")))
        .anyOrder(row(true, false));
    f.eval(
            "null functions and strings",
            fn("coalesce", NULL_INT, i64(2), i64(3)),
            fn("nullif", i64(1), i64(1)),
            fn("nullif", i64(1), i64(2)),
            fn("concat", str("a"), lit(null, "string")),
            fn("concat", str("a"), str("b"), str("c")),
            fn("lower", str("AbC")),
            fn("upper", str("AbC")),
            fn("trim", str("  a b  ")),
            fn("trim", str("\\ta ")),
            fn("length", str("a\uD83D\uDE00")))
        .anyOrder(row(2L, null, 1L, null, "abc", "abc", "ABC", "a b", "\ta", 2L));
    f.eval(
            "substr counts from 1 and a negative length is empty",
            fn("substr", str("hello"), i32(2), i32(3)),
            fn("substr", str("hello"), i32(4), i32(10)),
            fn("substr", str("hello"), i32(2), i32(-1)),
            fn("substr", lit(null, "string"), i32(1), i32(1)))
        .anyOrder(row("ell", "lo", "", null));
    f.eval(
            "substr with a start of 0 or below takes the SQL window before the first character",
            fn("substr", str("hello"), i32(-3), i32(2)),
            fn("substr", str("hello"), i32(0), i32(2)),
            fn("substr", str("hello"), i32(-1), i32(3)))
        .anyOrder(row("", "h", "h"));
    f.eval(
            "string predicates and like",
            fn("starts_with", str("hello"), str("he")),
            fn("ends_with", str("hello"), str("lo")),
            fn("contains", str("hello"), str("ell")),
            fn("like", str("abc"), str("a_c")),
            fn("like", str("abc"), str("a%")),
            fn("like", str("a.c"), str("a.c")),
            fn("like", str("abc"), str("a.c")),
            fn("like", str("abd"), str("a_c")),
            fn("like", lit(null, "string"), str("%")))
        .anyOrder(row(true, true, true, true, true, true, false, false, null));
    f.eval(
            "like with a backslash before % matches a literal %",
            fn("like", str("a%c"), str("a\\\\%c")), fn("like", str("abc"), str("a\\\\%c")))
        .anyOrder(row(true, false));
    f.eval(
            "like with a backslash before _ matches a literal _",
            fn("like", str("a_c"), str("a\\\\_c")),
            fn("like", str("abc"), str("a\\\\_c")))
        .anyOrder(row(true, false));
    // str("a\\\\\\\\c") is JSON "a\\\\c", the pattern a\\c: one literal backslash
    f.eval(
            "like with a doubled backslash matches one backslash",
            fn("like", str("a\\\\c"), str("a\\\\\\\\c")),
            fn("like", str("a\\\\xyz"), str("a\\\\\\\\%")),
            fn("like", str("a%"), str("a\\\\\\\\%")),
            fn("like", str("a\\\\"), str("a\\\\\\\\")))
        .anyOrder(row(true, true, false, true));
    f.eval(
            "dates and spans",
            fn("year", lit("2024-01-31", "date32")),
            fn("year", lit("1969-12-31T23:59:59Z", "timestamp_us")),
            fn("date_add_days", lit("2024-02-28", "date32"), i32(2)),
            fn("span_len", i64(3), i32(10)),
            fn("span_contains", i64(0), i64(10), i64(2), i64(5)),
            fn("span_contains", i64(0), i64(10), i64(2), i64(11)),
            fn("span_overlaps", i64(0), i64(10), i64(10), i64(12)),
            fn("span_overlaps", i64(0), i64(10), i64(9), i64(12)),
            fn("span_contains", NULL_INT, i64(10), i64(2), i64(5)))
        .anyOrder(row(2024L, 1969L, date(2024, 3, 1), 7L, true, false, false, true, null));
    f.eval(
            "failed casts are null",
            cast(str("12x"), "int32"),
            cast(str(" 42 "), "int32"),
            cast(lit(3.7, "float64"), "int32"),
            cast(lit(-3.7, "float64"), "int32"),
            cast(str("2024-01-31"), "date32"),
            cast(lit("123.45", "decimal(5,2)"), "decimal(3,1)"),
            cast(lit("2024-01-31T12:00:00Z", "timestamp_us"), "string"),
            cast(str("yes"), "boolean"),
            cast(lit("2024-01-31T23:00:00Z", "timestamp_us"), "date32"))
        .anyOrder(
            row(
                null,
                42L,
                3L,
                -3L,
                date(2024, 1, 31),
                null,
                "2024-01-31 12:00:00",
                true,
                date(2024, 1, 31)));
    f.eval(
            "cast of an integer out of the target's range is null",
            cast(i32(300), "int8"),
            cast(i64(-40000), "int16"),
            cast(i32(127), "int8"))
        .anyOrder(row(null, null, 127L));
    // 1.005 is 1.00499999999999989... in binary; its shortest decimal form 1.005 rounds half up
    f.eval(
            "cast of float64 to decimal rounds its shortest decimal form half up",
            cast(lit(1.005, "float64"), "decimal(3,2)"),
            cast(lit(2.5, "float64"), "decimal(2,0)"))
        .anyOrder(row(dec("1.01"), dec("3")));
    String kase =
        "{\"case\":[{\"when\":"
            + NULL_BOOL
            + ",\"then\":"
            + i32(1)
            + "},{\"when\":"
            + TRUE
            + ",\"then\":"
            + i64(2)
            + "},{\"when\":"
            + TRUE
            + ",\"then\":"
            + i64(3)
            + "}]}";
    String noMatch = "{\"case\":[{\"when\":" + FALSE + ",\"then\":" + i64(1) + "}]}";
    f.eval("case takes the first true branch and defaults to null", kase, noMatch)
        .anyOrder(row(2L, null));
    // Spark's xxhash64 with seed 42: null arguments are skipped, so all-null hashes to the seed
    f.eval(
            "stable_hash64 skips null arguments",
            fn(
                "eq",
                fn("stable_hash64", str("Spark"), i32(2)),
                fn("stable_hash64", str("Spark"), NULL_INT, i32(2))),
            fn("stable_hash64", NULL_INT))
        .anyOrder(row(true, 42L));
  }

  private static void edges(List<ConformanceCase> cases) {
    new CaseBuilder(cases, "edge")
        .dataset("l", "k:decimal(10,2)", "a:string")
        .dataset("r", "k2:decimal(12,3)", "b:string")
        .rows("l", row("1.50", "x"), row("2.00", "y"))
        .rows("r", row("1.500", "p"), row("2.001", "q"))
        .rule(
            "join keys of different decimal scales match by value",
            """
            [{"op":"scan","dataset":"l"},{"op":"join","type":"inner",
              "right":{"ops":[{"op":"scan","dataset":"r"}]},"on":[{"left":"k","right":"k2"}]}]
            """)
        .anyOrder(row(dec("1.50"), "x", dec("1.500"), "p"));

    new CaseBuilder(cases, "edge")
        .dataset("t", "g:float64", "x:int64")
        .rows("t", row(0.0, 1), row(-0.0, 2), row(Double.NaN, 3), row(Double.NaN, 4))
        .rule(
            "grouping treats signed zeros and NaNs as one group each",
            """
            [{"op":"scan","dataset":"t"},
             {"op":"aggregate","groupBy":["g"],"aggregates":[{"name":"s","fn":"sum","args":[{"col":"x"}]}]},
             {"op":"derive","name":"g","expr":{"fn":"abs","args":[{"col":"g"}]}}]
            """)
        .anyOrder(row(0.0, 3L), row(Double.NaN, 7L));

    new CaseBuilder(cases, "edge")
        .dataset("t", "x:int64", "d:decimal(38,0)")
        .rows("t", row(Long.MAX_VALUE, "99999999999999999999999999999999999999"), row(1L, "1"))
        .rule(
            "integer sum wraps and decimal sum overflow is null",
            """
            [{"op":"scan","dataset":"t"},
             {"op":"aggregate","groupBy":[],"aggregates":[
               {"name":"sx","fn":"sum","args":[{"col":"x"}]},
               {"name":"sd","fn":"sum","args":[{"col":"d"}]},
               {"name":"mx","fn":"max","args":[{"col":"d"}]}]}]
            """)
        .anyOrder(row(Long.MIN_VALUE, null, dec("99999999999999999999999999999999999999")));

    new CaseBuilder(cases, "edge")
        .dataset("t", "v:float64", "i:int64")
        .rows(
            "t",
            row(Double.NaN, 1),
            row(1.0, 2),
            row(-0.0, 3),
            row(null, 4),
            row(0.0, 5),
            row(Double.NEGATIVE_INFINITY, 6))
        .rule(
            "sort puts NaN after every number and signed zeros equal",
            """
            [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"v"},{"col":"i","dir":"desc"}]},
             {"op":"project","columns":["i"]}]
            """)
        .inOrder(row(6L), row(5L), row(3L), row(2L), row(1L), row(4L));

    new CaseBuilder(cases, "edge")
        .dataset("t", "a:int64", "b:string")
        .rows("t", row(null, "x"), row(null, "x"), row(1, null))
        .rule(
            "union distinct treats nulls as equal",
            """
            [{"op":"scan","dataset":"t"},
             {"op":"union","inputs":[{"ops":[{"op":"scan","dataset":"t"}]}],"distinct":true}]
            """)
        .anyOrder(row(null, "x"), row(1L, null));

    new CaseBuilder(cases, "edge")
        .dataset("t", "id:int64", "l:list<decimal(5,2)>")
        .rows("t", row(1, Arrays.asList("1.25", null, "3.00")))
        .rule(
            "explode carries lists of decimals and nested nulls",
            """
            [{"op":"scan","dataset":"t"},{"op":"explode","column":"l","as":"v","position":"p"},
             {"op":"filter","predicate":{"fn":"is_not_null","args":[{"col":"v"}]}}]
            """)
        .anyOrder(row(1L, dec("1.25"), 0L), row(1L, dec("3.00"), 2L));

    // a backslash escapes only %, _ and itself (as Spark SQL's LIKE); validation rejects a literal
    // pattern with any other escape or a trailing backslash, and a pattern known only at run time
    // that breaks the rule makes like null (docs/format.md, "like and the backslash")
    CaseBuilder likes =
        new CaseBuilder(cases, "edge")
            .dataset("t", "s:string", "p:string")
            .rows(
                "t",
                row("a.c", "a\\.c"),
                row("ab\\", "ab\\"),
                row("a\\c", "a\\\\c"),
                row("a%", "a\\%"),
                row("abc", null));
    likes
        .rule(
            "like with a pattern per row is null where a backslash escapes another character or"
                + " ends it",
            """
            [{"op":"scan","dataset":"t"},
             {"op":"derive","name":"m","expr":{"fn":"like","args":[{"col":"s"},{"col":"p"}]}}]
            """)
        .anyOrder(
            row("a.c", "a\\.c", null),
            row("ab\\", "ab\\", null),
            row("a\\c", "a\\\\c", true),
            row("a%", "a\\%", true),
            row("abc", null, null));
    likes
        .rule(
            "like with a param pattern that breaks the escape rule is null",
            """
            [{"op":"scan","dataset":"t"},{"op":"param","name":"pat","type":"string","default":"a\\\\.c"},
             {"op":"project","columns":["s",
               {"name":"m","expr":{"fn":"like","args":[{"col":"s"},{"param":"pat"}]}}]}]
            """)
        .anyOrder(
            row("a.c", null),
            row("ab\\", null),
            row("a\\c", null),
            row("a%", null),
            row("abc", null));

    long first = -62_135_596_800_000_000L; // 0001-01-01T00:00:00Z
    long last = 253_402_300_799_999_999L; // 9999-12-31T23:59:59.999999Z
    new CaseBuilder(cases, "edge")
        .dataset("t", "ts:timestamp_us")
        .rows("t", row(last), row(first), row(0L))
        .rule(
            "timestamp literals at both ends of the range compare",
            """
            [{"op":"scan","dataset":"t"},
             {"op":"filter","predicate":{"fn":"lt","args":[{"col":"ts"},
               {"lit":"9999-12-31T23:59:59.999999Z","type":"timestamp_us"}]}},
             {"op":"derive","name":"late","expr":{"fn":"gt","args":[{"col":"ts"},
               {"lit":"0001-01-01T00:00:00Z","type":"timestamp_us"}]}}]
            """)
        .anyOrder(row(first, false), row(0L, true));
  }
}
