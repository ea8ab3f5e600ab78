package io.relspec.datafusion.comet;

import io.relspec.datafusion.DataFusionErrors;
import io.relspec.datafusion.Fallback;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
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
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.op.Union;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import io.relspec.ir.validate.ExprType;
import io.relspec.ir.validate.FunctionRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.comet.serde.ExprOuterClass;
import org.apache.comet.serde.OperatorOuterClass;

/**
 * A relspec pipeline as one Comet 0.12 operator tree. Scans read JVM Arrow batches ({@code Scan}
 * with {@code arrow_ffi_safe}); filter, project and derive become {@code Filter} and {@code
 * Projection}; aggregate becomes {@code HashAggregate} Partial then Final; sort, limit and join
 * become {@code Sort}, {@code Limit} and {@code HashJoin}. Every op it cannot translate is recorded
 * as a {@link Fallback} with the reason, never translated approximately.
 */
final class PlanTranslator {

  /** The translated tree (empty when anything fell back) and what it reads and produces. */
  record Translation(
      Optional<OperatorOuterClass.Operator> root,
      RelSchema schema,
      List<String> scans,
      List<String> nativeOps,
      List<Fallback> fallbacks) {
    Translation {
      scans = List.copyOf(scans);
      nativeOps = List.copyOf(nativeOps);
      fallbacks = List.copyOf(fallbacks);
    }
  }

  private record State(OperatorOuterClass.Operator op, RelSchema schema) {}

  private static final class OpUnsupported extends Exception {
    private static final long serialVersionUID = 1L;

    OpUnsupported(String reason) {
      super(reason);
    }
  }

  private final Function<String, RelSchema> datasets;
  private final Function<String, Optional<ParquetFiles>> parquet;
  private final Map<String, Literal> boundParams;
  private final Map<String, Literal> params = new LinkedHashMap<>();
  private final List<String> scans = new ArrayList<>();
  private final List<String> nativeOps = new ArrayList<>();
  private final List<Fallback> fallbacks = new ArrayList<>();
  private int nextPlanId = 1;

  /**
   * @param datasets the schema of a registered dataset; throws for an unknown name
   * @param boundParams param values given for this run (they win over defaults)
   */
  PlanTranslator(Function<String, RelSchema> datasets, Map<String, Literal> boundParams) {
    this(datasets, name -> Optional.empty(), boundParams);
  }

  /**
   * @param parquet the files of a dataset that Comet's {@code NativeScan} reads itself (empty: its
   *     Arrow batches are scanned)
   */
  PlanTranslator(
      Function<String, RelSchema> datasets,
      Function<String, Optional<ParquetFiles>> parquet,
      Map<String, Literal> boundParams) {
    this.datasets = datasets;
    this.parquet = parquet;
    this.boundParams = Map.copyOf(boundParams);
  }

  /** Into how many file partitions the next NativeScan splits its files (1: all in one). */
  private int nativeScanPartitions = 1;

  /** Ops left to the reference lane though they have a translation (see {@link #onReference}). */
  private Set<String> referenceOps = Set.of();

  /**
   * Ops (by name) that are not translated, though they could be, because the reference lane runs
   * them faster: they are reported as fallbacks with {@link #referenceByChoice} as the reason.
   */
  PlanTranslator onReference(Set<String> ops) {
    this.referenceOps = Set.copyOf(ops);
    return this;
  }

  /** Why an op of {@link #onReference} is not translated. */
  static String referenceByChoice(String op) {
    return op.equals("interval_align")
        ? "runs on the reference lane's sort-based kernel (O((n+m) log m) per key group) by"
            + " choice: Comet 0.12 has no interval join, and the native translation (a HashJoin on"
            + " the keys, then Sort + Window ranking) pairs every left and right row of a key;"
            + " CometEngine.nativeFirst() translates it"
        : op.equals("dedupe")
            ? "runs on the reference lane's hash-based dedupe by choice: Comet 0.12 has no"
                + " row_number, and the native translation (Sort + Window count over a ROWS frame +"
                + " Filter, in one plan over all rows) took 27.8 s for the 1.8M rows of the CPG"
                + " bundle; CometEngine.nativeFirst() translates it"
            : "runs on the reference lane by choice";
  }

  /**
   * The first scan translated next reads its Parquet files natively split into {@code partitions}
   * byte ranges, one per native plan (see {@link ParquetFiles#split}); the plan of partition p is
   * executed with partition index p.
   */
  PlanTranslator splitFirstNativeScan(int partitions) {
    this.nativeScanPartitions = partitions;
    return this;
  }

  /** Predicates filtered right after the scans at these paths ({@code ops[0]}, ...). */
  private Map<String, Expr> scanFilters = Map.of();

  /**
   * Filters the rows of the scans at these paths (as {@code ops[0]} or {@code ops[2].right.ops[0]})
   * by these predicates, as a filter op right after each would: pushed into a NativeScan when its
   * row groups' statistics rule one out ({@link KeyRanges}).
   */
  PlanTranslator filterScans(Map<String, Expr> byPath) {
    this.scanFilters = Map.copyOf(byPath);
    return this;
  }

  Translation translate(Pipeline pipeline) {
    Optional<State> state = pipeline(pipeline, "ops");
    return new Translation(
        fallbacks.isEmpty() ? state.map(State::op) : Optional.empty(),
        state.map(State::schema).orElse(new RelSchema(List.of())),
        scans,
        nativeOps,
        fallbacks);
  }

  private Optional<State> pipeline(Pipeline pipeline, String path) {
    if (pipeline.ops().isEmpty() || !(pipeline.ops().get(0) instanceof Scan)) {
      throw DataFusionErrors.invalidPlan(path, "the first op of every pipeline must be a scan");
    }
    return ops(pipeline.ops(), 0, pipeline.ops().size(), path, null);
  }

  /** Translates {@code ops[from..to)} on top of {@code current} (null before the scan). */
  private Optional<State> ops(List<Op> ops, int from, int to, String path, State current) {
    for (int i = from; i < to; i++) {
      Op op = ops.get(i);
      String opPath = path + "[" + i + "]";
      try {
        current = apply(op, current, opPath);
        Expr scanFilter = scanFilters.get(opPath);
        if (scanFilter != null) {
          current = apply(new Filter(scanFilter), current, opPath);
        }
        nativeOps.add(opPath + " " + op.opName());
      } catch (OpUnsupported e) {
        fallbacks.add(new Fallback(opPath, op.opName(), e.getMessage()));
        for (int j = i + 1; j < to; j++) {
          fallbacks.add(
              new Fallback(
                  path + "[" + j + "]",
                  ops.get(j).opName(),
                  "comes after "
                      + opPath
                      + " ("
                      + op.opName()
                      + "), which cannot run natively; this translation is one native plan"
                      + " (CometEngine.nativeOnly() refuses it; CometEngine() runs it in stages"
                      + " with that op on the reference lane)"));
        }
        return Optional.empty();
      }
    }
    return Optional.ofNullable(current);
  }

  /**
   * The longest natively runnable run of ops starting at {@code ops[from]}.
   *
   * @param root the native tree of {@code ops[from..end)} (over {@code input} when given); empty
   *     when {@code end == from}
   * @param end the index of the first op that cannot run natively, or {@code ops.size()}
   * @param stop why {@code ops[end]} cannot run natively (empty when {@code end == ops.size()})
   */
  record Prefix(
      Optional<OperatorOuterClass.Operator> root,
      RelSchema schema,
      List<String> scans,
      List<String> nativeOps,
      int end,
      Optional<Fallback> stop) {
    Prefix {
      scans = List.copyOf(scans);
      nativeOps = List.copyOf(nativeOps);
    }
  }

  /**
   * Translates ops from {@code ops[from]} until the first one that cannot run natively. With an
   * {@code input} dataset (the rows a JVM op produced, registered under that name), the run starts
   * with a scan of it, and the param ops before {@code from} are bound again; without one, {@code
   * ops[from]} is the pipeline's scan. Paths are those of the whole pipeline ({@code ops[i]}).
   */
  Prefix translatePrefix(List<Op> ops, int from, Optional<String> input) {
    State current = null;
    if (input.isPresent()) {
      current = scan(Scan.of(input.get()));
      for (int i = 0; i < from; i++) {
        if (ops.get(i) instanceof Param) {
          try {
            apply(ops.get(i), current, "ops[" + i + "]");
          } catch (OpUnsupported e) {
            throw new IllegalStateException("a param op is always supported", e);
          }
        }
      }
    } else if (from != 0 || ops.isEmpty() || !(ops.get(0) instanceof Scan)) {
      throw DataFusionErrors.invalidPlan("ops", "the first op of every pipeline must be a scan");
    }
    int i = from;
    Optional<Fallback> stop = Optional.empty();
    // Nested pipelines (a join's right side) add their own ops as they are translated.
    nativeOps.clear();
    for (; i < ops.size(); i++) {
      Op op = ops.get(i);
      String opPath = "ops[" + i + "]";
      int nested = nativeOps.size();
      try {
        current = apply(op, current, opPath);
        Expr scanFilter = scanFilters.get(opPath);
        if (scanFilter != null) {
          current = apply(new Filter(scanFilter), current, opPath);
        }
        nativeOps.add(opPath + " " + op.opName());
      } catch (OpUnsupported e) {
        nativeOps.subList(nested, nativeOps.size()).clear();
        stop = Optional.of(new Fallback(opPath, op.opName(), e.getMessage()));
        break;
      }
    }
    List<String> ran = List.copyOf(nativeOps);
    boolean any = i > from;
    return new Prefix(
        any ? Optional.of(current.op()) : Optional.empty(),
        current == null ? new RelSchema(List.of()) : current.schema(),
        scans,
        ran,
        i,
        stop);
  }

  /** The param values the translated ops bound (given values, else defaults). */
  Map<String, Literal> boundParams() {
    return Map.copyOf(params);
  }

  /**
   * Where a pipeline splits for partitioned execution: {@code ops[0..splitAt)} are row-local (scan,
   * filter, project, derive, param) or joins that keep their semantics when the left (probe) side
   * is split and the right (build) side is whole in every partition ({@code broadcastJoins}: inner,
   * left, semi, anti; a right or full join would repeat its unmatched right rows in every
   * partition, so it ends the split), and run once per partition; when {@code aggregate}, {@code
   * ops[splitAt]} is an aggregate whose Partial half also runs per partition. The rest runs once
   * over the concatenated partition outputs.
   */
  record Staging(int splitAt, boolean aggregate, List<Integer> broadcastJoins) {
    Staging {
      broadcastJoins = List.copyOf(broadcastJoins);
    }

    static Staging of(Pipeline pipeline) {
      List<Op> ops = pipeline.ops();
      List<Integer> joins = new ArrayList<>();
      int k = 1;
      while (k < ops.size()
          && (ops.get(k) instanceof Filter
              || ops.get(k) instanceof Project
              || ops.get(k) instanceof Derive
              || ops.get(k) instanceof Param
              || broadcastable(ops.get(k)))) {
        if (ops.get(k) instanceof Join) {
          joins.add(k);
        }
        k++;
      }
      return new Staging(k, k < ops.size() && ops.get(k) instanceof Aggregate, joins);
    }

    /**
     * A join whose output is the union of its outputs over any split of its left input, the whole
     * right input joined in each part: every output row comes from one left row (inner, left outer,
     * semi, anti; the condition is evaluated per pair of rows).
     */
    static boolean broadcastable(Op op) {
      return op instanceof Join join
          && (join.type() == JoinType.INNER
              || join.type() == JoinType.LEFT
              || join.type() == JoinType.SEMI
              || join.type() == JoinType.ANTI);
    }

    boolean hasMerge(Pipeline pipeline) {
      return splitAt < pipeline.ops().size();
    }
  }

  private AggParts pendingAggregate;

  /** The per-partition stage: the row-local prefix, then the Partial aggregate if any. */
  Translation translateLocal(Pipeline pipeline, Staging staging) {
    Optional<State> state = ops(pipeline.ops(), 0, staging.splitAt(), "ops", null);
    if (state.isPresent() && staging.aggregate()) {
      try {
        Aggregate aggregate = (Aggregate) pipeline.ops().get(staging.splitAt());
        pendingAggregate =
            aggregateParts(state.get().schema(), aggregate, "ops[" + staging.splitAt() + "]");
        // Only the number of state columns is known statically; their types come with the
        // batches (see translateMerge).
        List<Field> placeholders = new ArrayList<>();
        for (int i = 0; i < pendingAggregate.partialColumns(); i++) {
          placeholders.add(Field.nullable("__state" + i, PrimitiveType.BOOLEAN));
        }
        state =
            Optional.of(
                new State(
                    partialAggregate(state.get(), pendingAggregate), new RelSchema(placeholders)));
      } catch (OpUnsupported e) {
        fallbacks.add(new Fallback("ops[" + staging.splitAt() + "]", "aggregate", e.getMessage()));
        state = Optional.empty();
      }
    }
    return new Translation(
        fallbacks.isEmpty() ? state.map(State::op) : Optional.empty(),
        state.map(State::schema).orElse(new RelSchema(List.of())),
        scans,
        nativeOps,
        fallbacks);
  }

  /**
   * The merge stage, translated after {@link #translateLocal}: a scan of the concatenated partition
   * outputs (named {@code stageInput}, with {@code stageFields}), the Final aggregate if any, then
   * the remaining ops.
   */
  Translation translateMerge(
      Pipeline pipeline, Staging staging, String stageInput, List<Field> stageFields) {
    scans.clear();
    OperatorOuterClass.Scan.Builder scan =
        OperatorOuterClass.Scan.newBuilder()
            .setSource("relspec:" + stageInput)
            .setArrowFfiSafe(true);
    for (Field field : stageFields) {
      scan.addFields(CometTypes.proto(field.type()));
    }
    scans.add(stageInput);
    State state =
        new State(
            OperatorOuterClass.Operator.newBuilder().setPlanId(nextPlanId++).setScan(scan).build(),
            new RelSchema(stageFields));
    int from = staging.splitAt();
    if (staging.aggregate()) {
      state = finalAggregate(state.op(), pendingAggregate);
      from++;
    }
    Optional<State> end = ops(pipeline.ops(), from, pipeline.ops().size(), "ops", state);
    return new Translation(
        fallbacks.isEmpty() ? end.map(State::op) : Optional.empty(),
        end.map(State::schema).orElse(new RelSchema(List.of())),
        scans,
        nativeOps,
        fallbacks);
  }

  private State apply(Op op, State in, String path) throws OpUnsupported {
    if (referenceOps.contains(op.opName())) {
      throw new OpUnsupported(referenceByChoice(op.opName()));
    }
    if (op instanceof Scan scan) {
      return scan(scan);
    }
    if (op instanceof Param param) {
      Literal value = boundParams.get(param.name());
      if (value == null) {
        value = param.defaultValue().orElseThrow(() -> DataFusionErrors.unboundParam(param.name()));
      }
      params.put(param.name(), value);
      return in;
    }
    if (op instanceof Filter filter) {
      ExprTranslator.Typed predicate = expr(in.schema(), filter.predicate());
      if (predicate.type() != PrimitiveType.BOOLEAN) {
        throw DataFusionErrors.invalidPlan(
            path, "the predicate has type " + predicate.type() + ", not boolean");
      }
      if (in.op().hasFilter()) {
        // consecutive filters as one Filter of their conjunction (the same rows): DataFusion 50
        // failed to plan a third stacked filter on a column after two had given it contradicting
        // values ("Only intervals with the same data type are intersectable, lhs:Null", from the
        // statistics each FilterExec derives; differential seed 20261218)
        ExprOuterClass.Expr both =
            ExprTranslator.and(List.of(in.op().getFilter().getPredicate(), predicate.proto()));
        return new State(
            in.op().toBuilder()
                .setFilter(in.op().getFilter().toBuilder().setPredicate(both))
                .build(),
            in.schema());
      }
      State input = in;
      RowGroupStats stats = in.op().hasNativeScan() ? nativeScans.get(in.op().getPlanId()) : null;
      if (stats != null
          && !uses(
              filter.predicate(), unprunableColumns.getOrDefault(in.op().getPlanId(), Set.of()))
          && stats.rulesOutARowGroup(filter.predicate(), params)) {
        // parquetPruning: the reader skips row groups (and pages) the predicate rules out by
        // their statistics; the Filter above still decides every row. Pushed only when the
        // statistics rule out a row group: the reader also filters rows with it, which costs
        // more than it saves when nothing is skipped (RowGroupStats).
        input =
            new State(
                in.op().toBuilder()
                    .setNativeScan(
                        in.op().getNativeScan().toBuilder().addDataFilters(predicate.proto()))
                    .build(),
                in.schema());
      }
      return new State(
          wrap(
              input,
              b ->
                  b.setFilter(
                      OperatorOuterClass.Filter.newBuilder().setPredicate(predicate.proto()))),
          in.schema());
    }
    if (op instanceof Project project) {
      List<ExprOuterClass.Expr> exprs = new ArrayList<>();
      List<Field> fields = new ArrayList<>();
      for (Project.Column column : project.columns()) {
        ExprTranslator.Typed typed = expr(in.schema(), column.expr());
        exprs.add(typed.proto());
        fields.add(new Field(column.name(), typed.type(), typed.nullable()));
      }
      return projection(in, exprs, new RelSchema(fields));
    }
    if (op instanceof Derive derive) {
      ExprTranslator.Typed typed = expr(in.schema(), derive.expr());
      Field derived = new Field(derive.name(), typed.type(), typed.nullable());
      List<ExprOuterClass.Expr> exprs = new ArrayList<>();
      List<Field> fields = new ArrayList<>();
      boolean replaced = false;
      for (int i = 0; i < in.schema().fields().size(); i++) {
        Field field = in.schema().fields().get(i);
        if (field.name().equals(derive.name())) {
          exprs.add(typed.proto());
          fields.add(derived);
          replaced = true;
        } else {
          exprs.add(bound(i, field.type()));
          fields.add(field);
        }
      }
      if (!replaced) {
        exprs.add(typed.proto());
        fields.add(derived);
      }
      return projection(in, exprs, new RelSchema(fields));
    }
    if (op instanceof Sort sort) {
      OperatorOuterClass.Sort.Builder builder = OperatorOuterClass.Sort.newBuilder();
      for (SortKey key : sort.keys()) {
        builder.addSortOrders(sortOrder(in.schema(), key, path));
      }
      return new State(wrap(in, b -> b.setSort(builder)), in.schema());
    }
    if (op instanceof Limit limit) {
      long end = limit.n() + limit.offset();
      if (limit.n() < 0 || limit.offset() < 0 || end > Integer.MAX_VALUE) {
        throw new OpUnsupported(
            "Comet 0.12's Limit takes a 32-bit row count; n + offset = "
                + end
                + " is larger than "
                + Integer.MAX_VALUE);
      }
      return new State(
          wrap(
              in,
              b ->
                  b.setLimit(
                      OperatorOuterClass.Limit.newBuilder()
                          .setLimit((int) end)
                          .setOffset((int) limit.offset()))),
          in.schema());
    }
    if (op instanceof Aggregate aggregate) {
      return aggregate(in, aggregate, path);
    }
    if (op instanceof Join join) {
      return join(in, join, path);
    }
    if (op instanceof Union) {
      throw new OpUnsupported(
          "Comet 0.12's operator set has no Union; the bridge would have to run one native plan"
              + " per input and concatenate (not done yet)");
    }
    if (op instanceof Explode) {
      throw new OpUnsupported("Comet 0.12's operator set has no Generate/explode operator");
    }
    if (op instanceof Dedupe dedupe) {
      return dedupe(in, dedupe, path);
    }
    if (op instanceof IntervalAlign align) {
      return intervalAlign(in, align, path);
    }
    throw new OpUnsupported("op '" + op.opName() + "' has no Comet translation");
  }

  /**
   * Dedupe as a row number, then Sort, Comet's {@code Window}, Filter and Projection (see {@link
   * #firstPerPartition}). The window partitions by the keys (floats normalized: -0.0 as 0.0, every
   * NaN as one NaN, as the reference lane's keys are) and orders by the spec's order: {@code
   * orderBy}, then every remaining column ascending with nulls last (floats normalized), then the
   * input position, so the row numbered 1 per key is the reference lane's winner (the first of
   * equal rows in input order).
   */
  private State dedupe(State in, Dedupe dedupe, String path) throws OpUnsupported {
    RelSchema schema = in.schema();
    List<SortKey> order = new ArrayList<>(dedupe.orderBy());
    for (String name : schema.names()) {
      if (dedupe.orderBy().stream().noneMatch(k -> k.column().equals(name))) {
        order.add(SortKey.asc(name));
      }
    }
    for (SortKey key : order) {
      DataType type =
          schema
              .field(key.column())
              .orElseThrow(
                  () ->
                      DataFusionErrors.invalidPlan(
                          path,
                          "dedupe column '"
                              + key.column()
                              + "' is not in the input "
                              + schema.names()))
              .type();
      if (!(type instanceof PrimitiveType) && !(type instanceof DecimalType)) {
        throw new OpUnsupported(
            "dedupe orders rows by column '"
                + key.column()
                + "' of type "
                + type
                + "; DataFusion cannot sort lists or structs the way the spec orders them");
      }
    }
    // A float key is normalized into a column of its own first, and the window partitions by
    // that column: partitioning by the normalizing expression itself failed with "Expects
    // PARTITION BY expression to be ordered" when the key column was a copy of another column
    // (differential seed 20261213: derive v0 = c0, then dedupe by v0); DataFusion's window
    // matches a plain key column with the sort's, copies included.
    List<ExprOuterClass.Expr> keyed = new ArrayList<>();
    List<Field> keyedFields = new ArrayList<>(schema.fields());
    for (int i = 0; i < schema.fields().size(); i++) {
      keyed.add(bound(i, schema.fields().get(i).type()));
    }
    List<ExprOuterClass.Expr> partition = new ArrayList<>();
    for (String key : dedupe.keys()) {
      int index = schema.indexOf(key);
      if (index < 0) {
        throw DataFusionErrors.invalidPlan(
            path, "dedupe key '" + key + "' is not in the input " + schema.names());
      }
      DataType type = schema.fields().get(index).type();
      if (type.isFloating()) {
        keyed.add(ExprTranslator.sortKey(bound(index, type), type));
        keyedFields.add(Field.nullable("__dedupe_key" + keyedFields.size(), type));
        partition.add(bound(keyedFields.size() - 1, type));
      } else {
        partition.add(bound(index, type));
      }
    }
    State input =
        keyedFields.size() == schema.fields().size()
            ? in
            : projection(in, keyed, new RelSchema(keyedFields));
    List<ExprOuterClass.Expr> windowOrder = new ArrayList<>();
    for (SortKey key : order) {
      windowOrder.add(sortOrder(schema, key, path));
    }
    State first = firstPerPartition(input, partition, windowOrder);
    if (input == in) {
      return first;
    }
    return projection(first, keyed.subList(0, schema.fields().size()), schema);
  }

  /**
   * The first row per partition: a row number column (input position) is added, then Sort by the
   * partition expressions and {@code order} and the position, Comet's {@code Window}, a Filter on
   * the row number 1 and a Projection back to {@code in}'s columns. Comet 0.12's native planner
   * finds window functions only among aggregate UDFs ({@code find_df_window_function}), so there is
   * no ROW_NUMBER; {@code count(1)} over a ROWS frame from unbounded preceding to the current row
   * is the same number. The position is Comet's {@code monotonically_increasing_id}: in one native
   * plan (partition 0) it counts the rows in input order.
   *
   * @param partition expressions over {@code in}'s columns
   * @param order sort orders over {@code in}'s columns
   */
  private State firstPerPartition(
      State in, List<ExprOuterClass.Expr> partition, List<ExprOuterClass.Expr> order) {
    RelSchema schema = in.schema();
    int n = schema.fields().size();
    List<ExprOuterClass.Expr> withPosition = new ArrayList<>();
    List<Field> positioned = new ArrayList<>(schema.fields());
    for (int i = 0; i < n; i++) {
      withPosition.add(bound(i, schema.fields().get(i).type()));
    }
    withPosition.add(
        ExprOuterClass.Expr.newBuilder()
            .setMonotonicallyIncreasingId(ExprOuterClass.EmptyExpr.getDefaultInstance())
            .build());
    positioned.add(Field.notNull("__position", PrimitiveType.INT64));
    State numbered = projection(in, withPosition, new RelSchema(positioned));
    List<ExprOuterClass.Expr> windowOrder = new ArrayList<>(order);
    windowOrder.add(sortOrder(numbered.schema(), SortKey.asc("__position"), "position"));
    List<ExprOuterClass.Expr> sortAll = new ArrayList<>();
    for (ExprOuterClass.Expr expr : partition) {
      sortAll.add(
          ExprOuterClass.Expr.newBuilder()
              .setSortOrder(
                  ExprOuterClass.SortOrder.newBuilder()
                      .setChild(expr)
                      .setDirection(ExprOuterClass.SortDirection.Ascending)
                      .setNullOrdering(ExprOuterClass.NullOrdering.NullsLast))
              .build());
    }
    sortAll.addAll(windowOrder);
    OperatorOuterClass.Operator sorted =
        wrap(
            numbered,
            b -> b.setSort(OperatorOuterClass.Sort.newBuilder().addAllSortOrders(sortAll)));
    ExprOuterClass.AggExpr count =
        ExprOuterClass.AggExpr.newBuilder()
            .setCount(
                ExprOuterClass.Count.newBuilder()
                    .addChildren(ExprTranslator.literal(Optional.of(1L), PrimitiveType.INT32)))
            .build();
    OperatorOuterClass.WindowExpr rowNumber =
        OperatorOuterClass.WindowExpr.newBuilder()
            .setAggFunc(count)
            .setSpec(
                OperatorOuterClass.WindowSpecDefinition.newBuilder()
                    .addAllPartitionSpec(partition)
                    .addAllOrderSpec(windowOrder)
                    .setFrameSpecification(
                        OperatorOuterClass.WindowFrame.newBuilder()
                            .setFrameType(OperatorOuterClass.WindowFrameType.Rows)
                            .setLowerBound(
                                OperatorOuterClass.LowerWindowFrameBound.newBuilder()
                                    .setUnboundedPreceding(
                                        OperatorOuterClass.UnboundedPreceding.getDefaultInstance()))
                            .setUpperBound(
                                OperatorOuterClass.UpperWindowFrameBound.newBuilder()
                                    .setCurrentRow(
                                        OperatorOuterClass.CurrentRow.getDefaultInstance()))))
            .build();
    State windowed =
        new State(
            wrap(
                new State(sorted, numbered.schema()),
                b ->
                    b.setWindow(
                        OperatorOuterClass.Window.newBuilder()
                            .addWindowExpr(rowNumber)
                            .addAllPartitionByList(partition)
                            .addAllOrderByList(windowOrder))),
            numbered.schema());
    ExprOuterClass.Expr first =
        ExprOuterClass.Expr.newBuilder()
            .setEq(
                ExprOuterClass.BinaryExpr.newBuilder()
                    .setLeft(bound(n + 1, PrimitiveType.INT64))
                    .setRight(ExprTranslator.literal(Optional.of(1L), PrimitiveType.INT64)))
            .build();
    OperatorOuterClass.Operator filtered =
        wrap(
            windowed, b -> b.setFilter(OperatorOuterClass.Filter.newBuilder().setPredicate(first)));
    List<ExprOuterClass.Expr> columns = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      columns.add(bound(i, schema.fields().get(i).type()));
    }
    return projection(new State(filtered, schema), columns, schema);
  }

  /**
   * interval_align as a hash join on the {@code on} keys (floats normalized) with the span
   * predicate as the join condition ({@code how=left}: a left outer join), the score {@code -(re -
   * rs)} as float64, then the first row per left row (its input position) by score descending, the
   * tie-breakers, every remaining right column ascending with nulls last and the right row's
   * position (see {@link #firstPerPartition}); {@code match_kind} is the mode, or {@code NO_MATCH}
   * where no right row joined. The rows come out in left input order, as the reference lane's
   * {@code IntervalAligner} gives them.
   */
  private State intervalAlign(State left, IntervalAlign align, String path) throws OpUnsupported {
    if (align.on().isEmpty()) {
      throw new OpUnsupported(
          "interval_align without 'on' keys would be a cross join ranked per left row; only"
              + " keyed alignments are mapped to a hash join");
    }
    Optional<State> maybeRight = pipeline(align.right(), path + ".right.ops");
    if (maybeRight.isEmpty()) {
      throw new OpUnsupported("its right pipeline cannot run natively (see " + path + ".right)");
    }
    State right = maybeRight.get();
    RelSchema ls = left.schema();
    RelSchema rs = right.schema();
    // left spans compare with the right ones as integers (widened); the score is computed from the
    // right span on int64 as the reference lane computes it
    for (String column : List.of(align.leftSpan().start(), align.leftSpan().end())) {
      requireSpan(ls, column, false, path);
    }
    for (String column : List.of(align.rightSpan().start(), align.rightSpan().end())) {
      requireSpan(rs, column, true, path);
    }
    List<SortKey> order = new ArrayList<>(align.tieBreakers());
    for (String name : rs.names()) {
      if (align.tieBreakers().stream().noneMatch(k -> k.column().equals(name))) {
        order.add(SortKey.asc(name));
      }
    }
    for (SortKey key : order) {
      DataType type =
          rs.field(key.column())
              .orElseThrow(
                  () ->
                      DataFusionErrors.invalidPlan(
                          path, "tie-breaker '" + key.column() + "' is not a right column"))
              .type();
      if (!(type instanceof PrimitiveType) && !(type instanceof DecimalType)) {
        throw new OpUnsupported(
            "interval_align ranks right rows by column '"
                + key.column()
                + "' of type "
                + type
                + "; DataFusion cannot sort lists or structs the way the spec orders them");
      }
    }
    // Left rows carry their input position: the partition of the ranking, and the output order.
    int nl = ls.fields().size();
    List<ExprOuterClass.Expr> leftCols = new ArrayList<>();
    List<Field> leftFields = new ArrayList<>(ls.fields());
    for (int i = 0; i < nl; i++) {
      leftCols.add(bound(i, ls.fields().get(i).type()));
    }
    leftCols.add(
        ExprOuterClass.Expr.newBuilder()
            .setMonotonicallyIncreasingId(ExprOuterClass.EmptyExpr.getDefaultInstance())
            .build());
    leftFields.add(Field.notNull("__lpos", PrimitiveType.INT64));
    State l = projection(left, leftCols, new RelSchema(leftFields));
    // Right rows carry theirs: the last tie-breaker, and non-null exactly where a row joined.
    int nr = rs.fields().size();
    List<ExprOuterClass.Expr> rightCols = new ArrayList<>();
    List<Field> rightFields = new ArrayList<>();
    for (int i = 0; i < nr; i++) {
      Field field = rs.fields().get(i);
      rightCols.add(bound(i, field.type()));
      rightFields.add(field.withName("__r_" + field.name()));
    }
    rightCols.add(
        ExprOuterClass.Expr.newBuilder()
            .setMonotonicallyIncreasingId(ExprOuterClass.EmptyExpr.getDefaultInstance())
            .build());
    rightFields.add(Field.notNull("__rpos", PrimitiveType.INT64));
    State r = projection(right, rightCols, new RelSchema(rightFields));
    // The joined schema: left columns, __lpos, right columns renamed __r_*, __rpos.
    boolean keepUnmatched = align.how() == IntervalAlign.How.LEFT;
    List<Field> joinedFields = new ArrayList<>(l.schema().fields());
    for (Field field : r.schema().fields()) {
      joinedFields.add(keepUnmatched ? field.withNullable(true) : field);
    }
    RelSchema joined = new RelSchema(joinedFields);
    ExprTranslator leftExprs = ExprTranslator.over(l.schema(), params);
    ExprTranslator rightExprs = ExprTranslator.over(r.schema(), params);
    List<ExprOuterClass.Expr> leftKeys = new ArrayList<>();
    List<ExprOuterClass.Expr> rightKeys = new ArrayList<>();
    for (EquiKey key : align.on()) {
      ExprTranslator.Typed lk = column(leftExprs, key.left(), path);
      ExprTranslator.Typed rk = column(rightExprs, "__r_" + key.right(), path);
      DataType common =
          TypeRules.commonType(lk.type(), rk.type())
              .orElseThrow(
                  () ->
                      DataFusionErrors.invalidPlan(
                          path, "key " + key + " compares " + lk.type() + " with " + rk.type()));
      leftKeys.add(ExprTranslator.sortKey(ExprTranslator.coerce(lk, common), common));
      rightKeys.add(ExprTranslator.sortKey(ExprTranslator.coerce(rk, common), common));
    }
    Expr ls0 = new ColumnRef(align.leftSpan().start());
    Expr le0 = new ColumnRef(align.leftSpan().end());
    Expr rs0 = new ColumnRef("__r_" + align.rightSpan().start());
    Expr re0 = new ColumnRef("__r_" + align.rightSpan().end());
    Expr predicate =
        switch (align.mode()) {
          case EXACT -> Call.of("and", Call.of("eq", rs0, ls0), Call.of("eq", re0, le0));
          case CONTAINED -> Call.of("and", Call.of("ge", rs0, ls0), Call.of("le", re0, le0));
          case OVERLAP -> Call.of("and", Call.of("gt", re0, ls0), Call.of("lt", rs0, le0));
        };
    ExprOuterClass.Expr condition = expr(joined, predicate).proto();
    OperatorOuterClass.Operator join =
        OperatorOuterClass.Operator.newBuilder()
            .setPlanId(nextPlanId++)
            .addChildren(l.op())
            .addChildren(r.op())
            .setHashJoin(
                OperatorOuterClass.HashJoin.newBuilder()
                    .addAllLeftJoinKeys(leftKeys)
                    .addAllRightJoinKeys(rightKeys)
                    .setJoinType(
                        keepUnmatched
                            ? OperatorOuterClass.JoinType.LeftOuter
                            : OperatorOuterClass.JoinType.Inner)
                    .setBuildSide(OperatorOuterClass.BuildSide.BuildRight)
                    .setCondition(condition))
            .build();
    // + the score, -(re - rs) as float64 (null where no right row joined)
    List<ExprOuterClass.Expr> scored = new ArrayList<>();
    for (int i = 0; i < joined.fields().size(); i++) {
      scored.add(bound(i, joined.fields().get(i).type()));
    }
    scored.add(
        ExprTranslator.castTo(
            expr(joined, Call.of("neg", Call.of("sub", re0, rs0))).proto(), PrimitiveType.FLOAT64));
    List<Field> scoredFields = new ArrayList<>(joined.fields());
    scoredFields.add(Field.nullable("__score", PrimitiveType.FLOAT64));
    State withScore = projection(new State(join, joined), scored, new RelSchema(scoredFields));
    RelSchema ss = withScore.schema();
    List<ExprOuterClass.Expr> partition = List.of(bound(ss.indexOf("__lpos"), PrimitiveType.INT64));
    List<ExprOuterClass.Expr> rank = new ArrayList<>();
    rank.add(sortOrder(ss, SortKey.desc("__score"), path));
    for (SortKey key : order) {
      rank.add(
          sortOrder(ss, new SortKey("__r_" + key.column(), key.direction(), key.nulls()), path));
    }
    rank.add(sortOrder(ss, SortKey.asc("__rpos"), path));
    State best = firstPerPartition(withScore, partition, rank);
    // left columns, selectRight, match_kind and match_score
    List<ExprOuterClass.Expr> out = new ArrayList<>();
    List<Field> outFields = new ArrayList<>();
    for (int i = 0; i < nl; i++) {
      out.add(bound(i, ls.fields().get(i).type()));
      outFields.add(ls.fields().get(i));
    }
    for (String column : align.selectRight()) {
      int index = ss.indexOf("__r_" + column);
      if (index < 0) {
        throw DataFusionErrors.invalidPlan(
            path, "selectRight '" + column + "' is not a right column");
      }
      Field field = rs.field(column).orElseThrow();
      out.add(bound(index, field.type()));
      outFields.add(field.withNullable(field.nullable() || keepUnmatched));
    }
    if (align.matchMeta()) {
      ExprOuterClass.Expr unmatched =
          ExprOuterClass.Expr.newBuilder()
              .setIsNull(
                  ExprOuterClass.UnaryExpr.newBuilder()
                      .setChild(bound(ss.indexOf("__rpos"), PrimitiveType.INT64)))
              .build();
      out.add(
          ExprOuterClass.Expr.newBuilder()
              .setIf(
                  ExprOuterClass.IfExpr.newBuilder()
                      .setIfExpr(unmatched)
                      .setTrueExpr(
                          ExprTranslator.literal(
                              Optional.of(IntervalAlign.NO_MATCH), PrimitiveType.STRING))
                      .setFalseExpr(
                          ExprTranslator.literal(
                              Optional.of(align.mode().jsonName()), PrimitiveType.STRING)))
              .build());
      outFields.add(Field.notNull(IntervalAlign.MATCH_KIND, PrimitiveType.STRING));
      out.add(bound(ss.indexOf("__score"), PrimitiveType.FLOAT64));
      outFields.add(new Field(IntervalAlign.MATCH_SCORE, PrimitiveType.FLOAT64, keepUnmatched));
    }
    return projection(best, out, new RelSchema(outFields));
  }

  private static void requireSpan(RelSchema schema, String column, boolean int64, String path)
      throws OpUnsupported {
    Field field =
        schema
            .field(column)
            .orElseThrow(
                () ->
                    DataFusionErrors.invalidPlan(
                        path, "span column '" + column + "' is not in " + schema.names()));
    boolean supported = int64 ? field.type() == PrimitiveType.INT64 : field.type().isInteger();
    if (!supported) {
      throw new OpUnsupported(
          "span column '"
              + column
              + "' is "
              + field.type()
              + "; the native interval_align takes "
              + (int64 ? "int64 right spans" : "integer left spans")
              + " only");
    }
  }

  private State scan(Scan scan) {
    RelSchema schema = datasets.apply(scan.dataset());
    Optional<ParquetFiles> files = parquet.apply(scan.dataset());
    if (files.isPresent()) {
      return nativeScan(scan, schema, files.get());
    }
    OperatorOuterClass.Scan.Builder builder =
        OperatorOuterClass.Scan.newBuilder()
            .setSource("relspec:" + scan.dataset())
            // The JVM exports every batch through the C Data Interface and never reuses its
            // buffers, so the native side may keep them without copying.
            .setArrowFfiSafe(true);
    for (Field field : schema.fields()) {
      builder.addFields(CometTypes.proto(field.type()));
    }
    scans.add(scan.dataset());
    State state =
        new State(
            OperatorOuterClass.Operator.newBuilder()
                .setPlanId(nextPlanId++)
                .setScan(builder)
                .build(),
            schema);
    if (scan.columns().isEmpty()) {
      return state;
    }
    List<ExprOuterClass.Expr> exprs = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    for (String column : scan.columns().get()) {
      int index = schema.indexOf(column);
      if (index < 0) {
        throw DataFusionErrors.invalidPlan(
            "scan of " + scan.dataset(),
            "column '" + column + "' is not in the dataset " + schema.names());
      }
      Field field = schema.fields().get(index);
      exprs.add(bound(index, field.type()));
      fields.add(field);
    }
    return projection(state, exprs, new RelSchema(fields));
  }

  /** The two halves of an aggregate: Partial over the input, Final over the partial state. */
  /**
   * A {@code NativeScan} of the dataset's Parquet files (as {@code CometNativeScanExec} builds it):
   * the data schema is the declared columns but the partition columns, the partition schema the
   * partition columns (each file with its directories' values), the required schema the scanned
   * columns (the scan's {@code columns}, else all), picked by the projection vector from data then
   * partition columns, so no projection follows. A column a file stores narrower is widened by
   * Comet's schema adapter. Nullable everywhere, as the Arrow batches of the JVM reader are.
   */
  private State nativeScan(Scan scan, RelSchema schema, ParquetFiles files) {
    List<Field> data = new ArrayList<>();
    for (Field field : schema.fields()) {
      if (!files.isPartition(field.name())) {
        data.add(field);
      }
    }
    List<String> partitionNames = files.partitionFields().stream().map(Field::name).toList();
    List<Field> required = new ArrayList<>();
    List<Long> projection = new ArrayList<>();
    Set<String> unprunable = new LinkedHashSet<>(files.widened());
    unprunable.addAll(partitionNames);
    for (String column : scan.columns().orElse(schema.names())) {
      int index = schema.indexOf(column);
      if (index < 0) {
        throw DataFusionErrors.invalidPlan(
            "scan of " + scan.dataset(),
            "column '" + column + "' is not in the dataset " + schema.names());
      }
      required.add(schema.fields().get(index));
      int partition = partitionNames.indexOf(column);
      projection.add(
          partition >= 0
              ? (long) (data.size() + partition)
              : (long) new RelSchema(data).indexOf(column));
    }
    OperatorOuterClass.NativeScan.Builder builder =
        OperatorOuterClass.NativeScan.newBuilder()
            .setSource("relspec:" + scan.dataset() + " (parquet)")
            .addAllProjectionVector(projection)
            .setSessionTimezone("UTC")
            .setCaseSensitive(true);
    for (Field field : required) {
      builder.addFields(CometTypes.proto(field.type()));
      builder.addRequiredSchema(structField(field));
    }
    for (Field field : data) {
      builder.addDataSchema(structField(field));
    }
    for (Field field : files.partitionFields()) {
      builder.addPartitionSchema(structField(field));
    }
    int partitions = nativeScanPartitions;
    nativeScanPartitions = 1;
    for (List<ParquetFiles.Range> ranges : files.split(partitions)) {
      OperatorOuterClass.SparkFilePartition.Builder partition =
          OperatorOuterClass.SparkFilePartition.newBuilder();
      for (ParquetFiles.Range range : ranges) {
        OperatorOuterClass.SparkPartitionedFile.Builder file =
            OperatorOuterClass.SparkPartitionedFile.newBuilder()
                .setFilePath(range.file().toUri().toString())
                .setStart(range.start())
                .setLength(range.length())
                .setFileSize(range.fileSize());
        List<Object> values = files.partitionValues().get(files.files().indexOf(range.file()));
        for (int p = 0; p < values.size(); p++) {
          file.addPartitionValues(
              ExprTranslator.literal(
                  Optional.ofNullable(values.get(p)), files.partitionFields().get(p).type()));
        }
        partition.addPartitionedFile(file);
      }
      builder.addFilePartitions(partition);
    }
    if (files.pruning()) {
      nativeScans.put(nextPlanId, files.stats());
    }
    RelSchema out = new RelSchema(required);
    if (!unprunable.isEmpty()) {
      List<String> names = new ArrayList<>();
      for (String name : out.names()) {
        if (unprunable.contains(name)) {
          names.add(name);
        }
      }
      unprunableColumns.put(nextPlanId, Set.copyOf(names));
    }
    return new State(
        OperatorOuterClass.Operator.newBuilder()
            .setPlanId(nextPlanId++)
            .setNativeScan(builder)
            .build(),
        out);
  }

  /**
   * Plan ids of the NativeScans translated whose dataset allows {@code parquetPruning}, with their
   * files' row-group statistics.
   */
  private final Map<Integer, RowGroupStats> nativeScans = new LinkedHashMap<>();

  /**
   * Per NativeScan plan id, the scanned columns a pushed filter must not use: partition columns
   * (not in the files) and columns some file stores narrower (the reader would compare the stored
   * values with the declared type's literals). Such a filter is only applied by the Filter above.
   */
  private final Map<Integer, Set<String>> unprunableColumns = new LinkedHashMap<>();

  /** Whether {@code expr} uses a column of {@code columns}. */
  private static boolean uses(Expr expr, Set<String> columns) {
    if (expr instanceof ColumnRef ref) {
      return columns.contains(ref.name());
    }
    if (expr instanceof io.relspec.ir.expr.Cast cast) {
      return uses(cast.expr(), columns);
    }
    if (expr instanceof io.relspec.ir.expr.Call call) {
      return call.args().stream().anyMatch(arg -> uses(arg, columns));
    }
    if (expr instanceof io.relspec.ir.expr.Case kase) {
      return kase.branches().stream()
              .anyMatch(b -> uses(b.when(), columns) || uses(b.then(), columns))
          || kase.otherwise().map(e -> uses(e, columns)).orElse(false);
    }
    return false;
  }

  private static OperatorOuterClass.SparkStructField structField(Field field) {
    return OperatorOuterClass.SparkStructField.newBuilder()
        .setName(field.name())
        .setDataType(CometTypes.proto(field.type()))
        .setNullable(true)
        .build();
  }

  private record AggParts(
      List<ExprOuterClass.Expr> groupingPartial,
      List<ExprOuterClass.Expr> groupingFinal,
      List<ExprOuterClass.AggExpr> partial,
      List<ExprOuterClass.AggExpr> fin,
      RelSchema schema,
      int partialColumns,
      List<ExprOuterClass.Expr> outputs) {}

  private State aggregate(State in, Aggregate aggregate, String path) throws OpUnsupported {
    AggParts parts = aggregateParts(in.schema(), aggregate, path);
    return finalAggregate(partialAggregate(in, parts), parts);
  }

  /**
   * Sums of decimals of at most this precision run natively: each value is below 10^28, so the
   * 128-bit sum (max 1.7 * 10^38), whose merge of partial sums Comet 0.12 does not check, cannot
   * wrap before 1.7 * 10^10 rows, and the result precision (p + 10, at most 38) check gives null on
   * overflow as the spec says.
   */
  static final int MAX_NATIVE_DECIMAL_SUM_PRECISION = 28;

  private AggParts aggregateParts(RelSchema input, Aggregate aggregate, String path)
      throws OpUnsupported {
    State in = new State(OperatorOuterClass.Operator.getDefaultInstance(), input);
    List<ExprOuterClass.Expr> groupingPartial = new ArrayList<>();
    List<ExprOuterClass.Expr> groupingFinal = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    List<ExprOuterClass.AggExpr> partial = new ArrayList<>();
    List<ExprOuterClass.AggExpr> fin = new ArrayList<>();
    // the final aggregate's columns as the op's columns (a float key or min/max takes two)
    List<ExprOuterClass.Expr> outputs = new ArrayList<>();
    int finalColumn = 0;
    boolean twoColumnValues = false;
    for (String column : aggregate.groupBy()) {
      int index = in.schema().indexOf(column);
      if (index < 0) {
        throw DataFusionErrors.invalidPlan(
            path, "group column '" + column + "' is not in the input " + in.schema().names());
      }
      Field field = in.schema().fields().get(index);
      fields.add(field);
      DataType type = field.type();
      ExprOuterClass.Expr key = bound(index, type);
      if (type.isFloating()) {
        // a float key groups as its class (-Infinity, finite, +Infinity, NaN) and its finite
        // value (-0.0 as 0.0): -0.0 and 0.0 are one group (returned as 0.0), every NaN one group,
        // as the reference lane and Spark group them. Grouping on the normalized float itself
        // made two groups of two NaN rows when the input came from a sort (differential seed
        // 20261212), whatever the sort's keys; the class and a finite value hold no NaN.
        groupingPartial.add(ExprTranslator.floatClass(key, type));
        groupingPartial.add(ExprTranslator.finiteOnly(key, type));
        groupingFinal.add(bound(finalColumn, PrimitiveType.INT32));
        groupingFinal.add(bound(finalColumn + 1, type));
        outputs.add(
            ExprTranslator.fromFloatClass(
                bound(finalColumn, PrimitiveType.INT32), bound(finalColumn + 1, type), type));
        finalColumn += 2;
        twoColumnValues = true;
      } else {
        groupingPartial.add(key);
        groupingFinal.add(bound(finalColumn, type));
        outputs.add(bound(finalColumn++, type));
      }
    }
    int groupColumns = finalColumn;
    for (Aggregate.AggregateCall call : aggregate.aggregates()) {
      if (call.distinct()) {
        throw new OpUnsupported(
            "aggregate '"
                + call.name()
                + "' is distinct; distinct aggregates need a two-level aggregate, not mapped yet");
      }
      List<ExprTranslator.Typed> args = new ArrayList<>();
      List<ExprType> types = new ArrayList<>();
      for (Expr arg : call.args()) {
        ExprTranslator.Typed typed = expr(in.schema(), arg);
        args.add(typed);
        types.add(typed.exprType());
      }
      if (call.fn().equals("sum")
          && args.size() == 1
          && args.get(0).type() instanceof DecimalType decimal
          && decimal.precision() > MAX_NATIVE_DECIMAL_SUM_PRECISION) {
        throw new OpUnsupported(
            "aggregate '"
                + call.name()
                + "' sums "
                + decimal
                + "; Comet 0.12's SumDecimal adds partial sums without an overflow check, so two"
                + " values of more than "
                + MAX_NATIVE_DECIMAL_SUM_PRECISION
                + " digits can wrap around the 128-bit sum and give a wrong value where the spec"
                + " gives null");
      }
      FunctionRegistry.Resolution resolution;
      try {
        resolution = FunctionRegistry.resolveAggregate(call.fn(), types);
      } catch (FunctionRegistry.TypeError e) {
        throw DataFusionErrors.invalidPlan(path, e.getMessage());
      }
      DataType result = resolution.result().type();
      fields.add(new Field(call.name(), result, resolution.result().nullable()));
      ExprOuterClass.Expr child;
      DataType childType;
      if (args.isEmpty()) {
        childType = PrimitiveType.INT32;
        child = ExprTranslator.literal(Optional.of(1L), childType);
      } else if (call.fn().equals("avg")) {
        childType = PrimitiveType.FLOAT64;
        child = ExprTranslator.coerce(args.get(0), childType);
      } else {
        childType = args.get(0).type();
        child = args.get(0).proto();
      }
      if ((call.fn().equals("min") || call.fn().equals("max")) && childType.isFloating()) {
        // a float min/max is the min/max of its class (-Infinity, finite, +Infinity, NaN) and of
        // the finite values: DataFusion's grouped float accumulators get NaN and infinities wrong
        ExprOuterClass.Expr cls = ExprTranslator.floatClass(child, childType);
        ExprOuterClass.Expr finite = ExprTranslator.finiteOnly(child, childType);
        partial.add(aggExpr(call.fn(), cls, PrimitiveType.INT32));
        partial.add(aggExpr(call.fn(), finite, result));
        fin.add(
            aggExpr(
                call.fn(),
                unbound(call.name() + "__class", PrimitiveType.INT32),
                PrimitiveType.INT32));
        fin.add(aggExpr(call.fn(), unbound(call.name(), childType), result));
        outputs.add(
            ExprTranslator.fromFloatClass(
                bound(finalColumn, PrimitiveType.INT32), bound(finalColumn + 1, result), result));
        finalColumn += 2;
        twoColumnValues = true;
        continue;
      }
      outputs.add(bound(finalColumn++, result));
      partial.add(aggExpr(call.fn(), child, result));
      // In Final mode DataFusion reads the partial state by position; the argument is only used
      // for its type, so it is an unbound reference (as Comet's own Spark serde does).
      fin.add(aggExpr(call.fn(), args.isEmpty() ? child : unbound(call.name(), childType), result));
    }
    // DataFusion's partial state: avg keeps (sum, count), a decimal sum keeps (sum, is_empty).
    int partialColumns = groupColumns;
    for (int i = 0; i < aggregate.aggregates().size(); i++) {
      String fn = aggregate.aggregates().get(i).fn();
      DataType result = fields.get(aggregate.groupBy().size() + i).type();
      boolean twoStates =
          fn.equals("avg")
              || (fn.equals("sum") && result instanceof DecimalType)
              || ((fn.equals("min") || fn.equals("max")) && result.isFloating());
      partialColumns += twoStates ? 2 : 1;
    }
    return new AggParts(
        groupingPartial,
        groupingFinal,
        partial,
        fin,
        new RelSchema(fields),
        partialColumns,
        twoColumnValues ? outputs : List.of());
  }

  private OperatorOuterClass.Operator partialAggregate(State in, AggParts parts) {
    return wrap(
        in,
        b ->
            b.setHashAgg(
                OperatorOuterClass.HashAggregate.newBuilder()
                    .addAllGroupingExprs(parts.groupingPartial())
                    .addAllAggExprs(parts.partial())
                    .setMode(OperatorOuterClass.AggregateMode.Partial)));
  }

  private State finalAggregate(OperatorOuterClass.Operator partialState, AggParts parts) {
    OperatorOuterClass.Operator finalOp =
        OperatorOuterClass.Operator.newBuilder()
            .setPlanId(nextPlanId++)
            .addChildren(partialState)
            .setHashAgg(
                OperatorOuterClass.HashAggregate.newBuilder()
                    .addAllGroupingExprs(parts.groupingFinal())
                    .addAllAggExprs(parts.fin())
                    .setMode(OperatorOuterClass.AggregateMode.Final))
            .build();
    if (parts.outputs().isEmpty()) {
      return new State(finalOp, parts.schema());
    }
    return projection(new State(finalOp, parts.schema()), parts.outputs(), parts.schema());
  }

  /** An unbound reference: a final aggregate's argument, used for its type only. */
  private static ExprOuterClass.Expr unbound(String name, DataType type) {
    return ExprOuterClass.Expr.newBuilder()
        .setUnbound(
            ExprOuterClass.UnboundReference.newBuilder()
                .setName(name)
                .setDatatype(CometTypes.proto(type)))
        .build();
  }

  private static ExprOuterClass.AggExpr aggExpr(
      String fn, ExprOuterClass.Expr child, DataType result) {
    ExprOuterClass.AggExpr.Builder agg = ExprOuterClass.AggExpr.newBuilder();
    switch (fn) {
      case "count" -> agg.setCount(ExprOuterClass.Count.newBuilder().addChildren(child));
      case "sum" ->
          agg.setSum(
              ExprOuterClass.Sum.newBuilder()
                  .setChild(child)
                  .setDatatype(CometTypes.proto(result))
                  .setFailOnError(false));
      case "min" ->
          agg.setMin(
              ExprOuterClass.Min.newBuilder()
                  .setChild(child)
                  .setDatatype(CometTypes.proto(result)));
      case "max" ->
          agg.setMax(
              ExprOuterClass.Max.newBuilder()
                  .setChild(child)
                  .setDatatype(CometTypes.proto(result)));
      case "avg" ->
          agg.setAvg(
              ExprOuterClass.Avg.newBuilder()
                  .setChild(child)
                  .setDatatype(CometTypes.proto(PrimitiveType.FLOAT64))
                  .setSumDatatype(CometTypes.proto(PrimitiveType.FLOAT64))
                  .setFailOnError(false));
      default -> throw new IllegalArgumentException("unknown aggregate " + fn);
    }
    return agg.build();
  }

  private State join(State left, Join join, String path) throws OpUnsupported {
    Optional<State> maybeRight = pipeline(join.right(), path + ".right.ops");
    if (maybeRight.isEmpty()) {
      throw new OpUnsupported("its right pipeline cannot run natively (see " + path + ".right)");
    }
    State right = maybeRight.get();
    ExprTranslator leftExprs = ExprTranslator.over(left.schema(), params);
    ExprTranslator rightExprs = ExprTranslator.over(right.schema(), params);
    List<ExprOuterClass.Expr> leftKeys = new ArrayList<>();
    List<ExprOuterClass.Expr> rightKeys = new ArrayList<>();
    for (EquiKey key : join.on()) {
      ExprTranslator.Typed l = column(leftExprs, key.left(), path);
      ExprTranslator.Typed r = column(rightExprs, key.right(), path);
      DataType common =
          TypeRules.commonType(l.type(), r.type())
              .orElseThrow(
                  () ->
                      DataFusionErrors.invalidPlan(
                          path, "join key " + key + " compares " + l.type() + " with " + r.type()));
      // float keys normalized: -0.0 matches 0.0 and NaN matches NaN, as the spec compares them
      // (DataFusion hashes and compares the raw bits)
      leftKeys.add(ExprTranslator.sortKey(ExprTranslator.coerce(l, common), common));
      rightKeys.add(ExprTranslator.sortKey(ExprTranslator.coerce(r, common), common));
    }
    if (leftKeys.isEmpty()) {
      // DataFusion's HashJoinExec needs at least one key: a join on no keys (a cross join, or
      // only a condition) joins every row on the same constant
      ExprOuterClass.Expr one = ExprTranslator.literal(Optional.of(1L), PrimitiveType.INT32);
      leftKeys.add(one);
      rightKeys.add(one);
    }
    OperatorOuterClass.HashJoin.Builder builder =
        OperatorOuterClass.HashJoin.newBuilder()
            .addAllLeftJoinKeys(leftKeys)
            .addAllRightJoinKeys(rightKeys)
            .setJoinType(joinType(join.type()))
            .setBuildSide(OperatorOuterClass.BuildSide.BuildRight);
    if (join.condition().isPresent()) {
      try {
        builder.setCondition(
            ExprTranslator.overJoin(left.schema(), right.schema(), params)
                .translate(join.condition().get())
                .proto());
      } catch (ExprTranslator.Unsupported e) {
        throw new OpUnsupported("its condition cannot be translated: " + e.getMessage());
      }
    }
    boolean leftNullable = join.type() == JoinType.RIGHT || join.type() == JoinType.FULL;
    boolean rightNullable = join.type() == JoinType.LEFT || join.type() == JoinType.FULL;
    List<Field> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Field field : left.schema().fields()) {
      fields.add(leftNullable ? field.withNullable(true) : field);
      names.add(field.name());
    }
    if (join.type().keepsRightColumns()) {
      for (Field field : right.schema().fields()) {
        String name = field.name();
        if (names.contains(name)) {
          name = name + join.rightSuffix().orElse("");
        }
        fields.add((rightNullable ? field.withNullable(true) : field).withName(name));
      }
    }
    OperatorOuterClass.Operator op =
        OperatorOuterClass.Operator.newBuilder()
            .setPlanId(nextPlanId++)
            .addChildren(left.op())
            .addChildren(right.op())
            .setHashJoin(builder)
            .build();
    return new State(op, new RelSchema(fields));
  }

  private static OperatorOuterClass.JoinType joinType(JoinType type) {
    return switch (type) {
      case INNER -> OperatorOuterClass.JoinType.Inner;
      case LEFT -> OperatorOuterClass.JoinType.LeftOuter;
      case RIGHT -> OperatorOuterClass.JoinType.RightOuter;
      case FULL -> OperatorOuterClass.JoinType.FullOuter;
      case SEMI -> OperatorOuterClass.JoinType.LeftSemi;
      case ANTI -> OperatorOuterClass.JoinType.LeftAnti;
    };
  }

  private static ExprTranslator.Typed column(ExprTranslator exprs, String name, String path) {
    try {
      return exprs.translate(new ColumnRef(name));
    } catch (ExprTranslator.Unsupported e) {
      throw DataFusionErrors.invalidPlan(path, e.getMessage());
    }
  }

  private ExprOuterClass.Expr sortOrder(RelSchema schema, SortKey key, String path) {
    int index = schema.indexOf(key.column());
    if (index < 0) {
      throw DataFusionErrors.invalidPlan(
          path, "sort column '" + key.column() + "' is not in the input " + schema.names());
    }
    return ExprOuterClass.Expr.newBuilder()
        .setSortOrder(
            ExprOuterClass.SortOrder.newBuilder()
                .setChild(
                    ExprTranslator.sortKey(
                        bound(index, schema.fields().get(index).type()),
                        schema.fields().get(index).type()))
                .setDirection(
                    key.direction() == SortKey.Direction.ASC
                        ? ExprOuterClass.SortDirection.Ascending
                        : ExprOuterClass.SortDirection.Descending)
                .setNullOrdering(
                    key.nulls() == SortKey.NullOrder.FIRST
                        ? ExprOuterClass.NullOrdering.NullsFirst
                        : ExprOuterClass.NullOrdering.NullsLast))
        .build();
  }

  private ExprTranslator.Typed expr(RelSchema schema, Expr expr) throws OpUnsupported {
    try {
      return ExprTranslator.over(schema, params).translate(expr);
    } catch (ExprTranslator.Unsupported e) {
      throw new OpUnsupported(e.getMessage());
    }
  }

  private State projection(State in, List<ExprOuterClass.Expr> exprs, RelSchema schema) {
    return new State(
        wrap(
            in,
            b ->
                b.setProjection(
                    OperatorOuterClass.Projection.newBuilder().addAllProjectList(exprs))),
        schema);
  }

  private OperatorOuterClass.Operator wrap(
      State in, Consumer<OperatorOuterClass.Operator.Builder> body) {
    OperatorOuterClass.Operator.Builder builder =
        OperatorOuterClass.Operator.newBuilder().setPlanId(nextPlanId++).addChildren(in.op());
    body.accept(builder);
    return builder.build();
  }

  private static ExprOuterClass.Expr bound(int index, DataType type) {
    return ExprOuterClass.Expr.newBuilder()
        .setBound(
            ExprOuterClass.BoundReference.newBuilder()
                .setIndex(index)
                .setDatatype(CometTypes.proto(type)))
        .build();
  }

  /** The operator tree as indented text, root first, for reports and debugging. */
  static String describe(OperatorOuterClass.Operator op) {
    StringBuilder text = new StringBuilder();
    describe(op, 0, text);
    return text.toString();
  }

  private static void describe(OperatorOuterClass.Operator op, int depth, StringBuilder text) {
    text.append("  ".repeat(depth)).append(op.getOpStructCase().name());
    if (op.hasHashAgg()) {
      text.append('(').append(op.getHashAgg().getMode().name()).append(')');
    }
    if (op.hasHashJoin()) {
      text.append('(').append(op.getHashJoin().getJoinType().name()).append(')');
    }
    if (op.hasScan()) {
      text.append('(').append(op.getScan().getSource()).append(')');
    }
    if (op.hasNativeScan()) {
      text.append('(')
          .append(op.getNativeScan().getSource())
          .append(", ")
          .append(op.getNativeScan().getFilePartitionsCount())
          .append(" file partitions")
          .append(
              op.getNativeScan().getDataFiltersCount() > 0
                  ? ", " + op.getNativeScan().getDataFiltersCount() + " pushed filters"
                  : "")
          .append(')');
    }
    text.append('\n');
    for (OperatorOuterClass.Operator child : op.getChildrenList()) {
      describe(child, depth + 1, text);
    }
  }
}
