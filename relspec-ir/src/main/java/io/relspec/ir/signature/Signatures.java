package io.relspec.ir.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.json.BundleWriter;
import io.relspec.ir.op.Op;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The signatures of format v1, section 6: lowercase hex SHA-256 of the RFC 8785 canonical text of
 * the normalized JSON of a plan, contract, rule, dataset or bundle.
 */
public final class Signatures {
  public static final String PLAN_KIND = "relspec.plan/1";
  public static final String CONTRACT_KIND = "relspec.contract/1";
  public static final String RULE_KIND = "relspec.rule/1";
  public static final String BUNDLE_KIND = "relspec.bundle/1";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Signatures() {}

  /** {@code {"kind":"relspec.plan/1","ops": <normalized ops>}}. */
  public static String plan(List<Op> ops) {
    return sha256(planDocument(ops));
  }

  public static ObjectNode planDocument(List<Op> ops) {
    ObjectNode doc = JSON.objectNode();
    doc.put("kind", PLAN_KIND);
    doc.set("ops", BundleWriter.ops(ops));
    return doc;
  }

  /** {@code {"kind":"relspec.contract/1","contract": <normalized contract>}}. */
  public static String contract(ContractSpec contract) {
    ObjectNode doc = JSON.objectNode();
    doc.put("kind", CONTRACT_KIND);
    doc.set("contract", BundleWriter.contract(contract));
    return sha256(doc);
  }

  /** SHA-256 of the dataset's normalized spec. */
  public static String dataset(DatasetSpec dataset) {
    return sha256(BundleWriter.dataset(dataset));
  }

  /**
   * {@code {"kind":"relspec.rule/1","name","output","priority","params","plan","contract"}} with
   * the plan and contract signatures.
   */
  public static String rule(RuleDefinition rule, String planSignature, String contractSignature) {
    ObjectNode doc = JSON.objectNode();
    doc.put("kind", RULE_KIND);
    doc.put("name", rule.name());
    doc.put("output", rule.output());
    doc.put("priority", rule.priority());
    doc.set("params", BundleWriter.bindings(rule.params()));
    doc.put("plan", planSignature);
    doc.put("contract", contractSignature);
    return sha256(doc);
  }

  /**
   * {@code {"kind":"relspec.bundle/1","datasets": [[name, sig], ...],"rules": [[name, sig], ...]}},
   * both lists sorted by name.
   */
  public static String bundle(
      Map<String, String> datasetSignatures, Map<String, String> ruleSignatures) {
    ObjectNode doc = JSON.objectNode();
    doc.put("kind", BUNDLE_KIND);
    doc.set("datasets", pairs(datasetSignatures));
    doc.set("rules", pairs(ruleSignatures));
    return sha256(doc);
  }

  private static ArrayNode pairs(Map<String, String> signatures) {
    ArrayNode array = JSON.arrayNode();
    new TreeMap<>(signatures).forEach((name, sig) -> array.addArray().add(name).add(sig));
    return array;
  }

  /** Lowercase hex SHA-256 of the canonical text of {@code node}. */
  public static String sha256(JsonNode node) {
    return sha256(CanonicalJson.write(node));
  }

  public static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
