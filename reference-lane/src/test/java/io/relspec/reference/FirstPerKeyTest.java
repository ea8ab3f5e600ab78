package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
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

  /**
   * Keys read in place from Arrow vectors (strings, int64, int32, int8: nulls, negatives, empty and
   * non-ASCII strings, over batches of uneven sizes) get the ids the value objects get; a float key
   * column is left to the value objects.
   */
  @Test
  void keysReadFromVectorsHaveTheIdsOfTheirValues() {
    RelSchema schema =
        new RelSchema(
            List.of(
                Field.nullable("s", PrimitiveType.STRING),
                Field.nullable("l", PrimitiveType.INT64),
                Field.nullable("i", PrimitiveType.INT32),
                Field.nullable("b", PrimitiveType.INT8),
                Field.nullable("f", PrimitiveType.FLOAT64)));
    String[] strings = {"", "a", "ä", "path/ä/x.py", "a\u0000", "bb"};
    Random random = new Random(11);
    try (RootAllocator allocator = new RootAllocator();
        BatchBuilder out = new BatchBuilder(schema, allocator, 777)) {
      int rows = 5_000;
      for (int row = 0; row < rows; row++) {
        out.startRow();
        out.set(0, random.nextInt(15) == 0 ? null : strings[random.nextInt(strings.length)]);
        out.set(1, random.nextInt(15) == 0 ? null : (long) random.nextInt(7) - 3 + (1L << 40));
        out.set(2, random.nextInt(15) == 0 ? null : (long) random.nextInt(3) - 1);
        out.set(3, random.nextInt(15) == 0 ? null : random.nextInt(2) * -128L);
        out.set(4, (double) random.nextInt(3));
        out.endRow();
      }
      try (Relation relation = out.finish()) {
        RowIndex index = RowIndex.of(relation);
        assertThat(relation.batches()).hasSizeGreaterThan(3);
        MemoryBudget budget = new MemoryBudget(allocator, Long.MAX_VALUE);
        try (MemoryBudget.Reservation heap = budget.reserve("r", "dedupe")) {
          int[] columns = {0, 1, 2, 3};
          FirstPerKey.KeyIds fromVectors =
              FirstPerKey.ids(VectorKeys.of(index, columns).orElseThrow(), rows, heap);
          Object[][] values = new Object[columns.length][];
          for (int k = 0; k < columns.length; k++) {
            values[k] = index.column(columns[k]);
          }
          FirstPerKey.KeyIds fromValues = FirstPerKey.ids(values, rows, heap);
          assertThat(fromVectors.ids()).isEqualTo(fromValues.ids());
          assertThat(fromVectors.count()).isEqualTo(fromValues.count()).isGreaterThan(200);
          assertThat(VectorKeys.of(index, new int[] {0, 4})).as("a float key").isEmpty();
        }
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
