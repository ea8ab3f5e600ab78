package io.relspec.ir.signature;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.json.TestResources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fixed signatures of the bundles under {@code signature-vectors/}: computed once, committed as
 * {@code NAME.expected}, recomputed here. A failure means signatures changed: that breaks every
 * cache key and manifest, so it needs a format version change, not an updated file. The computed
 * text is written to {@code target/signature-vectors/NAME.actual} for inspection.
 */
class SignatureVectorsTest {

  static Bundle vector(String name) {
    String resource = "signature-vectors/" + name + ".json";
    return BundleReader.read(TestResources.text(resource), resource);
  }

  @ParameterizedTest
  @ValueSource(strings = {"minimal", "cpg_relations", "literals", "worked_example"})
  void signaturesMatchTheFixedVectors(String name) throws IOException {
    String actual = BundleSignatures.of(vector(name)).expectedText();
    Path out = Path.of("target", "signature-vectors", name + ".actual");
    Files.createDirectories(out.getParent());
    Files.writeString(out, actual, StandardCharsets.UTF_8);

    String expected = TestResources.text("signature-vectors/" + name + ".expected");

    assertThat(actual).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"minimal", "cpg_relations", "literals", "worked_example"})
  void normalizedDocumentsHaveTheSameSignatures(String name) {
    Bundle bundle = vector(name);
    String normalized =
        io.relspec.ir.json.BundleWriter.toPrettyJson(
            io.relspec.ir.json.BundleWriter.bundle(bundle));

    assertThat(BundleSignatures.of(BundleReader.read(normalized, name + ".normalized.json")))
        .isEqualTo(BundleSignatures.of(bundle));
  }
}
