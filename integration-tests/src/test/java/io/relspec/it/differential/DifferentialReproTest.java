package io.relspec.it.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Reruns one written case: {@code -Drelspec.repro=DIR} (a directory with bundle.json and data/, as
 * written under target/differential-failures/). Skipped when the property is not set.
 */
class DifferentialReproTest {
  @Test
  void reproducedCaseAgrees() {
    String configured = System.getProperty("relspec.repro", "");
    Assumptions.assumeFalse(configured.isBlank(), "set -Drelspec.repro=DIR to rerun a case");
    Path dir = Path.of(configured);
    assertThat(dir.resolve("bundle.json")).as("repro directory").exists();
    Lanes.Result result = Differential.lanes().run(DiffCase.read(dir));
    System.out.println("[differential] repro " + dir + "\n" + result.describe());
    assertThat(Files.exists(dir.resolve("data"))).isTrue();
    assertThat(result.discrepancies()).as("%s%n%s", dir, result.describe()).isEmpty();
  }
}
