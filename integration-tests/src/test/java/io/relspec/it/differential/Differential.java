package io.relspec.it.differential;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared pieces of the differential tests: the choice streams {@link PropertyRunner} generates
 * (and shrinks), one {@link Lanes} per JVM, and the repro directories written for failing cases.
 */
final class Differential {
  /** Rows per dataset and ops per rule of the default run (small, fast cases). */
  static final int SMALL_ROWS = 8;

  static final int SMALL_OPS = 4;

  private static Lanes lanes;

  private Differential() {}

  static synchronized Lanes lanes() {
    if (lanes == null) {
      lanes = new Lanes();
      Runtime.getRuntime().addShutdownHook(new Thread(lanes::close));
    }
    return lanes;
  }

  /** Choice streams; see {@link Choices}. */
  static PropertyRunner.Gen choices(int maxSize) {
    // uniform sizes: a bias toward short lists would leave most cases with no ops
    return PropertyRunner.Gen.choices(maxSize);
  }

  /** The generators of one case: the decisions of the bundle, then those of the rows. */
  static List<PropertyRunner.Gen> caseGens() {
    return List.of(choices(300), choices(600));
  }

  /** Where failing cases are written: {@code integration-tests/target/differential-failures}. */
  static Path failuresDir() {
    String configured = System.getProperty("differential.failures");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of("target", "differential-failures").toAbsolutePath();
  }

  /**
   * Writes a failing case as {@code <dir>/<id>/} with bundle.json, data/*.jsonl and README.txt (the
   * discrepancies and the one command that reruns it); also writes {@code <dir>/LAST} with the id.
   */
  static Path writeFailure(Lanes.Result result) {
    DiffCase diffCase = result.diffCase();
    Path dir = failuresDir().resolve(diffCase.id());
    diffCase.write(dir);
    String readme =
        "Differential failure "
            + diffCase.id()
            + ". Rerun it with:\n\n  mvn -B -o -pl integration-tests -am test"
            + " -Dtest=DifferentialReproTest -Dsurefire.failIfNoSpecifiedTests=false"
            + " -Drelspec.repro="
            + dir.toAbsolutePath()
            + "\n\nor scripts/differential --repro "
            + dir.toAbsolutePath()
            + "\n\nTo keep it as a regression case, copy this directory to"
            + " integration-tests/src/test/resources/differential/regressions/<name>/.\n\n"
            + result.describe();
    try {
      Files.writeString(dir.resolve("README.txt"), readme);
      Files.writeString(failuresDir().resolve("LAST"), diffCase.id() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** Generation and per-lane counts, one line each. */
  static String stats() {
    List<String> lines = new ArrayList<>();
    lines.add("cases generated: " + CaseGenerator.GENERATED.get());
    lines.add(
        "ops/calls rejected by the validator and dropped: " + CaseGenerator.REJECTED_OPS.get());
    Map<String, Long> counts = new TreeMap<>();
    Lanes.COUNTS.forEach((k, v) -> counts.put(k, v.get()));
    counts.forEach((k, v) -> lines.add("lane " + k + ": " + v));
    Lanes.MILLIS.forEach((k, v) -> lines.add("lane " + k + " total ms: " + v.get()));
    Map<String, Long> ops = new TreeMap<>();
    CaseGenerator.OPS_USED.forEach((k, v) -> ops.put(k, v.get()));
    lines.add("ops in cases: " + ops);
    lines.add("functions in cases: " + new java.util.TreeSet<>(CaseGenerator.FUNCTIONS_USED));
    return String.join("\n", lines);
  }

  static final AtomicLong FAILURES = new AtomicLong();
}
