package io.relspec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.run.RunManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code relspec run --engine spark --delegate[=RULE,...]} (module spark-delegation). */
class DelegateCommandTest {
  private static final Path CPG = Path.of("..", "examples", "cpg.json");
  private static final Path DATA = Path.of("..", "examples", "data");

  @TempDir Path tmp;

  private RelspecCommandTest.Result run(Path out, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "run",
                CPG.toString(),
                "--data",
                DATA.toString(),
                "--out",
                out.toString(),
                "--master",
                "local[2]"));
    args.addAll(List.of(extra));
    return RelspecCommandTest.run(args.toArray(String[]::new));
  }

  @Test
  void delegatesTheNamedRuleOnly() throws IOException {
    Path out = tmp.resolve("out");
    RelspecCommandTest.Result result = run(out, "--engine", "spark", "--delegate=call_symbols");
    assertThat(result.exit()).as(result.err()).isZero();
    RunManifest manifest = RunManifest.read(out.resolve(RunManifest.FILE_NAME));
    assertThat(manifest.engine()).isEqualTo("spark");
    assertThat(manifest.versions()).containsKey("delegation");
    List<RunManifest.RuleReport> rules =
        manifest.outputs().stream().flatMap(o -> o.rules().stream()).toList();
    RunManifest.RuleReport calls =
        rules.stream().filter(r -> r.name().equals("call_symbols")).findFirst().orElseThrow();
    // explode (ops[1]) is not in Comet 0.12: the bridge runs it on the reference lane in the task;
    // dedupe + project (ops[3..4]) run after Spark repartitions by call_id.
    assertThat(calls.execution())
        .extracting(RunManifest.OpExecution::path, RunManifest.OpExecution::op)
        .contains(
            org.assertj.core.groups.Tuple.tuple("ops[1..1]", "delegate"),
            org.assertj.core.groups.Tuple.tuple("ops[1]", "explode"),
            org.assertj.core.groups.Tuple.tuple("ops[3..4]", "delegate"),
            org.assertj.core.groups.Tuple.tuple("ops[3]", "dedupe"),
            org.assertj.core.groups.Tuple.tuple("ops[4]", "project"));
    assertThat(calls.execution())
        .filteredOn(e -> e.op().equals("explode"))
        .singleElement()
        .satisfies(e -> assertThat(e.lane()).isEqualTo("reference-delegated"));
    assertThat(calls.execution())
        .filteredOn(e -> e.op().equals("delegate"))
        .allSatisfy(e -> assertThat(e.reason()).doesNotContain(" 0 rows in"));
    assertThat(rules)
        .filteredOn(r -> !r.name().equals("call_symbols"))
        .allSatisfy(r -> assertThat(r.execution()).isEmpty());
    assertThat(Files.exists(out.resolve("symbol_links"))).isTrue();
  }

  @Test
  void refusedOnOtherEnginesAndForUnknownRules() {
    RelspecCommandTest.Result other =
        run(tmp.resolve("df"), "--engine", "datafusion", "--delegate");
    assertThat(other.exit()).isEqualTo(2);
    assertThat(other.err())
        .contains("Cannot delegate ops to DataFusion on engine datafusion:")
        .contains("starts no Spark")
        .contains("Use --engine spark or spark-datafusion with --delegate");
    RelspecCommandTest.Result unknown = run(tmp.resolve("unknown"), "--delegate=no_such_rule");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("Cannot delegate rules [no_such_rule] to DataFusion");
    assertThat(Files.exists(tmp.resolve("unknown").resolve(RunManifest.FILE_NAME))).isFalse();
  }
}
