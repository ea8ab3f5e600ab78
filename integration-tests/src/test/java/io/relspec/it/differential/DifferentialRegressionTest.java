package io.relspec.it.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case kept under {@code src/test/resources/differential/regressions/<name>/} (bundle.json,
 * data/*.jsonl, README.txt saying what it caught) must agree on every lane. A case whose directory
 * holds a {@code DISABLED} file is skipped with the reason written in it (a known bug not fixed
 * yet).
 */
class DifferentialRegressionTest {
  @TestFactory
  Stream<DynamicTest> everyRegressionCaseAgrees() throws IOException, URISyntaxException {
    Path root =
        Path.of(DifferentialRegressionTest.class.getResource("/differential/regressions").toURI());
    List<Path> cases;
    try (Stream<Path> dirs = Files.list(root)) {
      cases = dirs.filter(Files::isDirectory).sorted().toList();
    }
    assertThat(cases).as("regression cases under %s", root).isNotEmpty();
    return cases.stream()
        .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
  }

  private static void check(Path dir) throws IOException {
    Path disabled = dir.resolve("DISABLED");
    Assumptions.assumeFalse(Files.exists(disabled), () -> "disabled: " + readQuietly(disabled));
    Lanes.Result result = Differential.lanes().run(DiffCase.read(dir));
    System.out.println("[differential] regression " + dir.getFileName() + "\n" + result.describe());
    assertThat(result.discrepancies()).as("%s%n%s", dir, result.describe()).isEmpty();
    assertThat(result.outcomes().get(Lanes.REFERENCE)).isInstanceOf(Outcome.Rows.class);
    Path lanes = dir.resolve("LANES");
    if (Files.exists(lanes)) {
      // the lanes that must actually run the case (not skip it as a fallback), one per line
      for (String lane : Files.readAllLines(lanes)) {
        if (!lane.isBlank()) {
          assertThat(result.outcomes().get(lane.trim()))
              .as("lane %s on %s", lane, dir.getFileName())
              .isInstanceOf(Outcome.Rows.class);
        }
      }
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      return e.toString();
    }
  }
}
