package io.relspec.spark.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.run.RunManifest;
import io.relspec.spark.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit main applies the diagnostics gates exactly as {@code relspec run} does (the
 * relspec-cli RunGatesCommandTest): a contract error stops its rule, its output and every rule
 * downstream; the manifest and OUT/_diagnostics say why; fail-all and "nothing can run" exit 2 and
 * write nothing.
 */
class SparkRunMainGatesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final Path DATA = EXAMPLES.resolve("data");

  @TempDir Path tmp;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /**
   * cpg where contract symbol_links_v1 also keys on 'owner', which no rule produces
   * (key_not_produced for ref_symbols and call_symbols; file_link_counts reads symbol_links), plus,
   * with {@code independentRule}, a rule file_names that the error does not touch.
   */
  private Path brokenCpg(boolean independentRule) throws IOException {
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
    Path file = tmp.resolve("cpg-broken.json");
    Files.writeString(file, tree.toString());
    return file;
  }

  private int run(Path bundle, Path outDir, String... extra) {
    SparkTestSession.spark();
    List<String> args =
        new ArrayList<>(
            List.of(bundle.toString(), "--data", DATA.toString(), "--out", outDir.toString()));
    args.addAll(List.of(extra));
    return SparkRunMain.run(
        args.toArray(String[]::new),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static List<String> entries(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void skipDownstreamWritesTheUnaffectedOutputsAndListsTheSkippedRules() throws IOException {
    Path outDir = tmp.resolve("out");
    assertThat(run(brokenCpg(true), outDir)).as(err()).isZero();
    assertThat(out())
        .contains("relspec: skipped rule ref_symbols (output symbol_links): key_not_produced")
        .contains("1 output(s), 3 rule(s) skipped");
    assertThat(entries(outDir)).containsExactly("_diagnostics", "_manifest.json", "file_names");

    SparkSession spark = SparkTestSession.spark();
    long expected =
        spark
            .read()
            .parquet(DATA.resolve("cpg/files").toString())
            .select("path")
            .distinct()
            .count();
    assertThat(spark.read().parquet(outDir.resolve("file_names").toString()).count())
        .isEqualTo(expected)
        .isPositive();

    RunManifest manifest = RunManifest.read(outDir.resolve(RunManifest.FILE_NAME));
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

    Path diagnostics = outDir.resolve(DiagnosticsDataset.RUN_DIR).resolve(DiagnosticsDataset.FILE);
    List<String> blocked = new ArrayList<>();
    for (Row row :
        spark
            .read()
            .parquet(diagnostics.toString())
            .where("code = 'key_not_produced'")
            .select("rule", "severity", "gate", "plan_signature")
            .orderBy("rule")
            .collectAsList()) {
      blocked.add(row.getString(0) + " " + row.getString(1) + " " + row.getString(2));
      assertThat(row.getString(3)).hasSize(64);
    }
    assertThat(blocked).containsExactly("call_symbols error blocked", "ref_symbols error blocked");
  }

  @Test
  void failAllWritesNothingAndExitsTwo() throws IOException {
    Path outDir = tmp.resolve("out");
    assertThat(run(brokenCpg(true), outDir, "--policy", "fail-all")).isEqualTo(2);
    assertThat(err())
        .contains("Cannot run bundle")
        .contains("policy fail-all and 2 error(s); nothing was written.")
        .contains("ref_symbols: key_not_produced at rules[0]")
        .contains("or run with --policy skip-downstream.");
    assertThat(outDir).doesNotExist();
  }

  @Test
  void nothingRunnableWritesNothingAndExitsTwo() throws IOException {
    Path outDir = tmp.resolve("out");
    assertThat(run(brokenCpg(false), outDir)).isEqualTo(2);
    assertThat(err())
        .contains("every rule is stopped by error diagnostics; nothing was written.")
        .contains("call_symbols: key_not_produced");
    assertThat(outDir).doesNotExist();
  }

  @Test
  void warnOnlyRunsEveryRule() throws IOException {
    Path outDir = tmp.resolve("out");
    assertThat(run(brokenCpg(true), outDir, "--policy", "warn-only")).as(err()).isZero();
    assertThat(entries(outDir))
        .contains("file_names", "symbol_links", "file_link_counts", "_diagnostics");
    RunManifest manifest = RunManifest.read(outDir.resolve(RunManifest.FILE_NAME));
    assertThat(manifest.skipped()).isEmpty();
    assertThat(manifest.outputs()).hasSize(3);
  }

  @Test
  void anUnknownPolicyIsAnArgumentError() throws IOException {
    Path outDir = tmp.resolve("out");
    assertThat(run(brokenCpg(true), outDir, "--policy", "ignore")).isEqualTo(2);
    assertThat(err()).contains("Cannot use gate policy 'ignore': unknown policy");
    assertThat(outDir).doesNotExist();
  }
}
