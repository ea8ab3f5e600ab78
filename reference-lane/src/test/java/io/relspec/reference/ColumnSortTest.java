package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.expr.Bytes;
import io.relspec.ir.op.SortKey;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link ColumnSort} against a stable comparison sort of the same positions by {@link
 * RowOrder#compareValues}, key by key: every column type the lanes read (integers, float64 with
 * -0.0, NaN and infinities, strings with supplementary characters, decimals of equal value and
 * different scale, booleans, dates as ints, binary, lists), every direction and null order, many
 * ties and nulls.
 */
class ColumnSortTest {
  private static final List<Function<Random, Object>> TYPES =
      List.of(
          r -> (long) r.nextInt(7) - 3,
          r -> r.nextBoolean() ? Long.MIN_VALUE + r.nextInt(2) : Long.MAX_VALUE - r.nextInt(2),
          r ->
              new double[] {-0.0, 0.0, Double.NaN, 1.5, -1.5, Double.NEGATIVE_INFINITY}
                  [r.nextInt(6)],
          r -> new String[] {"a", "b", "\uE000", "\uD83D\uDE00", "", "ab"}[r.nextInt(6)],
          r ->
              new BigDecimal[] {new BigDecimal("1.0"), BigDecimal.ONE, BigDecimal.ZERO}
                  [r.nextInt(3)],
          Random::nextBoolean,
          r -> r.nextInt(4),
          r -> Bytes.copyOf(new byte[] {(byte) r.nextInt(3), (byte) (r.nextInt(2) * 200)}),
          r -> r.nextBoolean() ? List.of(1L, (long) r.nextInt(2)) : List.of((long) r.nextInt(2)));

  @Test
  void ordersAsAStableSortByRowOrder() {
    int checked = 0;
    for (int seed = 0; seed < 300; seed++) {
      Random random = new Random(seed);
      int rows = random.nextInt(3) == 0 ? random.nextInt(4) : 50 + random.nextInt(400);
      int keyCount = 1 + random.nextInt(3);
      List<Object[]> columns = new ArrayList<>();
      List<SortKey> keys = new ArrayList<>();
      for (int k = 0; k < keyCount; k++) {
        Function<Random, Object> type = TYPES.get(random.nextInt(TYPES.size()));
        int nullEvery = random.nextInt(4) == 0 ? 0 : 2 + random.nextInt(5);
        Object[] values = new Object[rows];
        for (int i = 0; i < rows; i++) {
          values[i] = nullEvery > 0 && random.nextInt(nullEvery) == 0 ? null : type.apply(random);
        }
        columns.add(values);
        keys.add(
            new SortKey(
                "c" + k,
                random.nextBoolean() ? SortKey.Direction.ASC : SortKey.Direction.DESC,
                random.nextBoolean() ? SortKey.NullOrder.FIRST : SortKey.NullOrder.LAST));
      }
      Integer[] expected = new Integer[rows];
      for (int i = 0; i < rows; i++) {
        expected[i] = i;
      }
      Arrays.sort(
          expected,
          (x, y) -> {
            for (int k = 0; k < keyCount; k++) {
              int c = RowOrder.compareValues(columns.get(k)[x], columns.get(k)[y], keys.get(k));
              if (c != 0) {
                return c;
              }
            }
            return 0;
          });
      int[] actual = ColumnSort.order(columns, keys, rows);
      assertThat(actual).as("seed %d, keys %s", seed, keys).containsExactly(unboxed(expected));
      checked += rows;
    }
    assertThat(checked).isGreaterThan(30_000);
  }

  @Test
  void keepsInputOrderOfFullTiesAndPutsNullsWhereTheKeySays() {
    Object[] values = {2L, null, 1L, 2L, null, 1L};
    assertThat(ColumnSort.order(List.<Object[]>of(values), List.of(SortKey.asc("v")), 6))
        .containsExactly(2, 5, 0, 3, 1, 4);
    assertThat(ColumnSort.order(List.<Object[]>of(values), List.of(SortKey.desc("v")), 6))
        .containsExactly(1, 4, 0, 3, 2, 5);
    // -0.0 and 0.0 tie; NaN after +infinity
    Object[] doubles = {Double.NaN, 0.0, Double.POSITIVE_INFINITY, -0.0};
    assertThat(ColumnSort.order(List.<Object[]>of(doubles), List.of(SortKey.asc("d")), 4))
        .containsExactly(1, 3, 2, 0);
  }

  private static int[] unboxed(Integer[] values) {
    return Arrays.stream(values).mapToInt(Integer::intValue).toArray();
  }
}
