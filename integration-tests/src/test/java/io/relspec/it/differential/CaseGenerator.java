package io.relspec.it.differential;

import io.relspec.ir.build.RelspecBuilder;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.ParamRef;
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
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ExprType;
import io.relspec.ir.validate.FunctionRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Interprets a {@link Choices} stream as a valid one-rule bundle over two datasets ({@code t0}, the
 * rule's input, and {@code t1}, the right side of joins, unions and alignments) plus their rows.
 *
 * <p>Valid by construction as far as it can be: every op is built from the schema the ops before it
 * produce (resolved by {@link BundleValidator#resolvePipeline}), every function call is typed by
 * {@link FunctionRegistry}; an op or call the validator still rejects is dropped and counted in
 * {@link #REJECTED_OPS}. The whole bundle is validated at the end.
 */
final class CaseGenerator {
  /** Ops (and function calls) dropped because the validator rejected them. */
  static final AtomicLong REJECTED_OPS = new AtomicLong();

  /** Cases generated. */
  static final AtomicLong GENERATED = new AtomicLong();

  /** Op names generated into validated cases, by name. */
  static final Map<String, AtomicLong> OPS_USED = new java.util.concurrent.ConcurrentHashMap<>();

  /** Function names generated into validated cases. */
  static final Set<String> FUNCTIONS_USED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static final String RULE_PATH = "rules[0].ops";
  private static final DecimalType DEC_SMALL = new DecimalType(10, 2);
  private static final DecimalType DEC_WIDE = new DecimalType(38, 6);
  private static final List<DataType> COLUMN_TYPES =
      List.of(
          PrimitiveType.INT64,
          PrimitiveType.STRING,
          PrimitiveType.INT32,
          PrimitiveType.FLOAT64,
          PrimitiveType.BOOLEAN,
          DEC_SMALL,
          PrimitiveType.DATE32,
          PrimitiveType.TIMESTAMP_US,
          new ListType(PrimitiveType.INT64),
          new ListType(PrimitiveType.STRING),
          DEC_WIDE,
          PrimitiveType.INT16,
          PrimitiveType.FLOAT32);

  private final Choices c;
  private final Choices rowChoices;
  private final int maxRows;
  private final int maxOps;
  private Bundle context;
  private final List<Op> ops = new ArrayList<>();
  private final Map<String, Literal> bindings = new LinkedHashMap<>();
  private final Map<String, DataType> params = new LinkedHashMap<>();
  private List<Field> schema;
  private int fresh;

  private CaseGenerator(Choices choices, Choices rowChoices, int maxRows, int maxOps) {
    this.c = choices;
    this.rowChoices = rowChoices;
    this.maxRows = maxRows;
    this.maxOps = maxOps;
  }

  /**
   * @param choices the decisions of schemas, ops and expressions
   * @param rowChoices the decisions of the rows (a separate stream, so that many rows never starve
   *     the ops of decisions)
   */
  static DiffCase generate(
      List<Integer> choices, List<Integer> rowChoices, int maxRows, int maxOps) {
    return new CaseGenerator(new Choices(choices), new Choices(rowChoices), maxRows, maxOps)
        .build();
  }

  private DiffCase build() {
    DataType keyType = c.oneOf(PrimitiveType.INT64, PrimitiveType.STRING, PrimitiveType.INT32);
    DataType rightKeyType =
        c.oneIn(4) && keyType == PrimitiveType.INT32 ? PrimitiveType.INT64 : keyType;
    List<Field> left = new ArrayList<>();
    left.add(new Field("k", keyType, c.mostly(2)));
    boolean leftSpans = c.mostly(2);
    if (leftSpans) {
      left.add(new Field("s", c.oneOf(PrimitiveType.INT64, PrimitiveType.INT32), c.oneIn(2)));
      left.add(new Field("e", PrimitiveType.INT64, c.oneIn(2)));
    }
    int leftColumns = 1 + c.pick(4);
    for (int i = 0; i < leftColumns; i++) {
      left.add(new Field("c" + i, c.oneOf(COLUMN_TYPES), c.mostly(3)));
    }
    List<Field> right = new ArrayList<>();
    right.add(new Field("k", rightKeyType, c.mostly(2)));
    right.add(new Field("rs", PrimitiveType.INT64, c.oneIn(2)));
    right.add(new Field("re", PrimitiveType.INT64, c.oneIn(2)));
    int rightColumns = c.pick(3);
    for (int i = 0; i < rightColumns; i++) {
      right.add(new Field("d" + i, c.oneOf(COLUMN_TYPES), c.mostly(3)));
    }
    if (c.oneIn(3)) {
      // a column of the same name on both sides: joins need rightSuffix, unions widen it
      right.add(new Field("c0", c.oneOf(COLUMN_TYPES), true));
    }
    DatasetSpec t0 = RelspecBuilder.parquet("t0", "t0", left.toArray(Field[]::new));
    DatasetSpec t1 = RelspecBuilder.parquet("t1", "t1", right.toArray(Field[]::new));
    context = new Bundle(Bundle.FORMAT_VERSION, "diff", List.of(t0, t1), List.of(), List.of());

    Map<String, List<List<Object>>> data = new LinkedHashMap<>();
    data.put("t0", rows(left));
    data.put("t1", rows(right));

    ops.add(Scan.of("t0"));
    schema = resolve(ops);
    int opCount = c.exhausted() ? 0 : 1 + c.pick(maxOps);
    for (int i = 0; i < opCount; i++) {
      addOp();
    }
    Bundle bundle = bundle(t0, t1);
    while (true) {
      try {
        BundleValidator.validate(bundle, "<generated>", Map.of());
        break;
      } catch (RuntimeException e) {
        REJECTED_OPS.incrementAndGet();
        ops.remove(ops.size() - 1);
        bundle = bundle(t0, t1);
      }
    }
    GENERATED.incrementAndGet();
    record(ops);
    return new DiffCase(bundle, data);
  }

  private Bundle bundle(DatasetSpec t0, DatasetSpec t1) {
    Map<String, Literal> used = new LinkedHashMap<>();
    Set<String> declared = new HashSet<>();
    collectParams(ops, declared);
    bindings.forEach(
        (name, value) -> {
          if (declared.contains(name)) {
            used.put(name, value);
          }
        });
    RuleDefinition rule =
        new RuleDefinition(
            "r",
            "out",
            "c",
            RuleDefinition.DEFAULT_PRIORITY,
            ops,
            used,
            Optional.empty(),
            List.of());
    return new Bundle(
        Bundle.FORMAT_VERSION,
        "diff",
        List.of(t0, t1),
        List.of(RelspecBuilder.contract("c", RelspecBuilder.field("zz_unused", "string")).build()),
        List.of(rule));
  }

  private static void collectParams(List<Op> ops, Set<String> names) {
    for (Op op : ops) {
      if (op instanceof Param p) {
        names.add(p.name());
      }
    }
  }

  private static void record(List<Op> ops) {
    for (Op op : ops) {
      OPS_USED.computeIfAbsent(op.opName(), k -> new AtomicLong()).incrementAndGet();
      if (op instanceof Join j) {
        OPS_USED
            .computeIfAbsent("join:" + j.type().jsonName(), k -> new AtomicLong())
            .incrementAndGet();
        record(j.right().ops());
      } else if (op instanceof Union u) {
        u.inputs().forEach(p -> record(p.ops()));
      } else if (op instanceof IntervalAlign a) {
        OPS_USED
            .computeIfAbsent(
                "interval_align:" + a.mode().jsonName() + "/" + a.how().jsonName(),
                k -> new AtomicLong())
            .incrementAndGet();
        record(a.right().ops());
      } else if (op instanceof Explode e) {
        OPS_USED
            .computeIfAbsent(
                "explode" + (e.outer() ? ":outer" : "") + (e.position().isPresent() ? ":pos" : ""),
                k -> new AtomicLong())
            .incrementAndGet();
      } else if (op instanceof Aggregate a && a.aggregates().stream().anyMatch(x -> x.distinct())) {
        OPS_USED.computeIfAbsent("aggregate:distinct", k -> new AtomicLong()).incrementAndGet();
      }
    }
  }

  private List<Field> resolve(List<Op> pipeline) {
    return BundleValidator.resolvePipeline(context, pipeline, RULE_PATH).fields();
  }

  // ------------------------------------------------------------------ data

  private List<List<Object>> rows(List<Field> fields) {
    Choices c = rowChoices;
    List<List<Object>> rows = new ArrayList<>();
    int count = c.oneIn(6) ? 0 : c.pick(maxRows + 1);
    for (int r = 0; r < count; r++) {
      List<Object> row = new ArrayList<>();
      for (Field field : fields) {
        boolean key = field.name().equals("k");
        boolean span =
            field.name().equals("s") || field.name().equals("e") || field.name().startsWith("r");
        row.add(
            key || span ? smallValue(c, field, span) : value(c, field.type(), field.nullable()));
      }
      rows.add(row);
    }
    return rows;
  }

  private static Object smallValue(Choices c, Field field, boolean span) {
    if (field.nullable() && c.oneIn(6)) {
      return null;
    }
    if (field.type() == PrimitiveType.STRING) {
      return c.oneOf("a", "b", "");
    }
    return (long) c.pick(span ? 7 : 3);
  }

  private static Object value(Choices c, DataType type, boolean nullable) {
    if (nullable && c.oneIn(5)) {
      return null;
    }
    if (type instanceof ListType list) {
      int size = c.pick(4);
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        out.add(value(c, list.element(), true));
      }
      return java.util.Collections.unmodifiableList(out);
    }
    if (type instanceof DecimalType d) {
      BigInteger max = BigInteger.TEN.pow(d.precision()).subtract(BigInteger.ONE);
      BigInteger unscaled =
          c.oneOf(
              BigInteger.ZERO,
              BigInteger.ONE,
              BigInteger.valueOf(-1),
              BigInteger.valueOf(150),
              BigInteger.valueOf(-2575),
              max,
              max.negate(),
              BigInteger.valueOf(100));
      return new BigDecimal(unscaled, d.scale());
    }
    PrimitiveType p = (PrimitiveType) type;
    return switch (p) {
      case BOOLEAN -> c.oneOf(false, true);
      case INT8 -> c.oneOf(0L, 1L, -1L, 127L, -128L);
      case INT16 -> c.oneOf(0L, 1L, -1L, 2L, 7L, (long) Short.MAX_VALUE, (long) Short.MIN_VALUE);
      case INT32 ->
          c.oneOf(
              0L,
              1L,
              -1L,
              2L,
              3L,
              7L,
              -7L,
              100L,
              (long) Integer.MAX_VALUE,
              (long) Integer.MIN_VALUE);
      case INT64 ->
          c.oneOf(0L, 1L, -1L, 2L, 3L, 7L, -7L, 100L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 53);
      case FLOAT32 -> c.oneOf(0.0, 1.5, -1.5, -0.0, 2.0, Double.NaN, 3.4028234663852886E38, 0.25);
      case FLOAT64 ->
          c.oneOf(
              0.0,
              1.5,
              -1.5,
              -0.0,
              2.0,
              3.0,
              Double.NaN,
              Double.POSITIVE_INFINITY,
              Double.NEGATIVE_INFINITY,
              1e308,
              Double.MIN_VALUE,
              0.1);
      case STRING ->
          c.oneOf("", "a", "b", "ab", "A", " a ", "%", "_x", "\u00e9", "\uD83D\uDE00", "abc");
      case BINARY -> io.relspec.ir.expr.Bytes.copyOf(new byte[] {(byte) c.pick(256)});
      case DATE32 -> c.oneOf(0, 1, -1, 19723, 19724, 2932896, -719162);
      case TIMESTAMP_US ->
          c.oneOf(
              0L,
              1L,
              -1L,
              1_704_067_200_000_000L,
              1_704_067_200_000_001L,
              253_402_300_799_999_999L,
              -62_135_596_800_000_000L,
              1_704_095_999_000_000L);
    };
  }

  // ------------------------------------------------------------------ ops

  private void addOp() {
    int kind = c.pick(11);
    List<Op> before = new ArrayList<>(ops);
    Map<String, DataType> paramsBefore = new LinkedHashMap<>(params);
    try {
      switch (kind) {
        case 0 -> ops.add(new Filter(expr(PrimitiveType.BOOLEAN, 2).expr()));
        case 1 -> project();
        case 2 -> derive();
        case 3 -> join();
        case 4 -> aggregate();
        case 5 -> sort();
        case 6 -> explode();
        case 7 -> dedupe();
        case 8 -> intervalAlign();
        case 9 -> union();
        default -> param();
      }
      schema = resolve(ops);
    } catch (RuntimeException e) {
      REJECTED_OPS.incrementAndGet();
      ops.clear();
      ops.addAll(before);
      params.clear();
      params.putAll(paramsBefore);
    }
  }

  private String name(String prefix) {
    return prefix + (fresh++);
  }

  private List<Field> orderable(List<Field> fields) {
    return fields.stream().filter(f -> TypeRules.isOrderable(f.type())).toList();
  }

  private List<Field> subset(List<Field> fields, int min, int max) {
    List<Field> pool = new ArrayList<>(fields);
    List<Field> out = new ArrayList<>();
    int count = Math.min(pool.size(), min + c.pick(Math.max(1, max - min + 1)));
    for (int i = 0; i < count; i++) {
      out.add(pool.remove(c.pick(pool.size())));
    }
    return out;
  }

  private void project() {
    List<Project.Column> columns = new ArrayList<>();
    for (Field f : subset(schema, 1, schema.size())) {
      columns.add(Project.Column.keep(f.name()));
    }
    if (c.oneIn(2)) {
      columns.add(new Project.Column(name("p"), expr(null, 2).expr()));
    }
    if (c.oneIn(4)) {
      Field f = c.oneOf(schema);
      columns.add(new Project.Column(name("q"), new ColumnRef(f.name())));
    }
    ops.add(new Project(columns));
  }

  private void derive() {
    if (c.oneIn(4)) {
      Field replaced = c.oneOf(schema);
      ops.add(new Derive(replaced.name(), expr(replaced.type(), 2).expr()));
    } else {
      ops.add(new Derive(name("v"), expr(null, 2).expr()));
    }
  }

  private Pipeline rightPipeline(String dataset) {
    List<Op> right = new ArrayList<>();
    right.add(Scan.of(dataset));
    if (c.oneIn(4)) {
      List<Field> saved = schema;
      schema = resolve(right);
      try {
        right.add(new Filter(expr(PrimitiveType.BOOLEAN, 1).expr()));
      } finally {
        schema = saved;
      }
    }
    return new Pipeline(right);
  }

  private List<EquiKey> keys(List<Field> right, int max) {
    List<EquiKey> on = new ArrayList<>();
    if (schema.stream().anyMatch(f -> f.name().equals("k")) && c.mostly(4)) {
      on.add(EquiKey.same("k"));
    }
    int more = c.pick(max);
    for (int i = 0; i < more; i++) {
      Field l = c.oneOf(orderable(schema).isEmpty() ? schema : orderable(schema));
      List<Field> matching =
          right.stream()
              .filter(r -> TypeRules.commonType(l.type(), r.type()).isPresent())
              .filter(r -> TypeRules.isOrderable(r.type()))
              .toList();
      if (!matching.isEmpty()) {
        on.add(new EquiKey(l.name(), c.oneOf(matching).name()));
      }
    }
    return on;
  }

  private void join() {
    Pipeline right = rightPipeline("t1");
    List<Field> rightSchema = resolve(right.ops());
    JoinType type = c.oneOf(JoinType.values());
    List<EquiKey> on = keys(rightSchema, 2);
    Optional<Expr> condition = Optional.empty();
    if (c.oneIn(3) || on.isEmpty() && c.oneIn(2)) {
      Field l = c.oneOf(orderable(schema));
      List<Field> matching =
          orderable(rightSchema).stream()
              .filter(r -> TypeRules.commonType(l.type(), r.type()).isPresent())
              .toList();
      if (!matching.isEmpty()) {
        String fn = c.oneOf("le", "eq", "ne", "lt", "gt", "ge");
        condition =
            Optional.of(
                call(
                    fn,
                    new ColumnRef(l.name(), Optional.of(io.relspec.ir.expr.Side.LEFT)),
                    new ColumnRef(
                        c.oneOf(matching).name(), Optional.of(io.relspec.ir.expr.Side.RIGHT))));
      }
    }
    Set<String> leftNames = new HashSet<>();
    schema.forEach(f -> leftNames.add(f.name()));
    boolean collides = rightSchema.stream().anyMatch(f -> leftNames.contains(f.name()));
    Optional<String> suffix =
        collides && (type.keepsRightColumns() || c.oneIn(2))
            ? Optional.of(name("_r"))
            : Optional.empty();
    ops.add(new Join(type, right, on, condition, suffix));
  }

  private void aggregate() {
    List<String> groupBy = subset(orderable(schema), 0, 2).stream().map(Field::name).toList();
    List<Aggregate.AggregateCall> calls = new ArrayList<>();
    int count = 1 + c.pick(3);
    for (int i = 0; i < count; i++) {
      String fn = c.oneOf("count", "sum", "min", "max", "avg", "count");
      boolean distinct = c.oneIn(3);
      List<Expr> args = new ArrayList<>();
      if (!(fn.equals("count") && c.oneIn(2))) {
        List<Field> candidates =
            switch (fn) {
              case "sum", "avg" -> schema.stream().filter(f -> f.type().isNumeric()).toList();
              case "min", "max" -> orderable(schema);
              default -> schema;
            };
        if (candidates.isEmpty()) {
          fn = "count";
          candidates = schema;
        }
        Field arg = c.oneOf(candidates);
        args.add(
            c.oneIn(4) && arg.type().isNumeric()
                ? expr(arg.type(), 1).expr()
                : new ColumnRef(arg.name()));
      }
      calls.add(new Aggregate.AggregateCall(name("a"), fn, args, distinct));
    }
    ops.add(new Aggregate(groupBy, calls));
  }

  private SortKey sortKey(String column) {
    SortKey.Direction dir = c.oneOf(SortKey.Direction.ASC, SortKey.Direction.DESC);
    SortKey.NullOrder nulls =
        c.oneIn(3)
            ? (dir.defaultNulls() == SortKey.NullOrder.LAST
                ? SortKey.NullOrder.FIRST
                : SortKey.NullOrder.LAST)
            : dir.defaultNulls();
    return new SortKey(column, dir, nulls);
  }

  private void sort() {
    List<Field> sortable = orderable(schema);
    List<SortKey> keys = new ArrayList<>();
    for (Field f : subset(sortable, 1, 3)) {
      keys.add(sortKey(f.name()));
    }
    if (keys.isEmpty()) {
      // no orderable column (only lists): a sort needs at least one key, and BundleReader rejects
      // an empty one that the in-memory IR accepts (the long run's "Cannot read bundle" cases)
      return;
    }
    // -0.0 and 0.0 sort as equal but are different values (format.md, floating zeros): no order
    // over a float column is total, and which of two such rows a limit keeps may differ by lane
    // (differential seed 20261208: spark kept (0, 0.0), reference (0, -0.0))
    boolean total =
        sortable.size() == schema.size() && sortable.stream().noneMatch(f -> f.type().isFloating());
    boolean limit = total && c.mostly(2);
    if (limit) {
      // a total order over every column, so the rows a limit keeps never depend on the lane
      Set<String> used = new HashSet<>();
      keys.forEach(k -> used.add(k.column()));
      for (Field f : sortable) {
        if (!used.contains(f.name())) {
          keys.add(sortKey(f.name()));
        }
      }
    }
    ops.add(new Sort(keys));
    if (limit) {
      ops.add(new Limit(c.pick(5), c.oneIn(3) ? c.pick(3) : 0));
    }
  }

  private void explode() {
    List<Field> lists = schema.stream().filter(f -> f.type() instanceof ListType).toList();
    if (lists.isEmpty()) {
      throw new IllegalStateException("no list column to explode");
    }
    Field column = c.oneOf(lists);
    String as = c.oneIn(3) ? column.name() : name("x");
    Optional<String> position = c.oneIn(2) ? Optional.of(name("pos")) : Optional.empty();
    ops.add(new Explode(column.name(), as, position, c.oneIn(2)));
  }

  private void dedupe() {
    List<String> keys = subset(orderable(schema), 1, 2).stream().map(Field::name).toList();
    List<SortKey> orderBy = new ArrayList<>();
    for (Field f : subset(orderable(schema), 0, 2)) {
      orderBy.add(sortKey(f.name()));
    }
    ops.add(new Dedupe(keys, orderBy));
  }

  private void intervalAlign() {
    List<Field> ints = schema.stream().filter(f -> f.type().isInteger()).toList();
    if (ints.size() < 2) {
      throw new IllegalStateException("no span columns on the left");
    }
    Field ls =
        schema.stream().anyMatch(f -> f.name().equals("s")) && c.mostly(5)
            ? schema.stream().filter(f -> f.name().equals("s")).findFirst().orElseThrow()
            : c.oneOf(ints);
    Field le =
        schema.stream().anyMatch(f -> f.name().equals("e")) && c.mostly(5)
            ? schema.stream().filter(f -> f.name().equals("e")).findFirst().orElseThrow()
            : c.oneOf(ints);
    Pipeline right = rightPipeline("t1");
    List<Field> rightSchema = resolve(right.ops());
    List<EquiKey> on = keys(rightSchema, 1);
    Set<String> leftNames = new HashSet<>();
    schema.forEach(f -> leftNames.add(f.name()));
    List<Field> selectable =
        rightSchema.stream().filter(f -> !leftNames.contains(f.name())).toList();
    List<String> selectRight = subset(selectable, 0, 3).stream().map(Field::name).toList();
    List<SortKey> tieBreakers = new ArrayList<>();
    for (Field f : subset(orderable(rightSchema), 0, 2)) {
      tieBreakers.add(sortKey(f.name()));
    }
    ops.add(
        new IntervalAlign(
            right,
            on,
            new IntervalAlign.Span(ls.name(), le.name()),
            new IntervalAlign.Span("rs", "re"),
            c.oneOf(IntervalAlign.Mode.values()),
            c.oneOf(IntervalAlign.How.INNER, IntervalAlign.How.LEFT),
            selectRight,
            tieBreakers,
            c.oneIn(2)));
  }

  private void union() {
    String dataset = c.oneOf("t0", "t1");
    List<Op> input = new ArrayList<>();
    input.add(Scan.of(dataset));
    if (c.oneIn(2)) {
      List<Field> inputSchema = resolve(input);
      input.add(
          new Project(
              subset(inputSchema, 1, inputSchema.size()).stream()
                  .map(f -> Project.Column.keep(f.name()))
                  .toList()));
    }
    ops.add(new Union(List.of(new Pipeline(input)), c.oneIn(2)));
  }

  private void param() {
    List<Field> candidates =
        orderable(schema).stream().filter(f -> f.type() instanceof PrimitiveType).toList();
    if (candidates.isEmpty()) {
      throw new IllegalStateException("no column to compare a param with");
    }
    Field column = c.oneOf(candidates);
    String name = name("prm");
    Literal value = literal(column.type(), false);
    boolean hasDefault = c.mostly(3);
    ops.add(new Param(name, column.type(), hasDefault ? Optional.of(value) : Optional.empty()));
    if (!hasDefault || c.oneIn(3)) {
      bindings.put(name, hasDefault ? literal(column.type(), false) : value);
    }
    params.put(name, column.type());
    String fn = c.oneOf("ge", "eq", "ne", "lt");
    ops.add(new Filter(call(fn, new ColumnRef(column.name()), new ParamRef(name))));
  }

  // ------------------------------------------------------------------ expressions

  /** An expression and its type. */
  record Typed(Expr expr, DataType type) {}

  private Call call(String fn, Expr... args) {
    return new Call(fn, List.of(args));
  }

  /** An expression of type {@code want} (any type when null), at most {@code depth} calls deep. */
  private Typed expr(DataType want, int depth) {
    if (depth <= 0 || !c.mostly(3)) {
      return leaf(want);
    }
    DataType target = want != null ? want : c.oneOf(exprTypes());
    try {
      Typed typed = production(target, depth);
      if (typed != null) {
        if (want != null && !typed.type().equals(want)) {
          return leaf(want);
        }
        if (typed.expr() instanceof Call call) {
          FUNCTIONS_USED.add(call.fn());
        }
        return typed;
      }
    } catch (FunctionRegistry.TypeError | RuntimeException e) {
      REJECTED_OPS.incrementAndGet();
    }
    return leaf(want);
  }

  private List<DataType> exprTypes() {
    List<DataType> types = new ArrayList<>();
    types.add(PrimitiveType.INT64);
    types.add(PrimitiveType.BOOLEAN);
    types.add(PrimitiveType.STRING);
    types.add(PrimitiveType.FLOAT64);
    types.add(PrimitiveType.INT32);
    types.add(PrimitiveType.DATE32);
    types.add(DEC_SMALL);
    types.add(PrimitiveType.TIMESTAMP_US);
    return types;
  }

  private Typed leaf(DataType want) {
    List<Field> columns =
        want == null ? schema : schema.stream().filter(f -> f.type().equals(want)).toList();
    if (!columns.isEmpty() && (c.mostly(4) || want instanceof ListType || want == null)) {
      Field f = c.oneOf(columns);
      return new Typed(new ColumnRef(f.name()), f.type());
    }
    if (want == null || want instanceof ListType) {
      Field f = c.oneOf(schema);
      return new Typed(new ColumnRef(f.name()), f.type());
    }
    return new Typed(literal(want, true), want);
  }

  private Literal literal(DataType type, boolean allowNull) {
    if (allowNull && c.oneIn(8)) {
      return Literal.nullOf(type);
    }
    Object value = value(c, type, false);
    return Literal.of(DiffCase.toLiteral(value, type), type);
  }

  private Typed typedCall(String fn, List<Typed> args) throws FunctionRegistry.TypeError {
    List<ExprType> types = args.stream().map(a -> ExprType.of(a.type(), true)).toList();
    FunctionRegistry.Resolution resolution = FunctionRegistry.resolve(fn, types);
    return new Typed(
        new Call(fn, args.stream().map(Typed::expr).toList()), resolution.result().type());
  }

  private DataType orderableType() {
    List<DataType> present = orderable(schema).stream().map(Field::type).distinct().toList();
    if (!present.isEmpty() && c.mostly(4)) {
      return c.oneOf(present);
    }
    return c.oneOf(exprTypes());
  }

  private DataType integerType() {
    return c.oneOf(PrimitiveType.INT64, PrimitiveType.INT32);
  }

  private Typed production(DataType want, int depth) throws FunctionRegistry.TypeError {
    int d = depth - 1;
    if (c.oneIn(8)) {
      return generic(want, d);
    }
    if (want == PrimitiveType.BOOLEAN) {
      switch (c.pick(9)) {
        case 0 -> {
          DataType t = orderableType();
          String fn = c.oneOf("eq", "lt", "gt", "le", "ge", "ne");
          return typedCall(fn, List.of(expr(t, d), expr(t, d)));
        }
        case 1 -> {
          return typedCall(c.oneOf("is_null", "is_not_null"), List.of(expr(null, d)));
        }
        case 2 -> {
          List<Typed> args = new ArrayList<>();
          int n = 2 + c.pick(2);
          for (int i = 0; i < n; i++) {
            args.add(expr(PrimitiveType.BOOLEAN, d));
          }
          return typedCall(c.oneOf("and", "or"), args);
        }
        case 3 -> {
          return typedCall("not", List.of(expr(PrimitiveType.BOOLEAN, d)));
        }
        case 4 -> {
          DataType t = orderableType();
          List<Typed> args = new ArrayList<>();
          args.add(expr(t, d));
          int n = 1 + c.pick(3);
          for (int i = 0; i < n; i++) {
            args.add(new Typed(literal(t, true), t));
          }
          return typedCall("in", args);
        }
        case 5 -> {
          DataType t = orderableType();
          return typedCall("between", List.of(expr(t, d), expr(t, d), expr(t, d)));
        }
        case 6 -> {
          String fn = c.oneOf("starts_with", "ends_with", "contains", "like");
          Typed pattern =
              fn.equals("like")
                  ? new Typed(
                      Literal.of(
                          c.oneOf("a%", "%b", "_", "%", "a_", "%\u00e9%", ""),
                          PrimitiveType.STRING),
                      PrimitiveType.STRING)
                  : expr(PrimitiveType.STRING, d);
          return typedCall(fn, List.of(expr(PrimitiveType.STRING, d), pattern));
        }
        case 7 -> {
          List<Typed> args = new ArrayList<>();
          for (int i = 0; i < 4; i++) {
            args.add(expr(integerType(), d));
          }
          return typedCall(c.oneOf("span_contains", "span_overlaps"), args);
        }
        default -> {
          return generic(want, d);
        }
      }
    }
    if (want.isInteger()) {
      switch (c.pick(7)) {
        case 0 -> {
          String fn = c.oneOf("add", "sub", "mul", "div", "mod");
          return typedCall(fn, List.of(expr(want, d), expr(want, d)));
        }
        case 1 -> {
          return typedCall(c.oneOf("neg", "abs"), List.of(expr(want, d)));
        }
        case 2 -> {
          return typedCall(c.oneOf("bit_and", "bit_or"), List.of(expr(want, d), expr(want, d)));
        }
        case 3 -> {
          if (want == PrimitiveType.INT32) {
            return c.oneIn(2)
                ? typedCall("length", List.of(expr(PrimitiveType.STRING, d)))
                : typedCall(
                    "year",
                    List.of(expr(c.oneOf(PrimitiveType.DATE32, PrimitiveType.TIMESTAMP_US), d)));
          }
          return typedCall("span_len", List.of(expr(integerType(), d), expr(integerType(), d)));
        }
        case 4 -> {
          if (want == PrimitiveType.INT64) {
            List<Typed> args = new ArrayList<>();
            int n = 1 + c.pick(2);
            for (int i = 0; i < n; i++) {
              args.add(expr(null, d));
            }
            return typedCall("stable_hash64", args);
          }
          return generic(want, d);
        }
        default -> {
          return generic(want, d);
        }
      }
    }
    if (want.isFloating() || want instanceof DecimalType) {
      switch (c.pick(4)) {
        case 0 -> {
          String fn = c.oneOf("add", "sub", "mul", "div", "mod");
          DataType other = c.oneOf(want, PrimitiveType.INT32, PrimitiveType.INT64);
          Typed call = typedCall(fn, List.of(expr(want, d), expr(other, d)));
          // decimal arithmetic changes precision and scale: keep the result's own type
          return call;
        }
        case 1 -> {
          return typedCall(c.oneOf("neg", "abs"), List.of(expr(want, d)));
        }
        default -> {
          return generic(want, d);
        }
      }
    }
    if (want == PrimitiveType.STRING) {
      switch (c.pick(5)) {
        case 0 -> {
          List<Typed> args = new ArrayList<>();
          int n = 1 + c.pick(3);
          for (int i = 0; i < n; i++) {
            args.add(expr(PrimitiveType.STRING, d));
          }
          return typedCall("concat", args);
        }
        case 1 -> {
          return typedCall(c.oneOf("lower", "upper", "trim"), List.of(expr(want, d)));
        }
        case 2 -> {
          return typedCall(
              "substr",
              List.of(expr(want, d), expr(PrimitiveType.INT32, d), expr(PrimitiveType.INT32, d)));
        }
        default -> {
          return generic(want, d);
        }
      }
    }
    if (want == PrimitiveType.DATE32 && c.mostly(2)) {
      return typedCall("date_add_days", List.of(expr(want, d), expr(PrimitiveType.INT32, d)));
    }
    return generic(want, d);
  }

  /** Productions of every type: cast, case, coalesce, nullif. */
  private Typed generic(DataType want, int d) throws FunctionRegistry.TypeError {
    switch (c.pick(4)) {
      case 0 -> {
        Typed from = expr(null, d);
        if (!TypeRules.canCast(from.type(), want)) {
          return leaf(want);
        }
        return new Typed(new Cast(from.expr(), want), want);
      }
      case 1 -> {
        List<Case.When> branches = new ArrayList<>();
        int n = 1 + c.pick(2);
        for (int i = 0; i < n; i++) {
          branches.add(new Case.When(expr(PrimitiveType.BOOLEAN, d).expr(), expr(want, d).expr()));
        }
        Optional<Expr> otherwise =
            c.mostly(3) ? Optional.of(expr(want, d).expr()) : Optional.empty();
        return new Typed(new Case(branches, otherwise), want);
      }
      case 2 -> {
        List<Typed> args = new ArrayList<>();
        int n = 1 + c.pick(3);
        for (int i = 0; i < n; i++) {
          args.add(expr(want, d));
        }
        return typedCall("coalesce", args);
      }
      default -> {
        return typedCall("nullif", List.of(expr(want, d), expr(want, d)));
      }
    }
  }

  static Instant micros(long value) {
    return Instant.EPOCH.plus(value, ChronoUnit.MICROS);
  }

  static LocalDate days(int value) {
    return LocalDate.ofEpochDay(value);
  }
}
