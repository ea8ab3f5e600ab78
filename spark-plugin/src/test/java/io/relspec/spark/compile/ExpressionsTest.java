package io.relspec.spark.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import java.math.BigDecimal;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every function of the v1 registry against values computed by hand from the spec. */
class ExpressionsTest extends CompilerTestSupport {
  private static final String ANSI = "spark.sql.ansi.enabled";

  @BeforeEach
  void tables() {
    register(
        "nums",
        table(
            "a int32, b int32, x float64, y float64",
            row(7, 2, 7.0, 2.0),
            row(-7, 2, -7.0, 0.0),
            row(7, -2, 1.0, -0.0),
            row(7, 0, null, 2.0),
            row(null, 2, 0.0, 0.0)));
  }

  @AfterEach
  void resetAnsi() {
    spark().conf().set(ANSI, "true");
  }

  /** The values of one expression over {@code dataset}, in row order. */
  private List<Object> eval(String dataset, String exprJson) {
    Dataset<Row> rows =
        compile(
            "[{\"op\": \"scan\", \"dataset\": \""
                + dataset
                + "\"}, {\"op\": \"project\", \"columns\": [{\"name\": \"v\", \"expr\": "
                + exprJson
                + "}]}]");
    List<Object> values = new ArrayList<>();
    for (List<Object> row : rows(rows)) {
      values.add(row.get(0));
    }
    return values;
  }

  /**
   * The effective params of {@code rule} as the validator binds them (run-time value, else the
   * rule's binding, else the default), with {@code nums} declared as a dataset.
   */
  private static java.util.Map<String, io.relspec.ir.expr.Literal> bind(
      io.relspec.ir.bundle.RuleDefinition rule, java.util.Map<String, String> runtime) {
    io.relspec.ir.bundle.Bundle bundle =
        io.relspec.ir.build.RelspecBuilder.bundle("t")
            .dataset(
                io.relspec.ir.build.RelspecBuilder.parquet(
                    "nums",
                    "nums",
                    io.relspec.ir.build.RelspecBuilder.field("a", "int32"),
                    io.relspec.ir.build.RelspecBuilder.field("b", "int32"),
                    io.relspec.ir.build.RelspecBuilder.field("x", "float64"),
                    io.relspec.ir.build.RelspecBuilder.field("y", "float64")))
            .contract(
                io.relspec.ir.build.RelspecBuilder.contract(
                        rule.contract(), io.relspec.ir.build.RelspecBuilder.field("a", "int32"))
                    .build())
            .build();
    bundle =
        new io.relspec.ir.bundle.Bundle(
            bundle.formatVersion(),
            bundle.name(),
            bundle.datasets(),
            bundle.contracts(),
            List.of(rule));
    return io.relspec.ir.validate.BundleValidator.validate(bundle, "test.json", runtime)
        .plan(rule.name())
        .orElseThrow()
        .params();
  }

  private List<Object> one(String exprJson) {
    register("one", table("z int32", row(1)));
    return eval("one", exprJson);
  }

  private static String fn(String name, String... args) {
    return "{\"fn\": \"" + name + "\", \"args\": [" + String.join(", ", args) + "]}";
  }

  private static String lit(Object value, String type) {
    String json =
        value instanceof String s ? "\"" + s.replace("\\", "\\\\") + "\"" : String.valueOf(value);
    return "{\"lit\": " + json + ", \"type\": \"" + type + "\"}";
  }

  private static String col(String name) {
    return "{\"col\": \"" + name + "\"}";
  }

  @ParameterizedTest(name = "ansi={0}")
  @ValueSource(strings = {"false", "true"})
  void integerDivisionTruncatesTowardZeroAndDivisionByZeroIsNull(String ansi) {
    spark().conf().set(ANSI, ansi);
    // 7/2, -7/2, 7/-2, 7/0, null/2
    assertThat(eval("nums", fn("div", col("a"), col("b")))).containsExactly(3, -3, -3, null, null);
    assertThat(eval("nums", fn("mod", col("a"), col("b")))).containsExactly(1, -1, 1, null, null);
    assertThat(eval("nums", fn("div", col("x"), col("y"))))
        .containsExactly(3.5, null, null, null, null);
  }

  /**
   * An int32 div derived and then read by the next op: Catalyst's IntegralDivide takes only int64,
   * so the compiler widens its arguments (found by the differential long run: the filter after the
   * derive failed with "Invalid call to dataType on unresolved object").
   */
  @Test
  void int32DivisionCanBeUsedByTheNextOp() {
    assertThat(
            run(
                """
                [{"op": "scan", "dataset": "nums"},
                 {"op": "derive", "name": "q", "expr": {"fn": "div", "args": [{"col": "a"}, {"col": "b"}]}},
                 {"op": "filter", "predicate": {"fn": "lt", "args": [{"col": "q"}, {"lit": 0, "type": "int32"}]}},
                 {"op": "project", "columns": ["a", "b", "q"]}]
                """))
        .containsExactly(r(-7, 2, -3), r(7, -2, -3));
    assertThat(
            run(
                """
                [{"op": "scan", "dataset": "nums"},
                 {"op": "derive", "name": "q", "expr": {"fn": "div", "args": [{"lit": -2147483648, "type": "int32"}, {"lit": -1, "type": "int32"}]}},
                 {"op": "limit", "n": 1},
                 {"op": "project", "columns": ["q"]}]
                """))
        .containsExactly(r(Integer.MIN_VALUE));
  }

  /**
   * The same for float32: Catalyst's Divide takes only float64, so the compiler widens float32
   * arguments and casts the quotient back (differential seed 20261211: a filter after such a derive
   * failed with "Invalid call to dataType on unresolved object").
   */
  @Test
  void float32DivisionCanBeUsedByTheNextOp() {
    register(
        "floats",
        table("f float32, g float32", row(7.0f, 2.0f), row(1.0f, 0.0f), row(-1.0f, 3.0f)));
    assertThat(
            run(
                """
                [{"op": "scan", "dataset": "floats"},
                 {"op": "derive", "name": "f", "expr": {"fn": "div", "args": [{"col": "f"}, {"col": "g"}]}},
                 {"op": "filter", "predicate": {"fn": "coalesce", "args": [{"fn": "gt", "args": [{"col": "f"}, {"lit": 0.0, "type": "float32"}]}, {"lit": true, "type": "boolean"}]}},
                 {"op": "project", "columns": ["f", "g"]}]
                """))
        .containsExactly(r(3.5f, 2.0f), r(null, 0.0f));
  }

  @ParameterizedTest(name = "ansi={0}")
  @ValueSource(strings = {"false", "true"})
  void failedCastIsNull(String ansi) {
    spark().conf().set(ANSI, ansi);
    assertThat(one("{\"cast\": " + lit("abc", "string") + ", \"to\": \"int32\"}"))
        .containsExactly((Object) null);
    assertThat(one("{\"cast\": " + lit("12", "string") + ", \"to\": \"int32\"}"))
        .containsExactly(12);
    assertThat(one("{\"cast\": " + lit(300, "int32") + ", \"to\": \"int8\"}"))
        .containsExactly((Object) null);
  }

  @Test
  void integerResultKeepsTheWiderIntegerType() {
    Dataset<Row> rows =
        compile(
            """
            [{"op": "scan", "dataset": "nums"},
             {"op": "project", "columns": [
               {"name": "q", "expr": {"fn": "div", "args": [{"col": "a"}, {"lit": 2, "type": "int64"}]}},
               {"name": "s", "expr": {"fn": "add", "args": [{"lit": 1, "type": "int8"}, {"lit": "1.50", "type": "decimal(5,2)"}]}}]}]
            """);
    assertThat(rows.schema().apply("q").dataType().simpleString()).isEqualTo("bigint");
    // int8 widens to decimal(10,0) per the spec (Spark alone would use decimal(3,0)):
    // add gives (max(0,2) + max(10-0, 5-2) + 1, 2) = decimal(13,2).
    assertThat(rows.schema().apply("s").dataType().simpleString()).isEqualTo("decimal(13,2)");
    assertThat(rows(rows).get(0)).containsExactly(3L, new BigDecimal("2.50"));
  }

  @Test
  void decimalDivisionFollowsSparkDecimalRules() {
    Dataset<Row> rows =
        compile(
            """
            [{"op": "scan", "dataset": "nums"}, {"op": "limit", "n": 1},
             {"op": "project", "columns": [
               {"name": "d", "expr": {"fn": "div", "args": [{"lit": "1.00", "type": "decimal(10,2)"}, {"lit": "3.00", "type": "decimal(10,2)"}]}},
               {"name": "z", "expr": {"fn": "div", "args": [{"lit": "1.00", "type": "decimal(10,2)"}, {"lit": "0.00", "type": "decimal(10,2)"}]}}]}]
            """);
    // scale = max(6, 2 + 10 + 1) = 13, precision = 10 - 2 + 2 + 13 = 23
    assertThat(rows.schema().apply("d").dataType().simpleString()).isEqualTo("decimal(23,13)");
    assertThat(rows(rows).get(0)).containsExactly(new BigDecimal("0.3333333333333"), null);
  }

  @Test
  void comparisonsAndThreeValuedLogic() {
    String t = lit(true, "boolean");
    String f = lit(false, "boolean");
    String n = "{\"lit\": null, \"type\": \"boolean\"}";
    assertThat(one(fn("and", f, n))).containsExactly(false);
    assertThat(one(fn("and", t, n))).containsExactly((Object) null);
    assertThat(one(fn("or", t, n))).containsExactly(true);
    assertThat(one(fn("or", f, n, f))).containsExactly((Object) null);
    assertThat(one(fn("not", n))).containsExactly((Object) null);
    assertThat(eval("nums", fn("ne", col("a"), lit(7, "int32"))))
        .containsExactly(false, true, false, false, null);
    assertThat(eval("nums", fn("is_null", col("a"))))
        .containsExactly(false, false, false, false, true);
    assertThat(eval("nums", fn("is_not_null", col("x"))))
        .containsExactly(true, true, true, false, true);
    assertThat(eval("nums", fn("in", col("b"), lit(2, "int64"), lit(0, "int32"))))
        .containsExactly(true, true, false, true, true);
    assertThat(
            one(fn("in", lit(3, "int32"), lit(1, "int32"), "{\"lit\": null, \"type\": \"int32\"}")))
        .containsExactly((Object) null);
    assertThat(eval("nums", fn("between", col("a"), lit(-7, "int32"), lit(7, "int32"))))
        .containsExactly(true, true, true, true, null);
    assertThat(eval("nums", fn("lt", col("x"), col("y"))))
        .containsExactly(false, true, false, null, false);
  }

  @Test
  void arithmeticAndBits() {
    assertThat(eval("nums", fn("sub", col("a"), col("b")))).containsExactly(5, -9, 9, 7, null);
    assertThat(eval("nums", fn("mul", col("a"), col("x"))))
        .containsExactly(49.0, 49.0, 7.0, null, null);
    assertThat(eval("nums", fn("neg", col("a")))).containsExactly(-7, 7, -7, -7, null);
    assertThat(eval("nums", fn("abs", col("a")))).containsExactly(7, 7, 7, 7, null);
    assertThat(one(fn("bit_and", lit(12, "int32"), lit(10, "int32")))).containsExactly(8);
    assertThat(one(fn("bit_or", lit(12, "int32"), lit(10, "int64")))).containsExactly(14L);
    assertThat(one(fn("coalesce", "{\"lit\": null, \"type\": \"int32\"}", lit(5, "int64"))))
        .containsExactly(5L);
    assertThat(one(fn("nullif", lit(1, "int32"), lit(1, "int32")))).containsExactly((Object) null);
    assertThat(one(fn("nullif", lit(1, "int32"), lit(2, "int32")))).containsExactly(1);
  }

  @Test
  void strings() {
    register(
        "s",
        table(
            "s string",
            row("hello"),
            row("héllo"),
            row("\uD834\uDD1E"),
            row("  pad  "),
            row((Object) null)));
    assertThat(eval("s", fn("length", col("s")))).containsExactly(5, 5, 1, 7, null);
    assertThat(eval("s", fn("upper", col("s"))))
        .containsExactly("HELLO", "HÉLLO", "\uD834\uDD1E", "  PAD  ", null);
    assertThat(eval("s", fn("trim", col("s"))))
        .containsExactly("hello", "héllo", "\uD834\uDD1E", "pad", null);
    assertThat(eval("s", fn("concat", col("s"), lit("!", "string"))))
        .containsExactly("hello!", "héllo!", "\uD834\uDD1E!", "  pad  !", null);
    assertThat(eval("s", fn("starts_with", col("s"), lit("he", "string"))))
        .containsExactly(true, false, false, false, null);
    assertThat(eval("s", fn("ends_with", col("s"), lit("llo", "string"))))
        .containsExactly(true, true, false, false, null);
    assertThat(eval("s", fn("contains", col("s"), lit("ll", "string"))))
        .containsExactly(true, true, false, false, null);
    assertThat(eval("s", fn("lower", col("s"))).get(1)).isEqualTo("héllo");
  }

  @Test
  void substrIsOneBasedAndClipsLikeSql() {
    String s = lit("hello", "string");
    assertThat(one(fn("substr", s, lit(2, "int32"), lit(3, "int32")))).containsExactly("ell");
    assertThat(one(fn("substr", s, lit(1, "int32"), lit(1, "int32")))).containsExactly("h");
    assertThat(one(fn("substr", s, lit(4, "int32"), lit(10, "int32")))).containsExactly("lo");
    // characters 0 and 1 of which only 1 exists
    assertThat(one(fn("substr", s, lit(0, "int32"), lit(2, "int32")))).containsExactly("h");
    assertThat(one(fn("substr", s, lit(-1, "int32"), lit(3, "int32")))).containsExactly("h");
    assertThat(one(fn("substr", s, lit(2, "int32"), lit(-1, "int32")))).containsExactly("");
    assertThat(one(fn("substr", s, lit(9, "int32"), lit(2, "int32")))).containsExactly("");
    assertThat(
            one(
                fn(
                    "substr",
                    lit("h\u00e9\uD834\uDD1Ex", "string"),
                    lit(2, "int32"),
                    lit(2, "int64"))))
        .containsExactly("\u00e9\uD834\uDD1E");
    assertThat(one(fn("substr", s, "{\"lit\": null, \"type\": \"int32\"}", lit(2, "int32"))))
        .containsExactly((Object) null);
  }

  @Test
  void likeEscapesWithABackslashAsSparkSql() {
    register(
        "s",
        table(
            "s string",
            row("abc"),
            row("a%c"),
            row("a_c"),
            row("a\\c"),
            row("a\\%c"),
            row((Object) null)));
    assertThat(eval("s", fn("like", col("s"), lit("a%c", "string"))))
        .containsExactly(true, true, true, true, true, null);
    assertThat(eval("s", fn("like", col("s"), lit("a_c", "string"))))
        .containsExactly(true, true, true, true, false, null);
    assertThat(eval("s", fn("like", col("s"), lit("a\\%c", "string"))))
        .containsExactly(false, true, false, false, false, null);
    assertThat(eval("s", fn("like", col("s"), lit("a\\_c", "string"))))
        .containsExactly(false, false, true, false, false, null);
    // \\ is one literal backslash, then % is a wildcard again
    assertThat(eval("s", fn("like", col("s"), lit("a\\\\%", "string"))))
        .containsExactly(false, false, false, true, true, null);
    assertThat(eval("s", fn("like", col("s"), lit("A%", "string"))))
        .containsExactly(false, false, false, false, false, null);
  }

  @Test
  void likeWithAPatternPerRowIsNullWhereThePatternBreaksTheEscapeRule() {
    register(
        "p",
        table(
            "s string, p string",
            row("a\\c", "a\\\\c"),
            row("abc", "a\\bc"),
            row("ab\\", "ab\\"),
            row("a%", "a\\%"),
            row("x", null)));
    assertThat(eval("p", fn("like", col("s"), col("p"))))
        .containsExactly(true, null, null, true, null);
  }

  @Test
  void stableHash64IsSparkXxhash64WithSeed42SkippingNulls() {
    // Spark's documented example: SELECT xxhash64('Spark', array(123), 2) = 5602566077635097486
    register(
        "h",
        table("s string, l list<int32>, i int32, n string", row("Spark", List.of(123), 2, null)));
    assertThat(eval("h", fn("stable_hash64", col("s"), col("l"), col("i"))))
        .containsExactly(5602566077635097486L);
    assertThat(eval("h", fn("stable_hash64", col("s"), col("n"), col("l"), col("i"))))
        .containsExactly(5602566077635097486L);
    // only nulls: the seed itself
    assertThat(eval("h", fn("stable_hash64", col("n")))).containsExactly(42L);
  }

  @Test
  void datesUseUtcNotTheSessionTimeZone() {
    register(
        "d",
        table(
            "d date32, ts timestamp_us",
            row(
                Date.valueOf("2024-02-28"),
                java.sql.Timestamp.from(java.time.Instant.parse("2024-01-01T03:00:00Z")))));
    // In the session time zone (America/Los_Angeles) that instant is still 2023.
    assertThat(eval("d", fn("year", col("ts")))).containsExactly(2024);
    assertThat(eval("d", fn("year", col("d")))).containsExactly(2024);
    assertThat(eval("d", fn("date_add_days", col("d"), lit(2, "int32"))))
        .containsExactly(Date.valueOf("2024-03-01"));
    assertThat(one(fn("year", lit("1999-12-31T23:59:59Z", "timestamp_us")))).containsExactly(1999);
  }

  @Test
  void spans() {
    String ls = lit(10, "int32");
    String le = lit(20, "int32");
    assertThat(one(fn("span_len", ls, le))).containsExactly(10L);
    assertThat(one(fn("span_contains", ls, le, lit(10, "int64"), lit(20, "int32"))))
        .containsExactly(true);
    assertThat(one(fn("span_contains", ls, le, lit(9, "int32"), lit(12, "int32"))))
        .containsExactly(false);
    assertThat(one(fn("span_overlaps", ls, le, lit(19, "int32"), lit(25, "int32"))))
        .containsExactly(true);
    // touching spans do not overlap: re <= ls
    assertThat(one(fn("span_overlaps", ls, le, lit(5, "int32"), lit(10, "int32"))))
        .containsExactly(false);
    assertThat(one(fn("span_overlaps", ls, le, lit(20, "int32"), lit(30, "int32"))))
        .containsExactly(false);
    assertThat(
            one(
                fn(
                    "span_overlaps",
                    ls,
                    le,
                    "{\"lit\": null, \"type\": \"int32\"}",
                    lit(30, "int32"))))
        .containsExactly((Object) null);
  }

  /**
   * "Null in gives null out": a span function with any null argument is null, even where the
   * definition's {@code and}/{@code or} alone would decide (false and null is false in SQL).
   */
  @Test
  void spanFunctionsAreNullWhenAnyArgumentIsNull() {
    String nullInt = "{\"lit\": null, \"type\": \"int64\"}";
    // rs >= ls is false (3 >= 4), le is null
    assertThat(one(fn("span_contains", lit(4, "int64"), nullInt, lit(3, "int64"), lit(1, "int64"))))
        .containsExactly((Object) null);
    assertThat(
            one(
                fn(
                    "not",
                    fn(
                        "span_contains",
                        lit(4, "int64"),
                        nullInt,
                        lit(3, "int64"),
                        lit(1, "int64")))))
        .containsExactly((Object) null);
    // re <= ls is true (1 <= 4), le is null
    assertThat(one(fn("span_overlaps", lit(4, "int64"), nullInt, lit(0, "int64"), lit(1, "int64"))))
        .containsExactly((Object) null);
    assertThat(one(fn("span_contains", nullInt, nullInt, nullInt, nullInt)))
        .containsExactly((Object) null);
  }

  @Test
  void caseTakesTheFirstTrueBranchAndWidens() {
    String caseJson =
        "{\"case\": [{\"when\": "
            + fn("gt", col("a"), lit(0, "int32"))
            + ", \"then\": "
            + lit(1, "int32")
            + "}, {\"when\": "
            + fn("lt", col("a"), lit(100, "int32"))
            + ", \"then\": "
            + lit(2, "int64")
            + "}]}";
    assertThat(eval("nums", caseJson)).containsExactly(1L, 2L, 1L, 1L, null);
    assertThat(
            eval(
                "nums",
                "{\"case\": [{\"when\": "
                    + fn("is_null", col("a"))
                    + ", \"then\": "
                    + lit("none", "string")
                    + "}], \"else\": "
                    + lit("some", "string")
                    + "}"))
        .containsExactly("some", "some", "some", "some", "none");
  }

  @Test
  void paramsAreLiterals() {
    io.relspec.ir.bundle.RuleDefinition rule =
        rule(
            """
            "params": {"limit": 5},
            "ops": [{"op": "scan", "dataset": "nums"},
                    {"op": "param", "name": "limit", "type": "int32"},
                    {"op": "param", "name": "label", "type": "string", "default": "x"},
                    {"op": "filter", "predicate": {"fn": "lt", "args": [{"col": "a"}, {"param": "limit"}]}},
                    {"op": "project", "columns": [{"name": "l", "expr": {"param": "label"}}, "a"]}]
            """);
    Dataset<Row> rows =
        new PlanCompiler(DatasetResolver.of(tables))
            .compile("r", rule.ops(), bind(rule, java.util.Map.of()));
    assertThat(rows(rows)).containsExactly(Arrays.asList("x", -7));
    Dataset<Row> overridden =
        new PlanCompiler(DatasetResolver.of(tables))
            .compile("r", rule.ops(), bind(rule, java.util.Map.of("limit", "8", "label", "y")));
    assertThat(rows(overridden))
        .containsExactly(
            Arrays.asList("y", 7),
            Arrays.asList("y", -7),
            Arrays.asList("y", 7),
            Arrays.asList("y", 7));
    // rule.name wins over name
    assertThat(bind(rule, java.util.Map.of("limit", "8", "r.limit", "0")).get("limit"))
        .isEqualTo(io.relspec.ir.expr.Literal.of(0L, io.relspec.ir.type.PrimitiveType.INT32));
    assertThatThrownBy(() -> bind(rule, java.util.Map.of("limit", "many")))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("Cannot bind params of bundle test.json")
        .satisfies(
            e ->
                assertThat(((RelspecException) e).render())
                    .contains(
                        "Cannot bind param 'limit' of rule 'r' (int32): expected an integer, found 'many'"))
        .satisfies(
            e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }

  @Test
  void unboundParamAndUnknownThingsAreClearErrors() {
    io.relspec.ir.bundle.RuleDefinition rule =
        rule(
            """
            "ops": [{"op": "scan", "dataset": "nums"}, {"op": "param", "name": "p", "type": "int32"}]
            """);
    assertThatThrownBy(() -> bind(rule, java.util.Map.of()))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e ->
                assertThat(e.render())
                    .contains("Cannot bind param 'p' of rule 'r': it has no value and no default"));
    assertThatThrownBy(() -> one(fn("nope", col("z"))))
        .hasMessageStartingWith(
            "Cannot compile function 'nope' at rule 'r' ops[1].columns[0].expr");
    assertThatThrownBy(() -> one(col("missing")))
        .hasMessageContaining("Cannot resolve column 'missing'")
        .hasMessageContaining("[z]");
    assertThatThrownBy(() -> one(fn("add", lit("a", "string"), lit(1, "int32"))))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("add needs numbers, found string and int32");
  }
}
