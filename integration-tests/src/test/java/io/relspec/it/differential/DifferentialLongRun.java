package io.relspec.it.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The long differential mode: {@code mvn -pl integration-tests -am -o test -Pdifferential
 * [-Ddifferential.tries=N] [-Ddifferential.seed=S]} or {@code scripts/differential [N]}. A random
 * seed each run unless {@code differential.seed} is set (it is printed), bigger cases than the
 * default run, no shrinking, and it keeps going after a disagreement: every failing case is written
 * under {@code target/differential-failures/<id>/} (rerun one with DifferentialReproTest), and the
 * run fails at the end listing them. The number of cases is {@code differential.tries} (default
 * 2000). Not named *Test: the default run leaves it out; it runs only when the {@code differential}
 * profile sets {@code differential.longRun=true}, so that a {@code -Dtest=Differential*} pattern
 * does not start it by accident.
 */
@EnabledIfSystemProperty(named = "differential.longRun", matches = "true")
class DifferentialLongRun {
  private static final List<String> FAILED = Collections.synchronizedList(new ArrayList<>());

  @Test
  void everyLaneAgrees() {
    int tries = Integer.parseInt(System.getProperty("differential.tries", "2000").trim());
    String configuredSeed = System.getProperty("differential.seed", "").trim();
    long seed =
        configuredSeed.isEmpty()
            ? new SplittableRandom().nextLong()
            : Long.parseLong(configuredSeed);
    System.out.println(
        "[differential] long run: seed "
            + seed
            + ", "
            + tries
            + " tries (rerun with -Ddifferential.seed="
            + seed
            + ")");
    PropertyRunner.Report<Lanes.Result> report =
        new PropertyRunner<Lanes.Result>(seed, tries, Differential.caseGens())
            .shrinking(false)
            .stopAtFirstFailure(false)
            .run(DifferentialLongRun::check);
    for (PropertyRunner.Failure<Lanes.Result> failure : report.failures()) {
      if (failure.verdict().detail() == null) {
        // failures with a written case are already listed by check
        FAILED.add("seed " + seed + " try " + failure.tryIndex() + ": " + failure.describe());
      }
    }
    System.out.println("[differential] long run, seed " + seed + "\n" + writeSummary());
    assertThat(FAILED).as("differential cases where the lanes disagree (seed %s)", seed).isEmpty();
  }

  private static PropertyRunner.Verdict<Lanes.Result> check(List<List<Integer>> choices) {
    DiffCase diffCase = CaseGenerator.generate(choices.get(0), choices.get(1), 12, 6);
    Lanes.Result result = Differential.lanes().run(diffCase);
    PropertyRunner.Verdict<Lanes.Result> verdict = PropertyRunner.Verdict.pass();
    if (!result.agrees()) {
      Path dir = Differential.writeFailure(result);
      FAILED.add(dir + ": " + result.discrepancies());
      System.out.println("[differential] FAILED " + dir + "\n" + result.describe());
      verdict = PropertyRunner.Verdict.fail("lanes disagree; case written to " + dir, result);
    }
    long done = CaseGenerator.GENERATED.get();
    if (done % 100 == 0) {
      System.out.println("[differential] " + done + " cases, " + FAILED.size() + " failing");
      // a summary on disk every 100 cases, so that a run stopped early still reports
      writeSummary();
    }
    return verdict;
  }

  @AfterAll
  static void report() {
    System.out.println("[differential] long run stats\n" + Differential.stats());
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
