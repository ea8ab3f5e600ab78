package io.relspec.spark.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.reference.run.GateRuns;
import io.relspec.spark.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit main applies the diagnostics gates exactly as {@code relspec run} does (the
 * relspec-cli RunGatesCommandTest; both assert through reference-lane's test-jar {@link GateRuns}):
 * a contract error stops its rule, its output and every rule downstream; the manifest and
 * OUT/_diagnostics say why; fail-all and "nothing can run" exit 2 and write nothing.
 */
class SparkRunMainGatesTest {
  @TempDir Path tmp;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Path bundle, Path outDir, String... extra) {
    SparkTestSession.spark();
    List<String> args =
        new ArrayList<>(
            List.of(
                bundle.toString(), "--data", GateRuns.DATA.toString(), "--out", outDir.toString()));
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

  @Test
  void skipDownstreamWritesTheUnaffectedOutputsAndListsTheSkippedRules() throws IOException {
    Path outDir = tmp.resolve("out");
    assertThat(run(GateRuns.brokenCpg(tmp, true), outDir)).as(err()).isZero();
    assertThat(out())
        .contains("relspec: skipped rule ref_symbols (output symbol_links): key_not_produced")
        .contains("1 output(s), 3 rule(s) skipped");
    assertThat(DiagnosticsDataset.RUN_DIR).isEqualTo("_diagnostics");
    GateRuns.assertSkippedDownstream(outDir);
  }

  @Test
  void failAllWritesNothingAndExitsTwo() throws IOException {
    Path outDir = tmp.resolve("out");
    assertThat(run(GateRuns.brokenCpg(tmp, true), outDir, "--policy", "fail-all")).isEqualTo(2);
    GateRuns.assertFailedAll(err(), outDir);
  }

  @Test
  void nothingRunnableWritesNothingAndExitsTwo() throws IOException {
    Path outDir = tmp.resolve("out");
    assertThat(run(GateRuns.brokenCpg(tmp, false), outDir)).isEqualTo(2);
    assertThat(err())
        .contains("every rule is stopped by error diagnostics; nothing was written.")
        .contains("call_symbols: key_not_produced");
    assertThat(outDir).doesNotExist();
  }

  @Test
  void warnOnlyRunsEveryRule() throws IOException {
    Path outDir = tmp.resolve("out");
    assertThat(run(GateRuns.brokenCpg(tmp, true), outDir, "--policy", "warn-only"))
        .as(err())
        .isZero();
    GateRuns.assertRanEveryRule(outDir);
  }

  @Test
  void anUnknownPolicyIsAnArgumentError() throws IOException {
    Path outDir = tmp.resolve("out");
    assertThat(run(GateRuns.brokenCpg(tmp, true), outDir, "--policy", "ignore")).isEqualTo(2);
    GateRuns.assertUnknownPolicy(err(), outDir);
  }
}
