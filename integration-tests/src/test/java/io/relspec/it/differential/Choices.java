package io.relspec.it.differential;

import java.util.List;

/**
 * The random decisions of one generated case, read in order. Every decision maps 0 to its simplest
 * outcome (fewest rows, no op, first type, no null), and an exhausted stream answers 0, so when
 * {@link PropertyRunner} shrinks the list (shorter, smaller numbers) the case gets simpler, in the
 * style of Hypothesis's choice sequences.
 */
final class Choices {
  private final List<Integer> values;
  private int next;

  Choices(List<Integer> values) {
    this.values = values;
  }

  /** A number from 0 to {@code bound - 1}. */
  int pick(int bound) {
    if (bound <= 1) {
      return 0;
    }
    if (next >= values.size()) {
      return 0;
    }
    return Math.floorMod(values.get(next++), bound);
  }

  /** One of the options; the first is the simplest. */
  @SafeVarargs
  final <T> T oneOf(T... options) {
    return options[pick(options.length)];
  }

  <T> T oneOf(List<T> options) {
    return options.get(pick(options.size()));
  }

  /** True about once in {@code inverse} decisions; false (the simplest) when exhausted. */
  boolean oneIn(int inverse) {
    return pick(inverse) == inverse - 1;
  }

  /** True about {@code (inverse - 1)} times in {@code inverse}; false when exhausted. */
  boolean mostly(int inverse) {
    return pick(inverse) != 0;
  }

  boolean exhausted() {
    return next >= values.size();
  }
}
