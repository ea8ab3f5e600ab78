package io.relspec.ir.signature;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.json.BundleWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The worked example of {@code docs/format.md}, section 10, is what the code computes. */
class FormatDocTest {
  private static String doc() throws Exception {
    Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    return Files.readString(
        module.resolve("../docs/format.md").normalize(), StandardCharsets.UTF_8);
  }

  @Test
  void workedExampleShowsTheComputedTextsAndSignatures() throws Exception {
    String doc = doc();
    Bundle bundle = SignatureVectorsTest.vector("worked_example");
    RuleDefinition rule = bundle.rules().get(0);
    BundleSignatures sigs = BundleSignatures.of(bundle);
    ObjectNode contract = JsonNodeFactory.instance.objectNode();
    contract.put("kind", Signatures.CONTRACT_KIND);
    contract.set("contract", BundleWriter.contract(bundle.contracts().get(0)));
    String bundleText =
        "{\"datasets\":[[\"people\",\""
            + sigs.datasets().get("people")
            + "\"]],\"kind\":\"relspec.bundle/1\",\"rules\":[[\"adults\",\""
            + sigs.rule("adults").rule()
            + "\"]]}";

    assertThat(doc)
        .contains("```json\n" + BundleWriter.toPrettyJson(BundleWriter.bundle(bundle)) + "```");
    assertThat(doc)
        .contains("```\n" + CanonicalJson.write(Signatures.planDocument(rule.ops())) + "\n```")
        .contains("`" + sigs.rule("adults").plan() + "`")
        .contains("```\n" + CanonicalJson.write(contract) + "\n```")
        .contains("`" + sigs.contracts().get("adults_v1") + "`")
        .contains("`" + sigs.rule("adults").rule() + "`")
        .contains(
            "```\n" + CanonicalJson.write(BundleWriter.dataset(bundle.datasets().get(0))) + "\n```")
        .contains("`" + sigs.datasets().get("people") + "`")
        .contains("```\n" + bundleText + "\n```")
        .contains("`" + sigs.bundle() + "`")
        .contains("```\n" + sigs.verifierText() + "```");
    assertThat(Signatures.sha256(bundleText)).isEqualTo(sigs.bundle());
  }

  @Test
  void workedExampleRuleDocumentIsTheOneSigned() throws Exception {
    Bundle bundle = SignatureVectorsTest.vector("worked_example");
    BundleSignatures sigs = BundleSignatures.of(bundle);
    String ruleText =
        "{\"contract\":\""
            + sigs.contracts().get("adults_v1")
            + "\",\"kind\":\"relspec.rule/1\",\"name\":\"adults\",\"output\":\"adults\","
            + "\"params\":{},\"plan\":\""
            + sigs.rule("adults").plan()
            + "\",\"priority\":100}";

    assertThat(Signatures.sha256(ruleText)).isEqualTo(sigs.rule("adults").rule());
    assertThat(doc()).contains("```\n" + ruleText + "\n```");
  }
}
