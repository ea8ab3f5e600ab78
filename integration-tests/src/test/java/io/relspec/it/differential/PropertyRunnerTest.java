package io.relspec.it.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The property runner itself: reproducible generation, and shrinking to a minimal case. */
class PropertyRunnerTest {
  private static final List<PropertyRunner.Gen> GENS =
      List.of(PropertyRunner.Gen.choices(300), PropertyRunner.Gen.choices(600));

  /** Fails when some list has at least 3 elements and a value of at least 50. */
  private static PropertyRunner.Verdict<Void> noLongListWithBigValue(List<List<Integer>> lists) {
    for (List<Integer> list : lists) {
      if (list.size() >= 3 && list.stream().anyMatch(v -> v >= 50)) {
        return PropertyRunner.Verdict.fail("big value in " + list, null);
      }
    }
    return PropertyRunner.Verdict.pass();
  }

  @Test
  void shrinksToAMinimalCase() {
    PropertyRunner.Report<Void> report =
        new PropertyRunner<Void>(20261124L, 100, GENS)
            .run(PropertyRunnerTest::noLongListWithBigValue);
    assertThat(report.failures()).hasSize(1);
    PropertyRunner.Failure<Void> failure = report.failures().get(0);
    assertThat(failure.tryIndex()).isZero(); // almost every random case fails
    List<List<Integer>> shrunk = failure.shrunk();
    assertThat(failure.verdict().passed()).isFalse();
    assertThat(noLongListWithBigValue(shrunk).passed()).as("the shrunk case still fails").isFalse();
    // minimal by the runner's rules: no one-step candidate fails any more
    for (List<List<Integer>> candidate : PropertyRunner.oneStepCandidates(shrunk)) {
      assertThat(noLongListWithBigValue(candidate).passed())
          .as("candidate %s of shrunk case %s", candidate, shrunk)
          .isTrue();
    }
    // which is: one list of exactly [50, 0, 0] in some order, the other empty
    List<List<Integer>> sorted = new ArrayList<>();
    for (List<Integer> list : shrunk) {
      List<Integer> copy = new ArrayList<>(list);
      Collections.sort(copy);
      sorted.add(copy);
    }
    assertThat(sorted).containsExactlyInAnyOrder(List.of(0, 0, 50), List.of());
    assertThat(failure.original().get(0).size() + failure.original().get(1).size())
        .isGreaterThan(3);
    assertThat(failure.describe()).contains("seed 20261124", "try 0");
  }

  @Test
  void anAssertionErrorIsAFailureAndShrinks() {
    PropertyRunner.Report<Void> report =
        new PropertyRunner<Void>(7L, 50, GENS)
            .run(
                lists -> {
                  assertThat(lists.get(1)).as("rows").hasSizeLessThan(5);
                  return PropertyRunner.Verdict.pass();
                });
    assertThat(report.failures()).hasSize(1);
    List<List<Integer>> shrunk = report.failures().get(0).shrunk();
    assertThat(shrunk).containsExactly(List.of(), List.of(0, 0, 0, 0, 0));
  }

  @Test
  void theShrinkerStopsAtItsAttemptBudget() {
    // two attempts are too few to empty both lists of this case (checked below)
    AtomicInteger calls = new AtomicInteger();
    PropertyRunner.Report<Void> report =
        new PropertyRunner<Void>(3L, 10, GENS)
            .shrinkBudget(Duration.ofSeconds(120), 2)
            .run(
                lists -> {
                  calls.incrementAndGet();
                  return PropertyRunner.Verdict.fail("always", null);
                });
    assertThat(report.failures()).hasSize(1);
    PropertyRunner.Failure<Void> failure = report.failures().get(0);
    assertThat(failure.shrinkAttempts()).isEqualTo(2);
    assertThat(calls.get()).isEqualTo(3); // the try, then 2 shrink attempts
    // unbounded, an always-failing property shrinks to empty lists
    assertThat(failure.shrunk()).isNotEqualTo(List.of(List.of(), List.of()));
    assertThat(
            new PropertyRunner<Void>(3L, 10, GENS)
                .run(lists -> PropertyRunner.Verdict.fail("always", null))
                .failures()
                .get(0)
                .shrunk())
        .isEqualTo(List.of(List.of(), List.of()));
  }

  @Test
  void withoutStoppingEveryTryRunsAndFailuresAreNotShrunk() {
    PropertyRunner.Report<Void> report =
        new PropertyRunner<Void>(11L, 40, GENS)
            .shrinking(false)
            .stopAtFirstFailure(false)
            .run(
                lists ->
                    lists.get(0).size() % 2 == 0
                        ? PropertyRunner.Verdict.fail("even", null)
                        : PropertyRunner.Verdict.pass());
    assertThat(report.tries()).isEqualTo(40);
    assertThat(report.failures()).isNotEmpty();
    for (PropertyRunner.Failure<Void> failure : report.failures()) {
      assertThat(failure.shrunk()).isEqualTo(failure.original());
      assertThat(failure.shrunk().get(0).size() % 2).isZero();
    }
  }

  @Test
  void generationIsReproducibleAndUniformInSize() {
    List<List<List<Integer>>> a = new PropertyRunner<Void>(42L, 400, GENS).cases();
    List<List<List<Integer>>> b = new PropertyRunner<Void>(42L, 400, GENS).cases();
    List<List<List<Integer>>> c = new PropertyRunner<Void>(43L, 400, GENS).cases();
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
    long shortOnes = a.stream().filter(lists -> lists.get(0).size() < 150).count();
    assertThat(shortOnes)
        .as("about half the lists are shorter than half the maximum")
        .isBetween(140L, 260L);
    for (List<List<Integer>> lists : a) {
      assertThat(lists.get(0)).hasSizeLessThanOrEqualTo(300).allMatch(v -> v >= 0 && v <= 1 << 16);
      assertThat(lists.get(1)).hasSizeLessThanOrEqualTo(600);
    }
  }
}
