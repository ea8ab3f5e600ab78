package io.relspec.it.differential;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A small property runner over choice sequences (see {@link Choices}), in the style of Hypothesis:
 * each try draws a few random {@code List<Integer>} (uniform size from 0 to a maximum, values
 * uniform in a range) from a {@link SplittableRandom} seeded once per run, so a run is reproduced
 * by its seed. On a failure it can shrink the failing lists greedily: delete chunks of n/2, n/4,
 * ..., 1 elements, then replace each value by 0, by value/2, or by the smallest value a binary
 * search between value/2 and value finds still failing; any candidate that still fails is kept, and
 * passes repeat until none makes progress or the time budget or the attempt count runs out.
 *
 * @param <R> what the property reports about a case (for example the lanes' result)
 */
final class PropertyRunner<R> {
  /** One random choice list: size uniform in {@code [0, maxSize]}, values in {@code [min, max]}. */
  record Gen(int maxSize, int min, int max) {
    Gen {
      if (maxSize < 0 || min > max) {
        throw new IllegalArgumentException("bad generator " + maxSize + " " + min + " " + max);
      }
    }

    /** Values from 0 to {@code 1 << 16}, as the differential generator reads them. */
    static Gen choices(int maxSize) {
      return new Gen(maxSize, 0, 1 << 16);
    }

    List<Integer> draw(SplittableRandom random) {
      int size = random.nextInt(maxSize + 1);
      List<Integer> out = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        out.add((int) random.nextLong(min, (long) max + 1));
      }
      return out;
    }
  }

  /** The outcome of one case: passed, or failed with a description and an optional detail. */
  record Verdict<R>(boolean passed, String description, R detail) {
    static <R> Verdict<R> pass() {
      return new Verdict<>(true, "", null);
    }

    static <R> Verdict<R> fail(String description, R detail) {
      return new Verdict<>(false, description, detail);
    }
  }

  /** A property of the generated lists; it may also fail by throwing an AssertionError. */
  @FunctionalInterface
  interface Property<R> {
    Verdict<R> check(List<List<Integer>> choices);
  }

  /** A failing case: where it came from, the case as drawn and as shrunk, and the last verdict. */
  record Failure<R>(
      long seed,
      int tryIndex,
      List<List<Integer>> original,
      List<List<Integer>> shrunk,
      Verdict<R> verdict,
      int shrinkAttempts,
      int shrinkSteps) {
    String describe() {
      return "seed "
          + seed
          + ", try "
          + tryIndex
          + (shrinkSteps > 0 || shrinkAttempts > 0
              ? ", shrunk in "
                  + shrinkSteps
                  + " steps ("
                  + shrinkAttempts
                  + " attempts) from sizes "
                  + sizes(original)
                  + " to "
                  + shrunk
              : ", case " + shrunk)
          + ": "
          + verdict.description();
    }

    private static List<Integer> sizes(List<List<Integer>> lists) {
      return lists.stream().map(List::size).toList();
    }
  }

  /** The failures of a run (at most one when it stops at the first) and the tries it ran. */
  record Report<R>(long seed, int tries, List<Failure<R>> failures) {}

  private final long seed;
  private final int tries;
  private final List<Gen> gens;
  private boolean shrink = true;
  private boolean stopAtFirstFailure = true;
  private Duration shrinkBudget = Duration.ofSeconds(120);
  private int maxShrinkAttempts = 5_000;

  PropertyRunner(long seed, int tries, List<Gen> gens) {
    this.seed = seed;
    this.tries = tries;
    this.gens = List.copyOf(gens);
  }

  PropertyRunner<R> shrinking(boolean on) {
    this.shrink = on;
    return this;
  }

  /** Whether the run stops at the first failure (the default) or runs every try. */
  PropertyRunner<R> stopAtFirstFailure(boolean stop) {
    this.stopAtFirstFailure = stop;
    return this;
  }

  PropertyRunner<R> shrinkBudget(Duration budget, int maxAttempts) {
    this.shrinkBudget = budget;
    this.maxShrinkAttempts = maxAttempts;
    return this;
  }

  /** The lists of each try, in order: try i of a seed is always the same case. */
  List<List<List<Integer>>> cases() {
    SplittableRandom master = new SplittableRandom(seed);
    List<List<List<Integer>>> out = new ArrayList<>();
    for (int i = 0; i < tries; i++) {
      out.add(draw(master.split()));
    }
    return out;
  }

  private List<List<Integer>> draw(SplittableRandom random) {
    List<List<Integer>> lists = new ArrayList<>();
    for (Gen gen : gens) {
      lists.add(List.copyOf(gen.draw(random)));
    }
    return List.copyOf(lists);
  }

  Report<R> run(Property<R> property) {
    SplittableRandom master = new SplittableRandom(seed);
    List<Failure<R>> failures = new ArrayList<>();
    int ran = 0;
    for (int i = 0; i < tries; i++) {
      List<List<Integer>> drawn = draw(master.split());
      ran++;
      Verdict<R> verdict = check(property, drawn);
      if (verdict.passed()) {
        continue;
      }
      Failure<R> failure =
          shrink
              ? shrink(property, i, drawn, verdict)
              : new Failure<>(seed, i, drawn, drawn, verdict, 0, 0);
      failures.add(failure);
      if (stopAtFirstFailure) {
        break;
      }
    }
    return new Report<>(seed, ran, List.copyOf(failures));
  }

  /**
   * Runs the property on one case; an AssertionError counts as a failure with its message, and so
   * does any other exception the property throws.
   */
  static <R> Verdict<R> check(Property<R> property, List<List<Integer>> choices) {
    Verdict<R> verdict;
    try {
      verdict = property.check(choices);
    } catch (AssertionError e) {
      return Verdict.fail(String.valueOf(e.getMessage()), null);
    } catch (RuntimeException e) {
      return Verdict.fail("threw " + e, null);
    }
    return Objects.requireNonNull(verdict, "the property returned no verdict");
  }

  // ------------------------------------------------------------------ shrinking

  private Failure<R> shrink(
      Property<R> property, int tryIndex, List<List<Integer>> drawn, Verdict<R> verdict) {
    Shrinker<R> shrinker =
        new Shrinker<>(property, drawn, verdict, System.nanoTime() + shrinkBudget.toNanos());
    shrinker.run();
    return new Failure<>(
        seed,
        tryIndex,
        drawn,
        shrinker.current,
        shrinker.verdict,
        shrinker.attempts,
        shrinker.steps);
  }

  private final class Shrinker<T> {
    private final Property<T> property;
    private final long deadline;
    List<List<Integer>> current;
    Verdict<T> verdict;
    int attempts;
    int steps;

    Shrinker(Property<T> property, List<List<Integer>> start, Verdict<T> verdict, long deadline) {
      this.property = property;
      this.current = start;
      this.verdict = verdict;
      this.deadline = deadline;
    }

    private boolean exhausted() {
      return attempts >= maxShrinkAttempts || System.nanoTime() >= deadline;
    }

    /** Tries a candidate; keeps it if it still fails. */
    private boolean attempt(int list, List<Integer> candidate) {
      if (exhausted() || candidate.equals(current.get(list))) {
        return false;
      }
      List<List<Integer>> next = with(current, list, candidate);
      attempts++;
      Verdict<T> v = check(property, next);
      if (v.passed()) {
        return false;
      }
      current = next;
      verdict = v;
      steps++;
      return true;
    }

    void run() {
      boolean progress = true;
      while (progress && !exhausted()) {
        progress = false;
        for (int l = 0; l < current.size(); l++) {
          progress |= deleteChunks(l);
          progress |= shrinkValues(l);
        }
      }
    }

    private boolean deleteChunks(int l) {
      boolean progress = false;
      for (int k = Math.max(1, current.get(l).size() / 2); k >= 1; k /= 2) {
        int i = 0;
        while (i + k <= current.get(l).size() && !exhausted()) {
          if (attempt(l, deleted(current.get(l), i, k))) {
            progress = true;
          } else {
            i += k;
          }
        }
      }
      return progress;
    }

    private boolean shrinkValues(int l) {
      boolean progress = false;
      for (int i = 0; i < current.get(l).size() && !exhausted(); i++) {
        int v = current.get(l).get(i);
        if (v == 0) {
          continue;
        }
        if (attempt(l, replaced(current.get(l), i, 0))) {
          progress = true;
          continue;
        }
        if (v / 2 != 0 && attempt(l, replaced(current.get(l), i, v / 2))) {
          progress = true;
          continue;
        }
        // v/2 passes and v fails: binary search for the smallest failing value between them
        long passing = v / 2;
        long failing = v;
        while (Math.abs(failing - passing) > 1 && !exhausted()) {
          long mid = passing + (failing - passing) / 2;
          if (attempt(l, replaced(current.get(l), i, (int) mid))) {
            failing = mid;
            progress = true;
          } else {
            passing = mid;
          }
        }
      }
      return progress;
    }
  }

  // ------------------------------------------------------------------ candidates

  /**
   * Every one-step candidate of the shrinker's rules for a case: each single element deleted, each
   * non-zero value replaced by 0, by value/2 and by value minus one toward 0. A case none of whose
   * candidates fails is minimal by the runner's rules.
   */
  static List<List<List<Integer>>> oneStepCandidates(List<List<Integer>> lists) {
    List<List<List<Integer>>> out = new ArrayList<>();
    for (int l = 0; l < lists.size(); l++) {
      List<Integer> list = lists.get(l);
      for (int i = 0; i < list.size(); i++) {
        out.add(with(lists, l, deleted(list, i, 1)));
        int v = list.get(i);
        if (v != 0) {
          out.add(with(lists, l, replaced(list, i, 0)));
          out.add(with(lists, l, replaced(list, i, v / 2)));
          out.add(with(lists, l, replaced(list, i, v - Integer.signum(v))));
        }
      }
    }
    return out;
  }

  private static List<List<Integer>> with(
      List<List<Integer>> lists, int index, List<Integer> list) {
    List<List<Integer>> out = new ArrayList<>(lists);
    out.set(index, List.copyOf(list));
    return List.copyOf(out);
  }

  private static List<Integer> deleted(List<Integer> list, int from, int count) {
    List<Integer> out = new ArrayList<>(list.subList(0, from));
    out.addAll(list.subList(from + count, list.size()));
    return out;
  }

  private static List<Integer> replaced(List<Integer> list, int index, int value) {
    List<Integer> out = new ArrayList<>(list);
    out.set(index, value);
    return out;
  }
}
