package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * interval_align's best matches on inputs large enough for the multi-threaded per-group path,
 * against a per-left-row scan with the spec's ranking: narrow coordinates (packed sort keys) and
 * wide ones (spans beyond 2^53, where the score double rounds and packing falls back), null spans,
 * keys and tie-breakers, duplicate right ids, several batches.
 */
class IntervalAlignerScaleTest {
  private static final RelSchema LEFT =
      new RelSchema(
          List.of(
              Field.nullable("id", PrimitiveType.INT64),
              Field.nullable("path", PrimitiveType.STRING),
              Field.nullable("ls", PrimitiveType.INT64),
              Field.nullable("le", PrimitiveType.INT64)));
  static final RelSchema RIGHT =
      new RelSchema(
          List.of(
              Field.nullable("rid", PrimitiveType.INT64),
              Field.nullable("path", PrimitiveType.STRING),
              Field.nullable("rs", PrimitiveType.INT64),
              Field.nullable("re", PrimitiveType.INT64),
              Field.nullable("conf", PrimitiveType.FLOAT64)));

  /**
   * Shapes: {@code short} spans (groups finish in the candidate scan), {@code long-left} spans
   * (left spans over most of their path: the scan passes its visit budget and the sweep runs),
   * {@code reversed} (1 in 20 right spans with start > end: only the sweep is exact), {@code
   * clustered} (most starts in a narrow range, a few far off: most of a group's right rows in one
   * of the scan's buckets), {@code many-paths} (3,000 key groups: the key dictionary grows).
   */
  @ParameterizedTest
  @CsvSource({
    "CONTAINED, false, true, short",
    "CONTAINED, true, true, short",
    "CONTAINED, false, false, short",
    "CONTAINED, false, true, long-left",
    "CONTAINED, false, true, reversed",
    "CONTAINED, false, true, clustered",
    "OVERLAP, false, true, short",
    "OVERLAP, true, false, short",
    "OVERLAP, false, false, long-left",
    "OVERLAP, false, true, reversed",
    "OVERLAP, false, true, clustered",
    "OVERLAP, false, true, many-paths",
    "EXACT, false, true, short"
  })
  void parallelGroupsMatchAScanWithTheSpecRanking(
      IntervalAlign.Mode mode, boolean wide, boolean tieBreak, String shape) {
    Random random =
        new Random(
            mode.ordinal() * 4 + (wide ? 2 : 0) + (tieBreak ? 1 : 0) + 16L * shape.hashCode());
    int paths = shape.equals("many-paths") ? 3_000 : 40;
    boolean clustered = shape.equals("clustered");
    Rows left =
        Rows.random(
            random,
            12_000,
            paths,
            wide,
            mode,
            shape.equals("long-left") ? 100 : 3,
            false,
            clustered);
    Rows right =
        Rows.random(random, 30_000, paths, wide, mode, 5, shape.equals("reversed"), clustered);
    IntervalAlign align = align(mode, tieBreak);
    try (RootAllocator allocator = new RootAllocator();
        Relation l = left.relation(allocator, LEFT, false);
        Relation r = right.relation(allocator, RIGHT, true)) {
      int[] parallel = IntervalAligner.bestMatches(align, l, r, true);
      int[] single = IntervalAligner.bestMatches(align, l, r, false);
      int[] expected = scan(left, right, mode, tieBreak);
      assertThat(parallel).isEqualTo(single);
      assertThat(parallel).isEqualTo(expected);
      assertThat(java.util.Arrays.stream(expected).filter(b -> b >= 0).count())
          .as("enough matches to mean something")
          .isGreaterThan(left.size() / 10);
    }
  }

  /**
   * The output batches gather each left row's match from the right batches it sits in: right
   * batches of equal size (found by division) and of uneven sizes with empty ones among them (by
   * binary search) give the matches the scan finds.
   */
  @ParameterizedTest
  @CsvSource({"4096", "0"})
  void outputColumnsGatherEachMatchFromItsRightBatch(int rightBatchRows) {
    Random random = new Random(7);
    Rows left =
        Rows.random(random, 9_000, 30, false, IntervalAlign.Mode.CONTAINED, 3, false, false);
    Rows right =
        Rows.random(random, 20_000, 30, false, IntervalAlign.Mode.CONTAINED, 5, false, false);
    IntervalAlign align = align(IntervalAlign.Mode.CONTAINED, true);
    int[] expected = scan(left, right, IntervalAlign.Mode.CONTAINED, true);
    // uneven: sizes cycling through 1, 0 (an empty batch), 5,000 and 777
    int[] uneven = {1, 0, 5_000, 777};
    try (RootAllocator allocator = new RootAllocator();
        Relation l = left.relation(allocator, LEFT, false, 4096);
        Relation r =
            right.relation(
                allocator, RIGHT, true, rightBatchRows > 0 ? new int[] {rightBatchRows} : uneven);
        Relation out = new IntervalAligner(allocator, 4096).align(align, l, r)) {
      assertThat(r.batches().size()).isGreaterThan(3);
      int row = 0;
      int matched = 0;
      for (VectorSchemaRoot batch : out.batches()) {
        BigIntVector ids = (BigIntVector) batch.getVector("rid");
        Float8Vector conf = (Float8Vector) batch.getVector("conf");
        for (int i = 0; i < batch.getRowCount(); i++, row++) {
          int match = expected[row];
          Long id = match < 0 ? null : right.id[match];
          Double c = match < 0 ? null : right.conf[match];
          assertThat(ids.isNull(i) ? null : ids.get(i)).as("rid of left row %d", row).isEqualTo(id);
          assertThat(conf.isNull(i) ? null : conf.get(i))
              .as("conf of left row %d", row)
              .isEqualTo(c);
          matched += match < 0 ? 0 : 1;
        }
      }
      assertThat(row).isEqualTo(left.size());
      assertThat(matched).isGreaterThan(left.size() / 10);
    }
  }

  /**
   * Alignments started at once from threads outside the fork-join pool (as Spark tasks run
   * delegated ones) all finish with the single-threaded result: a tie column read on first use
   * while another thread waits for it must not wait on pool work that cannot run (it once hung
   * here, a key column being read by a parallel stream under the ranking's lock).
   */
  @Test
  void concurrentAlignmentsFromOutsideThePoolAllFinish() throws Exception {
    Rows[] sides = containedSpans(99);
    Rows left = sides[0];
    Rows right = sides[1];
    IntervalAlign align = align(IntervalAlign.Mode.CONTAINED, true);
    try (RootAllocator allocator = new RootAllocator();
        Relation l = left.relation(allocator, LEFT, false, 1024);
        Relation r = right.relation(allocator, RIGHT, true, new int[] {1024})) {
      int[] expected = IntervalAligner.bestMatches(align, l, r, false);
      java.util.concurrent.ExecutorService threads =
          java.util.concurrent.Executors.newFixedThreadPool(3);
      try {
        for (int round = 0; round < 10; round++) {
          List<java.util.concurrent.Future<int[]>> runs = new ArrayList<>();
          for (int t = 0; t < 3; t++) {
            runs.add(threads.submit(() -> IntervalAligner.bestMatches(align, l, r, true)));
          }
          for (java.util.concurrent.Future<int[]> run : runs) {
            assertThat(run.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(expected);
          }
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }

  /**
   * A lane whose profile has {@code targetPartitions} 1 (as each Spark task running delegated ops
   * has) runs interval_align on the calling thread alone: no task reaches the common pool's
   * workers, and the rows are those of a lane with no thread limit.
   */
  @Test
  void targetPartitionsOneRunsKernelsOnTheCallingThread() {
    Rows[] sides = containedSpans(5);
    Rows left = sides[0];
    Rows right = sides[1];
    IntervalAlign align = align(IntervalAlign.Mode.CONTAINED, true);
    try (RootAllocator allocator = new RootAllocator();
        Relation l = left.relation(allocator, LEFT, false, 1024);
        Relation r = right.relation(allocator, RIGHT, true, new int[] {1024})) {
      String unlimited = alignedRows(allocator, RuntimeProfile.DEFAULT, align, l, r);
      assertThat(KernelThreads.limitedTo(1, KernelThreads::available)).isEqualTo(1);
      assertThat(
              KernelThreads.limitedTo(
                  1,
                  () -> {
                    KernelThreads.limitedTo(0, KernelThreads::available);
                    return KernelThreads.available();
                  }))
          .as("the limit is restored after a nested call")
          .isEqualTo(1);
      assertThat(KernelThreads.limitedTo(1, KernelThreads::available)).isEqualTo(1);
      long stolen = ForkJoinPool.commonPool().getStealCount();
      String single =
          alignedRows(allocator, RuntimeProfile.DEFAULT.withTargetPartitions(1), align, l, r);
      assertThat(ForkJoinPool.commonPool().getStealCount())
          .as("no work ran on a pool worker")
          .isEqualTo(stolen);
      assertThat(single).isEqualTo(unlimited);
    }
  }

  /** 20,000 left and 60,000 right rows over 40 paths, contained spans: {left, right}. */
  private static Rows[] containedSpans(long seed) {
    Random random = new Random(seed);
    return new Rows[] {
      Rows.random(random, 20_000, 40, false, IntervalAlign.Mode.CONTAINED, 3, false, false),
      Rows.random(random, 60_000, 40, false, IntervalAlign.Mode.CONTAINED, 5, false, false)
    };
  }

  /** The rows of interval_align over l and r on a lane of this profile, as text. */
  private static String alignedRows(
      RootAllocator allocator,
      RuntimeProfile profile,
      IntervalAlign align,
      Relation l,
      Relation r) {
    try (ReferenceLane lane = new ReferenceLane(profile, allocator);
        Relation out =
            lane.runOps(
                "r",
                LEFT,
                l.batches(),
                List.of(align),
                Map.of(),
                Map.of("r", new SourceBatches(RIGHT, r.batches())))) {
      StringBuilder text = new StringBuilder();
      out.batches().forEach(batch -> text.append(batch.contentToTSVString()));
      assertThat(text.length()).isGreaterThan(100_000);
      return text.toString();
    }
  }

  /** Left spans (ls, le) to right spans (rs, re) by path, how=left, rid and conf selected. */
  private static IntervalAlign align(IntervalAlign.Mode mode, boolean tieBreak) {
    return new IntervalAlign(
        Pipeline.of(Scan.of("r")),
        List.of(EquiKey.same("path")),
        new IntervalAlign.Span("ls", "le"),
        new IntervalAlign.Span("rs", "re"),
        mode,
        IntervalAlign.How.LEFT,
        List.of("rid", "conf"),
        tieBreak ? List.of(SortKey.desc("conf")) : List.of(),
        true);
  }

  /** For every left row the best right row by a scan of its path's right rows, or -1. */
  private static int[] scan(Rows left, Rows right, IntervalAlign.Mode mode, boolean tieBreak) {
    Map<String, List<Integer>> byPath = new HashMap<>();
    for (int i = 0; i < right.size(); i++) {
      if (right.path[i] != null && right.start[i] != null && right.end[i] != null) {
        byPath.computeIfAbsent(right.path[i], k -> new ArrayList<>()).add(i);
      }
    }
    int[] best = new int[left.size()];
    for (int j = 0; j < left.size(); j++) {
      best[j] = -1;
      if (left.path[j] == null || left.start[j] == null || left.end[j] == null) {
        continue;
      }
      long ls = left.start[j];
      long le = left.end[j];
      for (int i : byPath.getOrDefault(left.path[j], List.of())) {
        long rs = right.start[i];
        long re = right.end[i];
        boolean matches =
            switch (mode) {
              case EXACT -> rs == ls && re == le;
              case CONTAINED -> rs >= ls && re <= le;
              case OVERLAP -> re > ls && rs < le;
            };
        if (matches && (best[j] < 0 || better(right, i, best[j], tieBreak))) {
          best[j] = i;
        }
      }
    }
    return best;
  }

  /** Whether right row a ranks strictly before b (equal rows: the earlier one stays). */
  private static boolean better(Rows r, int a, int b, boolean tieBreak) {
    int c = Double.compare(score(r, b) + 0.0, score(r, a) + 0.0);
    if (c == 0 && tieBreak) {
      c = descNullsFirst(r.conf[a], r.conf[b]);
    }
    if (c == 0) {
      c = ascNullsLast(r.id[a], r.id[b]);
    }
    if (c == 0) {
      c = ascNullsLast(r.start[a], r.start[b]);
    }
    if (c == 0) {
      c = ascNullsLast(r.end[a], r.end[b]);
    }
    if (c == 0 && !tieBreak) {
      c = ascNullsLast(r.conf[a], r.conf[b]);
    }
    return c < 0;
  }

  private static double score(Rows r, int i) {
    return (double) -(r.end[i] - r.start[i]);
  }

  private static <T extends Comparable<T>> int ascNullsLast(T a, T b) {
    if (a == null || b == null) {
      return a == b ? 0 : (a == null ? 1 : -1);
    }
    return a.compareTo(b);
  }

  private static int descNullsFirst(Double a, Double b) {
    if (a == null || b == null) {
      return a == b ? 0 : (a == null ? -1 : 1);
    }
    return -Double.compare(a + 0.0, b + 0.0);
  }

  /** Generated rows; index i is row i of the relation. */
  private record Rows(Long[] id, String[] path, Long[] start, Long[] end, Double[] conf) {
    int size() {
      return id.length;
    }

    static Rows random(
        Random random,
        int n,
        int paths,
        boolean wide,
        IntervalAlign.Mode mode,
        int maxLength,
        boolean reversed,
        boolean clustered) {
      Long[] id = new Long[n];
      String[] path = new String[n];
      Long[] start = new Long[n];
      Long[] end = new Long[n];
      Double[] conf = new Double[n];
      for (int i = 0; i < n; i++) {
        // duplicate ids (ties past the tie-breaker), 1 in 50 null
        id[i] = random.nextInt(50) == 0 ? null : (long) random.nextInt(n / 3);
        // keys of up to 8 bytes and longer ones
        int p = random.nextInt(paths);
        path[i] = random.nextInt(100) == 0 ? null : (p % 2 == 0 ? "p" : "a/longer/path/") + p;
        long s;
        long length;
        if (wide) {
          // spans beyond 2^53: the double score rounds, and coordinates do not pack
          s = (random.nextLong() >> 3) / 64 * 64;
          length =
              random.nextInt(4) == 0 ? (1L << 54) + random.nextInt(3) * 64L : random.nextInt(8);
        } else if (mode == IntervalAlign.Mode.EXACT) {
          s = random.nextInt(200);
          length = random.nextInt(maxLength) + 1;
        } else if (clustered) {
          // 1 in 50 far off, the others within 2,000
          s = random.nextInt(50) == 0 ? random.nextInt(20_000_000) : random.nextInt(2_000);
          length = random.nextInt(maxLength * 20) + 1;
        } else {
          s = random.nextInt(2_000);
          length = random.nextInt(maxLength * 20) + 1;
        }
        long e = s + length;
        if (reversed && random.nextInt(20) == 0) {
          long swap = s;
          s = e;
          e = swap;
        }
        start[i] = random.nextInt(100) == 0 ? null : s;
        end[i] = random.nextInt(100) == 0 ? null : e;
        conf[i] = random.nextInt(10) == 0 ? null : random.nextInt(4) / 4.0;
      }
      return new Rows(id, path, start, end, conf);
    }

    /** The rows as a relation of batches of 4,096 rows; with conf when {@code right}. */
    Relation relation(RootAllocator allocator, RelSchema schema, boolean right) {
      return relation(allocator, schema, right, 4096);
    }

    /** The rows in batches whose sizes cycle through {@code sizes}. */
    Relation relation(RootAllocator allocator, RelSchema schema, boolean right, int... sizes) {
      List<VectorSchemaRoot> batches = new ArrayList<>();
      for (int from = 0, b = 0; from < size(); from += sizes[b++ % sizes.length]) {
        int to = Math.min(size(), from + sizes[b % sizes.length]);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema.toArrow(), allocator);
        root.allocateNew();
        for (int i = from; i < to; i++) {
          int row = i - from;
          setLong((BigIntVector) root.getVector(0), row, id[i]);
          VarCharVector p = (VarCharVector) root.getVector(1);
          if (path[i] == null) {
            p.setNull(row);
          } else {
            p.setSafe(row, path[i].getBytes(StandardCharsets.UTF_8));
          }
          setLong((BigIntVector) root.getVector(2), row, start[i]);
          setLong((BigIntVector) root.getVector(3), row, end[i]);
          if (right) {
            Float8Vector c = (Float8Vector) root.getVector(4);
            if (conf[i] == null) {
              c.setNull(row);
            } else {
              c.setSafe(row, conf[i]);
            }
          }
        }
        root.setRowCount(to - from);
        batches.add(root);
      }
      return new Relation(schema, batches);
    }

    private static void setLong(BigIntVector vector, int row, Long value) {
      if (value == null) {
        vector.setNull(row);
      } else {
        vector.setSafe(row, value);
      }
    }
  }
}
