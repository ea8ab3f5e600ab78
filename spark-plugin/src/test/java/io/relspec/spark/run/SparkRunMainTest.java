package io.relspec.spark.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.spark.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: arguments, exit codes, messages. */
class SparkRunMainTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    SparkTestSession.spark();
    return SparkRunMain.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void missingArgumentsAreAUserError() {
    assertThat(run("bundle.json", "--data", "d")).isEqualTo(2);
    assertThat(err()).startsWith("relspec: Cannot run: BUNDLE, --data and --out are required.");
  }

  @Test
  void malformedParamIsAUserError() {
    assertThat(run("b.json", "--data", "d", "--out", "o", "--param", "oops")).isEqualTo(2);
    assertThat(err()).contains("Cannot parse --param 'oops': expected name=value.");
  }

  @Test
  void invalidBundleIsAUserErrorAndWritesNothing() throws IOException {
    Path bundle = dir.resolve("bad.json");
    Files.writeString(
        bundle,
        "{\"relspec\": 1, \"name\": \"bad\", \"rules\": [{\"name\": \"r\", \"output\": \"o\","
            + " \"contract\": \"nope\", \"ops\": [{\"op\": \"scan\", \"dataset\": \"missing\"}]}]}");
    Path outDir = dir.resolve("out");
    assertThat(run(bundle.toString(), "--data", dir.toString(), "--out", outDir.toString()))
        .isEqualTo(2);
    assertThat(err()).contains("bad.json").contains("missing").contains("nope");
    assertThat(outDir).doesNotExist();
  }

  @Test
  void missingInputDataIsAUserError() {
    Path outDir = dir.resolve("out");
    assertThat(
            run(
                Path.of("..", "examples", "cpg.json").toString(),
                "--data",
                dir.resolve("nothing-here").toString(),
                "--out",
                outDir.toString()))
        .isEqualTo(2);
    assertThat(err())
        .contains("Cannot read dataset '")
        .contains("does not exist. Check --data and the dataset's location.");
    assertThat(outDir.resolve("symbol_links")).doesNotExist();
    assertThat(outDir.resolve("_manifest.json")).doesNotExist();
  }

  @Test
  void remoteOutOrDataIsAUserErrorAndWritesNothing() {
    String cpg = Path.of("..", "examples", "cpg.json").toString();
    String exampleData = Path.of("..", "examples", "data").toString();
    assertThat(run(cpg, "--data", exampleData, "--out", "s3a://bucket/out")).isEqualTo(2);
    assertThat(err())
        .contains(
            "relspec: Cannot write outputs to 's3a://bucket/out': relspec commits each output"
                + " dataset atomically by a local rename, which needs a local filesystem path."
                + " Write to a local or mounted path and copy the committed datasets.")
        .doesNotContain("\tat ");
    // Without the check the run wrote to the relative local path s3a:/bucket/out.
    assertThat(Path.of("s3a:")).doesNotExist();
    Path outDir = dir.resolve("out");
    assertThat(run(cpg, "--data", "hdfs://nn/data", "--out", outDir.toString())).isEqualTo(2);
    assertThat(err()).contains("relspec: Cannot read datasets from 'hdfs://nn/data': ");
    assertThat(outDir).doesNotExist();
  }

  @Test
  void delegationConfWithoutTheDelegationModuleIsAUserErrorAndWritesNothing() {
    // spark-plugin's tests do not have spark-delegation on the classpath: no provider is found.
    String cpg = Path.of("..", "examples", "cpg.json").toString();
    String exampleData = Path.of("..", "examples", "data").toString();
    Path outDir = dir.resolve("out");
    var spark = SparkTestSession.spark();
    spark.conf().set(RuleDelegateProvider.CONF, "all");
    try {
      assertThat(run(cpg, "--data", exampleData, "--out", outDir.toString())).isEqualTo(2);
    } finally {
      spark.conf().unset(RuleDelegateProvider.CONF);
    }
    assertThat(err())
        .contains(
            "relspec: Cannot delegate ops to DataFusion (spark.relspec.delegate=all): no"
                + " io.relspec.spark.run.RuleDelegateProvider is on the classpath; per-partition"
                + " delegation lives in module io.relspec:spark-delegation. Add its jar")
        .doesNotContain("\tat ");
    assertThat(outDir).doesNotExist();
    // none (or unset) needs no provider
    spark.conf().set(RuleDelegateProvider.CONF, "none");
    try {
      assertThat(
              RuleDelegateProvider.fromSession(spark, io.relspec.ir.runtime.RuntimeProfile.DEFAULT))
          .isSameAs(RuleDelegate.NONE);
    } finally {
      spark.conf().unset(RuleDelegateProvider.CONF);
    }
    assertThat(RuleDelegateProvider.requested("rule_a,rule_b")).isTrue();
    assertThat(RuleDelegateProvider.requested(" false ")).isFalse();
  }
}
