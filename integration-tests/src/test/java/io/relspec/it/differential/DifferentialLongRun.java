package io.relspec.it.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The long differential mode: {@code mvn -pl integration-tests -am -o test -Pdifferential
 * [-Ddifferential.tries=N]} or {@code scripts/differential [N]}. A random seed each run (jqwik
 * prints it), bigger cases than the default run, and it keeps going after a disagreement: every
 * failing case is written under {@code target/differential-failures/<id>/} (rerun one with
 * DifferentialReproTest), and the run fails at the end listing them. The number of cases is jqwik's
 * {@code jqwik.tries.default}, which the profile sets from {@code differential.tries}. Not named
 * *Test: the default run leaves it out.
 */
class DifferentialLongRun {
  private static final List<String> FAILED = Collections.synchronizedList(new ArrayList<>());

  @Provide
  Arbitrary<List<Integer>> choices() {
    return Differential.choices(300);
  }

  @Provide
  Arbitrary<List<Integer>> rowChoices() {
    return Differential.choices(600);
  }

  @Property(shrinking = ShrinkingMode.OFF)
  void everyLaneAgrees(
      @ForAll("choices") List<Integer> choices, @ForAll("rowChoices") List<Integer> rows) {
    DiffCase diffCase = CaseGenerator.generate(choices, rows, 12, 6);
    Lanes.Result result = Differential.lanes().run(diffCase);
    if (!result.agrees()) {
      Path dir = Differential.writeFailure(result);
      FAILED.add(dir + ": " + result.discrepancies());
      System.out.println("[differential] FAILED " + dir + "\n" + result.describe());
    }
    long done = CaseGenerator.GENERATED.get();
    if (done % 100 == 0) {
      System.out.println("[differential] " + done + " cases, " + FAILED.size() + " failing");
      // a summary on disk every 100 cases, so that a run stopped early still reports
      writeSummary();
    }
  }

  @AfterContainer
  static void report() {
    System.out.println("[differential] long run\n" + writeSummary());
    assertThat(FAILED).as("differential cases where the lanes disagree").isEmpty();
  }

  private static synchronized String writeSummary() {
    String stats = Differential.stats() + "\nfailing cases: " + FAILED.size();
    try {
      Path out = Differential.failuresDir().getParent().resolve("differential-long-run.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, stats + "\n" + String.join("\n", FAILED) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return stats;
  }
}
