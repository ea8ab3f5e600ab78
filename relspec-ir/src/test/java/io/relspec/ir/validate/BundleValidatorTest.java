package io.relspec.ir.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.Problem;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.plan.RelPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Every validation error path: the message and the JSON path it names. */
class BundleValidatorTest {
  private static final String DATASETS =
      """
      "datasets": [
        {"name": "refs", "format": "parquet", "location": "refs",
         "schema": [{"name": "id", "type": "int64", "nullable": false},
                    {"name": "path", "type": "string", "nullable": false},
                    {"name": "name", "type": "string"},
                    {"name": "bstart", "type": "int64"}, {"name": "bend", "type": "int64"},
                    {"name": "tags", "type": "list<string>"},
                    {"name": "label", "type": "string"}],
         "ordering": {"kind": "implicit", "keys": [{"col": "path"}, {"col": "bstart"}]}},
        {"name": "syms", "format": "parquet", "location": "syms",
         "schema": [{"name": "sym_id", "type": "int64", "nullable": false},
                    {"name": "path", "type": "string"},
                    {"name": "symbol", "type": "string"},
                    {"name": "sstart", "type": "int64"}, {"name": "send", "type": "int64"},
                    {"name": "weight", "type": "float64"}]}
      ]
      """;

  private static final String CONTRACTS =
      """
      "contracts": [
        {"name": "out_v1", "version": 1,
         "columns": [{"name": "id", "type": "int64", "nullable": false},
                     {"name": "path", "type": "string"}],
         "onViolation": "quarantine"}
      ]
      """;

  private static String bundle(String rules) {
    return "{\"relspec\": 1, \"name\": \"t\", "
        + DATASETS
        + ", "
        + CONTRACTS
        + ", \"rules\": ["
        + rules
        + "]}";
  }

  private static String rule(String name, String output, String ops) {
    return "{\"name\": \""
        + name
        + "\", \"output\": \""
        + output
        + "\", \"contract\": \"out_v1\", \"ops\": ["
        + ops
        + "]}";
  }

  private static ValidatedBundle validate(String json) {
    return validate(json, Map.of());
  }

  private static ValidatedBundle validate(String json, Map<String, String> params) {
    return BundleValidator.validate(BundleReader.read(json, "test.json"), "test.json", params);
  }

  private static ValidatedBundle validateOps(String ops) {
    return validate(bundle(rule("r", "out", ops)));
  }

  private static void assertProblem(ThrowingCallable call, String path, String... fragments) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            RelspecException.class,
            e -> {
              assertThat(e.problems()).extracting(Problem::path).contains(path);
              Problem problem =
                  e.problems().stream()
                      .filter(p -> p.path().equals(path))
                      .findFirst()
                      .orElseThrow();
              assertThat(problem.source()).isEqualTo("test.json");
              assertThat(problem.message()).contains(fragments);
            });
  }

  private static final String SCAN_REFS = "{\"op\": \"scan\", \"dataset\": \"refs\"}";

  @Test
  void validBundleResolvesSchemaOrderingAndSignatures() {
    ValidatedBundle validated =
        validateOps(
            SCAN_REFS
                + ", {\"op\": \"filter\", \"predicate\": {\"fn\": \"gt\", \"args\": [{\"col\": \"bstart\"}, {\"lit\": 0, \"type\": \"int32\"}]}}"
                + ", {\"op\": \"project\", \"columns\": [\"id\", {\"name\": \"p\", \"expr\": {\"col\": \"path\"}}, \"bstart\"]}");
    RelPlan plan = validated.plan("r").orElseThrow();
    assertThat(plan.schema().describe())
        .isEqualTo("id int64 not null, p string not null, bstart int64");
    assertThat(plan.ordering().describe())
        .isEqualTo("implicit(p asc nulls last, bstart asc nulls last)");
    assertThat(plan.planSignature()).hasSize(64).matches("[0-9a-f]+");
    assertThat(validated.signature()).hasSize(64);
    assertThat(plan.schema().toArrow().getFields()).hasSize(3);
    assertThat(plan.schema().toArrow().findField("id").isNullable()).isFalse();
  }

  @Test
  void derivingOverAnOrderingKeyEndsTheOrderingThere() {
    RelPlan plan =
        validateOps(
                SCAN_REFS
                    + ", {\"op\": \"derive\", \"name\": \"bstart\", \"expr\": {\"fn\": \"add\", \"args\": [{\"col\": \"bstart\"}, {\"lit\": 1, \"type\": \"int64\"}]}}")
            .plan("r")
            .orElseThrow();
    assertThat(plan.ordering().describe()).isEqualTo("implicit(path asc nulls last)");
    assertThat(plan.schema().names())
        .containsExactly("id", "path", "name", "bstart", "bend", "tags", "label");
  }

  @Test
  void firstOpMustBeScan() {
    assertProblem(
        () -> validateOps("{\"op\": \"sort\", \"keys\": [{\"col\": \"id\"}]}"),
        "rules[0].ops[0].op",
        "the first op of a pipeline must be scan, found sort");
  }

  @Test
  void scanOnlyFirst() {
    assertProblem(
        () -> validateOps(SCAN_REFS + ", " + SCAN_REFS),
        "rules[0].ops[1].op",
        "scan can only be the first op");
  }

  @Test
  void unknownDatasetListsKnownNames() {
    assertProblem(
        () -> validateOps("{\"op\": \"scan\", \"dataset\": \"nope\"}"),
        "rules[0].ops[0].dataset",
        "unknown dataset 'nope'",
        "[refs, syms, out]");
  }

  @Test
  void unknownColumnListsAvailableColumns() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS
                    + ", {\"op\": \"filter\", \"predicate\": {\"fn\": \"eq\", \"args\": [{\"col\": \"nmae\"}, {\"lit\": \"x\", \"type\": \"string\"}]}}"),
        "rules[0].ops[1].predicate.args[0]",
        "unknown column 'nmae'",
        "available columns: [id, path, name, bstart, bend, tags, label]");
  }

  @Test
  void predicateMustBeBoolean() {
    assertProblem(
        () -> validateOps(SCAN_REFS + ", {\"op\": \"filter\", \"predicate\": {\"col\": \"name\"}}"),
        "rules[0].ops[1].predicate",
        "expected a boolean predicate, found an expression of type string");
  }

  /** A literal like pattern follows Spark's escape rule: \\ only before %, _ or \\. */
  @Test
  void literalLikePatternsFollowTheEscapeRule() {
    String like =
        ", {\"op\": \"filter\", \"predicate\": {\"fn\": \"like\", \"args\": [{\"col\":"
            + " \"name\"}, {\"lit\": \"%s\", \"type\": \"string\"}]}}";
    assertProblem(
        () -> validateOps(SCAN_REFS + like.formatted("a\\\\.b")),
        "rules[0].ops[1].predicate.args[1]",
        "like pattern 'a\\.b' breaks the escape rule",
        "the escape character \\ precedes '.' (at character 2)",
        "may only precede %, _ or another backslash");
    assertProblem(
        () -> validateOps(SCAN_REFS + like.formatted("ab\\\\")),
        "rules[0].ops[1].predicate.args[1]",
        "the pattern ends with the escape character \\ (at character 3)");
    for (String ok : List.of("a\\\\%", "a\\\\_", "a\\\\\\\\", "a\\\\\\\\%", "%_")) {
      assertThat(validateOps(SCAN_REFS + like.formatted(ok)).plans()).hasSize(1);
    }
  }

  @Test
  void functionArgumentTypesAreChecked() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS
                    + ", {\"op\": \"derive\", \"name\": \"x\", \"expr\": {\"fn\": \"add\", \"args\": [{\"col\": \"name\"}, {\"lit\": 1, \"type\": \"int64\"}]}}"),
        "rules[0].ops[1].expr",
        "Cannot type-check add: add needs numbers, found string and int64");
  }

  @Test
  void comparisonWithoutWideningNeedsACast() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS
                    + ", {\"op\": \"filter\", \"predicate\": {\"fn\": \"eq\", \"args\": [{\"col\": \"name\"}, {\"col\": \"bstart\"}]}}"),
        "rules[0].ops[1].predicate",
        "no implicit widening joins string and int64; add a cast");
  }

  @Test
  void unknownFunction() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS
                    + ", {\"op\": \"derive\", \"name\": \"x\", \"expr\": {\"fn\": \"strlen\", \"args\": [{\"col\": \"name\"}]}}"),
        "rules[0].ops[1].expr.fn",
        "unknown function 'strlen'");
  }

  @Test
  void aggregateFunctionOutsideAggregate() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS
                    + ", {\"op\": \"derive\", \"name\": \"x\", \"expr\": {\"fn\": \"sum\", \"args\": [{\"col\": \"bstart\"}]}}"),
        "rules[0].ops[1].expr.fn",
        "Aggregate functions can only be used in an aggregate op");
  }

  @Test
  void castsThatCannotWorkAreRejected() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS
                    + ", {\"op\": \"derive\", \"name\": \"x\", \"expr\": {\"cast\": {\"col\": \"tags\"}, \"to\": \"int64\"}}"),
        "rules[0].ops[1].expr",
        "cannot cast list<string> to int64");
  }

  @Test
  void caseBranchesNeedOneType() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS
                    + ", {\"op\": \"derive\", \"name\": \"x\", \"expr\": {\"case\": [{\"when\": {\"fn\": \"is_null\", \"args\": [{\"col\": \"name\"}]}, \"then\": {\"lit\": 1, \"type\": \"int64\"}}], \"else\": {\"col\": \"name\"}}}"),
        "rules[0].ops[1].expr.else",
        "case branches must have one type: found string after int64");
  }

  @Test
  void joinNameCollisionNeedsRightSuffix() {
    String join =
        "{\"op\": \"join\", \"type\": \"inner\", \"right\": {\"ops\": [{\"op\": \"scan\", \"dataset\": \"syms\"}]}, \"on\": [\"path\"]}";
    assertProblem(
        () -> validateOps(SCAN_REFS + ", " + join),
        "rules[0].ops[1]",
        "column 'path' is on both sides of the join; set \"rightSuffix\"");
    ValidatedBundle ok =
        validateOps(SCAN_REFS + ", " + join.replace("\"on\"", "\"rightSuffix\": \"_s\", \"on\""));
    assertThat(ok.plan("r").orElseThrow().schema().names()).contains("path", "path_s");
  }

  @Test
  void joinKeysMustBeComparable() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS
                    + ", {\"op\": \"join\", \"type\": \"semi\", \"right\": {\"ops\": [{\"op\": \"scan\", \"dataset\": \"syms\"}]}, \"on\": [{\"left\": \"name\", \"right\": \"sym_id\"}]}"),
        "rules[0].ops[1].on[0]",
        "cannot match name (string) with sym_id (int64)");
  }

  @Test
  void joinConditionColumnsOnBothSidesNeedASide() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS
                    + ", {\"op\": \"join\", \"type\": \"semi\", \"right\": {\"ops\": [{\"op\": \"scan\", \"dataset\": \"syms\"}]}, \"on\": [], \"condition\": {\"fn\": \"eq\", \"args\": [{\"col\": \"path\"}, {\"col\": \"symbol\"}]}}"),
        "rules[0].ops[1].condition.args[0]",
        "column 'path' is on both sides of the join");
  }

  @Test
  void undeclaredParam() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS
                    + ", {\"op\": \"filter\", \"predicate\": {\"fn\": \"gt\", \"args\": [{\"col\": \"bstart\"}, {\"param\": \"min_start\"}]}}"),
        "rules[0].ops[1].predicate.args[1]",
        "param 'min_start' is not declared in this rule");
  }

  private static final String PARAM_RULE =
      SCAN_REFS
          + ", {\"op\": \"param\", \"name\": \"min_start\", \"type\": \"int64\"}"
          + ", {\"op\": \"filter\", \"predicate\": {\"fn\": \"gt\", \"args\": [{\"col\": \"bstart\"}, {\"param\": \"min_start\"}]}}";

  @Test
  void unboundParamWithoutDefault() {
    assertThatThrownBy(() -> validateOps(PARAM_RULE))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.problems())
                  .singleElement()
                  .satisfies(
                      p -> {
                        assertThat(p.path()).isEqualTo("rules[0].params");
                        assertThat(p.message())
                            .contains(
                                "Cannot bind param 'min_start' of rule 'r'",
                                "--param min_start=<int64>");
                      });
            });
  }

  @Test
  void runtimeParamsBindAndAreTypeChecked() {
    String json = bundle(rule("r", "out", PARAM_RULE));
    assertThat(
            validate(json, Map.of("min_start", "5"))
                .plan("r")
                .orElseThrow()
                .params()
                .get("min_start")
                .value())
        .contains(5L);
    assertThat(
            validate(json, Map.of("r.min_start", "7", "min_start", "5"))
                .plan("r")
                .orElseThrow()
                .params()
                .get("min_start")
                .value())
        .contains(7L);
    assertThatThrownBy(() -> validate(json, Map.of("min_start", "five")))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.problems())
                  .singleElement()
                  .satisfies(
                      p -> {
                        assertThat(p.path()).isEqualTo("--param min_start");
                        assertThat(p.message())
                            .contains("(int64)", "expected an integer, found 'five'");
                      });
            });
    assertThatThrownBy(() -> validate(json, Map.of("min_start", "1", "max_start", "2")))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .satisfies(
                        p -> {
                          assertThat(p.path()).isEqualTo("--param max_start");
                          assertThat(p.message())
                              .contains("no rule declares param 'max_start'", "[min_start]");
                        }));
  }

  @Test
  void runtimeValuesAreNotInSignatures() {
    String json = bundle(rule("r", "out", PARAM_RULE));
    assertThat(validate(json, Map.of("min_start", "5")).signature())
        .isEqualTo(validate(json, Map.of("min_start", "6")).signature());
  }

  @Test
  void unionColumnsMustHaveCompatibleTypes() {
    assertProblem(
        () ->
            validateOps(
                "{\"op\": \"scan\", \"dataset\": \"refs\", \"columns\": [\"id\", \"name\"]}"
                    + ", {\"op\": \"union\", \"inputs\": [{\"ops\": [{\"op\": \"scan\", \"dataset\": \"syms\"}, {\"op\": \"project\", \"columns\": [{\"name\": \"id\", \"expr\": {\"col\": \"symbol\"}}]}]}]}"),
        "rules[0].ops[1].inputs[0]",
        "column 'id' is string here but int64 in the rows before the union");
  }

  @Test
  void unionMatchesByNameAndMakesMissingColumnsNullable() {
    RelPlan plan =
        validateOps(
                "{\"op\": \"scan\", \"dataset\": \"refs\", \"columns\": [\"id\", \"path\"]}"
                    + ", {\"op\": \"union\", \"inputs\": [{\"ops\": [{\"op\": \"scan\", \"dataset\": \"syms\", \"columns\": [\"symbol\", \"sym_id\"]}, {\"op\": \"project\", \"columns\": [\"symbol\", {\"name\": \"id\", \"expr\": {\"col\": \"sym_id\"}}]}]}]}")
            .plan("r")
            .orElseThrow();
    assertThat(plan.schema().describe()).isEqualTo("id int64 not null, path string, symbol string");
  }

  @Test
  void limitNeedsExplicitOrdering() {
    assertProblem(
        () -> validateOps(SCAN_REFS + ", {\"op\": \"limit\", \"n\": 5}"),
        "rules[0].ops[1]",
        "Cannot limit rows whose order is implicit(path asc nulls last, bstart asc nulls last)",
        "Add a sort op before the limit");
    assertThat(
            validateOps(
                    SCAN_REFS
                        + ", {\"op\": \"sort\", \"keys\": [{\"col\": \"id\"}]}, {\"op\": \"limit\", \"n\": 5}")
                .plan("r")
                .orElseThrow()
                .ordering()
                .describe())
        .isEqualTo("explicit(id asc nulls last)");
  }

  @Test
  void explodeNeedsAListColumn() {
    assertProblem(
        () ->
            validateOps(SCAN_REFS + ", {\"op\": \"explode\", \"column\": \"name\", \"as\": \"n\"}"),
        "rules[0].ops[1].column",
        "explode needs a list column, but 'name' is string");
    RelPlan plan =
        validateOps(
                SCAN_REFS
                    + ", {\"op\": \"explode\", \"column\": \"tags\", \"as\": \"tag\", \"position\": \"pos\"}")
            .plan("r")
            .orElseThrow();
    assertThat(plan.schema().describe())
        .isEqualTo(
            "id int64 not null, path string not null, name string, bstart int64, bend int64, tag string, pos int32 not null, label string");
  }

  @Test
  void explodeOutputMustNotCollide() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS + ", {\"op\": \"explode\", \"column\": \"tags\", \"as\": \"label\"}"),
        "rules[0].ops[1]",
        "explode output column 'label' already exists");
  }

  @Test
  void dedupeCannotBreakTiesOnLists() {
    assertProblem(
        () -> validateOps(SCAN_REFS + ", {\"op\": \"dedupe\", \"keys\": [\"path\"]}"),
        "rules[0].ops[1]",
        "dedupe breaks ties on every column, but 'tags' is list<string>");
  }

  private static final String ALIGN =
      "{\"op\": \"interval_align\", \"right\": {\"ops\": [{\"op\": \"scan\", \"dataset\": \"syms\"}]},"
          + " \"on\": [\"path\"], \"leftSpan\": [\"bstart\", \"bend\"], \"rightSpan\": [\"sstart\", \"send\"],"
          + " \"mode\": \"contained\", \"how\": \"left\", \"selectRight\": [\"symbol\"], \"matchMeta\": true}";

  @Test
  void intervalAlignOutputsLeftColumnsSelectedRightAndMatchMeta() {
    RelPlan plan =
        validateOps(
                "{\"op\": \"scan\", \"dataset\": \"refs\", \"columns\": [\"id\", \"path\", \"bstart\", \"bend\"]}, "
                    + ALIGN)
            .plan("r")
            .orElseThrow();
    assertThat(plan.schema().describe())
        .isEqualTo(
            "id int64 not null, path string not null, bstart int64, bend int64, symbol string, match_kind string not null, match_score float64");
  }

  @Test
  void intervalAlignSpansMustBeIntegers() {
    assertProblem(
        () ->
            validateOps(
                "{\"op\": \"scan\", \"dataset\": \"refs\", \"columns\": [\"id\", \"path\", \"name\", \"bstart\", \"bend\"]}, "
                    + ALIGN.replace("[\"sstart\", \"send\"]", "[\"sstart\", \"weight\"]")),
        "rules[0].ops[1].rightSpan[1]",
        "span column 'weight' must be an integer");
  }

  @Test
  void intervalAlignSelectedColumnsMustNotCollide() {
    assertProblem(
        () ->
            validateOps(
                "{\"op\": \"scan\", \"dataset\": \"refs\", \"columns\": [\"id\", \"path\", \"bstart\", \"bend\"]}, "
                    + ALIGN.replace("[\"symbol\"]", "[\"path\"]")),
        "rules[0].ops[1].selectRight[0]",
        "output column 'path' already exists on the left side");
  }

  @Test
  void contractTypesMustBeWidenings() {
    assertProblem(
        () ->
            validateOps(
                SCAN_REFS
                    + ", {\"op\": \"project\", \"columns\": [{\"name\": \"id\", \"expr\": {\"col\": \"name\"}}, \"path\"]}"),
        "rules[0].ops",
        "produces column 'id' as string, but contract 'out_v1' declares int64");
  }

  @Test
  void contractNonNullColumnsMustBeProduced() {
    assertProblem(
        () -> validateOps(SCAN_REFS + ", {\"op\": \"project\", \"columns\": [\"path\"]}"),
        "rules[0].ops",
        "does not produce column 'id', which contract 'out_v1' requires to be non-null");
  }

  @Test
  void cyclesNameTheRules() {
    String json =
        bundle(
            rule("a", "out_a", "{\"op\": \"scan\", \"dataset\": \"out_b\"}")
                + ", "
                + rule("b", "out_b", "{\"op\": \"scan\", \"dataset\": \"out_a\"}"));
    assertThatThrownBy(() -> validate(json))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .satisfies(
                        p ->
                            assertThat(p.message())
                                .contains(
                                    "they form a cycle through outputs out_a -> out_b -> out_a",
                                    "a -> out_a",
                                    "b -> out_b")));
  }

  @Test
  void rulesReadUpstreamOutputsInDependencyOrder() {
    ValidatedBundle validated =
        validate(
            bundle(
                rule("late", "z_late", "{\"op\": \"scan\", \"dataset\": \"a_early\"}")
                    + ", "
                    + rule(
                        "early",
                        "a_early",
                        SCAN_REFS + ", {\"op\": \"project\", \"columns\": [\"id\", \"path\"]}")
                    + ", "
                    + rule("first", "z_first", SCAN_REFS)));
    assertThat(validated.plans())
        .extracting(RelPlan::name)
        .containsExactly("early", "first", "late");
    assertThat(validated.plan("late").orElseThrow().schema().describe())
        .isEqualTo("id int64 not null, path string");
  }

  @Test
  void ruleOutputMustNotBeADataset() {
    assertProblem(
        () -> validate(bundle(rule("r", "refs", SCAN_REFS))),
        "rules[0].output",
        "rule output 'refs' is also a declared dataset");
  }

  @Test
  void unknownContract() {
    assertProblem(
        () -> validate(bundle(rule("r", "out", SCAN_REFS).replace("out_v1", "out_v2"))),
        "rules[0].contract",
        "unknown contract 'out_v2'; contracts: [out_v1]");
  }

  @Test
  void duplicateRuleNames() {
    assertProblem(
        () -> validate(bundle(rule("r", "out", SCAN_REFS) + ", " + rule("r", "out", SCAN_REFS))),
        "rules[1].name",
        "rule 'r' is declared twice");
  }

  @Test
  void contractColumnsReferencedByKeysMustExist() {
    String json =
        bundle(rule("r", "out", SCAN_REFS))
            .replace(
                "\"onViolation\": \"quarantine\"",
                "\"keyFields\": [\"nope\"], \"onViolation\": \"quarantine\"");
    assertProblem(
        () -> validate(json),
        "contracts[0].keyFields[0]",
        "'nope' is not a column of this contract");
  }

  @Test
  void allProblemsAreReportedTogether() {
    String json =
        bundle(
            rule("a", "out", "{\"op\": \"scan\", \"dataset\": \"nope\"}")
                + ", "
                + rule(
                    "b",
                    "out",
                    SCAN_REFS + ", {\"op\": \"filter\", \"predicate\": {\"col\": \"zzz\"}}")
                + ", "
                + rule("c", "out", SCAN_REFS + ", {\"op\": \"limit\", \"n\": 1}"));
    assertThatThrownBy(() -> validate(json))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_BUNDLE);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Cannot validate bundle test.json: 3 problems. Fix each one listed below.");
              assertThat(e.problems())
                  .extracting(Problem::path)
                  .containsExactly(
                      "rules[0].ops[0].dataset", "rules[1].ops[1].predicate", "rules[2].ops[1]");
            });
  }

  @Test
  void examplesValidate() {
    for (String example : List.of("cpg.json", "analytics.json")) {
      Path file = Path.of("..", "examples", example);
      ValidatedBundle validated = BundleValidator.validate(file);
      assertThat(validated.plans()).isNotEmpty();
      assertThat(validated.signature()).isEqualTo(BundleValidator.validate(file).signature());
    }
  }
}
