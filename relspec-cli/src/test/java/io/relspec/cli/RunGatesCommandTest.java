package io.relspec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.reference.run.GateRuns;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relspec run} applies the diagnostics gates on a real local Spark session: a contract error
 * stops its rule, its output and every rule downstream; the manifest and OUT/_diagnostics say why.
 * The bundle and the assertions are {@link GateRuns}', shared with spark-plugin's {@code
 * SparkRunMainGatesTest}.
 */
class RunGatesCommandTest {
  @TempDir Path tmp;

  private static RelspecCommandTest.Result run(Path bundle, Path out, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "run",
                bundle.toString(),
                "--data",
                GateRuns.DATA.toString(),
                "--out",
                out.toString(),
                "--master",
                "local[2]"));
    args.addAll(List.of(extra));
    return RelspecCommandTest.run(args.toArray(String[]::new));
  }

  @Test
  void skipDownstreamWritesTheUnaffectedOutputsAndListsTheSkippedRules() throws IOException {
    Path out = tmp.resolve("out");
    RelspecCommandTest.Result result = run(GateRuns.brokenCpg(tmp, true), out);
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("1 output(s), 3 rule(s) skipped");
    GateRuns.assertSkippedDownstream(out);
  }

  @Test
  void failAllWritesNothingAndExitsTwo() throws IOException {
    Path out = tmp.resolve("out");
    RelspecCommandTest.Result result =
        run(GateRuns.brokenCpg(tmp, true), out, "--policy", "fail-all");
    assertThat(result.exit()).isEqualTo(2);
    GateRuns.assertFailedAll(result.err(), out);
  }

  @Test
  void warnOnlyRunsEveryRule() throws IOException {
    Path out = tmp.resolve("out");
    RelspecCommandTest.Result result =
        run(GateRuns.brokenCpg(tmp, true), out, "--gate-policy", "warn-only");
    assertThat(result.exit()).as(result.err()).isZero();
    GateRuns.assertRanEveryRule(out);
  }

  @Test
  void anUnknownPolicyIsAnArgumentError() throws IOException {
    Path out = tmp.resolve("out");
    RelspecCommandTest.Result result =
        run(GateRuns.brokenCpg(tmp, true), out, "--policy", "ignore");
    assertThat(result.exit()).isEqualTo(2);
    GateRuns.assertUnknownPolicy(result.err(), out);
  }
}
