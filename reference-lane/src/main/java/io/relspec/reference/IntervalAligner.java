package io.relspec.reference;

import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * {@code interval_align}, sort-based per key group in O((n + m) log m): right rows are grouped by
 * their {@code on} key and ranked once (highest {@code match_score = -(re - rs)} first, then the
 * tie-breakers, then every remaining right column ascending, nulls last); then per mode:
 *
 * <ul>
 *   <li>{@code exact}: a hash of (rs, re) to the best-ranked right row;
 *   <li>{@code contained} (rs &gt;= ls and re &lt;= le): left rows by ls descending sweep in the
 *       right rows by rs descending; a Fenwick tree over re keeps the best rank of every prefix;
 *   <li>{@code overlap} (re &gt; ls and rs &lt; le): left rows by le ascending sweep in the right
 *       rows by rs ascending; a Fenwick tree over re (reversed) keeps the best rank of every
 *       suffix.
 * </ul>
 *
 * For {@code contained} and {@code overlap}, a group whose left rows each have few candidate right
 * rows is first tried without ranking it: a {@link CandidateScan} compares each left row's
 * candidates in the ranking's order ({@link AlignRanking.Order}); the ranking and sweep run only
 * for groups it gives up on.
 *
 * <p>Null keys and null span ends never match.
 */
final class IntervalAligner {
  private final BufferAllocator allocator;
  private final int batchSize;
  private final Heap heap;

  /** Without a memory budget (its heap arrays are not counted). */
  IntervalAligner(BufferAllocator allocator, int batchSize) {
    this(allocator, batchSize, null);
  }

  /**
   * @param reservation the op's share of the run's {@link MemoryBudget}: the large arrays (row
   *     index, spans, group ids and groups, rank and tie columns, results, output gathers) are
   *     added to it before they are allocated; null for none
   */
  IntervalAligner(BufferAllocator allocator, int batchSize, MemoryBudget.Reservation reservation) {
    this.allocator = allocator;
    this.batchSize = batchSize;
    this.heap = new Heap(reservation);
  }

  /**
   * A {@link MemoryBudget.Reservation} (or none) that key groups on several threads may add to:
   * {@link #addNow} checks the budget before a large allocation.
   */
  static final class Heap {
    static final Heap NONE = new Heap(null);

    private final MemoryBudget.Reservation reservation;

    Heap(MemoryBudget.Reservation reservation) {
      this.reservation = reservation;
    }

    synchronized void addNow(long bytes) {
      if (reservation != null) {
        reservation.addNow(bytes);
      }
    }

    /** Adds {@code bytes}, checked against the budget once enough have added up. */
    synchronized void add(long bytes) {
      if (reservation != null) {
        reservation.add(bytes);
      }
    }
  }

  /** The output schema, as the validator computes it. */
  static RelSchema schema(IntervalAlign align, RelSchema left, RelSchema right) {
    boolean keepUnmatched = align.how() == IntervalAlign.How.LEFT;
    List<Field> fields = new ArrayList<>(left.fields());
    for (String column : align.selectRight()) {
      Field field = right.field(column).orElseThrow();
      fields.add(field.withNullable(field.nullable() || keepUnmatched));
    }
    if (align.matchMeta()) {
      fields.add(new Field(IntervalAlign.MATCH_KIND, PrimitiveType.STRING, false));
      fields.add(new Field(IntervalAlign.MATCH_SCORE, PrimitiveType.FLOAT64, keepUnmatched));
    }
    return new RelSchema(fields);
  }

  Relation align(IntervalAlign align, Relation left, Relation right) {
    // right rows are found by batch offsets; a RowIndex is built only if other-typed keys need it
    LazyRowIndex rightIndex = new LazyRowIndex(right, heap);
    Matches matches = bestMatches(align, left, right, rightIndex, KernelThreads.parallel(), heap);
    int[] rightOffsets = new int[right.batches().size() + 1];
    for (int b = 0; b < right.batches().size(); b++) {
      rightOffsets[b + 1] = rightOffsets[b] + right.batches().get(b).getRowCount();
    }
    BatchLocator locator = BatchLocator.of(rightOffsets);
    int[] best = matches.best();
    double[] bestScores = matches.scores();
    RelSchema ls = left.schema();
    RelSchema rs = right.schema();
    RelSchema outSchema = schema(align, ls, rs);
    List<org.apache.arrow.vector.types.pojo.Field> arrow = outSchema.toArrow().getFields();
    int nl = ls.fields().size();
    int[] selected = align.selectRight().stream().mapToInt(rs::indexOf).toArray();
    FieldVector[][] rightVectors = new FieldVector[selected.length][];
    Gather[] gathers = new Gather[selected.length];
    for (int s = 0; s < selected.length; s++) {
      rightVectors[s] = columnVectors(right, selected[s]);
      gathers[s] = Gather.of(rightVectors[s]);
    }
    byte[] kind = align.mode().jsonName().getBytes(StandardCharsets.UTF_8);
    byte[] noMatch = IntervalAlign.NO_MATCH.getBytes(StandardCharsets.UTF_8);
    boolean keepUnmatched = align.how() == IntervalAlign.How.LEFT;
    List<VectorSchemaRoot> batches = left.batches();
    int[] bases = new int[batches.size() + 1];
    int widest = 0;
    for (int b = 0; b < batches.size(); b++) {
      int rows = batches.get(b).getRowCount();
      bases[b + 1] = bases[b] + rows;
      widest = Math.max(widest, rows);
    }
    // output batches are built independently (on as many threads as run key groups): each one's
    // gathers are kept rows, a value and a null flag per selected column, and the match metadata
    boolean parallel =
        KernelThreads.parallel()
            && batches.size() > 1
            && bases[batches.size()] >= PARALLEL_MIN_ROWS;
    int threads = parallel ? Math.min(batches.size(), KernelThreads.available()) : 1;
    heap.addNow(
        (long) threads * widest * (12 + 9L * selected.length + (align.matchMeta() ? 17 : 0)));
    java.util.function.IntFunction<VectorSchemaRoot> build =
        index -> {
          VectorSchemaRoot batch = batches.get(index);
          int base = bases[index];
          int n = batch.getRowCount();
          int[] rows = new int[n];
          int count = 0;
          for (int r = 0; r < n; r++) {
            if (keepUnmatched || best[base + r] >= 0) {
              rows[count++] = r;
            }
          }
          if (count > 0) {
            // each kept row's match as (right batch, row in it), found once for every column
            int[] matchBatch = new int[count];
            int[] matchRow = new int[count];
            for (int i = 0; i < count; i++) {
              int match = best[base + rows[i]];
              if (match < 0) {
                matchBatch[i] = -1;
              } else {
                int b = locator.batchOf(match);
                matchBatch[i] = b;
                matchRow[i] = match - rightOffsets[b];
              }
            }
            List<FieldVector> vectors = new ArrayList<>(arrow.size());
            try {
              for (int c = 0; c < nl; c++) {
                vectors.add(leftColumn(arrow.get(c), batch.getVector(c), rows, count, n));
              }
              for (int s = 0; s < selected.length; s++) {
                vectors.add(
                    rightColumn(
                        arrow.get(nl + s),
                        rightVectors[s],
                        gathers[s],
                        matchBatch,
                        matchRow,
                        count));
              }
              if (align.matchMeta()) {
                int c = nl + selected.length;
                VarCharVector kinds = (VarCharVector) arrow.get(c).createVector(allocator);
                vectors.add(kinds);
                Float8Vector matchScores = (Float8Vector) arrow.get(c + 1).createVector(allocator);
                vectors.add(matchScores);
                matchScores.allocateNew(count);
                int[] offsets = new int[count + 1];
                double[] scores = new double[count];
                boolean[] unmatched = new boolean[count];
                for (int i = 0; i < count; i++) {
                  int match = best[base + rows[i]];
                  if (match < 0) {
                    unmatched[i] = true;
                    offsets[i + 1] = offsets[i] + noMatch.length;
                  } else {
                    scores[i] = bestScores[base + rows[i]];
                    offsets[i + 1] = offsets[i] + kind.length;
                  }
                }
                byte[] text = new byte[offsets[count]];
                for (int i = 0; i < count; i++) {
                  byte[] value = unmatched[i] ? noMatch : kind;
                  System.arraycopy(value, 0, text, offsets[i], value.length);
                }
                writeStrings(kinds, offsets, text, count);
                ArrowBulk.writeDoubles(matchScores, scores, unmatched, count);
              }
            } catch (RuntimeException e) {
              vectors.forEach(FieldVector::close);
              throw e;
            }
            VectorSchemaRoot done = new VectorSchemaRoot(vectors);
            done.setRowCount(count);
            return done;
          }
          return null;
        };
    VectorSchemaRoot[] built = new VectorSchemaRoot[batches.size()];
    RuntimeException[] failed = new RuntimeException[batches.size()];
    IntStream indexes = IntStream.range(0, batches.size());
    (parallel ? indexes.parallel() : indexes)
        .forEach(
            index -> {
              // every batch finishes (or fails) before the results are looked at, so a failure
              // leaves nothing open
              try {
                built[index] = build.apply(index);
              } catch (RuntimeException e) {
                failed[index] = e;
              }
            });
    List<VectorSchemaRoot> out = new ArrayList<>();
    for (VectorSchemaRoot batch : built) {
      if (batch != null) {
        out.add(batch);
      }
    }
    for (RuntimeException e : failed) {
      if (e != null) {
        out.forEach(VectorSchemaRoot::close);
        throw e;
      }
    }
    return new Relation(outSchema, out);
  }

  /**
   * A left column of one output batch: the input vector's buffers shared without a copy when every
   * row is kept, else the kept rows copied.
   */
  private FieldVector leftColumn(
      org.apache.arrow.vector.types.pojo.Field field,
      FieldVector source,
      int[] rows,
      int count,
      int n) {
    FieldVector target = field.createVector(allocator);
    try {
      if (count == n
          && source.getField().getChildren().isEmpty()
          && source.getField().getType().equals(field.getType())
          && source.getAllocator().getRoot() == allocator.getRoot()) {
        source.makeTransferPair(target).splitAndTransfer(0, n);
        return target;
      }
      target.setInitialCapacity(count);
      target.allocateNew();
      for (int i = 0; i < count; i++) {
        target.copyFromSafe(rows[i], i, source);
      }
      target.setValueCount(count);
      return target;
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
  }

  /**
   * Random reads of an int64 or float64 right column without Arrow's per-value checks: each batch's
   * data and validity buffers as little-endian views (created once), null when the batch has no
   * nulls.
   */
  private record Gather(java.nio.ByteBuffer[] data, java.nio.ByteBuffer[] validity) {
    /** The views of {@code sources}, or null unless every batch is int64 or every one float64. */
    static Gather of(FieldVector[] sources) {
      if (!allOf(sources, BigIntVector.class) && !allOf(sources, Float8Vector.class)) {
        return null;
      }
      java.nio.ByteBuffer[] data = new java.nio.ByteBuffer[sources.length];
      java.nio.ByteBuffer[] validity = new java.nio.ByteBuffer[sources.length];
      for (int b = 0; b < sources.length; b++) {
        FieldVector v = sources[b];
        int rows = v.getValueCount();
        if (rows == 0) {
          continue;
        }
        data[b] = v.getDataBuffer().nioBuffer(0, rows * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (v.getNullCount() > 0) {
          validity[b] = v.getValidityBuffer().nioBuffer(0, (rows + 7) / 8);
        }
      }
      return new Gather(data, validity);
    }

    boolean isNull(int batch, int row) {
      java.nio.ByteBuffer bits = validity[batch];
      return bits != null && (bits.get(row >> 3) & (1 << (row & 7))) == 0;
    }
  }

  /**
   * A selected right column of one output batch: each kept row's match (row {@code matchRow[i]} of
   * right batch {@code matchBatch[i]}), or null where {@code matchBatch[i]} is -1.
   */
  private FieldVector rightColumn(
      org.apache.arrow.vector.types.pojo.Field field,
      FieldVector[] sources,
      Gather gather,
      int[] matchBatch,
      int[] matchRow,
      int count) {
    FieldVector target = field.createVector(allocator);
    try {
      target.setInitialCapacity(count);
      target.allocateNew();
      if (gather != null
          && target instanceof BigIntVector t
          && allOf(sources, BigIntVector.class)) {
        long[] values = new long[count];
        boolean[] nulls = new boolean[count];
        for (int i = 0; i < count; i++) {
          int b = matchBatch[i];
          if (b < 0) {
            nulls[i] = true;
            continue;
          }
          int row = matchRow[i];
          if (gather.isNull(b, row)) {
            nulls[i] = true;
          } else {
            values[i] = gather.data[b].getLong(row << 3);
          }
        }
        ArrowBulk.writeLongs(t, values, nulls, count);
        return target;
      }
      if (gather != null
          && target instanceof Float8Vector t
          && allOf(sources, Float8Vector.class)) {
        double[] values = new double[count];
        boolean[] nulls = new boolean[count];
        for (int i = 0; i < count; i++) {
          int b = matchBatch[i];
          if (b < 0) {
            nulls[i] = true;
            continue;
          }
          int row = matchRow[i];
          if (gather.isNull(b, row)) {
            nulls[i] = true;
          } else {
            values[i] = gather.data[b].getDouble(row << 3);
          }
        }
        ArrowBulk.writeDoubles(t, values, nulls, count);
        return target;
      }
      for (int i = 0; i < count; i++) {
        if (matchBatch[i] < 0) {
          Values.setNull(target, i);
        } else {
          target.copyFromSafe(matchRow[i], i, sources[matchBatch[i]]);
        }
      }
      target.setValueCount(count);
      return target;
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
  }

  /**
   * The batch of a row from the batches' first-row offsets: by division when every batch but the
   * last has the same (non-zero) size and the last no more, as a reader's batches mostly do, else
   * by binary search.
   */
  private record BatchLocator(int[] offsets, int uniform) {
    static BatchLocator of(int[] offsets) {
      int batches = offsets.length - 1;
      int size = batches > 0 ? offsets[1] - offsets[0] : 0;
      for (int b = 1; b + 1 < batches && size > 0; b++) {
        if (offsets[b + 1] - offsets[b] != size) {
          size = 0;
        }
      }
      if (batches > 1 && offsets[batches] - offsets[batches - 1] > size) {
        // a last batch larger than the others
        size = 0;
      }
      return new BatchLocator(offsets, size);
    }

    int batchOf(int i) {
      return uniform > 0 ? i / uniform : RowIndex.batchOf(offsets, i);
    }
  }

  /** A relation's {@link RowIndex}, built (and its bytes reserved) when first asked for. */
  private static final class LazyRowIndex implements java.util.function.Supplier<RowIndex> {
    private final Relation relation;
    private final Heap heap;
    private RowIndex index;

    LazyRowIndex(Relation relation, Heap heap) {
      this.relation = relation;
      this.heap = heap;
    }

    @Override
    public synchronized RowIndex get() {
      if (index == null) {
        heap.addNow(MemoryBudget.rowIndex(relation.rowCount()));
        index = RowIndex.of(relation);
      }
      return index;
    }
  }

  /** Fills an allocated string vector with {@code count} values at {@code offsets} in text. */
  private static void writeStrings(VarCharVector target, int[] offsets, byte[] text, int count) {
    target.allocateNew(Math.max(1, text.length), count);
    if (count > 0) {
      target
          .getOffsetBuffer()
          .nioBuffer(0, (count + 1) * Integer.BYTES)
          .order(java.nio.ByteOrder.LITTLE_ENDIAN)
          .asIntBuffer()
          .put(offsets, 0, count + 1);
      target.getDataBuffer().setBytes(0, text, 0, text.length);
      ArrowBulk.writeValidity(target, null, count);
      target.setLastSet(count - 1);
    }
    target.setValueCount(count);
  }

  private static boolean allOf(FieldVector[] vectors, Class<?> type) {
    for (FieldVector vector : vectors) {
      if (!type.isInstance(vector)) {
        return false;
      }
    }
    return true;
  }

  /** The vector of {@code column} in every batch of {@code relation}. */
  private static FieldVector[] columnVectors(Relation relation, int column) {
    List<VectorSchemaRoot> batches = relation.batches();
    FieldVector[] vectors = new FieldVector[batches.size()];
    for (int b = 0; b < vectors.length; b++) {
      vectors[b] = batches.get(b).getVector(column);
    }
    return vectors;
  }

  private static long spanValue(FieldVector vector, int row) {
    return vector instanceof BigIntVector v ? v.get(row) : (Long) Values.read(vector, row);
  }

  static double score(long start, long end) {
    return (double) -(end - start);
  }

  /** For every left row (in order), the index of its best right row, or -1. */
  static int[] bestMatches(IntervalAlign align, Relation left, Relation right) {
    return bestMatches(align, left, right, new LazyRowIndex(right, Heap.NONE), true, Heap.NONE)
        .best();
  }

  /**
   * As {@link #bestMatches(IntervalAlign, Relation, Relation)}, key groups on one thread or not.
   */
  static int[] bestMatches(IntervalAlign align, Relation left, Relation right, boolean parallel) {
    return bestMatches(align, left, right, new LazyRowIndex(right, Heap.NONE), parallel, Heap.NONE)
        .best();
  }

  /** The best right row of every left row (or -1) and its match_score. */
  private record Matches(int[] best, double[] scores) {}

  /** Below this many left plus right rows, key groups are aligned on the calling thread only. */
  static final int PARALLEL_MIN_ROWS = 1 << 14;

  private static Matches bestMatches(
      IntervalAlign align,
      Relation left,
      Relation right,
      LazyRowIndex rightIndex,
      boolean parallel,
      Heap heap) {
    RelSchema ls = left.schema();
    RelSchema rs = right.schema();
    int keys = align.on().size();
    int[] lk = new int[keys];
    int[] rk = new int[keys];
    List<DataType> keyTypes = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      EquiKey key = align.on().get(k);
      lk[k] = ls.indexOf(key.left());
      rk[k] = rs.indexOf(key.right());
      keyTypes.add(
          TypeRules.commonType(ls.fields().get(lk[k]).type(), rs.fields().get(rk[k]).type())
              .orElseThrow());
    }
    // span ends and valid flags, then group ids
    heap.addNow(22 * (left.rowCount() + right.rowCount()));
    Spans l =
        Spans.of(left, ls.indexOf(align.leftSpan().start()), ls.indexOf(align.leftSpan().end()));
    Spans r =
        Spans.of(right, rs.indexOf(align.rightSpan().start()), rs.indexOf(align.rightSpan().end()));
    int leftSize = l.valid.length;

    // Group ids by key (only keys present on the right), and each group's rows in CSR form.
    int[] rightGroup;
    int[] leftGroup;
    int groups;
    if (keys == 1
        && keyTypes.get(0) == PrimitiveType.STRING
        && ls.fields().get(lk[0]).type() == PrimitiveType.STRING
        && rs.fields().get(rk[0]).type() == PrimitiveType.STRING
        && StringKeys.readable(left, lk[0])
        && StringKeys.readable(right, rk[0])) {
      StringKeys dictionary = new StringKeys(heap);
      rightGroup = dictionary.groups(right, rk[0], r.valid, true);
      leftGroup = dictionary.groups(left, lk[0], l.valid, false);
      groups = dictionary.size();
    } else {
      RowIndex ri = rightIndex.get();
      heap.addNow(MemoryBudget.rowIndex(left.rowCount()));
      RowIndex li = RowIndex.of(left);
      Map<Object, Integer> groupIds = new HashMap<>();
      rightGroup = new int[ri.size];
      for (int i = 0; i < ri.size; i++) {
        rightGroup[i] = -1;
        if (r.valid[i]) {
          Object key = key(ri, i, rk, rs, keyTypes);
          if (key != null) {
            Integer id = groupIds.get(key);
            if (id == null) {
              heap.addNow(48 + MemoryBudget.value(key));
              id = groupIds.size();
              groupIds.put(key, id);
            }
            rightGroup[i] = id;
          }
        }
      }
      leftGroup = new int[li.size];
      for (int i = 0; i < li.size; i++) {
        leftGroup[i] = -1;
        if (l.valid[i]) {
          Object key = key(li, i, lk, ls, keyTypes);
          Integer id = key == null ? null : groupIds.get(key);
          if (id != null) {
            leftGroup[i] = id;
          }
        }
      }
      groups = groupIds.size();
    }
    // Each group's rows in one array (CSR, row order) with their span ends alongside; right rows
    // only of groups with left rows.
    // each side's rows, span ends, group starts and per-thread group counts (an upper bound)
    heap.addNow(20 * (left.rowCount() + right.rowCount()) + 40L * (groups + 1));
    Grouped lg = Grouped.of(leftGroup, groups, l, null);
    Grouped rg = Grouped.of(rightGroup, groups, r, lg.start);
    List<SortKey> order = RowOrder.withRemaining(align.tieBreakers(), rs.names());
    AlignRanking ranking = new AlignRanking(order, right, rightIndex, rs, rg.rows, heap);

    // best match and score per left row
    heap.addNow(12L * leftSize);
    int[] best = new int[leftSize];
    Arrays.fill(best, -1);
    // the right rows' rank in their group, for groups too wide to pack (written per group)
    RankArray rank = new RankArray(r.valid.length, heap);
    double[] scores = new double[leftSize];
    Groups work = new Groups(align.mode(), lg, rg, l, r, ranking, rank, best, scores);
    if (parallel && lg.rows.length + rg.rows.length >= PARALLEL_MIN_ROWS && groups > 1) {
      // each chunk of groups writes only its own left rows: the result does not depend on timing
      int chunks = Math.min(groups, 64);
      int[] bounds = chunkBounds(lg.start, rg.start, groups, chunks);
      IntStream.range(0, chunks).parallel().forEach(c -> work.align(bounds[c], bounds[c + 1]));
    } else {
      work.align(0, groups);
    }
    return new Matches(best, scores);
  }

  /**
   * Rows by group id (a counting sort; rows keep their order): group g is {@code
   * rows[start[g]..start[g+1])}, its span ends at the same positions of {@code starts} and {@code
   * ends}. Rows with group -1, or (when {@code only} is given) of a group g with {@code only[g] ==
   * only[g+1]}, are left out.
   */
  private record Grouped(int[] rows, long[] starts, long[] ends, int[] start) {
    static Grouped of(int[] group, int groups, Spans spans, int[] only) {
      int size = group.length;
      int batches = spans.offsets.length - 1;
      int parts =
          size < PARALLEL_MIN_ROWS || batches < 2
              ? 1
              : Math.min(batches, Math.min(8, KernelThreads.available()));
      // batches split into parts of about equal rows counted on their own threads; part p's rows
      // of group g then go to start[g] + (rows of g in the parts before p): one pass's order
      int[] bounds = new int[parts + 1];
      bounds[parts] = batches;
      int batch = 0;
      for (int p = 1; p < parts; p++) {
        long target = (long) size * p / parts;
        while (batch < batches && spans.offsets[batch] < target) {
          batch++;
        }
        bounds[p] = batch;
      }
      int[][] counts = new int[parts][];
      IntStream.range(0, parts)
          .parallel()
          .forEach(
              p -> {
                int[] count = new int[groups];
                for (int i = spans.offsets[bounds[p]]; i < spans.offsets[bounds[p + 1]]; i++) {
                  int g = group[i];
                  if (g >= 0 && (only == null || only[g] < only[g + 1])) {
                    count[g]++;
                  }
                }
                counts[p] = count;
              });
      int[] start = new int[groups + 1];
      for (int g = 0; g < groups; g++) {
        int at = start[g];
        for (int p = 0; p < parts; p++) {
          int c = counts[p][g];
          // counts[p][g] becomes part p's first position in group g
          counts[p][g] = at;
          at += c;
        }
        start[g + 1] = at;
      }
      int total = start[groups];
      int[] rows = new int[total];
      long[] starts = new long[total];
      long[] ends = new long[total];
      IntStream.range(0, parts)
          .parallel()
          .forEach(
              p -> {
                int[] next = counts[p];
                long[] batchStarts = new long[0];
                long[] batchEnds = new long[0];
                for (int b = bounds[p]; b < bounds[p + 1]; b++) {
                  int first = spans.offsets[b];
                  int n = spans.offsets[b + 1] - first;
                  if (batchStarts.length < n) {
                    batchStarts = new long[n];
                    batchEnds = new long[n];
                  }
                  spans.read(b, batchStarts, batchEnds);
                  for (int row = 0; row < n; row++) {
                    int i = first + row;
                    int g = group[i];
                    if (g >= 0 && (only == null || only[g] < only[g + 1])) {
                      int at = next[g]++;
                      rows[at] = i;
                      starts[at] = batchStarts[row];
                      ends[at] = batchEnds[row];
                    }
                  }
                }
              });
      return new Grouped(rows, starts, ends, start);
    }
  }

  /** Group ranges {@code bounds[c]..bounds[c+1]} of about equal left plus right rows. */
  private static int[] chunkBounds(int[] leftStart, int[] rightStart, int groups, int chunks) {
    long total = (long) leftStart[groups] + rightStart[groups];
    int[] bounds = new int[chunks + 1];
    int g = 0;
    for (int c = 1; c < chunks; c++) {
      long target = total * c / chunks;
      while (g < groups && (long) leftStart[g] + rightStart[g] < target) {
        g++;
      }
      bounds[c] = g;
    }
    bounds[chunks] = groups;
    return bounds;
  }

  /** The per-group ranking and sweep of one mode over grouped rows; groups are independent. */
  private record Groups(
      IntervalAlign.Mode mode,
      Grouped left,
      Grouped right,
      Spans l,
      Spans r,
      AlignRanking ranking,
      RankArray rankArray,
      int[] best,
      double[] scores) {

    void align(int fromGroup, int toGroup) {
      for (int g = fromGroup; g < toGroup; g++) {
        int lf = left.start[g];
        int n = left.start[g + 1] - lf;
        int rf = right.start[g];
        int m = right.start[g + 1] - rf;
        if (n == 0 || m == 0) {
          continue;
        }
        if (mode != IntervalAlign.Mode.EXACT && scanned(lf, n, rf, m)) {
          continue;
        }
        int[] order = ranking.bestFirst(right.rows, right.starts, right.ends, rf, m);
        // the group's right rows best first, with their span ends
        int[] ranked = new int[m];
        long[] starts = new long[m];
        long[] ends = new long[m];
        for (int i = 0; i < m; i++) {
          int at = rf + order[i];
          ranked[i] = right.rows[at];
          starts[i] = right.starts[at];
          ends[i] = right.ends[at];
        }
        boolean done =
            switch (mode) {
              case EXACT -> false;
              case CONTAINED -> containedPacked(ranked, starts, ends, left, lf, n, best, scores);
              case OVERLAP -> overlapPacked(ranked, starts, ends, left, lf, n, best, scores);
            };
        if (done) {
          continue;
        }
        int[] rank = mode == IntervalAlign.Mode.EXACT ? null : rankArray.get();
        if (rank != null) {
          for (int i = 0; i < m; i++) {
            rank[ranked[i]] = i;
          }
        }
        int[] lrows = Arrays.copyOfRange(left.rows, lf, lf + n);
        switch (mode) {
          case EXACT -> exact(lrows, ranked, l, r, best);
          case CONTAINED -> contained(lrows, ranked, l, r, rank, best);
          case OVERLAP -> overlap(lrows, ranked, l, r, rank, best);
        }
        long[] rStart = r.start();
        long[] rEnd = r.end();
        for (int row : lrows) {
          if (best[row] >= 0) {
            scores[row] = score(rStart[best[row]], rEnd[best[row]]);
          }
        }
      }
    }

    /**
     * Whether a {@link CandidateScan} matched every left row of the group (rows {@code
     * left[lf..lf+n)}, {@code right[rf..rf+m)}): the right rows are not ranked, only each left
     * row's candidates compared in the ranking's order. False, with the rows written so far to be
     * written again, when the group's starts span too wide a range to pack, a right span is
     * reversed or the scan passes its budget.
     */
    private boolean scanned(int lf, int n, int rf, int m) {
      Optional<CandidateScan> scan =
          CandidateScan.of(mode, right.rows, right.starts, right.ends, rf, m);
      return scan.isPresent()
          && scan.get()
              .run(
                  left,
                  lf,
                  n,
                  ranking.order(right.rows, right.starts, right.ends, rf, m),
                  best,
                  scores);
    }
  }

  /** An int per right row, allocated when first needed; threads write disjoint rows. */
  private static final class RankArray {
    private final int size;
    private final Heap heap;
    private int[] rank;

    RankArray(int size, Heap heap) {
      this.size = size;
      this.heap = heap;
    }

    synchronized int[] get() {
      if (rank == null) {
        heap.addNow(4L * size);
        rank = new int[size];
      }
      return rank;
    }
  }

  /** Whether {@code max - min} is below {@code limit} (false when it overflows). */
  private static boolean packs(long min, long max, long limit) {
    long range = max - min;
    return range >= 0 && range < limit;
  }

  private static long min(long[] values, int from, int n) {
    long min = Long.MAX_VALUE;
    for (int i = from; i < from + n; i++) {
      min = Math.min(min, values[i]);
    }
    return min;
  }

  private static long max(long[] values, int from, int n) {
    long max = Long.MIN_VALUE;
    for (int i = from; i < from + n; i++) {
      max = Math.max(max, values[i]);
    }
    return max;
  }

  /**
   * {@code contained} for one group with packed sort keys ((value - min) << bits | index, sorted as
   * plain longs); the same result as {@link #contained}. False, with nothing written, when the
   * group's coordinates span too wide a range to pack.
   *
   * @param ranked the group's right rows best first; {@code starts}, {@code ends} their spans
   */
  private static boolean containedPacked(
      int[] ranked,
      long[] starts,
      long[] ends,
      Grouped left,
      int lf,
      int n,
      int[] best,
      double[] scores) {
    int m = ranked.length;
    int bits = 64 - Long.numberOfLeadingZeros(Math.max(m, n));
    long limit = 1L << (63 - bits);
    long mask = (1L << bits) - 1;
    long minS = min(starts, 0, m);
    long minE = min(ends, 0, m);
    long minL = min(left.starts, lf, n);
    if (!packs(minS, max(starts, 0, m), limit)
        || !packs(minE, max(ends, 0, m), limit)
        || !packs(minL, max(left.starts, lf, n), limit)) {
      return false;
    }
    long[] byStart = packedSorted(starts, 0, m, minS, bits);
    long[] byEnd = packedSorted(ends, 0, m, minE, bits);
    long[] distinctEnds = new long[m];
    int[] endPos = new int[m];
    int distinct = distinctEnds(byEnd, bits, mask, minE, distinctEnds, endPos);
    long[] byLeftStart = packedSorted(left.starts, lf, n, minL, bits);
    int[] tree = new int[distinct + 1];
    Arrays.fill(tree, Integer.MAX_VALUE);
    // left rows by start descending sweep in the right rows by start descending
    int next = m - 1;
    for (int q = n - 1; q >= 0; q--) {
      int j = lf + (int) (byLeftStart[q] & mask);
      long start = left.starts[j];
      while (next >= 0 && (byStart[next] >>> bits) + minS >= start) {
        int i = (int) (byStart[next--] & mask);
        fenwickUpdate(tree, endPos[i], i);
      }
      int found = fenwickPrefixMin(tree, upperBound(distinctEnds, distinct, left.ends[j]));
      if (found != Integer.MAX_VALUE) {
        best[left.rows[j]] = ranked[found];
        scores[left.rows[j]] = score(starts[found], ends[found]);
      }
    }
    return true;
  }

  /** {@code overlap} for one group with packed sort keys, as {@link #containedPacked}. */
  private static boolean overlapPacked(
      int[] ranked,
      long[] starts,
      long[] ends,
      Grouped left,
      int lf,
      int n,
      int[] best,
      double[] scores) {
    int m = ranked.length;
    int bits = 64 - Long.numberOfLeadingZeros(Math.max(m, n));
    long limit = 1L << (63 - bits);
    long mask = (1L << bits) - 1;
    long minS = min(starts, 0, m);
    long minE = min(ends, 0, m);
    long minL = min(left.ends, lf, n);
    if (!packs(minS, max(starts, 0, m), limit)
        || !packs(minE, max(ends, 0, m), limit)
        || !packs(minL, max(left.ends, lf, n), limit)) {
      return false;
    }
    long[] byStart = packedSorted(starts, 0, m, minS, bits);
    long[] byEnd = packedSorted(ends, 0, m, minE, bits);
    long[] distinctEnds = new long[m];
    int[] endPos = new int[m];
    int distinct = distinctEnds(byEnd, bits, mask, minE, distinctEnds, endPos);
    long[] byLeftEnd = packedSorted(left.ends, lf, n, minL, bits);
    int[] tree = new int[distinct + 1];
    Arrays.fill(tree, Integer.MAX_VALUE);
    // left rows by end ascending sweep in the right rows by start ascending
    int next = 0;
    for (int q = 0; q < n; q++) {
      int j = lf + (int) (byLeftEnd[q] & mask);
      long end = left.ends[j];
      while (next < m && (byStart[next] >>> bits) + minS < end) {
        int i = (int) (byStart[next++] & mask);
        // reversed position: a suffix of ends becomes a prefix
        fenwickUpdate(tree, distinct - 1 - endPos[i], i);
      }
      // right ends strictly greater than ls
      int firstGreater = upperBound(distinctEnds, distinct, left.starts[j]);
      int found = fenwickPrefixMin(tree, distinct - firstGreater);
      if (found != Integer.MAX_VALUE) {
        best[left.rows[j]] = ranked[found];
        scores[left.rows[j]] = score(starts[found], ends[found]);
      }
    }
    return true;
  }

  /** Right rows a candidate scan may visit per left plus right row of the group before it stops. */
  static final int SCAN_VISITS_PER_ROW = 16;

  /**
   * A group's right rows sorted by start, for a scan per left row of the right rows that can match
   * it: those starting in {@code [ls, le]} for {@code contained}, in {@code [ls - longest, le)} for
   * {@code overlap} ({@code longest} the group's longest right span). That is exact only when every
   * right span of the group has {@code start <= end}; {@link #of} says whether it applies.
   *
   * @param sorted the right rows' starts, ascending; {@code local[k]} is the position in the group
   *     (0..m-1) of the row at {@code sorted[k]}
   * @param buckets where each bucket of starts begins in {@code sorted}, one more entry for the
   *     end: bucket b holds the starts s with {@code (s - sorted[0]) >>> shift == b}
   * @param longest the longest right span ({@code end - start})
   * @param rows the group's right rows at {@code rows[base..base+m)}; {@code starts}, {@code ends}
   *     their spans alongside
   */
  private record CandidateScan(
      IntervalAlign.Mode mode,
      long[] sorted,
      int[] local,
      int[] buckets,
      int shift,
      long longest,
      int[] rows,
      long[] starts,
      long[] ends,
      int base) {

    /**
     * The scan of a group's {@code m} right rows at {@code base}, or none when a right span of the
     * group is reversed or its length overflows (only the sweep is exact then), or its starts span
     * too wide a range to pack with a position.
     *
     * <p>The starts are sorted as packed longs ({@code (start - min) << bits | position}) by a
     * counting sort into at most m buckets of equal width, then a sort of each bucket: mostly a few
     * rows each, for a group of spread out starts. The buckets then start each search.
     */
    static Optional<CandidateScan> of(
        IntervalAlign.Mode mode, int[] rows, long[] starts, long[] ends, int base, int m) {
      long longest = 0;
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (int i = base; i < base + m; i++) {
        long length = ends[i] - starts[i];
        if (starts[i] > ends[i] || length < 0) {
          return Optional.empty();
        }
        longest = Math.max(longest, length);
        min = Math.min(min, starts[i]);
        max = Math.max(max, starts[i]);
      }
      int bits = 64 - Long.numberOfLeadingZeros(m);
      if (!packs(min, max, 1L << (63 - bits))) {
        return Optional.empty();
      }
      long range = max - min;
      int shift = 0;
      while ((range >>> shift) >= m) {
        shift++;
      }
      int count = (int) (range >>> shift) + 1;
      int[] buckets = new int[count + 1];
      for (int i = base; i < base + m; i++) {
        buckets[(int) ((starts[i] - min) >>> shift) + 1]++;
      }
      for (int b = 0; b < count; b++) {
        buckets[b + 1] += buckets[b];
      }
      int[] next = Arrays.copyOf(buckets, count);
      long[] packed = new long[m];
      for (int i = 0; i < m; i++) {
        long offset = starts[base + i] - min;
        packed[next[(int) (offset >>> shift)]++] = offset << bits | i;
      }
      for (int b = 0; b < count; b++) {
        sortRange(packed, buckets[b], buckets[b + 1]);
      }
      long mask = (1L << bits) - 1;
      long[] sorted = new long[m];
      int[] local = new int[m];
      for (int k = 0; k < m; k++) {
        sorted[k] = (packed[k] >>> bits) + min;
        local[k] = (int) (packed[k] & mask);
      }
      return Optional.of(
          new CandidateScan(
              mode, sorted, local, buckets, shift, longest, rows, starts, ends, base));
    }

    /** Sorts {@code values[from, to)}: by insertion when short. */
    private static void sortRange(long[] values, int from, int to) {
      if (to - from > 16) {
        Arrays.sort(values, from, to);
        return;
      }
      for (int i = from + 1; i < to; i++) {
        long v = values[i];
        int j = i - 1;
        while (j >= from && values[j] > v) {
          values[j + 1] = values[j];
          j--;
        }
        values[j + 1] = v;
      }
    }

    /** The number of starts below {@code x}: a binary search of x's bucket only. */
    private int lowerBound(long x) {
      int m = sorted.length;
      if (x <= sorted[0]) {
        return 0;
      }
      if (x > sorted[m - 1]) {
        return m;
      }
      // sorted[0] < x <= sorted[m - 1]: the difference does not overflow
      int b = (int) ((x - sorted[0]) >>> shift);
      int lo = buckets[b];
      int hi = buckets[b + 1];
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (sorted[mid] < x) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    /**
     * For each left row of the group, its best-ranked matching right row by {@code order}, as the
     * sweep finds it. Returns false (without finishing) when its visits pass {@link
     * #SCAN_VISITS_PER_ROW} per row of the group (long left spans over many right rows): the sweep
     * then runs and writes every left row again, the same values for those written here. Visits are
     * what a scan costs beyond its binary searches, so a group finished here cost O((n + m) log m)
     * as the sweep does, mostly far less: no ranking of the group, no sorts by end or of the left
     * rows, no Fenwick tree.
     */
    boolean run(
        Grouped left, int lf, int n, AlignRanking.Order order, int[] best, double[] scores) {
      int m = sorted.length;
      long budget = (long) SCAN_VISITS_PER_ROW * (n + m);
      boolean contained = mode == IntervalAlign.Mode.CONTAINED;
      for (int j = lf; j < lf + n; j++) {
        long ls = left.starts[j];
        long le = left.ends[j];
        int first;
        int k;
        int found = -1;
        if (contained) {
          // rs >= ls and re <= le; with rs <= re a row starting after le ends after it
          first = lowerBound(ls);
          for (k = first; k < m && sorted[k] <= le; k++) {
            int i = local[k];
            if (ends[base + i] <= le && (found < 0 || order.before(i, found))) {
              found = i;
            }
          }
        } else {
          // re > ls and rs < le; re <= rs + longest, so rs > ls - longest
          long from = ls - longest;
          first = from > ls ? 0 : lowerBound(from);
          for (k = first; k < m && sorted[k] < le; k++) {
            int i = local[k];
            if (ends[base + i] > ls && (found < 0 || order.before(i, found))) {
              found = i;
            }
          }
        }
        budget -= k - first;
        if (budget < 0) {
          return false;
        }
        if (found >= 0) {
          best[left.rows[j]] = rows[base + found];
          scores[left.rows[j]] = score(starts[base + found], ends[base + found]);
        }
      }
      return true;
    }
  }

  /**
   * Rows {@code from..from+n-1} of {@code values} packed as {@code (value - min) << bits | index}
   * (index from 0) and sorted: by value, ties by index.
   */
  private static long[] packedSorted(long[] values, int from, int n, long min, int bits) {
    long[] packed = new long[n];
    for (int i = 0; i < n; i++) {
      packed[i] = (values[from + i] - min) << bits | i;
    }
    Arrays.sort(packed);
    return packed;
  }

  /**
   * The distinct values of packed, sorted {@code byEnd} into {@code ends}; {@code endPos[i]} is the
   * position of local row i's value there. Returns the number of distinct values.
   */
  private static int distinctEnds(
      long[] byEnd, int bits, long mask, long min, long[] ends, int[] endPos) {
    int distinct = 0;
    for (long packed : byEnd) {
      long value = (packed >>> bits) + min;
      if (distinct == 0 || ends[distinct - 1] != value) {
        ends[distinct++] = value;
      }
      endPos[(int) (packed & mask)] = distinct - 1;
    }
    return distinct;
  }

  private static void fenwickUpdate(int[] tree, int position, int value) {
    for (int i = position + 1; i < tree.length; i += i & -i) {
      if (value < tree[i]) {
        tree[i] = value;
      }
    }
  }

  /** The minimum over positions {@code 0..count-1}. */
  private static int fenwickPrefixMin(int[] tree, int count) {
    int min = Integer.MAX_VALUE;
    for (int i = count; i > 0; i -= i & -i) {
      min = Math.min(min, tree[i]);
    }
    return min;
  }

  /**
   * A long whose signed order is {@link Double#compare}'s order of {@code d} (-0.0 is taken as 0.0,
   * every NaN as the one NaN).
   */
  static long sortable(double d) {
    long bits = Double.doubleToLongBits(d == 0.0 ? 0.0 : d);
    return bits ^ ((bits >> 63) & Long.MAX_VALUE);
  }

  /**
   * Which rows have both span ends ({@code valid}), and their values: read batch by batch where
   * rows are grouped ({@link #read}), as whole-relation arrays only for the general sweeps ({@link
   * #start()}, {@link #end()}, read when first asked for).
   */
  private static final class Spans {
    final boolean[] valid;
    final Relation relation;

    /** Row index of each batch's first row; one more entry for the end. */
    final int[] offsets;

    private final int startColumn;
    private final int endColumn;
    private long[] start;
    private long[] end;

    private Spans(
        Relation relation, int startColumn, int endColumn, boolean[] valid, int[] offsets) {
      this.relation = relation;
      this.startColumn = startColumn;
      this.endColumn = endColumn;
      this.valid = valid;
      this.offsets = offsets;
    }

    static Spans of(Relation relation, int startColumn, int endColumn) {
      long count = relation.rowCount();
      if (count > Integer.MAX_VALUE - 8) {
        throw LaneErrors.tooManyRows(count);
      }
      int size = (int) count;
      List<VectorSchemaRoot> batches = relation.batches();
      int[] offsets = new int[batches.size() + 1];
      // a null span end marks the row, then the marks are flipped: valid is "no end is null"
      boolean[] valid = new boolean[size];
      int i = 0;
      for (int b = 0; b < batches.size(); b++) {
        VectorSchemaRoot batch = batches.get(b);
        FieldVector sv = batch.getVector(startColumn);
        FieldVector ev = batch.getVector(endColumn);
        int rows = batch.getRowCount();
        ArrowBulk.readNulls(sv, rows, valid, i);
        ArrowBulk.readNulls(ev, rows, valid, i);
        for (int row = i; row < i + rows; row++) {
          valid[row] = !valid[row];
        }
        i += rows;
        offsets[b + 1] = i;
      }
      return new Spans(relation, startColumn, endColumn, valid, offsets);
    }

    /** The span ends of batch {@code b} into {@code starts[0..]} and {@code ends[0..]}. */
    void read(int b, long[] starts, long[] ends) {
      VectorSchemaRoot batch = relation.batches().get(b);
      FieldVector sv = batch.getVector(startColumn);
      FieldVector ev = batch.getVector(endColumn);
      int rows = batch.getRowCount();
      if (sv instanceof BigIntVector s && ev instanceof BigIntVector e) {
        ArrowBulk.readLongs(s, rows, starts, 0);
        ArrowBulk.readLongs(e, rows, ends, 0);
        return;
      }
      for (int row = 0; row < rows; row++) {
        if (valid[offsets[b] + row]) {
          starts[row] = spanValue(sv, row);
          ends[row] = spanValue(ev, row);
        }
      }
    }

    synchronized long[] start() {
      materialize();
      return start;
    }

    synchronized long[] end() {
      materialize();
      return end;
    }

    private void materialize() {
      if (start != null) {
        return;
      }
      long[] s = new long[valid.length];
      long[] e = new long[valid.length];
      long[] batchStarts = new long[0];
      long[] batchEnds = new long[0];
      for (int b = 0; b + 1 < offsets.length; b++) {
        int rows = offsets[b + 1] - offsets[b];
        if (batchStarts.length < rows) {
          batchStarts = new long[rows];
          batchEnds = new long[rows];
        }
        read(b, batchStarts, batchEnds);
        System.arraycopy(batchStarts, 0, s, offsets[b], rows);
        System.arraycopy(batchEnds, 0, e, offsets[b], rows);
      }
      start = s;
      end = e;
    }
  }

  /** The normalized key (the value itself for one key column), or null if any part is null. */
  private static Object key(
      RowIndex index, int i, int[] columns, RelSchema schema, List<DataType> types) {
    if (columns.length == 1) {
      Object value = index.value(columns[0], i);
      if (value == null) {
        return null;
      }
      DataType type = schema.fields().get(columns[0]).type();
      return Values.key(type.equals(types.get(0)) ? value : Casts.cast(value, type, types.get(0)));
    }
    List<Object> key = new ArrayList<>(columns.length);
    for (int k = 0; k < columns.length; k++) {
      Object value = index.value(columns[k], i);
      if (value == null) {
        return null;
      }
      DataType type = schema.fields().get(columns[k]).type();
      key.add(
          Values.key(type.equals(types.get(k)) ? value : Casts.cast(value, type, types.get(k))));
    }
    return key;
  }

  /**
   * Group ids of string keys read straight from the Arrow bytes, without a String per row: each
   * distinct byte sequence is decoded once, and keys that decode to the same String (as {@link
   * Values#read} sees them; invalid UTF-8 decodes with replacement characters) get the same id.
   */
  private static final class StringKeys {
    /** Longs per slot of {@link #table}. */
    private static final int WIDTH = 3;

    /**
     * The open-addressing table, {@link #WIDTH} longs a slot so that a probe reads one place: the
     * key's first 8 bytes (little-endian, zero-padded), its hash in the high and its length in the
     * low half, and its id in the low half of a word whose bit 32 says the slot is used.
     */
    private long[] table = new long[1024 * WIDTH];

    /** The stored key bytes by slot, read only to compare keys longer than 8 bytes. */
    private byte[][] slots = new byte[1024][];

    private int used;
    private final Map<String, Integer> byString = new HashMap<>();
    private final List<byte[]> byId = new ArrayList<>();
    private final Heap heap;

    /** Marks a used slot in the id word of {@link #table}. */
    private static final long USED = 1L << 32;

    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** Bytes of keys stored since the last report to {@link #heap}. */
    private long unreported;

    StringKeys(Heap heap) {
      this.heap = heap;
    }

    static boolean readable(Relation relation, int column) {
      for (VectorSchemaRoot batch : relation.batches()) {
        if (!(batch.getVector(column) instanceof VarCharVector)) {
          return false;
        }
      }
      return true;
    }

    int size() {
      return byString.size();
    }

    /**
     * The group id of every row (-1 for a null key or span); {@code create} says whether keys not
     * seen before start new groups (the right side) or match nothing (the left side).
     */
    int[] groups(Relation relation, int column, boolean[] valid, boolean create) {
      List<VectorSchemaRoot> batches = relation.batches();
      int[] out = new int[valid.length];
      if (!create
          || batches.size() < 2
          || valid.length < PARALLEL_MIN_ROWS
          || !KernelThreads.parallel()) {
        groups(batches, 0, batches.size(), 0, column, valid, create, out);
        return out;
      }
      // the second half of the batches into a dictionary of its own on another thread, then its
      // ids mapped to ids here (new keys numbered in their order there): deterministic
      int half = batches.size() / 2;
      int offset = 0;
      for (int b = 0; b < half; b++) {
        offset += batches.get(b).getRowCount();
      }
      int secondOffset = offset;
      StringKeys second = new StringKeys(heap);
      java.util.concurrent.ForkJoinTask<?> task =
          java.util.concurrent.ForkJoinPool.commonPool()
              .submit(
                  () ->
                      second.groups(
                          batches, half, batches.size(), secondOffset, column, valid, true, out));
      groups(batches, 0, half, 0, column, valid, true, out);
      task.join();
      int[] remap = new int[second.byId.size()];
      for (int k = 0; k < remap.length; k++) {
        remap[k] = newGroup(second.byId.get(k));
      }
      for (int i = offset; i < out.length; i++) {
        if (out[i] >= 0) {
          out[i] = remap[out[i]];
        }
      }
      return out;
    }

    /** The group ids of the rows of {@code batches[from, to)}, the first at {@code out[i]}. */
    private void groups(
        List<VectorSchemaRoot> batches,
        int from,
        int to,
        int i,
        int column,
        boolean[] valid,
        boolean create,
        int[] out) {
      for (int b = from; b < to; b++) {
        VectorSchemaRoot batch = batches.get(b);
        VarCharVector vector = (VarCharVector) batch.getVector(column);
        int rows = batch.getRowCount();
        int[] offsets = ArrowBulk.offsets(vector, rows);
        byte[] data = ArrowBulk.bytes(vector, offsets[rows]);
        boolean[] nulls = new boolean[rows];
        ArrowBulk.readNulls(vector, rows, nulls, 0);
        for (int row = 0; row < rows; row++, i++) {
          if (!valid[i] || nulls[row]) {
            out[i] = -1;
          } else {
            out[i] = find(data, offsets[row], offsets[row + 1], create);
          }
        }
      }
    }

    private int find(byte[] data, int start, int end, boolean create) {
      // the first 8 bytes as a long and the length settle most comparisons (all, for keys of at
      // most 8 bytes) without reading the stored key
      int length = end - start;
      long prefix;
      if (length >= 8) {
        prefix = (long) LONGS.get(data, start);
      } else {
        prefix = 0;
        for (int i = 0; i < length; i++) {
          prefix |= (data[start + i] & 0xFFL) << (8 * i);
        }
      }
      long h = prefix * 0x9E3779B97F4A7C15L + length;
      for (int i = start + 8; i < end; i++) {
        h = 31 * h + data[i];
      }
      int hash = (int) (h ^ (h >>> 32));
      hash ^= hash >>> 16;
      long hashLength = (long) hash << 32 | length;
      int mask = slots.length - 1;
      int slot = hash & mask;
      long[] t = table;
      while (t[slot * WIDTH + 2] != 0) {
        int at = slot * WIDTH;
        if (t[at + 1] == hashLength
            && t[at] == prefix
            && (length <= 8 || Arrays.equals(data, start + 8, end, slots[slot], 8, length))) {
          int id = (int) t[at + 2];
          if (id >= 0 || !create) {
            return id;
          }
          // seen on the left first, now on the right: a new group
          id = newGroup(slots[slot]);
          t[at + 2] = USED | (id & 0xFFFFFFFFL);
          return id;
        }
        slot = (slot + 1) & mask;
      }
      byte[] bytes = Arrays.copyOfRange(data, start, end);
      Integer known = byString.get(new String(bytes, StandardCharsets.UTF_8));
      int id = known != null ? known : create ? newGroup(bytes) : -1;
      // the stored bytes, its slot (with the table at most half full) and a String map entry
      unreported += 2L * bytes.length + 168;
      if (unreported >= 1 << 20) {
        heap.add(unreported);
        unreported = 0;
      }
      slots[slot] = bytes;
      t[slot * WIDTH] = prefix;
      t[slot * WIDTH + 1] = hashLength;
      t[slot * WIDTH + 2] = USED | (id & 0xFFFFFFFFL);
      if (++used * 2 > slots.length) {
        grow();
      }
      return id;
    }

    private int newGroup(byte[] bytes) {
      String key = new String(bytes, StandardCharsets.UTF_8);
      Integer id = byString.get(key);
      if (id == null) {
        id = byString.size();
        byString.put(key, id);
        byId.add(bytes);
      }
      return id;
    }

    private void grow() {
      byte[][] oldSlots = slots;
      long[] old = table;
      slots = new byte[oldSlots.length * 2][];
      table = new long[slots.length * WIDTH];
      int mask = slots.length - 1;
      for (int s = 0; s < oldSlots.length; s++) {
        if (old[s * WIDTH + 2] != 0) {
          // the hash is the high half of the second word
          int slot = (int) (old[s * WIDTH + 1] >>> 32) & mask;
          while (table[slot * WIDTH + 2] != 0) {
            slot = (slot + 1) & mask;
          }
          slots[slot] = oldSlots[s];
          System.arraycopy(old, s * WIDTH, table, slot * WIDTH, WIDTH);
        }
      }
    }
  }

  /** Best-ranked right row per (rs, re); {@code ranked} is best first. */
  private static void exact(int[] lrows, int[] ranked, Spans l, Spans r, int[] best) {
    long[] lStart = l.start();
    long[] lEnd = l.end();
    long[] rStart = r.start();
    long[] rEnd = r.end();
    Map<List<Long>, Integer> bySpan = new HashMap<>();
    for (int row : ranked) {
      bySpan.putIfAbsent(List.of(rStart[row], rEnd[row]), row);
    }
    for (int row : lrows) {
      Integer match = bySpan.get(List.of(lStart[row], lEnd[row]));
      best[row] = match == null ? -1 : match;
    }
  }

  private static void contained(
      int[] lrows, int[] ranked, Spans l, Spans r, int[] rank, int[] best) {
    long[] lStart = l.start();
    long[] lEnd = l.end();
    long[] rStart = r.start();
    long[] rEnd = r.end();
    long[] ends = distinctSorted(ranked, rEnd);
    int[] rs = ranked.clone();
    IntSort.sortBy(rs, rStart, true);
    int[] ls = lrows.clone();
    IntSort.sortBy(ls, lStart, true);
    MinFenwick tree = new MinFenwick(ends.length);
    int next = 0;
    for (int row : ls) {
      long start = lStart[row];
      while (next < rs.length && rStart[rs[next]] >= start) {
        int candidate = rs[next++];
        tree.update(Arrays.binarySearch(ends, rEnd[candidate]), rank[candidate]);
      }
      int found = tree.prefixMin(upperBound(ends, lEnd[row]));
      best[row] = found == Integer.MAX_VALUE ? -1 : ranked[found];
    }
  }

  private static void overlap(int[] lrows, int[] ranked, Spans l, Spans r, int[] rank, int[] best) {
    long[] lStart = l.start();
    long[] lEnd = l.end();
    long[] rStart = r.start();
    long[] rEnd = r.end();
    long[] ends = distinctSorted(ranked, rEnd);
    int[] rs = ranked.clone();
    IntSort.sortBy(rs, rStart, false);
    int[] ls = lrows.clone();
    IntSort.sortBy(ls, lEnd, false);
    MinFenwick tree = new MinFenwick(ends.length);
    int next = 0;
    for (int row : ls) {
      long end = lEnd[row];
      while (next < rs.length && rStart[rs[next]] < end) {
        int candidate = rs[next++];
        // reversed position: a suffix of ends becomes a prefix
        tree.update(ends.length - 1 - Arrays.binarySearch(ends, rEnd[candidate]), rank[candidate]);
      }
      // right ends strictly greater than ls
      int firstGreater = upperBound(ends, lStart[row]);
      int found = tree.prefixMin(ends.length - firstGreater);
      best[row] = found == Integer.MAX_VALUE ? -1 : ranked[found];
    }
  }

  private static long[] distinctSorted(int[] rows, long[] values) {
    long[] out = new long[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = values[rows[i]];
    }
    Arrays.sort(out);
    int n = 0;
    for (int i = 0; i < out.length; i++) {
      if (n == 0 || out[n - 1] != out[i]) {
        out[n++] = out[i];
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** The number of values {@code <= x}. */
  private static int upperBound(long[] sorted, long x) {
    return upperBound(sorted, sorted.length, x);
  }

  /** The number of values {@code <= x} among {@code sorted[0, length)}. */
  private static int upperBound(long[] sorted, int length, long x) {
    int lo = 0;
    int hi = length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** A Fenwick tree of int minima over positions {@code 0..n-1}. */
  private static final class MinFenwick {
    private final int[] tree;

    MinFenwick(int n) {
      tree = new int[n + 1];
      Arrays.fill(tree, Integer.MAX_VALUE);
    }

    void update(int position, int value) {
      for (int i = position + 1; i < tree.length; i += i & -i) {
        tree[i] = Math.min(tree[i], value);
      }
    }

    /** The minimum over positions {@code 0..count-1}. */
    int prefixMin(int count) {
      int min = Integer.MAX_VALUE;
      for (int i = count; i > 0; i -= i & -i) {
        min = Math.min(min, tree[i]);
      }
      return min;
    }
  }
}
