package io.relspec.spark.delegation;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.run.RunManifest;
import io.relspec.spark.run.RuleDelegateProvider;
import io.relspec.spark.run.SparkRunMain;
import io.relspec.spark.run.SparkRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit job ({@link SparkRunMain}, which cannot depend on this module) delegates the
 * rules named by {@code spark.relspec.delegate} through this module's {@link RuleDelegateProvider},
 * found by {@link java.util.ServiceLoader}.
 */
class SparkRunMainDelegationTest {
  static SparkSession spark;
  @TempDir Path tmp;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeAll
  static void start() {
    spark = SparkRunner.localSession("local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private int run(String delegate, Path outDir) {
    spark.conf().set(RuleDelegateProvider.CONF, delegate);
    try {
      return SparkRunMain.run(
          new String[] {
            DelegationParityTest.EXAMPLES.resolve("cpg.json").toString(),
            "--data",
            DelegationParityTest.DATA.toString(),
            "--out",
            outDir.toString()
          },
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
    } finally {
      spark.conf().unset(RuleDelegateProvider.CONF);
    }
  }

  @Test
  void theConfDelegatesTheNamedRulesThroughTheProvider() throws IOException {
    Path outDir = tmp.resolve("out");
    assertThat(run("ref_symbols", outDir)).as(err.toString(StandardCharsets.UTF_8)).isZero();
    RunManifest manifest = RunManifest.read(outDir.resolve(RunManifest.FILE_NAME));
    assertThat(manifest.engine()).isEqualTo("spark");
    assertThat(manifest.versions()).containsKey("delegation");
    for (RunManifest.OutputReport output : manifest.outputs()) {
      for (RunManifest.RuleReport rule : output.rules()) {
        if (rule.name().equals("ref_symbols")) {
          assertThat(rule.execution())
              .anySatisfy(
                  e -> {
                    assertThat(e.op()).isEqualTo("delegate");
                    assertThat(e.reason()).contains("co-partitioned by on keys [path=path]");
                  })
              .anySatisfy(
                  e -> {
                    assertThat(e.op()).isEqualTo("interval_align");
                    assertThat(e.lane()).isEqualTo(PartitionDelegate.FALLBACK_LANE);
                  });
        } else {
          assertThat(rule.execution()).as(rule.name()).isEmpty();
        }
      }
    }
  }

  @Test
  void anUnknownRuleInTheConfIsAUserErrorAndWritesNothing() {
    Path outDir = tmp.resolve("out");
    assertThat(run("no_such_rule", outDir)).isEqualTo(SparkRunMain.EXIT_USER_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("relspec: Cannot delegate rules [no_such_rule] to DataFusion");
    assertThat(outDir.resolve(RunManifest.FILE_NAME)).doesNotExist();
  }
}
