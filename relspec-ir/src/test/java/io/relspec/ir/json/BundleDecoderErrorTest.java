package io.relspec.ir.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.Problem;
import io.relspec.ir.error.RelspecException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every error path of the decoder: each test asserts the code, the exact JSON path and the key part
 * of the message. JSON in this file is written with single quotes, see {@link #q(String)}.
 */
class BundleDecoderErrorTest {
  private static final String SOURCE = "bundles/broken.json";

  /** Single quotes to double quotes, so the JSON in tests stays readable. */
  private static String q(String json) {
    return json.replace('\'', '"');
  }

  /** A valid bundle whose one rule has {@code scan d} followed by {@code ops}. */
  private static String bundleWithOps(String ops) {
    return bundleWithRule(
        "'name': 'r', 'output': 'o', 'contract': 'c', 'ops': [{'op': 'scan', 'dataset': 'd'}"
            + (ops.isEmpty() ? "" : ", " + ops)
            + "]");
  }

  /** A valid bundle with the given rule body. */
  private static String bundleWithRule(String ruleBody) {
    return q(
        "{'relspec': 1, 'name': 'b',"
            + " 'datasets': [{'name': 'd', 'format': 'parquet', 'location': 'd',"
            + "   'schema': [{'name': 'a', 'type': 'int32'}]}],"
            + " 'contracts': [{'name': 'c', 'version': 1,"
            + "   'columns': [{'name': 'a', 'type': 'int32'}]}],"
            + " 'rules': [{"
            + ruleBody
            + "}]}");
  }

  /** A bundle whose second op filters by {@code predicate}. */
  private static String bundleWithPredicate(String predicate) {
    return bundleWithOps("{'op': 'filter', 'predicate': " + predicate + "}");
  }

  private static RelspecException failure(String json) {
    return catchThrowableOfType(RelspecException.class, () -> BundleReader.read(json, SOURCE));
  }

  /** Reads {@code json}, expects an invalid document with exactly one problem and returns it. */
  private static Problem onlyProblem(String json) {
    RelspecException e = failure(json);
    assertThat(e).as("reading must fail").isNotNull();
    assertThat(e.code()).as(e.render()).isEqualTo(ErrorCode.INVALID_DOCUMENT);
    assertThat(e.problems()).as(e.render()).hasSize(1);
    Problem problem = e.problems().get(0);
    assertThat(problem.source()).isEqualTo(SOURCE);
    return problem;
  }

  private static void assertProblem(String json, String path, String... fragments) {
    Problem problem = onlyProblem(json);
    assertThat(problem.path()).as(problem.render()).isEqualTo(path);
    assertThat(problem.message()).contains(fragments);
  }

  @Test
  void theBaseDocumentsAreValid() {
    assertThat(BundleReader.read(bundleWithOps(""), SOURCE).rules()).hasSize(1);
    assertThat(BundleReader.read(bundleWithPredicate(q("{'col': 'a'}")), SOURCE).rules())
        .hasSize(1);
  }

  // ---------------------------------------------------------------- keys

  @Test
  void unknownKeyInAnOpSuggestsTheNearestKey() {
    assertProblem(
        bundleWithOps(q("{'op': 'filter', 'predicat': {'col': 'a'}}")),
        "rules[0].ops[1].predicat",
        "unknown key 'predicat' in filter op",
        "expected only [op, predicate]",
        "did you mean 'predicate'?");
  }

  @Test
  void unknownTopLevelKeySuggestsTheNearestKey() {
    String json = bundleWithOps("").replace("\"rules\"", "\"rule\"");

    assertProblem(json, "rule", "unknown key 'rule' in bundle", "did you mean 'rules'?");
  }

  @Test
  void unknownKeyThatIsNotANameIsQuotedInThePath() {
    String json = bundleWithOps(q("{'op': 'limit', 'n': 1, 'off set': 2}"));

    assertProblem(
        json,
        "rules[0].ops[1][\"off set\"]",
        "unknown key 'off set' in limit op",
        "did you mean 'offset'?");
  }

  @Test
  void unknownKeyFarFromEveryKeyHasNoSuggestion() {
    Problem problem =
        onlyProblem(bundleWithOps(q("{'op': 'sort', 'keys': [{'col': 'id'}], 'zzzzzz': 1}")));

    assertThat(problem.path()).isEqualTo("rules[0].ops[1].zzzzzz");
    assertThat(problem.message()).doesNotContain("did you mean");
  }

  @Test
  void missingRequiredKeyNamesTheKeyAndWhatWasExpected() {
    assertProblem(
        bundleWithOps(q("{'op': 'filter'}")),
        "rules[0].ops[1].predicate",
        "missing required key 'predicate': expected an expression");
    assertProblem(
        bundleWithRule(q("'name': 'r', 'contract': 'c', 'ops': [{'op': 'scan', 'dataset': 'd'}]")),
        "rules[0].output",
        "missing required key 'output': expected a name");
    assertProblem(
        bundleWithOps(q("{'op': 'limit'}")),
        "rules[0].ops[1].n",
        "missing required key 'n': expected an integer");
  }

  @Test
  void nullForARequiredKeyIsReportedAsNullNotAsMissing() {
    assertProblem(
        bundleWithOps(q("{'op': 'derive', 'name': null, 'expr': {'col': 'a'}}")),
        "rules[0].ops[1].name",
        "'name' is null; expected a name");
  }

  @Test
  void wrongJsonTypeSaysWhatWasFoundAndWhatWasExpected() {
    assertProblem(
        bundleWithRule(
            q(
                "'name': 'r', 'output': 'o', 'contract': 'c', 'priority': 'high',"
                    + " 'ops': [{'op': 'scan', 'dataset': 'd'}]")),
        "rules[0].priority",
        "expected a 32-bit integer, found the string \"high\"");
    assertProblem(
        bundleWithRule(q("'name': 'r', 'output': 'o', 'contract': 'c', 'ops': {}")),
        "rules[0].ops",
        "expected a list, found an object");
    assertProblem(
        bundleWithOps(q("{'op': 'union', 'inputs': [], 'distinct': 'yes'}")),
        "rules[0].ops[1].distinct",
        "expected true or false, found the string \"yes\"");
    assertProblem(
        bundleWithOps(q("{'op': 'join', 'type': 'outer', 'right': {'ops': []}}")),
        "rules[0].ops[1].type",
        "expected one of [inner, left, right, full, semi, anti], found the string \"outer\"");
    assertProblem(
        bundleWithOps(q("42")),
        "rules[0].ops[1]",
        "expected an op object {\"op\": \"<name>\", ...}, found the number 42");
  }

  @Test
  void documentThatIsNotAnObject() {
    assertProblem(q("[1, 2]"), "", "expected a bundle object, found an array");
  }

  @Test
  void bundleNameIsAnyNonEmptyStringAsInTheSpecExample() {
    String json = bundleWithOps("").replace("\"name\": \"b\"", "\"name\": \"cpg-relations\"");

    assertThat(BundleReader.read(json, SOURCE).name()).isEqualTo("cpg-relations");
    assertProblem(
        bundleWithOps("").replace("\"name\": \"b\"", "\"name\": \"\""),
        "name",
        "expected a non-empty bundle name, found \"\"");
  }

  @Test
  void unsupportedFormatVersion() {
    assertProblem(
        bundleWithOps("").replace("\"relspec\": 1", "\"relspec\": 2"),
        "relspec",
        "unsupported format version 2",
        "Set \"relspec\": 1");
  }

  // ---------------------------------------------------------------- types and names

  @Test
  void typeIntSuggestsInt32() {
    assertProblem(
        bundleWithPredicate(q("{'lit': 1, 'type': 'int'}")),
        "rules[0].ops[1].predicate.type",
        "bad type \"int\": unknown type 'int' (did you mean int32?)",
        "Expected one of boolean, int8");
  }

  @Test
  void typeInTheWrongCaseSuggestsTheLowercaseName() {
    assertProblem(
        bundleWithPredicate(q("{'lit': 1, 'type': 'INT32'}")),
        "rules[0].ops[1].predicate.type",
        "unknown type 'INT32' (did you mean int32?)");
  }

  @Test
  void decimalPrecisionAbove38() {
    assertProblem(
        bundleWithPredicate(q("{'lit': '1', 'type': 'decimal(40,2)'}")),
        "rules[0].ops[1].predicate.type",
        "bad type \"decimal(40,2)\": decimal precision 40 is outside 1..38");
  }

  @Test
  void decimalScaleAbovePrecision() {
    assertProblem(
        bundleWithPredicate(q("{'lit': '1', 'type': 'decimal(5,6)'}")),
        "rules[0].ops[1].predicate.type",
        "decimal scale 6 is outside 0..precision (5)");
  }

  @Test
  void unfinishedListType() {
    assertProblem(
        bundleWithPredicate(q("{'lit': null, 'type': 'list<'}")),
        "rules[0].ops[1].predicate.type",
        "bad type \"list<\": expected a type name at position 5, found the end of the text");
  }

  @Test
  void unclosedListTypeAndBadStructTypes() {
    assertProblem(
        bundleWithPredicate(q("{'lit': null, 'type': 'list<int32'}")),
        "rules[0].ops[1].predicate.type",
        "expected '>' at position 10, found the end of the text");
    assertProblem(
        bundleWithPredicate(q("{'lit': null, 'type': 'struct<a:int32,a:string>'}")),
        "rules[0].ops[1].predicate.type",
        "struct field 'a' appears twice");
    assertProblem(
        bundleWithPredicate(q("{'lit': null, 'type': 'struct<>'}")),
        "rules[0].ops[1].predicate.type",
        "expected a struct field name at position 7, found '>'");
    assertProblem(
        bundleWithPredicate(q("{'lit': null, 'type': 'int32 x'}")),
        "rules[0].ops[1].predicate.type",
        "unexpected 'x' after the type");
  }

  @Test
  void nameStartingWithADigit() {
    assertProblem(
        bundleWithOps(q("{'op': 'derive', 'name': '1abc', 'expr': {'col': 'a'}}")),
        "rules[0].ops[1].name",
        "expected a name matching [A-Za-z_][A-Za-z0-9_]*, found \"1abc\"",
        "not starting with a digit");
  }

  @Test
  void nameWithADash() {
    assertProblem(
        bundleWithOps(q("{'op': 'project', 'columns': ['a', 'a-b']}")),
        "rules[0].ops[1].columns[1]",
        "expected a name matching [A-Za-z_][A-Za-z0-9_]*, found \"a-b\"");
    assertProblem(
        bundleWithPredicate(q("{'col': 'a-b'}")), "rules[0].ops[1].predicate.col", "found \"a-b\"");
  }

  // ---------------------------------------------------------------- ops and expressions

  @Test
  void unknownOpSuggestsTheNearestOp() {
    assertProblem(
        bundleWithOps(q("{'op': 'fliter', 'predicate': {'col': 'a'}}")),
        "rules[0].ops[1].op",
        "unknown op 'fliter'; expected one of [scan, filter,",
        "did you mean 'filter'?");
  }

  @Test
  void opWithoutOpKey() {
    assertProblem(
        bundleWithOps(q("{'predicate': {'col': 'a'}}")),
        "rules[0].ops[1].op",
        "expected the op name as a string",
        "found no \"op\" key");
  }

  @Test
  void expressionWithoutDiscriminator() {
    assertProblem(
        bundleWithPredicate(q("{'column': 'a'}")),
        "rules[0].ops[1].predicate",
        "expected an expression object with exactly one of the keys"
            + " [col, lit, param, fn, cast, case], found none (keys [column])",
        "did you mean 'col'?");
    assertProblem(
        bundleWithPredicate(q("{}")), "rules[0].ops[1].predicate", "found none (keys [])");
  }

  @Test
  void expressionWithTwoDiscriminators() {
    assertProblem(
        bundleWithPredicate(q("{'col': 'a', 'lit': 1, 'type': 'int32'}")),
        "rules[0].ops[1].predicate",
        "exactly one of the keys [col, lit, param, fn, cast, case], found 2 of them [col, lit]");
  }

  @Test
  void expressionThatIsNotAnObject() {
    assertProblem(
        bundleWithPredicate(q("{'fn': 'not', 'args': ['a']}")),
        "rules[0].ops[1].predicate.args[0]",
        "expected an expression object with one of [col, lit, param, fn, cast, case],"
            + " found the string \"a\"");
  }

  @Test
  void unknownKeyInsideAnExpression() {
    assertProblem(
        bundleWithPredicate(q("{'col': 'a', 'sid': 'left'}")),
        "rules[0].ops[1].predicate.sid",
        "unknown key 'sid' in column expression",
        "did you mean 'side'?");
  }

  @Test
  void caseBranchWithoutThen() {
    assertProblem(
        bundleWithPredicate(q("{'case': [{'when': {'col': 'a'}}]}")),
        "rules[0].ops[1].predicate.case[0]",
        "a case branch needs both 'when' and 'then'");
    assertProblem(
        bundleWithPredicate(q("{'case': []}")),
        "rules[0].ops[1].predicate.case",
        "a case needs at least one");
  }

  // ---------------------------------------------------------------- literals

  @Test
  void int32LiteralOutOfRange() {
    assertProblem(
        bundleWithPredicate(q("{'lit': 3000000000, 'type': 'int32'}")),
        "rules[0].ops[1].predicate.lit",
        "expected an integer from -2147483648 to 2147483647 for type int32, found 3000000000");
    assertProblem(
        bundleWithPredicate(q("{'lit': '9223372036854775808', 'type': 'int64'}")),
        "rules[0].ops[1].predicate.lit",
        "expected an integer from -9223372036854775808 to 9223372036854775807 for type int64");
  }

  @Test
  void integerLiteralThatIsNotAnInteger() {
    assertProblem(
        bundleWithPredicate(q("{'lit': 1.5, 'type': 'int32'}")),
        "rules[0].ops[1].predicate.lit",
        "expected an integer JSON number for type int32, found the number 1.5");
    assertProblem(
        bundleWithPredicate(q("{'lit': '12', 'type': 'int32'}")),
        "rules[0].ops[1].predicate.lit",
        "found the string \"12\"");
  }

  @Test
  void decimalLiteralWithTooManyFractionalDigits() {
    assertProblem(
        bundleWithPredicate(q("{'lit': '1.234', 'type': 'decimal(10,2)'}")),
        "rules[0].ops[1].predicate.lit",
        "expected at most 2 fractional digits for type decimal(10,2), found 1.234");
  }

  @Test
  void decimalLiteralTooLargeOrNotAString() {
    assertProblem(
        bundleWithPredicate(q("{'lit': '123.4', 'type': 'decimal(4,2)'}")),
        "rules[0].ops[1].predicate.lit",
        "expected at most 2 digits before the decimal point for type decimal(4,2), found 123.4");
    assertProblem(
        bundleWithPredicate(q("{'lit': 12.5, 'type': 'decimal(4,2)'}")),
        "rules[0].ops[1].predicate.lit",
        "expected a decimal as a JSON string, e.g. \"12.50\" for type decimal(4,2),"
            + " found the number 12.5");
    assertProblem(
        bundleWithPredicate(q("{'lit': 'abc', 'type': 'decimal(4,2)'}")),
        "rules[0].ops[1].predicate.lit",
        "expected a decimal string such as \"12.50\" for decimal(4,2), found \"abc\"");
  }

  @Test
  void badDateLiteral() {
    assertProblem(
        bundleWithPredicate(q("{'lit': '2024-02-30', 'type': 'date32'}")),
        "rules[0].ops[1].predicate.lit",
        "expected a date string such as \"2024-01-31\" for type date32,"
            + " found the string \"2024-02-30\"");
    assertProblem(
        bundleWithPredicate(q("{'lit': '2024-1-5', 'type': 'date32'}")),
        "rules[0].ops[1].predicate.lit",
        "found the string \"2024-1-5\"");
  }

  @Test
  void dateAndTimestampLiteralsOutsideTheirPhysicalRange() {
    assertProblem(
        bundleWithPredicate(q("{'lit': '+5881580-07-12', 'type': 'date32'}")),
        "rules[0].ops[1].predicate.lit",
        "expected a date from -5877641-06-23 to +5881580-07-11 (date32 counts days since"
            + " 1970-01-01 in 32 bits) for type date32, found the string \"+5881580-07-12\"");
    assertThat(
            BundleReader.read(
                    bundleWithPredicate(q("{'lit': '+5881580-07-11', 'type': 'date32'}")), SOURCE)
                .rules())
        .hasSize(1);
    assertProblem(
        bundleWithPredicate(q("{'lit': '+294247-01-10T04:00:54.775808Z', 'type': 'timestamp_us'}")),
        "rules[0].ops[1].predicate.lit",
        "expected a timestamp from -290308-12-21T19:59:05.224192Z to"
            + " +294247-01-10T04:00:54.775807Z (timestamp_us counts microseconds since 1970 in 64"
            + " bits)");
  }

  @Test
  void timestampLiteralWithNanoseconds() {
    assertProblem(
        bundleWithPredicate(q("{'lit': '2024-01-31T12:00:00.123456789Z', 'type': 'timestamp_us'}")),
        "rules[0].ops[1].predicate.lit",
        "expected a timestamp_us with at most 6 fractional digits (microseconds),"
            + " found the string \"2024-01-31T12:00:00.123456789Z\" with nanoseconds");
  }

  @Test
  void timestampLiteralWithoutOffset() {
    assertProblem(
        bundleWithPredicate(q("{'lit': '2024-01-31T12:00:00', 'type': 'timestamp_us'}")),
        "rules[0].ops[1].predicate.lit",
        "expected a UTC timestamp string such as \"2024-01-31T12:00:00Z\" for type timestamp_us");
  }

  @Test
  void nonNullListLiteral() {
    assertProblem(
        bundleWithPredicate(q("{'lit': [1, 2], 'type': 'list<int32>'}")),
        "rules[0].ops[1].predicate.lit",
        "expected null for type list<int32> (format v1 has no non-null list or struct literals),"
            + " found an array");
  }

  @Test
  void otherBadLiterals() {
    assertProblem(
        bundleWithPredicate(q("{'lit': 'yes', 'type': 'boolean'}")),
        "rules[0].ops[1].predicate.lit",
        "expected true or false for type boolean, found the string \"yes\"");
    assertProblem(
        bundleWithPredicate(q("{'lit': 'not base64!', 'type': 'binary'}")),
        "rules[0].ops[1].predicate.lit",
        "expected base64 text in a JSON string for type binary");
    assertProblem(
        bundleWithPredicate(q("{'lit': 'Inf', 'type': 'float64'}")),
        "rules[0].ops[1].predicate.lit",
        "expected a JSON number, or one of \"NaN\", \"Infinity\", \"-Infinity\"");
    assertProblem(
        bundleWithPredicate(q("{'lit': 1e300, 'type': 'float32'}")),
        "rules[0].ops[1].predicate.lit",
        "expected a number within the float32 range for type float32");
    assertProblem(
        bundleWithPredicate(q("{'lit': 1}")),
        "rules[0].ops[1].predicate.type",
        "missing required key 'type': expected a type string such as \"int64\"");
  }

  // ---------------------------------------------------------------- limit, params

  @Test
  void limitWithNegativeN() {
    assertProblem(
        bundleWithOps(q("{'op': 'limit', 'n': -1}")),
        "rules[0].ops[1].n",
        "expected a row count >= 0, found -1");
    assertProblem(
        bundleWithOps(q("{'op': 'limit', 'n': 1, 'offset': -5}")),
        "rules[0].ops[1].offset",
        "expected an offset >= 0, found -5");
  }

  @Test
  void limitBeyondTheIntegersJsonNumbersKeepExact() {
    assertProblem(
        bundleWithOps(q("{'op': 'limit', 'n': 9007199254740992}")),
        "rules[0].ops[1].n",
        "expected a row count of at most 9007199254740991 (2^53-1",
        "found 9007199254740992");
    assertThat(
            BundleReader.read(bundleWithOps(q("{'op': 'limit', 'n': 9007199254740991}")), SOURCE)
                .rules())
        .hasSize(1);
  }

  @Test
  void bindingOfAnUndeclaredParam() {
    assertProblem(
        bundleWithRule(
            q(
                "'name': 'r', 'output': 'o', 'contract': 'c', 'params': {'min_len': 3},"
                    + " 'ops': [{'op': 'scan', 'dataset': 'd'},"
                    + " {'op': 'param', 'name': 'max_len', 'type': 'int32'}]")),
        "rules[0].params.min_len",
        "param 'min_len' is not declared by a param op of this rule; declared params: [max_len]",
        "Add {\"op\": \"param\", \"name\": \"min_len\"");
  }

  @Test
  void bindingOfTheWrongType() {
    assertProblem(
        bundleWithRule(
            q(
                "'name': 'r', 'output': 'o', 'contract': 'c', 'params': {'min_len': 'three'},"
                    + " 'ops': [{'op': 'scan', 'dataset': 'd'},"
                    + " {'op': 'param', 'name': 'min_len', 'type': 'int32'}]")),
        "rules[0].params.min_len",
        "expected an integer JSON number for type int32, found the string \"three\"");
  }

  @Test
  void bindingOfAParamDeclaredInANestedPipelineIsAccepted() {
    String json =
        bundleWithRule(
            q(
                "'name': 'r', 'output': 'o', 'contract': 'c', 'params': {'p': 'x'},"
                    + " 'ops': [{'op': 'scan', 'dataset': 'd'}, {'op': 'join', 'right': {'ops': ["
                    + " {'op': 'scan', 'dataset': 'd'},"
                    + " {'op': 'param', 'name': 'p', 'type': 'string'}]}}]"));

    assertThat(BundleReader.read(json, SOURCE).rules().get(0).params()).containsKey("p");
  }

  @Test
  void paramDefaultOfTheWrongType() {
    assertProblem(
        bundleWithOps(q("{'op': 'param', 'name': 'p', 'type': 'date32', 'default': 20240131}")),
        "rules[0].ops[1].default",
        "expected a date string such as \"2024-01-31\" for type date32, found the number 20240131");
  }

  // ---------------------------------------------------------------- JSON syntax and limits

  @Test
  void duplicateKeyNamesTheKeyAndItsPath() {
    assertProblem(
        bundleWithPredicate(q("{'col': 'a', 'col': 'b'}")),
        "rules[0].ops[1].predicate.col",
        "found the key 'col' twice in one object at line 1, column",
        "expected each key at most once");
  }

  @Test
  void duplicateTopLevelKey() {
    assertProblem(
        q("{'relspec': 1,\n 'name': 'a',\n 'name': 'b'}"),
        "name",
        "found the key 'name' twice in one object at line 3, column 8");
  }

  // Jackson's column is the one just after the offending character.
  @Test
  void invalidJsonSyntaxGivesLineAndColumn() {
    String json = q("{'relspec': 1,\n 'name': 'b',\n 'rules': [\n  {'name': 'r',, }]}");

    RelspecException e = failure(json);

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DOCUMENT);
    assertThat(e.getMessage())
        .startsWith(
            "Cannot read bundle " + SOURCE + ": it is not valid JSON at line 4, column 17:");
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0).path()).isEqualTo("rules[0]");
  }

  @Test
  void trailingGarbageAndEmptyDocument() {
    assertThat(failure(q("{'relspec': 1} x")).getMessage())
        .contains("it is not valid JSON at line 1, column 17");
    assertThat(failure("  ").getMessage())
        .isEqualTo(
            "Cannot read bundle " + SOURCE + ": the document is empty; expected a JSON object.");
  }

  private static String notChain(int depth) {
    StringBuilder json = new StringBuilder();
    json.append("{\"fn\":\"not\",\"args\":[".repeat(depth));
    json.append("{\"col\":\"a\"}");
    json.append("]}".repeat(depth));
    return json.toString();
  }

  @Test
  void tenThousandDeepNotChainIsAResourceErrorNotAStackOverflow() {
    String json = bundleWithPredicate(notChain(10_000));

    RelspecException e = failure(json);

    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
    assertThat(e.getMessage())
        .startsWith("Cannot read bundle " + SOURCE + ": found JSON nested more than 1000 levels")
        .contains("expected at most 1000 (and expressions at most 128)")
        .contains("Flatten the expression");
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0).path()).startsWith("rules[0].ops[1].predicate.args[0]");
  }

  @Test
  void expressionDepthLimitIs128Levels() {
    assertThat(BundleReader.read(bundleWithPredicate(notChain(127)), SOURCE).rules()).hasSize(1);

    RelspecException e = failure(bundleWithPredicate(notChain(128)));

    assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0).path())
        .isEqualTo("rules[0].ops[1].predicate" + ".args[0]".repeat(128));
    assertThat(e.problems().get(0).message())
        .startsWith("found an expression nested more than 128 levels deep; expected at most 128");
  }

  @Test
  void depthLimitTogetherWithAMistakeIsAnInvalidDocument() {
    String json =
        bundleWithOps(
            "{\"op\": \"filter\", \"predicate\": "
                + notChain(128)
                + "}, {\"op\": \"limit\", \"n\": -1}");

    RelspecException e = failure(json);

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DOCUMENT);
    assertThat(e.problems()).extracting(Problem::path).contains("rules[0].ops[2].n");
  }

  private static String nestedJoins(int depth) {
    String pipeline = "{\"ops\": [{\"op\": \"scan\", \"dataset\": \"d\"}]}";
    for (int i = 0; i < depth - 1; i++) {
      pipeline =
          "{\"ops\": [{\"op\": \"scan\", \"dataset\": \"d\"}, {\"op\": \"join\", \"right\": "
              + pipeline
              + "}]}";
    }
    return bundleWithOps("{\"op\": \"join\", \"right\": " + pipeline + "}");
  }

  @Test
  void pipelineNestingLimitIs16Levels() {
    assertThat(BundleReader.read(nestedJoins(16), SOURCE).rules()).hasSize(1);

    RelspecException e = failure(nestedJoins(17));

    assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0).path())
        .isEqualTo("rules[0].ops[1]" + ".right.ops[1]".repeat(16) + ".right.ops");
    assertThat(e.problems().get(0).message())
        .startsWith("found pipelines nested more than 16 levels deep; expected at most 16");
  }

  @Test
  void fiftyMegabyteStringLiteralIsAClearErrorWithoutRunningOutOfMemory() {
    String huge = "x".repeat(50 << 20);
    String json = bundleWithPredicate("{\"lit\": \"" + huge + "\", \"type\": \"string\"}");

    RelspecException e = failure(json);

    assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
    assertThat(e.getMessage())
        .startsWith("Cannot read bundle " + SOURCE + ": found a string longer than 1048576")
        .contains("Keep large data in datasets, not in literals");
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0).path()).isEqualTo("rules[0].ops[1].predicate.lit");
  }

  @Test
  void stringAtTheLimitIsAccepted() {
    String large = "y".repeat(BundleReader.MAX_STRING_LENGTH);
    String json = bundleWithPredicate("{\"lit\": \"" + large + "\", \"type\": \"string\"}");

    assertThat(BundleReader.read(json, SOURCE).rules()).hasSize(1);
  }

  @Test
  void numberWithTooManyDigitsIsAResourceError() {
    RelspecException e =
        failure(bundleWithOps("{\"op\": \"limit\", \"n\": " + "9".repeat(2000) + "}"));

    assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
    assertThat(e.problems().get(0).path()).isEqualTo("rules[0].ops[1].n");
    assertThat(e.problems().get(0).message())
        .startsWith("found a number with more digits than the parser's limit");
  }

  @Test
  void loneSurrogateInAStringIsRejected() {
    assertProblem(
        bundleWithPredicate("{\"lit\": \"ab\\ud800\", \"type\": \"string\"}"),
        "rules[0].ops[1].predicate.lit",
        "found a string with a lone UTF-16 surrogate \\ud800 at character 2",
        "expected Unicode text");
    assertThat(
            BundleReader.read(
                    bundleWithPredicate("{\"lit\": \"\\ud83d\\ude00\", \"type\": \"string\"}"),
                    SOURCE)
                .rules())
        .hasSize(1);
  }

  @Test
  void loneSurrogateInAKeyIsRejected() {
    RelspecException e = failure(bundleWithOps("{\"op\": \"limit\", \"n\": 1, \"\\udc00\": 2}"));

    Problem first = e.problems().get(0);
    assertThat(first.path()).isEqualTo("rules[0].ops[1][\"\\udc00\"]");
    assertThat(first.message()).startsWith("found a key with a lone UTF-16 surrogate \\udc00");
  }

  // ---------------------------------------------------------------- all problems together

  @Test
  void documentWithSeveralProblemsReportsAllOfThem() {
    String json =
        q(
            "{'relspec': 1, 'name': '',"
                + " 'datasets': [{'name': 'd', 'format': 'parquett', 'location': 'd',"
                + "   'schema': [{'name': 'a', 'type': 'int'}]}],"
                + " 'contracts': [{'name': 'c', 'columns': []}],"
                + " 'rules': ["
                + "  {'name': 'r1', 'output': 'o', 'contract': 'c', 'ops': ["
                + "    {'op': 'scan', 'dataset': 'd'},"
                + "    {'op': 'filter', 'predicate': {'fn': 'and', 'args': ["
                + "      {'col': 'a'}, {'lit': 3000000000, 'type': 'int32'}]}},"
                + "    {'op': 'limit', 'n': -1}]},"
                + "  {'name': 'r2', 'output': 'o', 'contract': 'c', 'ops': ["
                + "    {'op': 'scan', 'dataset': 'd'},"
                + "    {'op': 'sortt', 'keys': []}]}"
                + " ]}");

    RelspecException e = failure(json);

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DOCUMENT);
    assertThat(e.getMessage())
        .isEqualTo("Cannot read bundle " + SOURCE + ": 7 problems. Fix each one listed below.");
    assertThat(e.problems())
        .extracting(Problem::path)
        .containsExactly(
            "name",
            "datasets[0].format",
            "datasets[0].schema[0].type",
            "contracts[0].version",
            "rules[0].ops[1].predicate.args[1].lit",
            "rules[0].ops[2].n",
            "rules[1].ops[1].op");
    assertThat(e.problems().get(1).message()).contains("did you mean 'parquet'?");
    assertThat(e.problems().get(6).message()).contains("did you mean 'sort'?");
    assertThat(e.render())
        .contains("  - " + SOURCE + ": rules[0].ops[2].n: expected a row count >= 0, found -1");
  }

  @Test
  void problemsAreCappedAt200() {
    StringBuilder ops = new StringBuilder();
    for (int i = 0; i < 250; i++) {
      ops.append(i == 0 ? "" : ", ").append("{\"op\": \"limit\", \"n\": -1}");
    }

    RelspecException e = failure(bundleWithOps(ops.toString()));

    assertThat(e.problems()).hasSize(200);
    assertThat(e.getMessage()).contains("at least 200 problems (the first 200 are listed)");
  }

  @Test
  void runtimeProfileErrorsUseTheSameModel() {
    assertThatThrownBy(
            () -> BundleReader.readProfile(q("{'batchSize': 0, 'memoryPol': 'fair'}"), "rt.json"))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DOCUMENT);
              // decoding goes on after an unknown key, so the bad batch size is reported too
              assertThat(e.problems())
                  .extracting(Problem::path)
                  .containsExactly("memoryPol", "batchSize");
              assertThat(e.problems().get(0).message()).contains("did you mean 'memoryPool'?");
            });
    assertThat(
            BundleReader.readProfile(q("{'batchSize': 1024, 'memoryPool': 'fair'}"), "rt.json")
                .batchSize())
        .isEqualTo(1024);
  }

  @Test
  void readingAMissingFileSaysSo() {
    assertThatThrownBy(() -> BundleReader.read(Path.of("/nonexistent/b.json")))
        .isInstanceOfSatisfying(
            RelspecException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessage(
            "Cannot read bundle /nonexistent/b.json: the file does not exist. Check the path.");
  }

  @Test
  void anUnreadableFileSaysWhyAndWhatToCheck(@TempDir Path dir) {
    // a directory where the bundle file should be: Files.readString fails with an IOException
    assertThatThrownBy(() -> BundleReader.read(dir))
        .isInstanceOfSatisfying(
            RelspecException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageStartingWith("Cannot read bundle " + dir + ": ")
        .hasMessageEndingWith(". Check that the file is readable.");
  }

  @Test
  void aFileThatIsNotUtf8SaysSo(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("latin1.json");
    java.nio.file.Files.write(file, new byte[] {'{', '"', (byte) 0xE9, '"', '}'});
    assertThatThrownBy(() -> BundleReader.read(file))
        .isInstanceOfSatisfying(
            RelspecException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DOCUMENT))
        .hasMessage(
            "Cannot read bundle " + file + ": it is not UTF-8 text. Save it as UTF-8 JSON.");
  }

  @Test
  void fileLargerThan256MegabytesIsAResourceError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("huge.json");
    try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
      sparse.setLength(BundleReader.MAX_DOCUMENT_BYTES + 1);
    }

    assertThatThrownBy(() -> BundleReader.read(file))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES))
        .hasMessage(
            "Cannot read bundle "
                + file
                + ": it has 268435457 bytes, more than the limit of 268435456. Split it into"
                + " several bundles.");
  }

  @Test
  void problemsRenderAsFilePathMessage() {
    List<Problem> problems = failure(bundleWithOps(q("{'op': 'limit', 'n': -1}"))).problems();

    assertThat(problems.get(0).render())
        .isEqualTo(SOURCE + ": rules[0].ops[1].n: expected a row count >= 0, found -1");
  }
}
