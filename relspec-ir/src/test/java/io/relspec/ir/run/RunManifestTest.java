package io.relspec.ir.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.runtime.RuntimeProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunManifestTest {
  @TempDir Path dir;

  private static RunManifest manifest(
      List<RunManifest.OpExecution> execution, RunManifest.Acceleration acceleration) {
    RunManifest.RuleReport rule =
        new RunManifest.RuleReport(
            "r1", 0, "p", "s", Map.of("k", "v"), 10, 8, 1, 1, 2.5, execution, acceleration);
    RunManifest.OutputReport output =
        new RunManifest.OutputReport(
            "o", "c", 1, "cs", "[]", "quarantine", 10, 8, 1, 0, 1, 12, List.of(rule), execution);
    return new RunManifest(
        "b",
        "b.json",
        "sig",
        "spark-datafusion",
        Map.of("spark", "3.5.7", "comet", "0.12.0"),
        Map.of(),
        RunManifest.describe(RuntimeProfile.DEFAULT),
        "2026-01-01T00:00:00Z",
        42,
        List.of(output),
        List.of());
  }

  @Test
  void accelerationAndOutputExecutionRoundTrip() throws IOException {
    RunManifest written =
        manifest(
            List.of(
                new RunManifest.OpExecution(
                    "plan/0", "Generate", "fallback", "spark", "Generate is not supported"),
                new RunManifest.OpExecution(
                    "plan/0/0", "CometColumnarToRow", "transition", "datafusion->spark", "x")),
            new RunManifest.Acceleration(3, 1, 1));
    Path file = dir.resolve(RunManifest.FILE_NAME);
    written.write(file);
    RunManifest read = RunManifest.read(file);
    assertThat(read).isEqualTo(written);
    assertThat(read.outputs().get(0).rules().get(0).acceleration().eligible()).isEqualTo(4);
  }

  @Test
  void aManifestWrittenBeforeTheAccelerationFieldsReadsWithNoneAndEmpty() throws IOException {
    Path file = dir.resolve(RunManifest.FILE_NAME);
    manifest(List.of(), RunManifest.Acceleration.NONE).write(file);
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = (ObjectNode) mapper.readTree(file.toFile());
    for (JsonNode output : root.get("outputs")) {
      ((ObjectNode) output).remove("execution");
      for (JsonNode rule : output.get("rules")) {
        ((ObjectNode) rule).remove("acceleration");
      }
    }
    String json = mapper.writeValueAsString(root);
    assertThat(json).doesNotContain("acceleration").contains("\"execution\":[]");
    Files.writeString(file, json);
    RunManifest read = RunManifest.read(file);
    assertThat(read.outputs().get(0).execution()).isEmpty();
    assertThat(read.outputs().get(0).rules().get(0).acceleration())
        .isEqualTo(RunManifest.Acceleration.NONE);
  }

  @Test
  void theOldConstructorsReportNothing() {
    RunManifest.RuleReport rule =
        new RunManifest.RuleReport("r", 0, "p", "s", Map.of(), 1, 1, 0, 0, 1.0, List.of());
    assertThat(rule.acceleration()).isEqualTo(RunManifest.Acceleration.NONE);
    RunManifest.OutputReport output =
        new RunManifest.OutputReport(
            "o", "c", 1, "cs", "[]", "fail", 1, 1, 0, 0, 0, 1, List.of(rule));
    assertThat(output.execution()).isEmpty();
  }
}
