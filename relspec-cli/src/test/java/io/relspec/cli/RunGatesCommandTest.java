package io.relspec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.run.RunManifest;
import io.relspec.spark.run.SparkRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relspec run} applies the diagnostics gates on a real local Spark session: a contract error
 * stops its rule, its output and every rule downstream; the manifest and OUT/_diagnostics say why.
 */
class RunGatesCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path DATA = Path.of("..", "examples", "data");
  private static SparkSession spark;

  @TempDir Path tmp;

  @BeforeAll
  static void session() {
    spark = SparkRunner.localSession("local[2]");
  }

  /**
   * cpg where contract symbol_links_v1 also keys on 'owner', which no rule produces
   * (key_not_produced for ref_symbols and call_symbols; file_link_counts reads symbol_links), plus
   * an independent rule file_names.
   */
  private Path brokenCpg() throws IOException {
    ObjectNode tree =
        (ObjectNode) JSON.readTree(Files.readString(Path.of("..", "examples", "cpg.json")));
    for (var contract : tree.get("contracts")) {
      if (contract.get("name").asText().equals("symbol_links_v1")) {
        ((ArrayNode) contract.get("columns"))
            .add(JSON.readTree("{\"name\": \"owner\", \"type\": \"string\"}"));
        ((ArrayNode) contract.get("keyFields")).add("owner");
      }
    }
    tree.withArray("rules")
        .add(
            JSON.readTree(
                "{\"name\": \"file_names\", \"output\": \"file_names\", \"contract\":"
                    + " \"file_names_v1\", \"ops\": [{\"op\": \"scan\", \"dataset\": \"files\","
                    + " \"columns\": [\"path\"]}]}"));
    tree.withArray("contracts")
        .add(
            JSON.readTree(
                "{\"name\": \"file_names_v1\", \"version\": 1, \"columns\": [{\"name\": \"path\","
                    + " \"type\": \"string\"}], \"keyFields\": [\"path\"]}"));
    Path file = tmp.resolve("cpg-broken.json");
    Files.writeString(file, tree.toString());
    return file;
  }

  private static RelspecCommandTest.Result run(Path bundle, Path out, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "run",
                bundle.toString(),
                "--data",
                DATA.toString(),
                "--out",
                out.toString(),
                "--master",
                "local[2]"));
    args.addAll(List.of(extra));
    return RelspecCommandTest.run(args.toArray(String[]::new));
  }

  private static List<String> entries(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void skipDownstreamWritesTheUnaffectedOutputsAndListsTheSkippedRules() throws IOException {
    Path out = tmp.resolve("out");
    RelspecCommandTest.Result result = run(brokenCpg(), out);
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("1 output(s), 3 rule(s) skipped");
    assertThat(entries(out)).containsExactly("_diagnostics", "_manifest.json", "file_names");

    long expected =
        spark
            .read()
            .parquet(DATA.resolve("cpg/files").toString())
            .select("path")
            .distinct()
            .count();
    assertThat(spark.read().parquet(out.resolve("file_names").toString()).count())
        .isEqualTo(expected)
        .isPositive();

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

    List<Map<String, String>> diagnostics =
        ParquetRows.read(out.resolve("_diagnostics").resolve("part-0.parquet"));
    assertThat(diagnostics)
        .filteredOn(d -> d.get("code").equals("key_not_produced"))
        .extracting(d -> d.get("rule") + " " + d.get("severity") + " " + d.get("gate"))
        .containsExactly("ref_symbols error blocked", "call_symbols error blocked");
    assertThat(diagnostics).allSatisfy(d -> assertThat(d.get("plan_signature")).hasSize(64));
    // The key of a rule that ran is its plan signature in the manifest.
    String fileNamesSignature = manifest.outputs().get(0).rules().get(0).planSignature();
    assertThat(diagnostics)
        .filteredOn(d -> "file_names".equals(d.get("rule")))
        .allSatisfy(d -> assertThat(d.get("plan_signature")).isEqualTo(fileNamesSignature));
  }

  @Test
  void failAllWritesNothingAndExitsTwo() throws IOException {
    Path out = tmp.resolve("out");
    RelspecCommandTest.Result result = run(brokenCpg(), out, "--policy", "fail-all");
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .contains("Cannot run bundle")
        .contains("policy fail-all and 2 error(s); nothing was written.")
        .contains("ref_symbols: key_not_produced at rules[0]")
        .contains("or run with --policy skip-downstream.");
    assertThat(out).doesNotExist();
  }

  @Test
  void warnOnlyRunsEveryRule() throws IOException {
    Path out = tmp.resolve("out");
    RelspecCommandTest.Result result = run(brokenCpg(), out, "--gate-policy", "warn-only");
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(entries(out))
        .contains("file_names", "symbol_links", "file_link_counts", "_diagnostics");
    RunManifest manifest = RunManifest.read(out.resolve(RunManifest.FILE_NAME));
    assertThat(manifest.skipped()).isEmpty();
    assertThat(manifest.outputs()).hasSize(3);
    assertThat(manifest.outputs().stream().filter(o -> o.name().equals("symbol_links")))
        .allSatisfy(o -> assertThat(o.rowsIn()).isPositive());
  }

  @Test
  void anUnknownPolicyIsAnArgumentError() throws IOException {
    Path out = tmp.resolve("out");
    RelspecCommandTest.Result result = run(brokenCpg(), out, "--policy", "ignore");
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("Cannot use gate policy 'ignore': unknown policy");
    assertThat(out).doesNotExist();
  }
}
