package io.relspec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.reference.ExampleData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real command line in-process on the bundled examples. */
class RelspecCommandTest {
  private static final Path CPG = Path.of("..", "examples", "cpg.json");
  private static final Path ANALYTICS = Path.of("..", "examples", "analytics.json");

  @TempDir Path tmp;

  record Result(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = RelspecCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void validatePrintsOneLineSummary() {
    Result result = run("validate", CPG.toString());
    assertThat(result.exit()).isZero();
    assertThat(result.lines())
        .singleElement()
        .asString()
        .startsWith(
            "ok: bundle cpg_relations ("
                + CPG
                + "): 4 datasets, 2 contracts, 3 rules into 2 outputs; signature ")
        .matches(".*signature [0-9a-f]{64}$");
  }

  @Test
  void signaturePrintsOneLinePerRuleThenTheBundle() {
    Result first = run("signature", ANALYTICS.toString());
    Result second = run("signature", ANALYTICS.toString());
    assertThat(first.exit()).isZero();
    assertThat(first.out()).isEqualTo(second.out());
    List<String> lines = first.lines();
    assertThat(lines).hasSize(5);
    assertThat(lines.subList(0, 4))
        .extracting(line -> line.split(" ")[0])
        .containsExactly("region_revenue", "top_customers", "sku_sales", "dormant_customers");
    assertThat(lines.subList(0, 4))
        .allMatch(line -> line.matches("[a-z_]+ [0-9a-f]{64} plan=[0-9a-f]{64}"));
    assertThat(lines.get(4)).matches("bundle [0-9a-f]{64}");
  }

  @Test
  void normalizedOutputHasTheSameSignaturesAndIsAFixedPoint() throws IOException {
    Result normalized = run("normalize", CPG.toString());
    assertThat(normalized.exit()).isZero();
    Path file = tmp.resolve("normalized.json");
    Files.writeString(file, normalized.out());
    assertThat(run("signature", file.toString()).out())
        .isEqualTo(run("signature", CPG.toString()).out());
    assertThat(run("normalize", file.toString()).out()).isEqualTo(normalized.out());
    assertThat(normalized.out())
        .contains(
            "\"nulls\" : \"last\"", "\"rightSuffix\" : null", "\"fileExtension\" : \".parquet\"");
  }

  @Test
  void anIndependentImplementationComputesTheSameSignaturesFromNormalizeOutput()
      throws IOException, InterruptedException {
    for (Path example : List.of(CPG, ANALYTICS)) {
      Path normalized = tmp.resolve(example.getFileName() + ".normalized.json");
      Files.writeString(normalized, run("normalize", example.toString()).out());
      Process python =
          new ProcessBuilder("python3", "../scripts/verify_signatures.py", normalized.toString())
              .redirectErrorStream(true)
              .start();
      String output =
          new String(
              python.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(python.waitFor()).as(output).isZero();
      assertThat(output).isEqualTo(run("signature", example.toString()).out());
    }
  }

  @Test
  void planShowsSchemaOrderingAndSignaturesInDependencyOrder() {
    Result result = run("plan", CPG.toString());
    assertThat(result.exit()).isZero();
    String out = result.out();
    assertThat(out.indexOf("rule ref_symbols")).isLessThan(out.indexOf("rule call_symbols"));
    assertThat(out.indexOf("rule call_symbols")).isLessThan(out.indexOf("rule file_link_counts"));
    assertThat(out)
        .contains(
            "output symbol_links <- [ref_symbols, call_symbols]",
            "  ordering:  explicit(path asc nulls last, bstart asc nulls last, link_id asc nulls last)",
            "violations: quarantine -> symbol_links__errors");
  }

  @Test
  void planOfOneRuleWithARuntimeParam() {
    Result result =
        run(
            "plan",
            ANALYTICS.toString(),
            "--rule",
            "region_revenue",
            "--param",
            "since=2024-06-01");
    assertThat(result.exit()).isZero();
    assertThat(result.out())
        .contains("params:    since=\"2024-06-01\"")
        .doesNotContain("rule top_customers");
  }

  @Test
  void invalidBundleExitsTwoWithEveryProblem() throws IOException {
    Path bad = tmp.resolve("bad.json");
    Files.writeString(
        bad,
        Files.readString(CPG)
            .replace(
                "\"op\": \"scan\", \"dataset\": \"name_refs\"",
                "\"op\": \"scan\", \"dataset\": \"name_ref\"")
            .replace("\"how\": \"left\"", "\"how\": \"outer\""));
    Result result = run("validate", bad.toString());
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .startsWith("error: Cannot read bundle " + bad + ": 1 problem.")
        .contains(
            bad
                + ": rules[0].ops[1].how: expected one of [inner, left], found the string \"outer\"");

    Files.writeString(
        bad,
        Files.readString(CPG).replace("\"dataset\": \"name_refs\"", "\"dataset\": \"name_ref\""));
    Result invalid = run("validate", bad.toString());
    assertThat(invalid.exit()).isEqualTo(2);
    assertThat(invalid.err())
        .contains("Cannot validate bundle " + bad + ": 1 problem.")
        .contains("rules[0].ops[0].dataset: unknown dataset 'name_ref'")
        .doesNotContain("\tat ");
  }

  @Test
  void runWithABadParamFailsBeforeAnyOutputIsCreated() {
    Path out = tmp.resolve("out");
    Result result =
        run(
            "run",
            ANALYTICS.toString(),
            "--data",
            "../examples/data",
            "--out",
            out.toString(),
            "--param",
            "since=yesterday");
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .contains("--param since: Cannot bind param 'since' of rule 'region_revenue' (date32)");
    assertThat(out).doesNotExist();
    Result noData =
        run(
            "run",
            ANALYTICS.toString(),
            "--data",
            tmp.resolve("nope").toString(),
            "--out",
            out.toString());
    assertThat(noData.exit()).isEqualTo(2);
    assertThat(noData.err()).contains("is not a directory");
    assertThat(out).doesNotExist();
  }

  @Test
  void runOnTheReferenceEngineWritesOutputsAndAManifest() throws IOException {
    Path out = tmp.resolve("out");
    Path profile = tmp.resolve("profile.json");
    Files.writeString(profile, "{\"batchSize\": 16, \"memoryLimitBytes\": 268435456}");
    Result result =
        run(
            "run",
            CPG.toString(),
            "--engine",
            "reference",
            "--data",
            "../examples/data",
            "--out",
            out.toString(),
            "--profile",
            profile.toString());
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("on reference;");
    io.relspec.ir.run.RunManifest manifest =
        io.relspec.ir.run.RunManifest.read(out.resolve("_manifest.json"));
    assertThat(manifest.engine()).isEqualTo("reference");
    assertThat(manifest.runtimeProfile())
        .containsEntry("batchSize", 16)
        .containsEntry("memoryLimitBytes", 268435456);
    assertThat(out.resolve("symbol_links")).isDirectory();
    assertThat(out.resolve("symbol_links__errors")).isDirectory();
    assertThat(out.resolve("file_link_counts")).isDirectory();
  }

  @Test
  void runOnTheReferenceEngineFailsOnACorruptInputWithoutWritingAnything() throws IOException {
    Path data =
        ExampleData.copyWith(
            tmp.resolve("data"),
            "cpg/name_refs",
            dir -> {
              Files.createDirectories(dir);
              Files.writeString(dir.resolve("part-0.parquet"), "not parquet at all");
            });
    Path out = tmp.resolve("out");
    Result result =
        run(
            "run",
            CPG.toString(),
            "--engine",
            "reference",
            "--data",
            data.toString(),
            "--out",
            out.toString());
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .contains("Cannot read dataset 'name_refs' file ", "Check that it is a Parquet file")
        .doesNotContain("\tat ");
    try (var left = Files.list(out)) {
      assertThat(left).as("nothing committed, no staging left").isEmpty();
    }
    Result memory =
        run(
            "run",
            CPG.toString(),
            "--engine",
            "reference",
            "--data",
            "../examples/data",
            "--out",
            out.toString(),
            "--profile",
            writeProfile("{\"memoryLimitBytes\": 50000}"));
    assertThat(memory.exit()).isEqualTo(3);
    assertThat(memory.err()).contains("memory limit of 50000 bytes");
    try (var left = Files.list(out)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void runRefusesUnknownEnginesAndFailOnFallbackWhereItCannotApply() {
    Path out = tmp.resolve("out");
    Result bogus = runCpgExample(out, "--engine", "comet");
    assertThat(bogus.exit()).isEqualTo(2);
    assertThat(bogus.err())
        .contains(
            "Cannot select engine 'comet': expected one of [spark, spark-datafusion, reference,"
                + " datafusion].");
    Result vanilla = runCpgExample(out, "--fail-on-fallback");
    assertThat(vanilla.exit()).isEqualTo(2);
    assertThat(vanilla.err())
        .contains(
            "Cannot apply fail-on-fallback on engine spark: only spark-datafusion runs operators"
                + " natively.");
    Result reference = runCpgExample(out, "--engine", "reference", "--fail-on-fallback");
    assertThat(reference.exit()).isEqualTo(2);
    assertThat(reference.err()).contains("Cannot apply fail-on-fallback on engine reference");
    assertThat(out).doesNotExist();
    assertThat(run("run", "--help").out())
        .contains(
            "--engine=ENGINE",
            "spark, spark-datafusion, reference,",
            "datafusion (default spark)",
            "--fail-on-fallback[=RULE[,RULE...]]");
  }

  @Test
  void runRefusesRemoteOutAndDataBeforeAnythingRuns() throws IOException {
    Result remoteOut =
        run(
            "run",
            CPG.toString(),
            "--engine",
            "reference",
            "--data",
            "../examples/data",
            "--out",
            "hdfs://nn/x");
    assertThat(remoteOut.exit()).isEqualTo(2);
    assertThat(remoteOut.err())
        .contains(
            "Cannot write outputs to 'hdfs://nn/x': relspec commits each output dataset"
                + " atomically by a local rename, which needs a local filesystem path. Write to a"
                + " local or mounted path and copy the committed datasets.")
        .doesNotContain("\tat ");
    // Without the check the run wrote to the relative local path hdfs:/nn/x.
    assertThat(Path.of("hdfs:")).doesNotExist();

    Path out = tmp.resolve("out");
    Result remoteData =
        run(
            "run",
            CPG.toString(),
            "--engine",
            "reference",
            "--data",
            "s3a://bucket/data",
            "--out",
            out.toString());
    assertThat(remoteData.exit()).isEqualTo(2);
    assertThat(remoteData.err()).contains("Cannot read datasets from 's3a://bucket/data': ");
    assertThat(out).doesNotExist();

    Result fileUris =
        run(
            "run",
            CPG.toString(),
            "--engine",
            "reference",
            "--data",
            Path.of("..", "examples", "data").toAbsolutePath().normalize().toUri().toString(),
            "--out",
            "file://" + out.toAbsolutePath());
    assertThat(fileUris.exit()).as(fileUris.err()).isZero();
    assertThat(out.resolve("_manifest.json")).isRegularFile();
    assertThat(out.resolve("symbol_links")).isDirectory();
  }

  /**
   * {@code relspec run examples/cpg.json} on the example data into {@code out}, plus {@code extra}.
   */
  private Result runCpgExample(Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("run", CPG.toString(), "--data", "../examples/data", "--out", out.toString()));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  private String writeProfile(String json) throws IOException {
    Path profile = tmp.resolve("p" + System.nanoTime() + ".json");
    Files.writeString(profile, json);
    return profile.toString();
  }

  @Test
  void capabilitiesListEveryOpForEveryLane() {
    Result result = run("capabilities");
    assertThat(result.exit()).isZero();
    for (String op : io.relspec.ir.op.Op.NAMES) {
      assertThat(result.out()).contains(op);
    }
    assertThat(result.out()).contains("reference", "spark", "datafusion");
  }

  @Test
  void badArgumentsAreUserErrors() {
    assertThat(run("validate", "no/such/file.json").err())
        .isEqualTo(
            "error: Cannot read bundle no/such/file.json: the file does not exist. Check the path.\n");
    assertThat(run("validate", "no/such/file.json").exit()).isEqualTo(2);
    Result badParam = run("validate", ANALYTICS.toString(), "--param", "since");
    assertThat(badParam.exit()).isEqualTo(2);
    assertThat(badParam.err()).contains("Cannot read --param 'since': expected NAME=VALUE");
    Result unknownRule = run("plan", ANALYTICS.toString(), "--rule", "nope");
    assertThat(unknownRule.exit()).isEqualTo(2);
    assertThat(unknownRule.err()).contains("Cannot show rule 'nope'", "Rules: [");
  }
}
