package io.relspec.reference.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.run.RunManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The diagnostics-gate runs both entry points test the same way ({@code relspec run} in relspec-cli
 * {@code RunGatesCommandTest}, the spark-submit main in spark-plugin {@code
 * SparkRunMainGatesTest}): the broken cpg bundle and what each gate policy must leave in {@code
 * OUT}.
 */
public final class GateRuns {
  private GateRuns() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  public static final Path EXAMPLES = Path.of("..", "examples");
  public static final Path DATA = EXAMPLES.resolve("data");

  /**
   * cpg where contract symbol_links_v1 also keys on 'owner', which no rule produces
   * (key_not_produced for ref_symbols and call_symbols; file_link_counts reads symbol_links), plus,
   * with {@code independentRule}, a rule file_names that the error does not touch; written to
   * {@code dir/cpg-broken.json}.
   */
  public static Path brokenCpg(Path dir, boolean independentRule) throws IOException {
    ObjectNode tree = (ObjectNode) JSON.readTree(Files.readString(EXAMPLES.resolve("cpg.json")));
    for (var contract : tree.get("contracts")) {
      if (contract.get("name").asText().equals("symbol_links_v1")) {
        ((ArrayNode) contract.get("columns"))
            .add(JSON.readTree("{\"name\": \"owner\", \"type\": \"string\"}"));
        ((ArrayNode) contract.get("keyFields")).add("owner");
      }
    }
    if (independentRule) {
      tree.withArray("rules")
          .add(
              JSON.readTree(
                  "{\"name\": \"file_names\", \"output\": \"file_names\", \"contract\":"
                      + " \"file_names_v1\", \"ops\": [{\"op\": \"scan\", \"dataset\": \"files\","
                      + " \"columns\": [\"path\"]}]}"));
      tree.withArray("contracts")
          .add(
              JSON.readTree(
                  "{\"name\": \"file_names_v1\", \"version\": 1, \"columns\": [{\"name\":"
                      + " \"path\", \"type\": \"string\"}], \"keyFields\": [\"path\"]}"));
    }
    Path file = dir.resolve("cpg-broken.json");
    Files.writeString(file, tree.toString());
    return file;
  }

  /** The names under a directory, sorted. */
  public static List<String> entries(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * skip-downstream on {@code brokenCpg(dir, true)}: only file_names is written (every distinct
   * input path once), the manifest lists the three skipped rules with their reasons, and
   * OUT/_diagnostics has the blocking diagnostics, each keyed by a plan signature (file_names's the
   * one in the manifest).
   */
  public static void assertSkippedDownstream(Path out) throws IOException {
    assertThat(entries(out)).containsExactly("_diagnostics", "_manifest.json", "file_names");

    List<Map<String, String>> written = ParquetRows.read(out.resolve("file_names"));
    Set<String> inputPaths = new HashSet<>();
    ParquetRows.read(DATA.resolve("cpg").resolve("files"))
        .forEach(r -> inputPaths.add(r.get("path")));
    assertThat(written).hasSize(inputPaths.size()).isNotEmpty();

    RunManifest manifest = RunManifest.read(out.resolve(RunManifest.FILE_NAME));
    assertThat(manifest.outputs())
        .extracting(RunManifest.OutputReport::name)
        .containsExactly("file_names");
    assertThat(manifest.skipped())
        .extracting(s -> s.rule() + " -> " + s.output())
        .containsExactly(
            "ref_symbols -> symbol_links",
            "call_symbols -> symbol_links",
            "file_link_counts -> file_link_counts");
    assertThat(manifest.skipped().get(0).reason())
        .startsWith("key_not_produced: rule 'ref_symbols' does not produce key field 'owner'");
    assertThat(manifest.skipped().get(2).reason())
        .startsWith("upstream rule 'ref_symbols' skipped");

    List<Map<String, String>> diagnostics = ParquetRows.read(out.resolve("_diagnostics"));
    assertThat(diagnostics)
        .filteredOn(d -> "key_not_produced".equals(d.get("code")))
        .extracting(d -> d.get("rule") + " " + d.get("severity") + " " + d.get("gate"))
        .containsExactlyInAnyOrder("ref_symbols error blocked", "call_symbols error blocked");
    assertThat(diagnostics).allSatisfy(d -> assertThat(d.get("plan_signature")).hasSize(64));
    // The key of a rule that ran is its plan signature in the manifest.
    String fileNamesSignature = manifest.outputs().get(0).rules().get(0).planSignature();
    assertThat(diagnostics)
        .filteredOn(d -> "file_names".equals(d.get("rule")))
        .allSatisfy(d -> assertThat(d.get("plan_signature")).isEqualTo(fileNamesSignature));
  }

  /** fail-all: exit 2 with the reasons on stderr and nothing written. */
  public static void assertFailedAll(String err, Path out) {
    assertThat(err)
        .contains("Cannot run bundle")
        .contains("policy fail-all and 2 error(s); nothing was written.")
        .contains("ref_symbols: key_not_produced at rules[0]")
        .contains("or run with --policy skip-downstream.");
    assertThat(out).doesNotExist();
  }

  /** warn-only: every rule ran, none skipped, the blocked output has rows. */
  public static void assertRanEveryRule(Path out) throws IOException {
    assertThat(entries(out))
        .contains("file_names", "symbol_links", "file_link_counts", "_diagnostics");
    RunManifest manifest = RunManifest.read(out.resolve(RunManifest.FILE_NAME));
    assertThat(manifest.skipped()).isEmpty();
    assertThat(manifest.outputs()).hasSize(3);
    assertThat(manifest.outputs().stream().filter(o -> o.name().equals("symbol_links")))
        .singleElement()
        .satisfies(o -> assertThat(o.rowsIn()).isPositive());
  }

  /** An unknown policy: an argument error, nothing written. */
  public static void assertUnknownPolicy(String err, Path out) {
    assertThat(err).contains("Cannot use gate policy 'ignore': unknown policy");
    assertThat(out).doesNotExist();
  }
}
