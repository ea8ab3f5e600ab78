package io.relspec.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relspec.ir.validate.BundleValidator;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real spark-submit (SparkSubmit's main from the Maven jars, no Spark distribution) of the shaded
 * plugin jar with the extensions, plugin and Kryo registrator configured. The child JVM's classpath
 * has Spark but none of relspec's classes: they come only from the jar given to --jars.
 */
class SparkSubmitIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SHADED =
      ROOT.resolve("spark-plugin/target/relspec-spark-plugin-0.1.0-SNAPSHOT-shaded.jar");

  @TempDir Path tmp;

  @Test
  void sparkSubmitRunsTheExampleWithEveryPluginSurface() throws IOException, InterruptedException {
    assertThat(SHADED).as("the shaded jar (built in the package phase)").exists();
    List<String> classpath = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.contains("relspec") && !entry.contains("junit") && !entry.contains("assertj")) {
        classpath.add(entry);
      }
    }
    Path out = tmp.resolve("out");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    command.addAll(Files.readAllLines(ROOT.resolve("scripts/jvm-options")));
    command.add("-Djava.io.tmpdir=" + tmp);
    command.addAll(List.of("-cp", String.join(File.pathSeparator, classpath)));
    command.add("org.apache.spark.deploy.SparkSubmit");
    command.addAll(
        Arrays.asList(
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.driver.host=127.0.0.1",
            "--conf",
            "spark.driver.bindAddress=127.0.0.1",
            "--conf",
            "spark.sql.shuffle.partitions=2",
            "--conf",
            "spark.sql.extensions=io.relspec.spark.sql.RelspecExtensions",
            "--conf",
            "spark.plugins=io.relspec.spark.plugin.RelspecSparkPlugin",
            "--conf",
            "spark.relspec.bundle=" + ROOT.resolve("examples/cpg.json"),
            "--conf",
            "spark.serializer=org.apache.spark.serializer.KryoSerializer",
            "--conf",
            "spark.kryo.registrator=io.relspec.spark.kryo.RelspecKryoRegistrator",
            "--class",
            "io.relspec.spark.run.SparkRunMain",
            "--jars",
            SHADED.toString(),
            SHADED.toString(),
            ROOT.resolve("examples/cpg.json").toString(),
            "--data",
            ROOT.resolve("examples/data").toString(),
            "--out",
            out.toString()));
    Path log = tmp.resolve("spark-submit.log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean finished = process.waitFor(10, TimeUnit.MINUTES);
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("relspec: done: 2 output(s) of bundle cpg_relations");

    JsonNode manifest = new ObjectMapper().readTree(out.resolve("_manifest.json").toFile());
    assertThat(manifest.get("bundleSignature").asText())
        .isEqualTo(BundleValidator.validate(ROOT.resolve("examples/cpg.json")).signature());
    JsonNode links = manifest.get("outputs").get(0);
    assertThat(links.get("name").asText()).isEqualTo("symbol_links");
    assertThat(links.get("rowsIn").asLong())
        .isEqualTo(
            links.get("rowsOut").asLong()
                + links.get("quarantined").asLong()
                + links.get("deduplicated").asLong());
    assertThat(out.resolve("symbol_links")).isDirectory();
    assertThat(out.resolve("symbol_links__errors")).isDirectory();
    assertThat(out.resolve("file_link_counts")).isDirectory();
  }
}
