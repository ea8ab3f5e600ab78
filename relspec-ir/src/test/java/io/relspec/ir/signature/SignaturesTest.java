package io.relspec.ir.signature;

import static io.relspec.ir.signature.SignaturesTest.Part.BUNDLE;
import static io.relspec.ir.signature.SignaturesTest.Part.CONTRACT;
import static io.relspec.ir.signature.SignaturesTest.Part.DATASETS;
import static io.relspec.ir.signature.SignaturesTest.Part.PLAN;
import static io.relspec.ir.signature.SignaturesTest.Part.RULE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.json.BundleWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Format v1, section 6: whitespace, key order and omitted defaults never change a signature; any
 * change of meaning does, in exactly the signatures that cover it.
 */
class SignaturesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The parts of a bundle that have a signature. */
  enum Part {
    PLAN,
    CONTRACT,
    RULE,
    DATASETS,
    BUNDLE
  }

  /** Single quotes to double quotes. */
  private static String q(String json) {
    return json.replace('\'', '"');
  }

  /** One rule over two datasets, written with as few keys as the format allows. */
  private static final String BASE =
      q(
          "{'relspec': 1, 'name': 'people_report', 'datasets': ["
              + "{'name': 'people', 'format': 'parquet', 'location': 'people', 'schema': ["
              + "{'name': 'id', 'type': 'int64', 'nullable': false},"
              + " {'name': 'name', 'type': 'string'}]},"
              + " {'name': 'orders', 'format': 'csv', 'location': 'orders.csv', 'schema': ["
              + "{'name': 'id', 'type': 'int64'},"
              + " {'name': 'person_id', 'type': 'int64'},"
              + " {'name': 'amount', 'type': 'decimal(12,2)'}]}],"
              + " 'contracts': [{'name': 'report_v1', 'version': 1, 'columns': ["
              + "{'name': 'id', 'type': 'int64', 'nullable': false},"
              + " {'name': 'name', 'type': 'string', 'nullable': true},"
              + " {'name': 'total', 'type': 'decimal(12,2)'}]}],"
              + " 'rules': [{'name': 'report', 'output': 'report', 'contract': 'report_v1',"
              + " 'params': {'min_total': '10.00'},"
              + " 'description': 'People with large orders.', 'tags': ['finance'],"
              + " 'ops': ["
              + "{'op': 'scan', 'dataset': 'people'},"
              + " {'op': 'param', 'name': 'min_total', 'type': 'decimal(12,2)', 'default': '0.00'},"
              + " {'op': 'join', 'type': 'left', 'right': {'ops': ["
              + "{'op': 'scan', 'dataset': 'orders', 'columns': ['person_id', 'amount']}]},"
              + " 'on': [{'left': 'id', 'right': 'person_id'}]},"
              + " {'op': 'filter', 'predicate':"
              + " {'fn': 'ge', 'args': [{'col': 'amount'}, {'param': 'min_total'}]}},"
              + " {'op': 'derive', 'name': 'flag', 'expr':"
              + " {'fn': 'eq', 'args': [{'col': 'name'}, {'lit': 'x', 'type': 'string'}]}},"
              + " {'op': 'derive', 'name': 'bonus', 'expr':"
              + " {'fn': 'add', 'args': [{'col': 'id'}, {'lit': 1, 'type': 'int32'}]}},"
              + " {'op': 'sort', 'keys': [{'col': 'name', 'dir': 'asc', 'nulls': 'last'}]},"
              + " {'op': 'project', 'columns':"
              + " ['id', 'name', {'name': 'total', 'expr': {'col': 'amount'}}]},"
              + " {'op': 'limit', 'n': 10}"
              + "]}]}");

  private static BundleSignatures signatures(String json) {
    return BundleSignatures.of(BundleReader.read(json, "signature-test.json"));
  }

  /** {@code BASE} with {@code from} (which must occur exactly once) replaced by {@code to}. */
  private static String variant(String from, String to) {
    String needle = q(from);
    assertThat(BASE.indexOf(needle)).as("BASE contains %s", needle).isNotNegative();
    assertThat(BASE.indexOf(needle, BASE.indexOf(needle) + 1))
        .as("BASE contains %s once", needle)
        .isNegative();
    return BASE.replace(needle, q(to));
  }

  private static Set<Part> changedParts(String json) {
    BundleSignatures base = signatures(BASE);
    BundleSignatures other = signatures(json);
    Set<Part> changed = EnumSet.noneOf(Part.class);
    if (!base.rule("report").plan().equals(other.rule("report").plan())) {
      changed.add(PLAN);
    }
    if (!base.rule("report").contract().equals(other.rule("report").contract())) {
      changed.add(CONTRACT);
    }
    if (!base.rule("report").rule().equals(other.rule("report").rule())) {
      changed.add(RULE);
    }
    if (!base.datasets().equals(other.datasets())) {
      changed.add(DATASETS);
    }
    if (!base.bundle().equals(other.bundle())) {
      changed.add(BUNDLE);
    }
    return changed;
  }

  // ---------------------------------------------------------------- invariance

  @Test
  void signaturesAreLowercaseHexSha256() {
    BundleSignatures sigs = signatures(BASE);

    assertThat(
            List.of(
                sigs.bundle(),
                sigs.rule("report").rule(),
                sigs.rule("report").plan(),
                sigs.rule("report").contract(),
                sigs.datasets().get("people")))
        .allSatisfy(sig -> assertThat(sig).matches("[0-9a-f]{64}"))
        .doesNotHaveDuplicates();
  }

  @Test
  void whitespaceDoesNotChangeAnySignature() throws Exception {
    String compact = MAPPER.writeValueAsString(MAPPER.readTree(BASE));
    String pretty =
        MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(MAPPER.readTree(BASE));

    assertThat(changedParts(compact)).isEmpty();
    assertThat(changedParts(pretty)).isEmpty();
    assertThat(changedParts("\n\t " + BASE.replace(": ", " :\n\t").replace("{", "{ \r\n") + "\n"))
        .isEmpty();
  }

  @Test
  void keyOrderDoesNotChangeAnySignature() throws Exception {
    JsonNode reversed = reverseKeys(MAPPER.readTree(BASE));
    String text = MAPPER.writeValueAsString(reversed);

    assertThat(text).startsWith("{\"rules\":");
    assertThat(changedParts(text)).isEmpty();
  }

  @Test
  void explicitDefaultsGiveTheSameSignaturesAsOmittedOnes() {
    String explicit =
        q(
            "{'relspec': 1, 'name': 'people_report',"
                + " 'datasets': ["
                + "  {'name': 'people', 'format': 'parquet', 'location': 'people',"
                + "   'schema': [{'name': 'id', 'type': 'int64', 'nullable': false},"
                + "              {'name': 'name', 'type': 'string', 'nullable': true}],"
                + "   'ordering': {'kind': 'unordered', 'keys': []},"
                + "   'scan': {'partitionCols': [], 'fileSortOrder': [], 'parquetPruning': true,"
                + "            'skipMetadata': false, 'fileExtension': '.parquet'}},"
                + "  {'name': 'orders', 'format': 'csv', 'location': 'orders.csv',"
                + "   'schema': [{'name': 'id', 'type': 'int64', 'nullable': true},"
                + "              {'name': 'person_id', 'type': 'int64', 'nullable': true},"
                + "              {'name': 'amount', 'type': 'decimal(12,2)', 'nullable': true}],"
                + "   'ordering': null, 'scan': {'fileExtension': '.csv'}}],"
                + " 'contracts': ["
                + "  {'name': 'report_v1', 'version': 1,"
                + "   'columns': [{'name': 'id', 'type': 'int64', 'nullable': false},"
                + "               {'name': 'name', 'type': 'string', 'nullable': true},"
                + "               {'name': 'total', 'type': 'decimal(12,2)', 'nullable': true}],"
                + "   'keyFields': [], 'requiredNonNull': [], 'dedupe': null, 'canonicalSort': [],"
                + "   'onViolation': 'fail'}],"
                + " 'rules': ["
                + "  {'name': 'report', 'output': 'report', 'contract': 'report_v1', 'priority': 100,"
                + "   'params': {'min_total': '10.00'},"
                + "   'description': 'People with large orders.', 'tags': ['finance'],"
                + "   'ops': ["
                + "    {'op': 'scan', 'dataset': 'people', 'columns': null},"
                + "    {'op': 'param', 'name': 'min_total', 'type': 'decimal(12,2)', 'default': '0.0'},"
                + "    {'op': 'join', 'type': 'left', 'right': {'ops': [{'op': 'scan', 'dataset': 'orders',"
                + "      'columns': ['person_id', 'amount']}]}, 'on': [{'left': 'id', 'right': 'person_id'}],"
                + "      'condition': null, 'rightSuffix': null},"
                + "    {'op': 'filter', 'predicate': {'fn': 'ge', 'args': [{'col': 'amount', 'side': null},"
                + "      {'param': 'min_total'}]}},"
                + "    {'op': 'derive', 'name': 'flag', 'expr': {'fn': 'eq', 'args': [{'col': 'name'},"
                + "      {'lit': 'x', 'type': 'string'}]}},"
                + "    {'op': 'derive', 'name': 'bonus', 'expr': {'fn': 'add', 'args': [{'col': 'id'},"
                + "      {'lit': 1, 'type': 'int32'}]}},"
                + "    {'op': 'sort', 'keys': [{'col': 'name'}]},"
                + "    {'op': 'project', 'columns': [{'name': 'id', 'expr': {'col': 'id'}}, 'name',"
                + "      {'name': 'total', 'expr': {'col': 'amount'}}]},"
                + "    {'op': 'limit', 'n': 10, 'offset': 0}"
                + "   ]}]}");

    assertThat(changedParts(explicit)).isEmpty();
  }

  @Test
  void theNormalizedDocumentHasTheSameSignatures() {
    Bundle bundle = BundleReader.read(BASE, "base.json");
    String normalized = BundleWriter.toPrettyJson(BundleWriter.bundle(bundle));

    assertThat(changedParts(normalized)).isEmpty();
  }

  @Test
  void bareProjectColumnEqualsTheExpandedForm() {
    assertThat(
            changedParts(
                variant(
                    "'columns': ['id', 'name',",
                    "'columns': ['id', {'name': 'name', 'expr': {'col': 'name'}},")))
        .isEmpty();
  }

  @Test
  void bareOnKeyEqualsThePair() {
    String pair =
        "{'op': 'join', 'right': {'ops': [{'op': 'scan', 'dataset': 'orders'}]},"
            + " 'on': [{'left': 'id', 'right': 'id'}]}";
    String bare =
        "{'op': 'join', 'right': {'ops': [{'op': 'scan', 'dataset': 'orders'}]}, 'on': ['id']}";
    String anchor = "{'op': 'limit', 'n': 10}";

    BundleSignatures withPair = signatures(variant(anchor, anchor + ", " + pair));
    BundleSignatures withBare = signatures(variant(anchor, anchor + ", " + bare));

    assertThat(withBare.rule("report")).isEqualTo(withPair.rule("report"));
    assertThat(withBare.bundle()).isEqualTo(withPair.bundle());
  }

  @Test
  void sortKeyWithoutNullsEqualsTheExplicitDefault() {
    assertThat(
            changedParts(
                variant("{'col': 'name', 'dir': 'asc', 'nulls': 'last'}", "{'col': 'name'}")))
        .isEmpty();
    assertThat(
            changedParts(
                variant(
                    "{'col': 'name', 'dir': 'asc', 'nulls': 'last'}",
                    "{'col': 'name', 'dir': 'asc'}")))
        .isEmpty();
    // desc defaults to nulls first
    assertThat(
            signatures(
                variant(
                    "{'col': 'name', 'dir': 'asc', 'nulls': 'last'}",
                    "{'col': 'name', 'dir': 'desc'}")))
        .isEqualTo(
            signatures(
                variant(
                    "{'col': 'name', 'dir': 'asc', 'nulls': 'last'}",
                    "{'col': 'name', 'dir': 'desc', 'nulls': 'first'}")));
  }

  @Test
  void equivalentLiteralSpellingsGiveTheSameSignatures() {
    assertThat(changedParts(variant("'min_total': '10.00'", "'min_total': '10'"))).isEmpty();
    assertThat(changedParts(variant("'min_total': '10.00'", "'min_total': '1.0E+1'"))).isEmpty();
    assertThat(changedParts(variant("{'lit': 1, 'type': 'int32'}", "{'type': 'int32', 'lit': 1}")))
        .isEmpty();
  }

  @Test
  void descriptionAndTagsAreInNoSignature() {
    assertThat(
            changedParts(
                variant("'description': 'People with large orders.'", "'description': 'Changed.'")))
        .isEmpty();
    assertThat(changedParts(variant("'tags': ['finance']", "'tags': ['finance', 'weekly']")))
        .isEmpty();
    assertThat(
            changedParts(
                variant("'description': 'People with large orders.', 'tags': ['finance'],", "")))
        .isEmpty();
  }

  @Test
  void bundleNameAndOrderOfDatasetsAndRulesAreInNoSignature() throws Exception {
    assertThat(changedParts(variant("'name': 'people_report'", "'name': 'renamed'"))).isEmpty();

    ObjectNode root = (ObjectNode) MAPPER.readTree(BASE);
    ArrayNode datasets = (ArrayNode) root.get("datasets");
    root.set(
        "datasets", JsonNodeFactory.instance.arrayNode().add(datasets.get(1)).add(datasets.get(0)));
    assertThat(changedParts(MAPPER.writeValueAsString(root))).isEmpty();
  }

  @Test
  void ruleOrderIsInNoSignature() throws Exception {
    ObjectNode root = (ObjectNode) MAPPER.readTree(BASE);
    ArrayNode rules = (ArrayNode) root.get("rules");
    ObjectNode second = rules.get(0).deepCopy();
    second.put("name", "a_report");
    rules.add(second);
    String twoRules = MAPPER.writeValueAsString(root);
    ArrayNode swapped = JsonNodeFactory.instance.arrayNode().add(rules.get(1)).add(rules.get(0));
    root.set("rules", swapped);
    String swappedRules = MAPPER.writeValueAsString(root);

    assertThat(signatures(swappedRules).bundle()).isEqualTo(signatures(twoRules).bundle());
    assertThat(signatures(twoRules).bundle()).isNotEqualTo(signatures(BASE).bundle());
  }

  // ---------------------------------------------------------------- sensitivity

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // a literal value, a literal type
        "{'lit': 'x', 'type': 'string'} | {'lit': 'y', 'type': 'string'}",
        "{'lit': 1, 'type': 'int32'} | {'lit': 1, 'type': 'int64'}",
        "{'lit': 1, 'type': 'int32'} | {'lit': 2, 'type': 'int32'}",
        // the default of a param is part of the plan
        "'default': '0.00' | 'default': '0.01'",
        // a join type, the join keys, the columns a scan reads
        "'type': 'left', 'right' | 'type': 'inner', 'right'",
        "{'left': 'id', 'right': 'person_id'} | {'left': 'person_id', 'right': 'id'}",
        "'columns': ['person_id', 'amount'] | 'columns': ['amount', 'person_id']",
        "{'op': 'scan', 'dataset': 'people'} | {'op': 'scan', 'dataset': 'people', 'columns': []}",
        // a sort direction, a null order
        "{'col': 'name', 'dir': 'asc', 'nulls': 'last'} | {'col': 'name', 'dir': 'desc', 'nulls': 'last'}",
        "{'col': 'name', 'dir': 'asc', 'nulls': 'last'} | {'col': 'name', 'dir': 'asc', 'nulls': 'first'}",
        // names, functions, limits
        "'name': 'flag' | 'name': 'flag2'",
        "{'fn': 'ge' | {'fn': 'gt'",
        "{'op': 'limit', 'n': 10} | {'op': 'limit', 'n': 11}",
        "{'op': 'limit', 'n': 10} | {'op': 'limit', 'n': 10, 'offset': 1}",
        "{'name': 'total', 'expr': {'col': 'amount'}} | {'name': 'amount', 'expr': {'col': 'amount'}}",
        "{'col': 'amount'}, | {'col': 'amount', 'side': 'left'},",
      })
  void changingAnOpChangesThePlanRuleAndBundleSignatures(String from, String to) {
    assertThat(changedParts(variant(from, to))).containsExactlyInAnyOrder(PLAN, RULE, BUNDLE);
  }

  @Test
  void opOrderChangesThePlanRuleAndBundleSignatures() throws Exception {
    ObjectNode root = (ObjectNode) MAPPER.readTree(BASE);
    ArrayNode ops = (ArrayNode) root.at("/rules/0/ops");
    JsonNode flag = ops.get(4);
    ops.set(4, ops.get(5));
    ops.set(5, flag);

    assertThat(changedParts(MAPPER.writeValueAsString(root)))
        .containsExactlyInAnyOrder(PLAN, RULE, BUNDLE);
  }

  @Test
  void argumentOrderChangesThePlan() {
    assertThat(
            changedParts(
                variant(
                    "[{'col': 'id'}, {'lit': 1, 'type': 'int32'}]",
                    "[{'lit': 1, 'type': 'int32'}, {'col': 'id'}]")))
        .containsExactlyInAnyOrder(PLAN, RULE, BUNDLE);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "'params': {'min_total': '10.00'}, | 'priority': 101, 'params': {'min_total': '10.00'},",
        "'min_total': '10.00' | 'min_total': '11.00'",
        "'params': {'min_total': '10.00'}, | ",
        "'output': 'report' | 'output': 'report_out'",
      })
  void changingRuleFieldsChangesTheRuleAndBundleSignaturesOnly(String from, String to) {
    assertThat(changedParts(variant(from, to == null ? "" : to)))
        .containsExactlyInAnyOrder(RULE, BUNDLE);
  }

  @Test
  void bindingAParamToItsDefaultStillChangesTheRuleSignature() {
    // a binding is what was written, not what it evaluates to: no binding and a binding equal to
    // the default are different rules (a run-time default change would affect only one of them)
    assertThat(changedParts(variant("'min_total': '10.00'", "'min_total': '0.00'")))
        .containsExactlyInAnyOrder(RULE, BUNDLE);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // a contract column nullability, type, name; version; keys; violation handling
        "{'name': 'name', 'type': 'string', 'nullable': true} | {'name': 'name', 'type': 'string', 'nullable': false}",
        "{'name': 'total', 'type': 'decimal(12,2)'} | {'name': 'total', 'type': 'decimal(13,2)'}",
        "'name': 'report_v1', 'version': 1, | 'name': 'report_v1', 'version': 2,",
        "'name': 'report_v1', 'version': 1, | 'name': 'report_v1', 'version': 1, 'keyFields': ['id'],",
        "'name': 'report_v1', 'version': 1, | 'name': 'report_v1', 'version': 1, 'onViolation': 'drop',",
        "'name': 'report_v1', 'version': 1, | 'name': 'report_v1', 'version': 1, 'canonicalSort': [{'col': 'id'}],",
      })
  void changingTheContractChangesTheContractRuleAndBundleSignatures(String from, String to) {
    assertThat(changedParts(variant(from, to))).containsExactlyInAnyOrder(CONTRACT, RULE, BUNDLE);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // a dataset location, format, schema, ordering, scan options
        "'location': 'people' | 'location': 'people_v2'",
        "'format': 'csv' | 'format': 'parquet'",
        "{'name': 'person_id', 'type': 'int64'} | {'name': 'person_id', 'type': 'int32'}",
        "{'name': 'person_id', 'type': 'int64'} | {'name': 'person_id', 'type': 'int64', 'nullable': false}",
        "'location': 'orders.csv', | 'location': 'orders.csv', 'ordering': {'kind': 'implicit', 'keys': [{'col': 'id'}]},",
        "'location': 'orders.csv', | 'location': 'orders.csv', 'scan': {'skipMetadata': true},",
        "'location': 'orders.csv', | 'location': 'orders.csv', 'scan': {'fileExtension': '.csv.gz'},",
      })
  void changingADatasetChangesItsAndTheBundleSignatureOnly(String from, String to) {
    assertThat(changedParts(variant(from, to))).containsExactlyInAnyOrder(DATASETS, BUNDLE);
  }

  @Test
  void renamingTheRuleChangesItsSignatureAndTheBundle() {
    BundleSignatures base = signatures(BASE);
    BundleSignatures renamed =
        signatures(variant("'name': 'report', 'output'", "'name': 'report2', 'output'"));

    assertThat(renamed.rule("report2").plan()).isEqualTo(base.rule("report").plan());
    assertThat(renamed.rule("report2").rule()).isNotEqualTo(base.rule("report").rule());
    assertThat(renamed.bundle()).isNotEqualTo(base.bundle());
  }

  @Test
  void signaturesAreComputedOverTheDocumentsTheSpecDefines() {
    Bundle bundle = BundleReader.read(BASE, "base.json");

    assertThat(CanonicalJson.write(Signatures.planDocument(bundle.rules().get(0).ops())))
        .startsWith(
            "{\"kind\":\"relspec.plan/1\",\"ops\":[{\"columns\":null,\"dataset\":\"people\",\"op\":\"scan\"},");
    assertThat(Signatures.plan(bundle.rules().get(0).ops()))
        .isEqualTo(
            Signatures.sha256(
                CanonicalJson.write(Signatures.planDocument(bundle.rules().get(0).ops()))));
    assertThat(Signatures.bundle(Map.of("b", "2", "a", "1"), Map.of("r", "3")))
        .isEqualTo(
            Signatures.sha256(
                "{\"datasets\":[[\"a\",\"1\"],[\"b\",\"2\"]],\"kind\":\"relspec.bundle/1\","
                    + "\"rules\":[[\"r\",\"3\"]]}"));
    assertThat(Signatures.sha256(""))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  private static JsonNode reverseKeys(JsonNode node) {
    if (node.isObject()) {
      List<String> keys = new ArrayList<>();
      node.fieldNames().forEachRemaining(keys::add);
      Collections.reverse(keys);
      ObjectNode reversed = JsonNodeFactory.instance.objectNode();
      for (String key : keys) {
        reversed.set(key, reverseKeys(node.get(key)));
      }
      return reversed;
    }
    if (node.isArray()) {
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
        array.add(reverseKeys(it.next()));
      }
      return array;
    }
    return node;
  }
}
