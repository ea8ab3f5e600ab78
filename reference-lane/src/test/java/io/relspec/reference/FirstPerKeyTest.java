package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/** {@link FirstPerKey} against a map of key lists, the way dedupe picked winners before it. */
class FirstPerKeyTest {
  @Test
  void winnersPerKeyInFirstSeenOrderWithTheEarlierRowWinningTies() {
    Random random = new Random(3);
    int rows = 20_000;
    Object[] a = new Object[rows];
    Object[] b = new Object[rows];
    long[] score = new long[rows];
    for (int i = 0; i < rows; i++) {
      // nulls, equal zeros of both signs and a few hundred distinct keys
      a[i] = random.nextInt(20) == 0 ? null : "p" + random.nextInt(40);
      b[i] =
          random.nextInt(20) == 0 ? null : (random.nextBoolean() ? 0.0 : -0.0) + random.nextInt(8);
      score[i] = random.nextInt(5);
    }
    Object[][] keys = {normalized(a), normalized(b)};
    // FirstPerKey normalizes its columns itself: it is given the raw values
    Object[][] raw = {a.clone(), b.clone()};
    Map<List<Object>, Integer> expected = new LinkedHashMap<>();
    for (int i = 0; i < rows; i++) {
      List<Object> key = new ArrayList<>();
      key.add(keys[0][i]);
      key.add(keys[1][i]);
      Integer current = expected.get(key);
      if (current == null || Long.compare(score[i], score[current]) < 0) {
        expected.put(key, i);
      }
    }
    try (RootAllocator allocator = new RootAllocator()) {
      MemoryBudget budget = new MemoryBudget(allocator, Long.MAX_VALUE);
      try (MemoryBudget.Reservation heap = budget.reserve("r", "dedupe")) {
        int[] winners =
            FirstPerKey.winners(raw, rows, (x, y) -> Long.compare(score[x], score[y]), heap);
        assertThat(winners)
            .containsExactly(expected.values().stream().mapToInt(Integer::intValue).toArray());
        assertThat(winners.length).isGreaterThan(100);
      }
    }
  }

  private static Object[] normalized(Object[] values) {
    Object[] out = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Values.key(values[i]);
    }
    return out;
  }
}
