package io.relspec.reference;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A minimal property loop for the reference lane's tests: seeded {@link SplittableRandom}
 * generators, a fixed number of tries, and on a failure a shrink of the row lists (remove rows one
 * at a time while the property still fails). The seed is {@code -Dlane.properties.seed=N} or a
 * random one; a failure message gives it, the try, the other parameters and the shrunk rows.
 */
final class PropertyCheck {
  private PropertyCheck() {}

  /** A generated case: row lists (shrunk on failure) and other parameters (kept as drawn). */
  record Sample(List<List<List<Object>>> rowLists, List<Object> params) {
    List<List<Object>> rows(int i) {
      return rowLists.get(i);
    }

    boolean flag(int i) {
      return (Boolean) params.get(i);
    }

    String string(int i) {
      return (String) params.get(i);
    }
  }

  static long seed() {
    String configured = System.getProperty("lane.properties.seed", "").trim();
    return configured.isEmpty() ? new SplittableRandom().nextLong() : Long.parseLong(configured);
  }

  /**
   * Runs {@code tries} samples of {@code gen} through {@code property}, which throws on failure.
   */
  static void forAll(
      String name, int tries, Function<SplittableRandom, Sample> gen, Consumer<Sample> property) {
    forAll(name, seed(), tries, gen, property);
  }

  static void forAll(
      String name,
      long seed,
      int tries,
      Function<SplittableRandom, Sample> gen,
      Consumer<Sample> property) {
    SplittableRandom master = new SplittableRandom(seed);
    for (int t = 0; t < tries; t++) {
      Sample sample = gen.apply(master.split());
      Throwable failure = failure(property, sample);
      if (failure == null) {
        continue;
      }
      Sample shrunk = sample;
      boolean progress = true;
      while (progress) {
        progress = false;
        for (int l = 0; l < shrunk.rowLists().size(); l++) {
          int i = 0;
          while (i < shrunk.rows(l).size()) {
            Sample candidate = withoutRow(shrunk, l, i);
            Throwable f = failure(property, candidate);
            if (f != null) {
              shrunk = candidate;
              failure = f;
              progress = true;
            } else {
              i++;
            }
          }
        }
      }
      StringBuilder rows = new StringBuilder();
      for (int l = 0; l < shrunk.rowLists().size(); l++) {
        rows.append("\n  rows ").append(l).append(" (").append(shrunk.rows(l).size());
        rows.append(" of ").append(sample.rows(l).size()).append("):");
        for (List<Object> row : shrunk.rows(l)) {
          rows.append("\n    ").append(row);
        }
      }
      throw new AssertionError(
          name
              + " failed with seed "
              + seed
              + " (rerun with -Dlane.properties.seed="
              + seed
              + "), try "
              + t
              + ", params "
              + shrunk.params()
              + ", shrunk rows:"
              + rows
              + "\n"
              + failure.getMessage(),
          failure);
    }
  }

  private static Throwable failure(Consumer<Sample> property, Sample sample) {
    try {
      property.accept(sample);
      return null;
    } catch (AssertionError | RuntimeException e) {
      return e;
    }
  }

  private static Sample withoutRow(Sample sample, int list, int row) {
    List<List<List<Object>>> lists = new ArrayList<>(sample.rowLists());
    List<List<Object>> rows = new ArrayList<>(lists.get(list));
    rows.remove(row);
    lists.set(list, rows);
    return new Sample(lists, sample.params());
  }

  // ------------------------------------------------------------------ generators

  /** A value from {@code values} (uniform), or null with probability {@code nullRate}. */
  @SafeVarargs
  static <T> T orNull(SplittableRandom r, double nullRate, T... values) {
    if (r.nextDouble() < nullRate) {
      return null;
    }
    return values[r.nextInt(values.length)];
  }

  /** A long in {@code [min, max]}, or null with probability {@code nullRate}. */
  static Long longOrNull(SplittableRandom r, double nullRate, long min, long max) {
    if (r.nextDouble() < nullRate) {
      return null;
    }
    return r.nextLong(min, max + 1);
  }

  /** A list of {@code 0..maxSize} (uniform) rows drawn by {@code row}. */
  static List<List<Object>> rows(SplittableRandom r, int maxSize, Supplier<List<Object>> row) {
    int size = r.nextInt(maxSize + 1);
    List<List<Object>> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(row.get());
    }
    return out;
  }
}
