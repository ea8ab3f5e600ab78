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
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
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
 * Null keys and null span ends never match.
 */
final class IntervalAligner {
  private final BufferAllocator allocator;
  private final int batchSize;

  IntervalAligner(BufferAllocator allocator, int batchSize) {
    this.allocator = allocator;
    this.batchSize = batchSize;
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
    RowIndex rightIndex = RowIndex.of(right);
    int[] best = bestMatches(align, left, right, rightIndex);
    RelSchema ls = left.schema();
    RelSchema rs = right.schema();
    RelSchema outSchema = schema(align, ls, rs);
    List<org.apache.arrow.vector.types.pojo.Field> arrow = outSchema.toArrow().getFields();
    int nl = ls.fields().size();
    int[] selected = align.selectRight().stream().mapToInt(rs::indexOf).toArray();
    FieldVector[][] rightVectors = new FieldVector[selected.length][];
    for (int s = 0; s < selected.length; s++) {
      rightVectors[s] = columnVectors(right, selected[s]);
    }
    double[] scores = align.matchMeta() ? matchScores(align, right, rightIndex, best) : null;
    byte[] kind = align.mode().jsonName().getBytes(StandardCharsets.UTF_8);
    byte[] noMatch = IntervalAlign.NO_MATCH.getBytes(StandardCharsets.UTF_8);
    boolean keepUnmatched = align.how() == IntervalAlign.How.LEFT;
    List<VectorSchemaRoot> out = new ArrayList<>();
    try {
      int base = 0;
      for (VectorSchemaRoot batch : left.batches()) {
        int n = batch.getRowCount();
        int[] rows = new int[n];
        int count = 0;
        for (int r = 0; r < n; r++) {
          if (keepUnmatched || best[base + r] >= 0) {
            rows[count++] = r;
          }
        }
        if (count > 0) {
          List<FieldVector> vectors = new ArrayList<>(arrow.size());
          try {
            for (int c = 0; c < nl; c++) {
              vectors.add(leftColumn(arrow.get(c), batch.getVector(c), rows, count, n));
            }
            for (int s = 0; s < selected.length; s++) {
              vectors.add(
                  rightColumn(
                      arrow.get(nl + s), rightVectors[s], rightIndex, best, base, rows, count));
            }
            if (align.matchMeta()) {
              int c = nl + selected.length;
              VarCharVector kinds = (VarCharVector) arrow.get(c).createVector(allocator);
              vectors.add(kinds);
              kinds.allocateNew((long) count * Math.max(kind.length, noMatch.length), count);
              Float8Vector matchScores = (Float8Vector) arrow.get(c + 1).createVector(allocator);
              vectors.add(matchScores);
              matchScores.allocateNew(count);
              for (int i = 0; i < count; i++) {
                int match = best[base + rows[i]];
                if (match < 0) {
                  kinds.setSafe(i, noMatch);
                  matchScores.setNull(i);
                } else {
                  kinds.setSafe(i, kind);
                  matchScores.set(i, scores[match]);
                }
              }
              kinds.setValueCount(count);
              matchScores.setValueCount(count);
            }
          } catch (RuntimeException e) {
            vectors.forEach(FieldVector::close);
            throw e;
          }
          VectorSchemaRoot done = new VectorSchemaRoot(vectors);
          done.setRowCount(count);
          out.add(done);
        }
        base += n;
      }
      return new Relation(outSchema, out);
    } catch (RuntimeException e) {
      out.forEach(VectorSchemaRoot::close);
      throw e;
    }
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

  /** A selected right column of one output batch: each kept left row's match, or null. */
  private FieldVector rightColumn(
      org.apache.arrow.vector.types.pojo.Field field,
      FieldVector[] sources,
      RowIndex ri,
      int[] best,
      int base,
      int[] rows,
      int count) {
    FieldVector target = field.createVector(allocator);
    try {
      target.setInitialCapacity(count);
      target.allocateNew();
      if (target instanceof BigIntVector t && allOf(sources, BigIntVector.class)) {
        for (int i = 0; i < count; i++) {
          int match = best[base + rows[i]];
          BigIntVector s = match < 0 ? null : (BigIntVector) sources[ri.batch[match]];
          if (s == null || s.isNull(ri.row[match])) {
            t.setNull(i);
          } else {
            t.set(i, s.get(ri.row[match]));
          }
        }
      } else if (target instanceof Float8Vector t && allOf(sources, Float8Vector.class)) {
        for (int i = 0; i < count; i++) {
          int match = best[base + rows[i]];
          Float8Vector s = match < 0 ? null : (Float8Vector) sources[ri.batch[match]];
          if (s == null || s.isNull(ri.row[match])) {
            t.setNull(i);
          } else {
            t.set(i, s.get(ri.row[match]));
          }
        }
      } else {
        for (int i = 0; i < count; i++) {
          int match = best[base + rows[i]];
          if (match < 0) {
            Values.setNull(target, i);
          } else {
            target.copyFromSafe(ri.row[match], i, sources[ri.batch[match]]);
          }
        }
      }
      target.setValueCount(count);
      return target;
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
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

  /** The match_score of every right row some left row matched (others are left 0). */
  private static double[] matchScores(
      IntervalAlign align, Relation right, RowIndex ri, int[] best) {
    RelSchema rs = right.schema();
    FieldVector[] starts = columnVectors(right, rs.indexOf(align.rightSpan().start()));
    FieldVector[] ends = columnVectors(right, rs.indexOf(align.rightSpan().end()));
    double[] scores = new double[ri.size];
    for (int match : best) {
      if (match >= 0) {
        int b = ri.batch[match];
        int row = ri.row[match];
        scores[match] = score(spanValue(starts[b], row), spanValue(ends[b], row));
      }
    }
    return scores;
  }

  private static long spanValue(FieldVector vector, int row) {
    return vector instanceof BigIntVector v ? v.get(row) : (Long) Values.read(vector, row);
  }

  static double score(long start, long end) {
    return (double) -(end - start);
  }

  /** For every left row (in order), the index of its best right row, or -1. */
  static int[] bestMatches(IntervalAlign align, Relation left, Relation right) {
    return bestMatches(align, left, right, RowIndex.of(right));
  }

  private static int[] bestMatches(
      IntervalAlign align, Relation left, Relation right, RowIndex ri) {
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
      StringKeys dictionary = new StringKeys();
      rightGroup = dictionary.groups(right, rk[0], r.valid, true);
      leftGroup = dictionary.groups(left, lk[0], l.valid, false);
      groups = dictionary.size();
    } else {
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
    int[] rightStart = new int[groups + 1];
    int[] rightRows = byGroup(rightGroup, groups, rightStart);
    int[] leftStart = new int[groups + 1];
    int[] leftRows = byGroup(leftGroup, groups, leftStart);

    // Rank the candidate right rows of each group: score desc, tie-breakers, remaining columns.
    long[] scoreKeys = new long[ri.size];
    for (int i = 0; i < ri.size; i++) {
      // descending: the complement reverses the order
      scoreKeys[i] = r.valid[i] ? ~sortable(score(r.start[i], r.end[i])) : 0L;
    }
    List<SortKey> order = RowOrder.withRemaining(align.tieBreakers(), rs.names());
    RankOrder rankOrder = new RankOrder(scoreKeys, order, ri, rs);

    int[] best = new int[leftSize];
    Arrays.fill(best, -1);
    int[] rank = new int[ri.size];
    for (int g = 0; g < groups; g++) {
      if (leftStart[g] == leftStart[g + 1]) {
        continue;
      }
      int[] ranked = Arrays.copyOfRange(rightRows, rightStart[g], rightStart[g + 1]);
      // by score (a primitive sort), then each run of equal scores by the tie order
      IntSort.sortBy(ranked, scoreKeys, false);
      for (int from = 0; from < ranked.length; ) {
        int to = from + 1;
        while (to < ranked.length && scoreKeys[ranked[to]] == scoreKeys[ranked[from]]) {
          to++;
        }
        if (to - from > 1) {
          IntSort.sort(ranked, from, to, rankOrder);
        }
        from = to;
      }
      for (int i = 0; i < ranked.length; i++) {
        rank[ranked[i]] = i;
      }
      int[] lrows = Arrays.copyOfRange(leftRows, leftStart[g], leftStart[g + 1]);
      switch (align.mode()) {
        case EXACT -> exact(lrows, ranked, l, r, best);
        case CONTAINED -> contained(lrows, ranked, l, r, rank, best);
        case OVERLAP -> overlap(lrows, ranked, l, r, rank, best);
      }
    }
    return best;
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
   * The ranking of right rows: the score key (descending, precomputed), then {@code keys} as {@link
   * RowOrder} compares them. Each key's column is read only when a comparison first needs it;
   * integer and float64 columns are held as sortable longs (the ranking compares millions of ties).
   */
  private static final class RankOrder implements IntSort.IntComparator {
    private final long[] scoreKeys;
    private final List<SortKey> keys;
    private final RowIndex ri;
    private final RelSchema rs;
    private final long[][] values;
    private final boolean[][] nulls;
    private final int[] direction;
    private final int[] nullFirst;
    private final Object[][] objects;
    private final boolean[] loaded;

    RankOrder(long[] scoreKeys, List<SortKey> keys, RowIndex ri, RelSchema rs) {
      this.scoreKeys = scoreKeys;
      this.keys = keys;
      this.ri = ri;
      this.rs = rs;
      int n = keys.size();
      values = new long[n][];
      nulls = new boolean[n][];
      objects = new Object[n][];
      loaded = new boolean[n];
      direction = new int[n];
      nullFirst = new int[n];
      for (int k = 0; k < n; k++) {
        direction[k] = keys.get(k).direction() == SortKey.Direction.DESC ? -1 : 1;
        nullFirst[k] = keys.get(k).nulls() == SortKey.NullOrder.FIRST ? -1 : 1;
      }
    }

    @Override
    public int compare(int a, int b) {
      int c = Long.compare(scoreKeys[a], scoreKeys[b]);
      if (c != 0) {
        return c;
      }
      return compareTies(a, b);
    }

    /** The order of rows of equal score. */
    private int compareTies(int a, int b) {
      int c;
      for (int k = 0; k < loaded.length; k++) {
        if (!loaded[k]) {
          load(k);
        }
        long[] v = values[k];
        if (v != null) {
          boolean[] isNull = nulls[k];
          if (isNull[a] || isNull[b]) {
            if (isNull[a] != isNull[b]) {
              return isNull[a] ? nullFirst[k] : -nullFirst[k];
            }
            continue;
          }
          c = Long.compare(v[a], v[b]);
          if (c != 0) {
            return direction[k] * c;
          }
        } else {
          c = RowOrder.compareValues(objects[k][a], objects[k][b], keys.get(k));
          if (c != 0) {
            return c;
          }
        }
      }
      return 0;
    }

    private void load(int k) {
      int column = rs.indexOf(keys.get(k).column());
      boolean longs = true;
      boolean doubles = true;
      for (VectorSchemaRoot batch : ri.relation.batches()) {
        FieldVector vector = batch.getVector(column);
        longs &= vector instanceof BigIntVector || vector instanceof IntVector;
        doubles &= vector instanceof Float8Vector;
      }
      if (longs || doubles) {
        long[] v = new long[ri.size];
        boolean[] isNull = new boolean[ri.size];
        int i = 0;
        for (VectorSchemaRoot batch : ri.relation.batches()) {
          FieldVector vector = batch.getVector(column);
          int rows = batch.getRowCount();
          for (int row = 0; row < rows; row++, i++) {
            if (vector.isNull(row)) {
              isNull[i] = true;
            } else if (vector instanceof BigIntVector bigints) {
              v[i] = bigints.get(row);
            } else if (vector instanceof IntVector ints) {
              v[i] = ints.get(row);
            } else {
              v[i] = sortable(((Float8Vector) vector).get(row));
            }
          }
        }
        values[k] = v;
        nulls[k] = isNull;
      } else {
        objects[k] = ri.column(column);
      }
      loaded[k] = true;
    }
  }

  /**
   * The rows of every group id in one array, group by group (a counting sort; rows keep their
   * order); {@code start[g]..start[g+1]} is group g. Rows with group -1 are left out.
   */
  private static int[] byGroup(int[] group, int groups, int[] start) {
    for (int g : group) {
      if (g >= 0) {
        start[g + 1]++;
      }
    }
    for (int g = 0; g < groups; g++) {
      start[g + 1] += start[g];
    }
    int[] rows = new int[start[groups]];
    int[] next = Arrays.copyOf(start, groups);
    for (int i = 0; i < group.length; i++) {
      if (group[i] >= 0) {
        rows[next[group[i]]++] = i;
      }
    }
    return rows;
  }

  /** The span ends of every row as primitives; {@code valid} is false when either is null. */
  private record Spans(long[] start, long[] end, boolean[] valid) {
    static Spans of(Relation relation, int startColumn, int endColumn) {
      long count = relation.rowCount();
      if (count > Integer.MAX_VALUE - 8) {
        throw LaneErrors.tooManyRows(count);
      }
      int size = (int) count;
      long[] start = new long[size];
      long[] end = new long[size];
      boolean[] valid = new boolean[size];
      int i = 0;
      for (VectorSchemaRoot batch : relation.batches()) {
        FieldVector sv = batch.getVector(startColumn);
        FieldVector ev = batch.getVector(endColumn);
        int rows = batch.getRowCount();
        for (int row = 0; row < rows; row++, i++) {
          if (sv.isNull(row) || ev.isNull(row)) {
            continue;
          }
          start[i] = spanValue(sv, row);
          end[i] = spanValue(ev, row);
          valid[i] = true;
        }
      }
      return new Spans(start, end, valid);
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
    private byte[][] slots = new byte[1024][];
    private int[] hashes = new int[1024];
    private int[] ids = new int[1024];
    private int used;
    private byte[] scratch = new byte[64];
    private final Map<String, Integer> byString = new HashMap<>();

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
      int[] out = new int[valid.length];
      int i = 0;
      for (VectorSchemaRoot batch : relation.batches()) {
        VarCharVector vector = (VarCharVector) batch.getVector(column);
        ArrowBuf data = vector.getDataBuffer();
        ArrowBuf offsets = vector.getOffsetBuffer();
        int rows = batch.getRowCount();
        for (int row = 0; row < rows; row++, i++) {
          if (!valid[i] || vector.isNull(row)) {
            out[i] = -1;
          } else {
            int start = offsets.getInt((long) row * VarCharVector.OFFSET_WIDTH);
            int end = offsets.getInt((long) (row + 1) * VarCharVector.OFFSET_WIDTH);
            out[i] = find(data, start, end, create);
          }
        }
      }
      return out;
    }

    private int find(ArrowBuf data, int start, int end, boolean create) {
      int length = end - start;
      if (scratch.length < length) {
        scratch = new byte[Math.max(length, scratch.length * 2)];
      }
      data.getBytes(start, scratch, 0, length);
      int hash = 1;
      for (int i = 0; i < length; i++) {
        hash = 31 * hash + scratch[i];
      }
      hash ^= hash >>> 16;
      int mask = slots.length - 1;
      int slot = hash & mask;
      while (slots[slot] != null) {
        if (hashes[slot] == hash
            && Arrays.equals(scratch, 0, length, slots[slot], 0, slots[slot].length)) {
          int id = ids[slot];
          if (id >= 0 || !create) {
            return id;
          }
          // seen on the left first, now on the right: a new group
          id = newGroup(slots[slot]);
          ids[slot] = id;
          return id;
        }
        slot = (slot + 1) & mask;
      }
      byte[] bytes = Arrays.copyOf(scratch, length);
      Integer known = byString.get(new String(bytes, StandardCharsets.UTF_8));
      int id = known != null ? known : create ? newGroup(bytes) : -1;
      slots[slot] = bytes;
      hashes[slot] = hash;
      ids[slot] = id;
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
      }
      return id;
    }

    private void grow() {
      byte[][] oldSlots = slots;
      int[] oldHashes = hashes;
      int[] oldIds = ids;
      slots = new byte[oldSlots.length * 2][];
      hashes = new int[slots.length];
      ids = new int[slots.length];
      int mask = slots.length - 1;
      for (int s = 0; s < oldSlots.length; s++) {
        if (oldSlots[s] != null) {
          int slot = oldHashes[s] & mask;
          while (slots[slot] != null) {
            slot = (slot + 1) & mask;
          }
          slots[slot] = oldSlots[s];
          hashes[slot] = oldHashes[s];
          ids[slot] = oldIds[s];
        }
      }
    }
  }

  /** Best-ranked right row per (rs, re); {@code ranked} is best first. */
  private static void exact(int[] lrows, int[] ranked, Spans l, Spans r, int[] best) {
    Map<List<Long>, Integer> bySpan = new HashMap<>();
    for (int row : ranked) {
      bySpan.putIfAbsent(List.of(r.start[row], r.end[row]), row);
    }
    for (int row : lrows) {
      Integer match = bySpan.get(List.of(l.start[row], l.end[row]));
      best[row] = match == null ? -1 : match;
    }
  }

  private static void contained(
      int[] lrows, int[] ranked, Spans l, Spans r, int[] rank, int[] best) {
    long[] ends = distinctSorted(ranked, r.end);
    int[] rs = ranked.clone();
    IntSort.sortBy(rs, r.start, true);
    int[] ls = lrows.clone();
    IntSort.sortBy(ls, l.start, true);
    MinFenwick tree = new MinFenwick(ends.length);
    int next = 0;
    for (int row : ls) {
      long start = l.start[row];
      while (next < rs.length && r.start[rs[next]] >= start) {
        int candidate = rs[next++];
        tree.update(Arrays.binarySearch(ends, r.end[candidate]), rank[candidate]);
      }
      int found = tree.prefixMin(upperBound(ends, l.end[row]));
      best[row] = found == Integer.MAX_VALUE ? -1 : ranked[found];
    }
  }

  private static void overlap(int[] lrows, int[] ranked, Spans l, Spans r, int[] rank, int[] best) {
    long[] ends = distinctSorted(ranked, r.end);
    int[] rs = ranked.clone();
    IntSort.sortBy(rs, r.start, false);
    int[] ls = lrows.clone();
    IntSort.sortBy(ls, l.end, false);
    MinFenwick tree = new MinFenwick(ends.length);
    int next = 0;
    for (int row : ls) {
      long end = l.end[row];
      while (next < rs.length && r.start[rs[next]] < end) {
        int candidate = rs[next++];
        // reversed position: a suffix of ends becomes a prefix
        tree.update(ends.length - 1 - Arrays.binarySearch(ends, r.end[candidate]), rank[candidate]);
      }
      // right ends strictly greater than ls
      int firstGreater = upperBound(ends, l.start[row]);
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
    int lo = 0;
    int hi = sorted.length;
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
