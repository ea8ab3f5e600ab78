package io.relspec.reference;

import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Limit;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.op.Union;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;

/**
 * Runs the ops of one rule over Arrow batches (format v1, section 4). Streaming ops (filter,
 * project, derive, explode, limit, union) work batch by batch; sort, join (hash join, right side
 * built), aggregate (hash aggregate), dedupe and interval_align hold their input. Output schemas
 * are exactly the ones {@code PipelineValidator} computes.
 */
final class Executor {
  /** Where scans read from. */
  interface Inputs {
    /** The declared schema and batches of a dataset or finalized output (borrowed, not closed). */
    SourceBatches lookup(String rule, String name);
  }

  private final BufferAllocator allocator;
  private final int batchSize;
  private final long memoryLimit;
  private final Inputs inputs;
  private final String rule;
  private final Map<String, Literal> params;
  private final MemoryBudget budget;

  Executor(
      BufferAllocator allocator,
      int batchSize,
      long memoryLimit,
      Inputs inputs,
      String rule,
      Map<String, Literal> params) {
    this.allocator = allocator;
    this.batchSize = batchSize;
    this.memoryLimit = memoryLimit;
    this.inputs = inputs;
    this.rule = rule;
    this.params = params;
    this.budget = new MemoryBudget(allocator, memoryLimit);
  }

  /**
   * Runs a pipeline; the caller owns (and closes) the result. A run of per-batch ops (filter,
   * project, derive, explode, param) right after any op, or right after the scan, is streamed: each
   * batch goes through the whole run before the next batch is read, so only the run's output is
   * held, not every intermediate result.
   */
  Relation pipeline(List<Op> ops) {
    Relation current = null;
    int i = 0;
    while (i < ops.size()) {
      int end = i + 1;
      while (end < ops.size() && perBatch(ops.get(end))) {
        end++;
      }
      Op first = ops.get(i);
      List<Op> chain = ops.subList(i + 1, end);
      boolean onlyParams = chain.stream().allMatch(op -> op instanceof Param);
      if (end < ops.size()
          && ops.get(end) instanceof Limit stop
          && (first instanceof Scan || !onlyParams)) {
        current = streamToLimit(first, current, chain, stop);
        i = end + 1;
      } else if (onlyParams) {
        current = apply(first, current);
        i++;
      } else if (first instanceof Scan scan) {
        current = streamScan(scan, chain);
        i = end;
      } else {
        current = stream(apply(first, current), chain);
        i = end;
      }
    }
    return current;
  }

  private static boolean perBatch(Op op) {
    return op instanceof Filter
        || op instanceof Project
        || op instanceof Derive
        || op instanceof Explode
        || op instanceof Param;
  }

  /** Runs one op, closing its input (unless the op passes it through) and mapping memory errors. */
  private Relation apply(Op op, Relation in) {
    Relation out;
    try {
      out = op(op, in);
    } catch (OutOfMemoryException e) {
      if (in != null) {
        in.close();
      }
      throw LaneErrors.outOfMemory(rule, op.opName(), memoryLimit, e);
    } catch (RuntimeException e) {
      if (in != null) {
        in.close();
      }
      throw e;
    }
    if (in != null && in != out) {
      in.close();
    }
    return out;
  }

  /** Sends each batch of {@code in} through the per-batch ops; closes {@code in}. */
  private Relation stream(Relation in, List<Op> chain) {
    try {
      List<VectorSchemaRoot> out = new ArrayList<>();
      RelSchema schema = null;
      try {
        schema = chainSchema(in.schema(), chain);
        for (VectorSchemaRoot batch : in.batches()) {
          out.addAll(runChain(new Relation(in.schema(), List.of(batch)), chain, false));
        }
        return new Relation(schema, out);
      } catch (RuntimeException e) {
        out.forEach(VectorSchemaRoot::close);
        throw e;
      }
    } finally {
      in.close();
    }
  }

  /**
   * {@code first} (a scan read batch by batch, or any op's output), then the per-batch ops, then a
   * limit, one batch at a time: once the limit has its rows no further batch is read or computed.
   */
  private Relation streamToLimit(Op first, Relation current, List<Op> chain, Limit stop) {
    long skip = stop.offset();
    long take = stop.n();
    List<VectorSchemaRoot> out = new ArrayList<>();
    Relation materialized = null;
    BatchStream batches = null;
    try {
      SourceBatches source;
      RelSchema firstSchema;
      if (first instanceof Scan scan) {
        source = inputs.lookup(rule, scan.dataset());
        firstSchema = scanSchema(scan, source);
      } else {
        materialized = apply(first, current);
        source = new SourceBatches(materialized.schema(), materialized.batches());
        firstSchema = materialized.schema();
      }
      RelSchema schema = chainSchema(firstSchema, chain);
      int width = schema.fields().size();
      batches = source.open();
      VectorSchemaRoot batch;
      while (take > 0 && (batch = next(batches)) != null) {
        List<VectorSchemaRoot> produced;
        if (first instanceof Scan scan) {
          produced = runChain(scanBatches(scan, source, List.of(batch)), chain, true);
        } else {
          produced = runChain(new Relation(firstSchema, List.of(batch)), chain, false);
        }
        try (Relation parts = new Relation(schema, produced)) {
          for (VectorSchemaRoot part : parts.batches()) {
            int rows = part.getRowCount();
            int from = (int) Math.min(skip, rows);
            skip -= from;
            int to = (int) Math.min(rows, from + take);
            take -= to - from;
            if (to > from) {
              try (BatchBuilder kept = builder(schema)) {
                for (int r = from; r < to; r++) {
                  kept.startRow();
                  copyRow(kept, 0, part, r, width);
                  kept.endRow();
                }
                try (Relation done = kept.finish()) {
                  for (VectorSchemaRoot b : done.batches()) {
                    out.add(transfer(b));
                  }
                }
              }
            }
          }
        }
      }
      return new Relation(schema, out);
    } catch (OutOfMemoryException e) {
      out.forEach(VectorSchemaRoot::close);
      throw LaneErrors.outOfMemory(rule, stop.opName(), memoryLimit, e);
    } catch (RuntimeException e) {
      out.forEach(VectorSchemaRoot::close);
      throw e;
    } finally {
      if (batches != null) {
        batches.close();
      }
      if (materialized != null) {
        materialized.close();
      }
    }
  }

  /** The next batch of a scan's input, Arrow's memory limit there named as the scan's. */
  private VectorSchemaRoot next(BatchStream batches) {
    try {
      return batches.next();
    } catch (OutOfMemoryException e) {
      throw LaneErrors.outOfMemory(rule, "scan", memoryLimit, e);
    }
  }

  /**
   * A new batch owning {@code batch}'s buffers (no copy); {@code batch} is left empty, so closing
   * it afterwards is harmless.
   */
  private static VectorSchemaRoot transfer(VectorSchemaRoot batch) {
    List<FieldVector> vectors = new ArrayList<>();
    for (FieldVector vector : batch.getFieldVectors()) {
      org.apache.arrow.vector.util.TransferPair pair =
          vector.getTransferPair(vector.getAllocator());
      pair.transfer();
      vectors.add((FieldVector) pair.getTo());
    }
    VectorSchemaRoot moved = new VectorSchemaRoot(vectors);
    moved.setRowCount(batch.getRowCount());
    return moved;
  }

  /** Scans batch by batch, sending each through the per-batch ops. */
  private Relation streamScan(Scan scan, List<Op> chain) {
    SourceBatches source = inputs.lookup(rule, scan.dataset());
    List<VectorSchemaRoot> out = new ArrayList<>();
    try (BatchStream batches = source.open()) {
      RelSchema schema = chainSchema(scanSchema(scan, source), chain);
      VectorSchemaRoot batch;
      while ((batch = next(batches)) != null) {
        Relation scanned = scanBatches(scan, source, List.of(batch));
        out.addAll(runChain(scanned, chain, true));
      }
      return new Relation(schema, out);
    } catch (RuntimeException e) {
      out.forEach(VectorSchemaRoot::close);
      throw e;
    }
  }

  private Relation scanBatches(Scan scan, SourceBatches source, List<VectorSchemaRoot> batches) {
    try {
      return scan(scan, source, batches);
    } catch (OutOfMemoryException e) {
      throw LaneErrors.outOfMemory(rule, scan.opName(), memoryLimit, e);
    }
  }

  /** The output schema of the per-batch ops over {@code schema}, from a run on no rows. */
  private RelSchema chainSchema(RelSchema schema, List<Op> chain) {
    Relation current = new Relation(schema, List.of());
    for (Op op : chain) {
      Relation next = op(op, current);
      if (next != current) {
        current.close();
      }
      current = next;
    }
    RelSchema out = current.schema();
    current.close();
    return out;
  }

  /**
   * The batches of one input relation sent through the ops; {@code owned} says whether the input's
   * batches may be closed here (otherwise the caller closes them).
   */
  private List<VectorSchemaRoot> runChain(Relation input, List<Op> chain, boolean owned) {
    Relation current = input;
    for (Op op : chain) {
      Relation next;
      try {
        next = op(op, current);
      } catch (OutOfMemoryException e) {
        if (current != input || owned) {
          current.close();
        }
        throw LaneErrors.outOfMemory(rule, op.opName(), memoryLimit, e);
      } catch (RuntimeException e) {
        if (current != input || owned) {
          current.close();
        }
        throw e;
      }
      if (next != current && (current != input || owned)) {
        current.close();
      }
      current = next;
    }
    if (current == input && !owned) {
      throw new IllegalStateException("Cannot stream a chain of only param ops");
    }
    return current.batches();
  }

  private Relation op(Op op, Relation in) {
    if (op instanceof Scan scan) {
      return scan(scan);
    }
    if (op instanceof Filter filter) {
      return filter(filter, in);
    }
    if (op instanceof Project project) {
      List<String> names = new ArrayList<>();
      List<io.relspec.ir.expr.Expr> exprs = new ArrayList<>();
      for (Project.Column column : project.columns()) {
        names.add(column.name());
        exprs.add(column.expr());
      }
      return compute(in, names, exprs, "project");
    }
    if (op instanceof Derive derive) {
      List<String> names = new ArrayList<>(in.schema().names());
      List<io.relspec.ir.expr.Expr> exprs = new ArrayList<>();
      for (String name : names) {
        exprs.add(new ColumnRef(name));
      }
      int index = names.indexOf(derive.name());
      if (index >= 0) {
        exprs.set(index, derive.expr());
      } else {
        names.add(derive.name());
        exprs.add(derive.expr());
      }
      return compute(in, names, exprs, "derive");
    }
    if (op instanceof Join join) {
      return join(join, in);
    }
    if (op instanceof Aggregate aggregate) {
      try (MemoryBudget.Reservation heap = budget.reserve(rule, aggregate.opName())) {
        return new HashAggregator(allocator, batchSize, params, rule, heap)
            .aggregate(aggregate, in);
      }
    }
    if (op instanceof Union union) {
      return union(union, in);
    }
    if (op instanceof Param) {
      return in;
    }
    if (op instanceof Sort sort) {
      try (MemoryBudget.Reservation heap = budget.reserve(rule, sort.opName())) {
        return sort(sort.keys(), in, heap);
      }
    }
    if (op instanceof Limit limit) {
      return limit(limit, in);
    }
    if (op instanceof Explode explode) {
      return explode(explode, in);
    }
    if (op instanceof Dedupe dedupe) {
      try (MemoryBudget.Reservation heap = budget.reserve(rule, dedupe.opName())) {
        return dedupe(dedupe.keys(), dedupe.orderBy(), in, heap);
      }
    }
    if (op instanceof IntervalAlign align) {
      try (Relation right = pipeline(align.right().ops());
          MemoryBudget.Reservation heap = budget.reserve(rule, align.opName())) {
        return new IntervalAligner(allocator, batchSize, heap).align(align, in, right);
      }
    }
    throw new AssertionError("unhandled op " + op);
  }

  // ------------------------------------------------------------------ scan

  /** Every batch of a scan, read one at a time (a streamed source holds only the one it reads). */
  private Relation scan(Scan scan) {
    SourceBatches source = inputs.lookup(rule, scan.dataset());
    List<VectorSchemaRoot> out = new ArrayList<>();
    try (BatchStream batches = source.open()) {
      VectorSchemaRoot batch;
      while ((batch = batches.next()) != null) {
        try (Relation scanned = scan(scan, source, List.of(batch))) {
          for (VectorSchemaRoot b : scanned.batches()) {
            out.add(transfer(b));
          }
        }
      }
      return new Relation(scanSchema(scan, source), out);
    } catch (RuntimeException e) {
      out.forEach(VectorSchemaRoot::close);
      throw e;
    }
  }

  private static RelSchema scanSchema(Scan scan, SourceBatches source) {
    List<String> columns = scan.columns().orElse(source.schema().names());
    List<Field> fields = new ArrayList<>();
    for (String column : columns) {
      fields.add(source.schema().field(column).orElseThrow());
    }
    return new RelSchema(fields);
  }

  /**
   * The scanned columns of {@code batches} in the declared schema, in batches of at most {@code
   * batchSize} rows. Columns without children share the source's buffers when they live under the
   * lane's root allocator (reference-counted slices, no copy; the source stays valid and is never
   * written to); other columns are copied.
   */
  private Relation scan(Scan scan, SourceBatches source, List<VectorSchemaRoot> batches) {
    RelSchema schema = scanSchema(scan, source);
    List<Field> fields = schema.fields();
    List<org.apache.arrow.vector.types.pojo.Field> arrow = schema.toArrow().getFields();
    List<VectorSchemaRoot> out = new ArrayList<>();
    try {
      for (VectorSchemaRoot batch : batches) {
        List<FieldVector> vectors = new ArrayList<>();
        for (Field field : fields) {
          FieldVector vector = batch.getVector(field.name());
          if (vector == null) {
            throw LaneErrors.missingColumn(
                rule,
                scan.dataset(),
                field.name(),
                batch.getSchema().getFields().stream()
                    .map(org.apache.arrow.vector.types.pojo.Field::getName)
                    .toList());
          }
          if (!ArrowTypes.matches(field, vector.getField())) {
            throw LaneErrors.wrongColumnType(
                rule, scan.dataset(), field.name(), field.type(), vector.getField().toString());
          }
          vectors.add(vector);
        }
        int rows = batch.getRowCount();
        for (int from = 0; from < rows; from += batchSize) {
          out.add(slice(arrow, vectors, from, Math.min(batchSize, rows - from)));
        }
      }
      return new Relation(schema, out);
    } catch (RuntimeException e) {
      out.forEach(VectorSchemaRoot::close);
      throw e;
    }
  }

  /**
   * Whether {@code target} may share {@code source}'s buffers: the same Arrow type without
   * children, in an allocator of the same root (buffers cannot move between roots).
   */
  private static boolean shareable(FieldVector source, FieldVector target) {
    return source.getField().getChildren().isEmpty()
        && source.getField().getType().equals(target.getField().getType())
        && source.getAllocator().getRoot() == target.getAllocator().getRoot();
  }

  /** Rows {@code from..from+count-1} of {@code vectors} as a new batch of {@code fields}. */
  private VectorSchemaRoot slice(
      List<org.apache.arrow.vector.types.pojo.Field> fields,
      List<FieldVector> vectors,
      int from,
      int count) {
    List<FieldVector> sliced = new ArrayList<>(vectors.size());
    try {
      for (int c = 0; c < vectors.size(); c++) {
        FieldVector source = vectors.get(c);
        FieldVector target = fields.get(c).createVector(allocator);
        sliced.add(target);
        if (shareable(source, target)) {
          source.makeTransferPair(target).splitAndTransfer(from, count);
        } else {
          target.setInitialCapacity(count);
          target.allocateNew();
          for (int r = 0; r < count; r++) {
            target.copyFromSafe(from + r, r, source);
          }
          target.setValueCount(count);
        }
      }
    } catch (RuntimeException e) {
      sliced.forEach(FieldVector::close);
      throw e;
    }
    VectorSchemaRoot root = new VectorSchemaRoot(sliced);
    root.setRowCount(count);
    return root;
  }

  // ------------------------------------------------------------------ filter, project, derive

  private Relation filter(Filter filter, Relation in) {
    Evaluator predicate =
        ExprCompiler.over(in.schema(), params, rule, "filter")
            .compile(filter.predicate())
            .evaluator();
    int width = in.schema().fields().size();
    try (BatchBuilder out = builder(in.schema())) {
      for (VectorSchemaRoot batch : in.batches()) {
        BatchRow row = new BatchRow(batch);
        for (int r = 0; r < batch.getRowCount(); r++) {
          row.index = r;
          if (Boolean.TRUE.equals(predicate.eval(row))) {
            out.startRow();
            for (int c = 0; c < width; c++) {
              out.copy(c, batch.getVector(c), r);
            }
            out.endRow();
          }
        }
      }
      return out.finish();
    }
  }

  private Relation compute(
      Relation in, List<String> names, List<io.relspec.ir.expr.Expr> exprs, String opName) {
    ExprCompiler compiler = ExprCompiler.over(in.schema(), params, rule, opName);
    List<Field> fields = new ArrayList<>();
    List<Evaluator> evaluators = new ArrayList<>();
    int[] passThrough = new int[exprs.size()];
    for (int i = 0; i < exprs.size(); i++) {
      ExprCompiler.Compiled compiled = compiler.compile(exprs.get(i));
      fields.add(new Field(names.get(i), compiled.type().type(), compiled.type().nullable()));
      evaluators.add(compiled.evaluator());
      passThrough[i] = exprs.get(i) instanceof ColumnRef ref ? in.schema().indexOf(ref.name()) : -1;
    }
    RelSchema schema = new RelSchema(fields);
    try (BatchBuilder out = builder(schema)) {
      for (VectorSchemaRoot batch : in.batches()) {
        BatchRow row = new BatchRow(batch);
        for (int r = 0; r < batch.getRowCount(); r++) {
          row.index = r;
          out.startRow();
          for (int c = 0; c < evaluators.size(); c++) {
            if (passThrough[c] >= 0) {
              out.copy(c, batch.getVector(passThrough[c]), r);
            } else {
              out.set(c, evaluators.get(c).eval(row));
            }
          }
          out.endRow();
        }
      }
      return out.finish();
    }
  }

  // ------------------------------------------------------------------ join

  private Relation join(Join join, Relation left) {
    try (Relation right = pipeline(join.right().ops());
        MemoryBudget.Reservation heap = budget.reserve(rule, join.opName())) {
      return hashJoin(join, left, right, heap);
    }
  }

  private Relation hashJoin(
      Join join, Relation left, Relation right, MemoryBudget.Reservation heap) {
    RelSchema ls = left.schema();
    RelSchema rs = right.schema();
    int nl = ls.fields().size();
    int nr = rs.fields().size();
    JoinType type = join.type();
    List<DataType> keyTypes = new ArrayList<>();
    int[] leftKeys = new int[join.on().size()];
    int[] rightKeys = new int[join.on().size()];
    for (int k = 0; k < join.on().size(); k++) {
      EquiKey key = join.on().get(k);
      leftKeys[k] = ls.indexOf(key.left());
      rightKeys[k] = rs.indexOf(key.right());
      keyTypes.add(
          TypeRules.commonType(
                  ls.fields().get(leftKeys[k]).type(), rs.fields().get(rightKeys[k]).type())
              .orElseThrow());
    }
    Optional<Evaluator> condition =
        join.condition()
            .map(c -> ExprCompiler.join(ls, rs, params, rule, "join").compile(c).evaluator());

    long buildRows = right.rowCount();
    // the build side's row index and matched flags
    heap.addNow(MemoryBudget.rowIndex(buildRows) + buildRows);
    RowIndex build = RowIndex.of(right);
    Map<List<Object>, List<Integer>> table = new HashMap<>();
    for (int i = 0; i < build.size; i++) {
      List<Object> key = joinKey(build.asRow(i), rightKeys, rs, keyTypes);
      if (key != null) {
        List<Integer> rows = table.get(key);
        if (rows == null) {
          // the entry, the key and a row list of default capacity
          heap.add(MemoryBudget.keyEntry(key) + 80);
          rows = new ArrayList<>();
          table.put(key, rows);
        }
        heap.add(20);
        rows.add(i);
      }
    }
    boolean[] rightMatched = new boolean[build.size];

    RelSchema schema = joinSchema(join, ls, rs);
    try (BatchBuilder out = builder(schema)) {
      for (VectorSchemaRoot batch : left.batches()) {
        BatchRow leftRow = new BatchRow(batch);
        for (int r = 0; r < batch.getRowCount(); r++) {
          leftRow.index = r;
          List<Object> key = joinKey(leftRow, leftKeys, ls, keyTypes);
          List<Integer> candidates = key == null ? List.of() : table.getOrDefault(key, List.of());
          boolean matched = false;
          for (int candidate : candidates) {
            if (condition.isPresent()) {
              Row rightRow = build.asRow(candidate);
              Row both = c -> c < nl ? leftRow.get(c) : rightRow.get(c - nl);
              if (!Boolean.TRUE.equals(condition.get().eval(both))) {
                continue;
              }
            }
            matched = true;
            rightMatched[candidate] = true;
            if (type == JoinType.SEMI || type == JoinType.ANTI) {
              break;
            }
            out.startRow();
            copyRow(out, 0, batch, r, nl);
            for (int c = 0; c < nr; c++) {
              out.copy(nl + c, build.vector(c, candidate), build.row[candidate]);
            }
            out.endRow();
          }
          boolean keepLeft =
              (type == JoinType.SEMI && matched)
                  || (type == JoinType.ANTI && !matched)
                  || (!matched && (type == JoinType.LEFT || type == JoinType.FULL));
          if (keepLeft) {
            out.startRow();
            copyRow(out, 0, batch, r, nl);
            if (type.keepsRightColumns()) {
              for (int c = 0; c < nr; c++) {
                out.set(nl + c, null);
              }
            }
            out.endRow();
          }
        }
      }
      if (type == JoinType.RIGHT || type == JoinType.FULL) {
        for (int i = 0; i < build.size; i++) {
          if (!rightMatched[i]) {
            out.startRow();
            for (int c = 0; c < nl; c++) {
              out.set(c, null);
            }
            for (int c = 0; c < nr; c++) {
              out.copy(nl + c, build.vector(c, i), build.row[i]);
            }
            out.endRow();
          }
        }
      }
      return out.finish();
    }
  }

  /** The normalized key of a row, or null when a key column is null (null never matches). */
  private static List<Object> joinKey(Row row, int[] columns, RelSchema schema, List<DataType> to) {
    List<Object> key = new ArrayList<>(columns.length);
    for (int k = 0; k < columns.length; k++) {
      Object value = row.get(columns[k]);
      if (value == null) {
        return null;
      }
      key.add(Values.key(Casts.cast(value, schema.fields().get(columns[k]).type(), to.get(k))));
    }
    return key;
  }

  static RelSchema joinSchema(Join join, RelSchema left, RelSchema right) {
    if (!join.type().keepsRightColumns()) {
      return left;
    }
    boolean leftNullable = join.type() == JoinType.RIGHT || join.type() == JoinType.FULL;
    boolean rightNullable = join.type() == JoinType.LEFT || join.type() == JoinType.FULL;
    List<Field> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Field field : left.fields()) {
      fields.add(field.withNullable(field.nullable() || leftNullable));
      names.add(field.name());
    }
    for (Field field : right.fields()) {
      String name = field.name();
      if (names.contains(name)) {
        name = name + join.rightSuffix().orElse("");
      }
      names.add(name);
      fields.add(new Field(name, field.type(), field.nullable() || rightNullable));
    }
    return new RelSchema(fields);
  }

  // ------------------------------------------------------------------ union

  private Relation union(Union union, Relation first) {
    List<Relation> parts = new ArrayList<>();
    try {
      for (var input : union.inputs()) {
        parts.add(pipeline(input.ops()));
      }
      List<Relation> all = new ArrayList<>();
      all.add(first);
      all.addAll(parts);
      RelSchema schema = unionSchema(all.stream().map(Relation::schema).toList());
      if (union.distinct()) {
        Set<List<Object>> seen = new HashSet<>();
        try (BatchBuilder out = builder(schema);
            MemoryBudget.Reservation heap = budget.reserve(rule, union.opName())) {
          for (Relation part : all) {
            appendAligned(out, part, seen, heap);
          }
          return out.finish();
        }
      }
      // union all: batches of an input with the union's columns and types move over without a
      // copy; any other input is aligned one batch at a time
      List<VectorSchemaRoot> out = new ArrayList<>();
      try {
        for (Relation part : all) {
          boolean same = sameColumns(part.schema(), schema);
          for (VectorSchemaRoot batch : part.batches()) {
            if (same) {
              out.add(transfer(batch));
            } else {
              try (BatchBuilder aligned = builder(schema)) {
                appendAligned(aligned, new Relation(part.schema(), List.of(batch)), null, null);
                try (Relation done = aligned.finish()) {
                  for (VectorSchemaRoot b : done.batches()) {
                    out.add(transfer(b));
                  }
                }
              }
            }
          }
        }
        return new Relation(schema, out);
      } catch (RuntimeException e) {
        out.forEach(VectorSchemaRoot::close);
        throw e;
      }
    } finally {
      parts.forEach(Relation::close);
    }
  }

  /** Same column names and types in the same order (nullability aside). */
  private static boolean sameColumns(RelSchema a, RelSchema b) {
    if (a.fields().size() != b.fields().size()) {
      return false;
    }
    for (int c = 0; c < a.fields().size(); c++) {
      Field x = a.fields().get(c);
      Field y = b.fields().get(c);
      if (!x.name().equals(y.name()) || !x.type().equals(y.type())) {
        return false;
      }
    }
    return true;
  }

  static RelSchema unionSchema(List<RelSchema> schemas) {
    Map<String, Field> merged = new LinkedHashMap<>();
    Map<String, Integer> presence = new HashMap<>();
    for (RelSchema schema : schemas) {
      for (Field field : schema.fields()) {
        presence.merge(field.name(), 1, Integer::sum);
        Field existing = merged.get(field.name());
        if (existing == null) {
          merged.put(field.name(), field);
        } else {
          DataType common = TypeRules.commonType(existing.type(), field.type()).orElseThrow();
          merged.put(
              field.name(),
              new Field(field.name(), common, existing.nullable() || field.nullable()));
        }
      }
    }
    List<Field> fields = new ArrayList<>();
    for (Field field : merged.values()) {
      boolean missing = presence.get(field.name()) < schemas.size();
      fields.add(field.withNullable(field.nullable() || missing));
    }
    return new RelSchema(fields);
  }

  /** Appends a relation's rows matched by column name, widening, null where a column is missing. */
  private static void appendAligned(
      BatchBuilder out, Relation part, Set<List<Object>> seen, MemoryBudget.Reservation heap) {
    RelSchema schema = out.schema();
    int width = schema.fields().size();
    int[] source = new int[width];
    boolean[] sameType = new boolean[width];
    for (int c = 0; c < width; c++) {
      Field field = schema.fields().get(c);
      source[c] = part.schema().indexOf(field.name());
      sameType[c] =
          source[c] >= 0 && part.schema().fields().get(source[c]).type().equals(field.type());
    }
    for (VectorSchemaRoot batch : part.batches()) {
      for (int r = 0; r < batch.getRowCount(); r++) {
        Object[] values = null;
        if (seen != null) {
          values = new Object[width];
          List<Object> key = new ArrayList<>(width);
          for (int c = 0; c < width; c++) {
            values[c] =
                source[c] < 0
                    ? null
                    : Casts.cast(
                        Values.read(batch.getVector(source[c]), r),
                        part.schema().fields().get(source[c]).type(),
                        schema.fields().get(c).type());
            key.add(Values.key(values[c]));
          }
          if (!seen.add(key)) {
            continue;
          }
          heap.add(MemoryBudget.keyEntry(key));
        }
        out.startRow();
        for (int c = 0; c < width; c++) {
          if (source[c] < 0) {
            out.set(c, null);
          } else if (values != null) {
            // a distinct row: -0.0 and 0.0 were one value, written 0.0 (NaN canonical)
            out.set(c, Values.normalizeFloats(values[c]));
          } else if (sameType[c]) {
            out.copy(c, batch.getVector(source[c]), r);
          } else {
            out.set(
                c,
                Casts.cast(
                    Values.read(batch.getVector(source[c]), r),
                    part.schema().fields().get(source[c]).type(),
                    schema.fields().get(c).type()));
          }
        }
        out.endRow();
      }
    }
  }

  // ------------------------------------------------------------------ sort, limit

  Relation sort(List<SortKey> keys, Relation in, MemoryBudget.Reservation heap) {
    long rows = in.rowCount();
    heap.addNow(MemoryBudget.rowIndex(rows) + MemoryBudget.columnSort(rows));
    RowIndex index = RowIndex.of(in);
    List<Object[]> columns = new ArrayList<>();
    for (SortKey key : keys) {
      int column = in.schema().indexOf(key.column());
      heap.addNow(MemoryBudget.column(in, column));
      columns.add(index.column(column));
    }
    return gather(index, ColumnSort.order(columns, keys, index.size), heap);
  }

  /** The rows of {@code index} at {@code order}, in that order. */
  private Relation gather(RowIndex index, int[] order, MemoryBudget.Reservation heap) {
    List<VectorSchemaRoot> batches = index.relation.batches();
    return RowGather.gather(
        index.relation.schema(),
        allocator,
        batchSize,
        order,
        c -> new RowGather.Picked(batches.stream().map(batch -> batch.getVector(c)).toList()),
        heap);
  }

  private Relation limit(Limit limit, Relation in) {
    int width = in.schema().fields().size();
    long skip = limit.offset();
    long take = limit.n();
    try (BatchBuilder out = builder(in.schema())) {
      for (VectorSchemaRoot batch : in.batches()) {
        for (int r = 0; r < batch.getRowCount() && take > 0; r++) {
          if (skip > 0) {
            skip--;
            continue;
          }
          out.startRow();
          copyRow(out, 0, batch, r, width);
          out.endRow();
          take--;
        }
      }
      return out.finish();
    }
  }

  // ------------------------------------------------------------------ explode

  private Relation explode(Explode explode, Relation in) {
    RelSchema inSchema = in.schema();
    int listColumn = inSchema.indexOf(explode.column());
    DataType element = ((ListType) inSchema.fields().get(listColumn).type()).element();
    List<Field> fields = new ArrayList<>();
    List<Integer> sources = new ArrayList<>();
    final int elementSource = -1;
    final int positionSource = -2;
    for (int c = 0; c < inSchema.fields().size(); c++) {
      if (c == listColumn) {
        fields.add(new Field(explode.as(), element, true));
        sources.add(elementSource);
        if (explode.position().isPresent()) {
          fields.add(new Field(explode.position().get(), PrimitiveType.INT32, explode.outer()));
          sources.add(positionSource);
        }
      } else {
        fields.add(inSchema.fields().get(c));
        sources.add(c);
      }
    }
    try (BatchBuilder out = builder(new RelSchema(fields))) {
      for (VectorSchemaRoot batch : in.batches()) {
        ListVector list = (ListVector) batch.getVector(listColumn);
        FieldVector data = list.getDataVector();
        for (int r = 0; r < batch.getRowCount(); r++) {
          boolean empty =
              list.isNull(r) || list.getElementEndIndex(r) == list.getElementStartIndex(r);
          if (empty && !explode.outer()) {
            continue;
          }
          int start = empty ? 0 : list.getElementStartIndex(r);
          int end = empty ? 1 : list.getElementEndIndex(r);
          for (int e = start; e < end; e++) {
            out.startRow();
            for (int c = 0; c < sources.size(); c++) {
              int source = sources.get(c);
              if (source == elementSource) {
                if (empty) {
                  out.set(c, null);
                } else {
                  out.copy(c, data, e);
                }
              } else if (source == positionSource) {
                out.set(c, empty ? null : (long) (e - start));
              } else {
                out.copy(c, batch.getVector(source), r);
              }
            }
            out.endRow();
          }
        }
      }
      return out.finish();
    }
  }

  // ------------------------------------------------------------------ dedupe

  Relation dedupe(
      List<String> keys, List<SortKey> orderBy, Relation in, MemoryBudget.Reservation heap) {
    heap.addNow(MemoryBudget.rowIndex(in.rowCount()));
    RowIndex index = RowIndex.of(in);
    RelSchema schema = in.schema();
    int[] winners =
        FirstPerKey.dedupe(
            schema.names(),
            keys,
            orderBy,
            index.size,
            name -> {
              int column = schema.indexOf(name);
              heap.addNow(MemoryBudget.column(in, column));
              return index.column(column);
            },
            VectorKeys.of(index, keys.stream().mapToInt(schema::indexOf).toArray()),
            heap);
    return gather(index, winners, heap);
  }

  // ------------------------------------------------------------------ helpers

  private BatchBuilder builder(RelSchema schema) {
    return new BatchBuilder(schema, allocator, batchSize);
  }

  private static void copyRow(
      BatchBuilder out, int offset, VectorSchemaRoot batch, int row, int width) {
    for (int c = 0; c < width; c++) {
      out.copy(offset + c, batch.getVector(c), row);
    }
  }

  /** A row of one batch, moved along by setting {@code index}. */
  static final class BatchRow implements Row {
    private final VectorSchemaRoot batch;
    int index;

    BatchRow(VectorSchemaRoot batch) {
      this.batch = batch;
    }

    @Override
    public Object get(int column) {
      return Values.read(batch.getVector(column), index);
    }
  }
}
