package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link AlignRanking.Order} (a group's ranking as pairwise comparisons, for the candidate scan)
 * against {@link AlignRanking#bestFirst} (the group sorted): for every pair of a group's right
 * rows, one ranks before the other exactly when it comes first in the sorted order. Few distinct
 * values make ties reach every key (integer, float64 and string columns, nulls among them).
 */
class AlignRankingTest {
  private static final RelSchema RIGHT = IntervalAlignerScaleTest.RIGHT;

  /**
   * {@code tieBreakers}: none, conf descending (nulls first), conf ascending nulls first, or path
   * descending (a string key first); {@code wide}: spans beyond 2^53, where scores round and tie.
   */
  @ParameterizedTest
  @CsvSource({
    "none, false",
    "conf-desc, false",
    "conf-asc-nulls-first, false",
    "path-desc, false",
    "conf-desc, true"
  })
  void pairwiseOrderIsTheSortedOrder(String tieBreakers, boolean wide) {
    Random random = new Random(tieBreakers.hashCode() * 2L + (wide ? 1 : 0));
    int size = 900;
    Long[] id = new Long[size];
    String[] path = new String[size];
    long[] start = new long[size];
    long[] end = new long[size];
    Double[] conf = new Double[size];
    for (int i = 0; i < size; i++) {
      id[i] = random.nextInt(10) == 0 ? null : (long) random.nextInt(6);
      path[i] = random.nextInt(10) == 0 ? null : "p" + random.nextInt(3);
      start[i] = wide ? (random.nextLong() >> 3) / 64 * 64 : random.nextInt(20);
      long length =
          wide && random.nextBoolean() ? (1L << 54) + random.nextInt(3) * 64L : random.nextInt(4);
      end[i] = start[i] + length;
      conf[i] = random.nextInt(6) == 0 ? null : random.nextInt(3) / 2.0;
    }
    List<SortKey> keys =
        switch (tieBreakers) {
          case "conf-desc" -> List.of(SortKey.desc("conf"));
          case "conf-asc-nulls-first" ->
              List.of(new SortKey("conf", SortKey.Direction.ASC, SortKey.NullOrder.FIRST));
          case "path-desc" -> List.of(SortKey.desc("path"));
          default -> List.<SortKey>of();
        };
    List<SortKey> order = RowOrder.withRemaining(keys, RIGHT.names());
    // two groups in the grouped arrays: every third row, then the others (each in row order)
    int[] grouped = new int[size];
    int at = 0;
    for (int i = 0; i < size; i += 3) {
      grouped[at++] = i;
    }
    int second = at;
    for (int i = 0; i < size; i++) {
      if (i % 3 != 0) {
        grouped[at++] = i;
      }
    }
    long[] starts = new long[size];
    long[] ends = new long[size];
    for (int p = 0; p < size; p++) {
      starts[p] = start[grouped[p]];
      ends[p] = end[grouped[p]];
    }
    try (RootAllocator allocator = new RootAllocator();
        Relation right = relation(allocator, id, path, start, end, conf)) {
      AlignRanking ranking = new AlignRanking(order, RowIndex.of(right), RIGHT, grouped);
      int[][] groups = {{0, second}, {second, size - second}};
      for (int[] group : groups) {
        int from = group[0];
        int m = group[1];
        int[] sorted = ranking.bestFirst(grouped, starts, ends, from, m);
        int[] place = new int[m];
        for (int k = 0; k < m; k++) {
          place[sorted[k]] = k;
        }
        AlignRanking.Order pairs = ranking.order(grouped, starts, ends, from, m);
        int disagreements = 0;
        for (int a = 0; a < m; a++) {
          for (int b = 0; b < m; b++) {
            if (a != b && pairs.before(a, b) != (place[a] < place[b])) {
              disagreements++;
            }
          }
        }
        assertThat(disagreements).as("pairs ordered unlike bestFirst").isZero();
      }
    }
  }

  /** The rows in batches of 256 (the tie columns are read across batches). */
  private static Relation relation(
      RootAllocator allocator, Long[] id, String[] path, long[] start, long[] end, Double[] conf) {
    List<VectorSchemaRoot> batches = new ArrayList<>();
    for (int from = 0; from < id.length; from += 256) {
      int to = Math.min(id.length, from + 256);
      VectorSchemaRoot root = VectorSchemaRoot.create(RIGHT.toArrow(), allocator);
      root.allocateNew();
      for (int i = from; i < to; i++) {
        int row = i - from;
        BigIntVector ids = (BigIntVector) root.getVector(0);
        if (id[i] == null) {
          ids.setNull(row);
        } else {
          ids.setSafe(row, id[i]);
        }
        VarCharVector paths = (VarCharVector) root.getVector(1);
        if (path[i] == null) {
          paths.setNull(row);
        } else {
          paths.setSafe(row, path[i].getBytes(StandardCharsets.UTF_8));
        }
        ((BigIntVector) root.getVector(2)).setSafe(row, start[i]);
        ((BigIntVector) root.getVector(3)).setSafe(row, end[i]);
        Float8Vector confs = (Float8Vector) root.getVector(4);
        if (conf[i] == null) {
          confs.setNull(row);
        } else {
          confs.setSafe(row, conf[i]);
        }
      }
      root.setRowCount(to - from);
      batches.add(root);
    }
    return new Relation(RIGHT, batches);
  }
}
