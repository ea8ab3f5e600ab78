package io.relspec.ir.signature;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.json.BundleWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs {@code scripts/verify_signatures.py}, an independent Python implementation of RFC 8785 and
 * of the signatures, on the normalized test vectors and compares it with the Java computation.
 */
class PythonVerifierTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @TempDir Path dir;

  /** The script, relative to this module's directory. */
  private static Path script() {
    Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    Path script = module.resolve("../scripts/verify_signatures.py").normalize();
    assertThat(script).as("the verifier script").isRegularFile();
    return script;
  }

  /** The result of one run of the script. */
  private record Run(int exitCode, String stdout, String stderr) {}

  private static Run python(String... args) throws IOException, InterruptedException {
    Path err = Files.createTempFile("verify", ".err");
    try {
      List<String> command = new java.util.ArrayList<>(List.of("python3", script().toString()));
      command.addAll(List.of(args));
      Process process =
          new ProcessBuilder(command)
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("python3 finished").isTrue();
      return new Run(process.exitValue(), out, Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  @ParameterizedTest
  @ValueSource(strings = {"minimal", "cpg_relations", "literals", "worked_example"})
  void pythonComputesTheSameSignaturesAsJava(String name) throws Exception {
    Bundle bundle = SignatureVectorsTest.vector(name);
    Path file = write(name + ".json", BundleWriter.toPrettyJson(BundleWriter.bundle(bundle)));

    Run run = python(file.toString());

    assertThat(run.stderr()).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout()).isEqualTo(BundleSignatures.of(bundle).verifierText());
    assertThat(run.stdout().lines().count()).isEqualTo(bundle.rules().size() + 1L);
  }

  @Test
  void pythonCanonicalTextEqualsJavaForTrickyNumbersKeysAndStrings() throws Exception {
    Random random = new Random(20240131);
    ArrayNode numbers = JSON.arrayNode();
    for (int i = 0; i < 5_000; i++) {
      double value = Double.longBitsToDouble(random.nextLong());
      if (!Double.isNaN(value) && !Double.isInfinite(value)) {
        numbers.add(value);
      }
    }
    for (int e = -1074; e <= 1023; e += 7) {
      numbers.add(Math.scalb(1.0, e));
    }
    numbers.add(9007199254740993L).add(-9007199254740993L).add(0).add(-0.0).add(1e21).add(1e-7);
    ObjectNode doc = JSON.objectNode();
    doc.set("numbers", numbers);
    doc.put("\uE000", "private use");
    doc.put("\uD83D\uDE00", "grinning face, sorts before U+E000 in UTF-16");
    doc.put("\u20AC", "euro");
    doc.put("\r", "carriage return");
    doc.put("1", "one");
    doc.put("\u0080", "control");
    doc.put("escapes", "\u0000\u0001\u001f\u007f \" \\ / \b\f\n\r\t \u2028 \uFEFF \uD834\uDD1E");
    Path file = write("tricky.json", new ObjectMapper().writeValueAsString(doc));

    Run run = python("--canonical", file.toString());

    assertThat(run.stderr()).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout()).isEqualTo(CanonicalJson.write(doc) + "\n");
  }

  @Test
  void pythonRejectsABundleThatIsNotNormalized() throws Exception {
    Path file =
        write(
            "raw.json",
            "{\"relspec\": 1, \"name\": \"b\", \"datasets\": [], \"contracts\": [], \"rules\": ["
                + "{\"name\": \"r\", \"output\": \"o\", \"contract\": \"c\", \"ops\": []}]}");

    Run run = python(file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stdout()).isEmpty();
    assertThat(run.stderr())
        .isEqualTo(
            "verify_signatures: Cannot verify rules[0]: it has no 'priority', so it is not a"
                + " normalized bundle. Run `relspec normalize` first\n");
  }

  @Test
  void pythonRejectsDuplicateKeysAndLoneSurrogates() throws Exception {
    Run duplicate = python(write("dup.json", "{\"a\": 1, \"a\": 2}").toString());
    Run surrogate = python("--canonical", write("lone.json", "[\"\\ud800\"]").toString());

    assertThat(duplicate.exitCode()).isEqualTo(1);
    assertThat(duplicate.stderr()).contains("the key 'a' appears twice in one object");
    assertThat(surrogate.exitCode()).isEqualTo(1);
    assertThat(surrogate.stdout()).isEmpty();
    assertThat(surrogate.stderr())
        .isEqualTo(
            "verify_signatures: Cannot encode a string with a lone surrogate '\\ud800':"
                + " RFC 8785 needs Unicode text (I-JSON)\n");
  }
}
