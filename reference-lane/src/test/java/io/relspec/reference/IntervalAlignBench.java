package io.relspec.reference;

import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Not a test: times the reference lane's interval_align (contained, how=left, one tie-breaker) on
 * random spans against a per-key nested loop with the same ranking (what a range join does). Usage:
 * {@code IntervalAlignBench LEFT RIGHT PATHS}.
 */
public final class IntervalAlignBench {
  private IntervalAlignBench() {}

  public static void main(String[] args) {
    int nLeft = Integer.parseInt(args[0]);
    int nRight = Integer.parseInt(args[1]);
    int paths = Integer.parseInt(args[2]);
    Random random = new Random(42);
    RelSchema left =
        new RelSchema(
            List.of(
                Field.notNull("id", PrimitiveType.INT64),
                Field.notNull("path", PrimitiveType.STRING),
                Field.notNull("ls", PrimitiveType.INT64),
                Field.notNull("le", PrimitiveType.INT64)));
    RelSchema right =
        new RelSchema(
            List.of(
                Field.notNull("rid", PrimitiveType.INT64),
                Field.notNull("path", PrimitiveType.STRING),
                Field.notNull("rs", PrimitiveType.INT64),
                Field.notNull("re", PrimitiveType.INT64),
                Field.nullable("conf", PrimitiveType.FLOAT64)));
    IntervalAlign align =
        new IntervalAlign(
            Pipeline.of(Scan.of("r")),
            List.of(EquiKey.same("path")),
            new IntervalAlign.Span("ls", "le"),
            new IntervalAlign.Span("rs", "re"),
            IntervalAlign.Mode.CONTAINED,
            IntervalAlign.How.LEFT,
            List.of("rid", "conf"),
            List.of(SortKey.desc("conf")),
            true);
    try (RootAllocator allocator = new RootAllocator();
        Relation l = build(allocator, left, nLeft, paths, random, 2000, false);
        Relation r = build(allocator, right, nRight, paths, random, 200, true)) {
      long sortBased = 0;
      int matched = 0;
      for (int round = 0; round < 2; round++) {
        // the first round warms up the JIT; the second is reported
        long start = System.nanoTime();
        try (Relation out = new IntervalAligner(allocator, 8192).align(align, l, r)) {
          matched = (int) out.column("rid").stream().filter(v -> v != null).count();
        }
        sortBased = System.nanoTime() - start;
      }
      System.out.printf(
          "interval_align contained, %d left x %d right over %d paths: sort-based %d ms,"
              + " %d matched%n",
          nLeft, nRight, paths, sortBased / 1_000_000, matched);
      if (args.length > 3) {
        long naive = 0;
        long naiveMatched = 0;
        for (int round = 0; round < 2; round++) {
          long start = System.nanoTime();
          naiveMatched = naive(l, r);
          naive = System.nanoTime() - start;
        }
        System.out.printf(
            "per-key nested loop (range join): %d ms, %d matched, speedup %.1fx%n",
            naive / 1_000_000, naiveMatched, (double) naive / sortBased);
      }
    }
  }

  private static Relation build(
      RootAllocator allocator,
      RelSchema schema,
      int n,
      int paths,
      Random random,
      int maxLength,
      boolean withConf) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema.toArrow(), allocator);
    root.allocateNew();
    for (int i = 0; i < n; i++) {
      long start = random.nextInt(100_000);
      ((BigIntVector) root.getVector(0)).setSafe(i, i);
      ((VarCharVector) root.getVector(1))
          .setSafe(
              i,
              ("path" + random.nextInt(paths)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      ((BigIntVector) root.getVector(2)).setSafe(i, start);
      ((BigIntVector) root.getVector(3)).setSafe(i, start + 1 + random.nextInt(maxLength));
      if (withConf) {
        ((Float8Vector) root.getVector(4)).setSafe(i, random.nextInt(10) / 10.0);
      }
    }
    root.setRowCount(n);
    return new Relation(schema, List.of(root));
  }

  /** Counts matches by a nested loop per path, best by shortest span then conf (enough to time). */
  private static long naive(Relation left, Relation right) {
    RowIndex li = RowIndex.of(left);
    RowIndex ri = RowIndex.of(right);
    java.util.Map<Object, java.util.List<Integer>> byPath = new java.util.HashMap<>();
    for (int i = 0; i < ri.size; i++) {
      byPath.computeIfAbsent(ri.value(1, i), k -> new java.util.ArrayList<>()).add(i);
    }
    Object[] rs = ri.column(2);
    Object[] re = ri.column(3);
    Object[] conf = ri.column(4);
    long matched = 0;
    for (int i = 0; i < li.size; i++) {
      long ls = (Long) li.value(2, i);
      long le = (Long) li.value(3, i);
      int best = -1;
      for (int r : byPath.getOrDefault(li.value(1, i), List.of())) {
        long s = (Long) rs[r];
        long e = (Long) re[r];
        if (s >= ls && e <= le) {
          if (best < 0
              || e - s < (Long) re[best] - (Long) rs[best]
              || (e - s == (Long) re[best] - (Long) rs[best]
                  && (Double) conf[r] > (Double) conf[best])) {
            best = r;
          }
        }
      }
      if (best >= 0) {
        matched++;
      }
    }
    return matched;
  }
}
