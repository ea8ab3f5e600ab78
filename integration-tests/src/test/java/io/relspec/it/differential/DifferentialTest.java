package io.relspec.it.differential;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The fixed seed set of the default test run: small random bundles (every op and kernel, random
 * expressions over the function registry, nulls and edge values, empty inputs, duplicate keys,
 * equal span scores) run on the reference lane, Spark and standalone DataFusion, which must agree.
 * A failing case is shrunk by {@link PropertyRunner} and written under {@code
 * target/differential-failures/<id>/} with the command that reruns it. The long mode is {@link
 * DifferentialLongRun}.
 */
class DifferentialTest {
  static final long SEED = 20261124L;

  static final int TRIES = 50;

  @Test
  void everyLaneAgrees() {
    PropertyRunner.Report<Lanes.Result> report =
        new PropertyRunner<Lanes.Result>(SEED, TRIES, Differential.caseGens())
            .run(DifferentialTest::check);
    if (report.failures().isEmpty()) {
      return;
    }
    PropertyRunner.Failure<Lanes.Result> failure = report.failures().get(0);
    Lanes.Result result = failure.verdict().detail();
    if (result == null) {
      throw new AssertionError("differential property failed: " + failure.describe());
    }
    Path dir = Differential.writeFailure(result);
    throw new AssertionError(
        "differential case failed (%s); case written to %s%n%s"
            .formatted(failure.describe(), dir, result.describe()));
  }

  private static PropertyRunner.Verdict<Lanes.Result> check(List<List<Integer>> choices) {
    DiffCase diffCase =
        CaseGenerator.generate(
            choices.get(0), choices.get(1), Differential.SMALL_ROWS, Differential.SMALL_OPS);
    Lanes.Result result = Differential.lanes().run(diffCase);
    if (!result.agrees()) {
      return PropertyRunner.Verdict.fail("lanes disagree: " + result.discrepancies(), result);
    }
    if (!(result.outcomes().get(Lanes.REFERENCE) instanceof Outcome.Rows)) {
      return PropertyRunner.Verdict.fail(
          "the reference lane runs every generated case, got "
              + result.outcomes().get(Lanes.REFERENCE),
          result);
    }
    return PropertyRunner.Verdict.pass();
  }

  @AfterAll
  static void printStats() {
    System.out.println("[differential] default run\n" + Differential.stats());
  }
}
