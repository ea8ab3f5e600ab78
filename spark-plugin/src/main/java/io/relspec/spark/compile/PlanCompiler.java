package io.relspec.spark.compile;

import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.Side;
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
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import io.relspec.ir.validate.ExprType;
import io.relspec.ir.validate.FunctionRegistry;
import io.relspec.spark.SparkErrors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.AliasIdentifier;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.DecimalAddNoOverflowCheck;
import org.apache.spark.sql.catalyst.expressions.EqualTo;
import org.apache.spark.sql.catalyst.expressions.EvalMode;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GreaterThan;
import org.apache.spark.sql.catalyst.expressions.If;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.catalyst.expressions.LessThan;
import org.apache.spark.sql.catalyst.expressions.MonotonicallyIncreasingID;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.PosExplode;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.expressions.UnaryMinus;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateFunction;
import org.apache.spark.sql.catalyst.expressions.aggregate.Average;
import org.apache.spark.sql.catalyst.expressions.aggregate.Count;
import org.apache.spark.sql.catalyst.expressions.aggregate.Max;
import org.apache.spark.sql.catalyst.expressions.aggregate.Min;
import org.apache.spark.sql.catalyst.expressions.aggregate.Sum;
import org.apache.spark.sql.catalyst.optimizer.NormalizeNaNAndZero;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias$;
import org.apache.spark.sql.types.DataTypes;

/**
 * Compiles a rule's ops (format v1, section 4) to a Spark Dataset. The whole rule is built as one
 * Catalyst logical plan of resolved plan nodes and Catalyst expressions (no SQL text anywhere) and
 * Spark's analyzer checks it once at the end: per-transformation analysis, which the Dataset API
 * does after every step, dominated compile time.
 */
public final class PlanCompiler {
  private static final String TMP = "__relspec_";

  private final DatasetResolver resolver;

  public PlanCompiler(DatasetResolver resolver) {
    this.resolver = resolver;
  }

  /**
   * Compiles the ops of one rule.
   *
   * @param rule the rule's name, for error messages
   * @param ops the rule's ops, starting with a scan
   * @param params the effective value of every param the rule declares (as {@code RelPlan.params()}
   *     gives them)
   */
  public Dataset<Row> compile(String rule, List<Op> ops, Map<String, Literal> params) {
    Run run = new Run(new ExprCompiler(rule, params));
    LogicalPlan plan = run.pipeline(ops, "ops");
    return analyze(rule, run.session, plan);
  }

  /** The qualifier of the marker {@link #compile(RelPlan)} puts on top of each rule's plan. */
  public static final String MARKER = "relspec";

  /**
   * Compiles one rule and marks its plan with the rule's name and plan signature: a {@code
   * SubqueryAlias relspec.<rule>.plan_<plan signature>} on top, which Spark's parsed and analyzed
   * plans show in {@code Dataset.explain(true)}, {@code EXPLAIN EXTENDED} and the SQL tab of the
   * UI. The optimizer removes subquery aliases first thing, so the marker never reaches execution.
   */
  public Dataset<Row> compile(RelPlan plan) {
    Run run = new Run(new ExprCompiler(plan.name(), plan.params()));
    LogicalPlan rows = run.pipeline(plan.ops(), "ops");
    return analyze(plan.name(), run.session, marker(plan, rows));
  }

  /**
   * Compiles {@code ops} in place of the rule's own ops (a rewrite of them, e.g. with some ops
   * replaced by a scan of rows computed elsewhere) with the rule's params and the rule's marker, as
   * {@link #compile(RelPlan)} does.
   */
  public Dataset<Row> compile(RelPlan plan, List<Op> ops) {
    Run run = new Run(new ExprCompiler(plan.name(), plan.params()));
    LogicalPlan rows = run.pipeline(ops, "ops");
    return analyze(plan.name(), run.session, marker(plan, rows));
  }

  /** The marker of {@link #compile(RelPlan)} over {@code rows}. */
  static LogicalPlan marker(RelPlan plan, LogicalPlan rows) {
    return SubqueryAlias$.MODULE$.apply(
        new AliasIdentifier(
            "plan_" + plan.planSignature(), ExprCompiler.seq(List.of(MARKER, plan.name()))),
        rows);
  }

  private static Dataset<Row> analyze(String rule, SparkSession session, LogicalPlan plan) {
    try {
      return Dataset.ofRows(session, plan);
    } catch (Exception e) {
      // Spark's analyzer throws AnalysisException (checked to Java, undeclared by Scala); the
      // compiler checks everything a bundle can get wrong first, so reaching it is a bug.
      if (e instanceof org.apache.spark.sql.AnalysisException) {
        throw SparkErrors.internal("compile rule '" + rule + "' to a Catalyst plan", e);
      }
      throw e;
    }
  }

  /** One compilation: the expression compiler and a counter for temporary column names. */
  private final class Run {
    private final ExprCompiler exprs;
    private final String rule;
    private int temporaries;
    private SparkSession session;

    Run(ExprCompiler exprs) {
      this.exprs = exprs;
      this.rule = exprs.rule();
    }

    String temporary() {
      return TMP + (temporaries++);
    }

    String at(String path) {
      return SparkErrors.at(rule, path);
    }

    LogicalPlan pipeline(List<Op> ops, String path) {
      if (ops.isEmpty() || !(ops.get(0) instanceof Scan)) {
        throw new io.relspec.ir.error.RelspecException(
            io.relspec.ir.error.ErrorCode.INVALID_BUNDLE,
            "Cannot compile pipeline "
                + at(path)
                + ": its first op must be a scan. Start the pipeline with {\"op\": \"scan\"}.");
      }
      LogicalPlan rows = null;
      for (int i = 0; i < ops.size(); i++) {
        rows = op(rows, ops.get(i), path + "[" + i + "]");
      }
      return rows;
    }

    LogicalPlan op(LogicalPlan in, Op op, String path) {
      if (op instanceof Scan scan) {
        return scan(scan, path);
      } else if (op instanceof Filter filter) {
        Typed predicate = exprs.compile(filter.predicate(), Scope.of(in), path + ".predicate");
        if (predicate.type() != PrimitiveType.BOOLEAN) {
          throw SparkErrors.badType(
              at(path + ".predicate"), "a filter predicate", predicate.type(), "boolean");
        }
        return Plans.filter(in, predicate.expr());
      } else if (op instanceof Project project) {
        return project(in, project, path);
      } else if (op instanceof Derive derive) {
        return derive(in, derive, path);
      } else if (op instanceof Join join) {
        return join(in, join, path);
      } else if (op instanceof Aggregate aggregate) {
        return aggregate(in, aggregate, path);
      } else if (op instanceof Union union) {
        return union(in, union, path);
      } else if (op instanceof Param) {
        return in;
      } else if (op instanceof Sort sort) {
        return Plans.sort(in, sortOrders(in, sort.keys(), Map.of(), path + ".keys"));
      } else if (op instanceof Limit limit) {
        return limit(in, limit, path);
      } else if (op instanceof Explode explode) {
        return explode(in, explode, path);
      } else if (op instanceof Dedupe dedupe) {
        return dedupe(in, dedupe, path);
      } else if (op instanceof IntervalAlign align) {
        return intervalAlign(in, align, path);
      }
      throw new IllegalStateException("unknown op " + op.opName());
    }

    LogicalPlan scan(Scan scan, String path) {
      Dataset<Row> dataset = resolver.resolve(scan.dataset(), at(path));
      if (session == null) {
        session = dataset.sparkSession();
      }
      LogicalPlan rows = dataset.queryExecution().analyzed();
      if (scan.columns().isEmpty()) {
        return rows;
      }
      List<NamedExpression> columns = new ArrayList<>();
      Scope scope = Scope.of(rows);
      for (int i = 0; i < scan.columns().get().size(); i++) {
        String name = scan.columns().get().get(i);
        columns.add(
            Plans.alias(
                scope.resolve(new ColumnRef(name), at(path + ".columns[" + i + "]")).expr(), name));
      }
      return Plans.project(rows, columns);
    }

    LogicalPlan project(LogicalPlan in, Project project, String path) {
      Scope scope = Scope.of(in);
      List<NamedExpression> columns = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (int i = 0; i < project.columns().size(); i++) {
        Project.Column column = project.columns().get(i);
        String at = path + ".columns[" + i + "]";
        if (!names.add(column.name())) {
          throw SparkErrors.nameClash(
              at(at), column.name(), "Give each projected column its own name.");
        }
        columns.add(
            Plans.alias(exprs.compile(column.expr(), scope, at + ".expr").expr(), column.name()));
      }
      return Plans.project(in, columns);
    }

    LogicalPlan derive(LogicalPlan in, Derive derive, String path) {
      Expression value = exprs.compile(derive.expr(), Scope.of(in), path + ".expr").expr();
      List<NamedExpression> columns = new ArrayList<>();
      boolean replaced = false;
      for (Attribute column : Plans.output(in)) {
        if (column.name().equals(derive.name())) {
          columns.add(Plans.alias(value, column.name()));
          replaced = true;
        } else {
          columns.add(column);
        }
      }
      if (!replaced) {
        columns.add(Plans.alias(value, derive.name()));
      }
      return Plans.project(in, columns);
    }

    /** The right side with every column renamed to a temporary name (no clash, no self-join). */
    LogicalPlan renameAll(LogicalPlan right, Map<String, String> names, NamedExpression... extra) {
      List<NamedExpression> columns = new ArrayList<>();
      for (Attribute column : Plans.output(right)) {
        String tmp = temporary();
        names.put(column.name(), tmp);
        columns.add(Plans.alias(column, tmp));
      }
      columns.addAll(List.of(extra));
      return Plans.project(right, columns);
    }

    LogicalPlan join(LogicalPlan left, Join join, String path) {
      LogicalPlan rightRows = pipeline(join.right().ops(), path + ".right.ops");
      Map<String, String> rightNames = new LinkedHashMap<>();
      LogicalPlan right = renameAll(rightRows, rightNames);
      Scope scope = Scope.join(left, right, rightNames);
      List<Expr> conditions = new ArrayList<>();
      for (EquiKey key : join.on()) {
        conditions.add(
            Call.of(
                "eq",
                new ColumnRef(key.left(), Optional.of(Side.LEFT)),
                new ColumnRef(key.right(), Optional.of(Side.RIGHT))));
      }
      join.condition().ifPresent(conditions::add);
      Expression condition = org.apache.spark.sql.catalyst.expressions.Literal.TrueLiteral();
      if (!conditions.isEmpty()) {
        Expr all = conditions.size() == 1 ? conditions.get(0) : new Call("and", conditions);
        String at = join.condition().isPresent() && join.on().isEmpty() ? ".condition" : ".on";
        Typed typed = exprs.compile(all, scope, path + at);
        if (typed.type() != PrimitiveType.BOOLEAN) {
          throw SparkErrors.badType(at(path + at), "a join condition", typed.type(), "boolean");
        }
        condition = typed.expr();
      }
      LogicalPlan joined = Plans.join(left, right, condition, sparkJoinType(join.type()));
      List<String> leftNames = Plans.names(left);
      if (!join.type().keepsRightColumns()) {
        return Plans.project(joined, Plans.cols(left, leftNames));
      }
      List<NamedExpression> columns = new ArrayList<>(Plans.cols(left, leftNames));
      Set<String> names = new LinkedHashSet<>(leftNames);
      for (Map.Entry<String, String> entry : rightNames.entrySet()) {
        String name = entry.getKey();
        if (names.contains(name)) {
          if (join.rightSuffix().isEmpty()) {
            throw SparkErrors.nameClash(
                at(path),
                name,
                "Set \"rightSuffix\" on the join or project one side's column away.");
          }
          name = name + join.rightSuffix().get();
          if (names.contains(name)) {
            throw SparkErrors.nameClash(
                at(path + ".rightSuffix"), name, "Choose another rightSuffix.");
          }
        }
        names.add(name);
        columns.add(Plans.alias(Plans.col(right, entry.getValue()), name));
      }
      return Plans.project(joined, columns);
    }

    LogicalPlan aggregate(LogicalPlan in, Aggregate aggregate, String path) {
      Scope scope = Scope.of(in);
      List<Expression> groups = new ArrayList<>();
      List<NamedExpression> outputs = new ArrayList<>();
      for (int i = 0; i < aggregate.groupBy().size(); i++) {
        String name = aggregate.groupBy().get(i);
        Expression group =
            scope.resolve(new ColumnRef(name), at(path + ".groupBy[" + i + "]")).expr();
        groups.add(group);
        outputs.add(Plans.alias(Plans.normalizedFloats(group), name));
      }
      if (aggregate.aggregates().isEmpty()) {
        return Plans.distinct(Plans.project(in, outputs));
      }
      for (int i = 0; i < aggregate.aggregates().size(); i++) {
        Aggregate.AggregateCall call = aggregate.aggregates().get(i);
        outputs.add(aggregateCall(call, scope, path + ".aggregates[" + i + "]"));
      }
      return Plans.aggregate(in, groups, outputs);
    }

    NamedExpression aggregateCall(Aggregate.AggregateCall call, Scope scope, String path) {
      List<Typed> args = new ArrayList<>();
      for (int i = 0; i < call.args().size(); i++) {
        args.add(exprs.compile(call.args().get(i), scope, path + ".args[" + i + "]"));
      }
      String fn = call.fn();
      if (!FunctionRegistry.isAggregate(fn)) {
        throw new io.relspec.ir.error.RelspecException(
            io.relspec.ir.error.ErrorCode.INVALID_BUNDLE,
            "Cannot compile aggregate '"
                + fn
                + "' at "
                + at(path)
                + ": it is not a format v1 aggregate. Use count, sum, min, max or avg.");
      }
      try {
        List<ExprType> types = new ArrayList<>();
        args.forEach(a -> types.add(ExprType.of(a.type(), true)));
        FunctionRegistry.resolveAggregate(fn, types);
      } catch (FunctionRegistry.TypeError e) {
        throw SparkErrors.badCall(at(path), fn, e.getMessage());
      }
      AggregateFunction function;
      Expression result = null;
      if (fn.equals("count")) {
        if (args.size() > 1) {
          throw SparkErrors.badArity(at(path), fn, "0 or 1", args.size());
        }
        Expression counted =
            args.isEmpty()
                ? ExprCompiler.literal(Literal.of(1L, PrimitiveType.INT32)).expr()
                : args.get(0).expr();
        function = new Count(ExprCompiler.seq(List.of(counted)));
      } else {
        if (args.size() != 1) {
          throw SparkErrors.badArity(at(path), fn, "1", args.size());
        }
        Typed arg = args.get(0);
        switch (fn) {
          case "sum" -> {
            requireNumeric(arg, fn, path);
            DataType type =
                arg.type().isInteger()
                    ? PrimitiveType.INT64
                    : arg.type().isFloating() ? PrimitiveType.FLOAT64 : arg.type();
            Expression summed = ExprCompiler.widen(arg, type).expr();
            function = new Sum(summed, EvalMode.LEGACY());
            if (type instanceof DecimalType decimal && decimal.precision() + 10 > 38) {
              result = decimalSum(summed, decimal, call.distinct());
            }
          }
          case "avg" -> {
            requireNumeric(arg, fn, path);
            Expression asDouble = ExprCompiler.widen(arg, PrimitiveType.FLOAT64).expr();
            function = new Average(asDouble, EvalMode.LEGACY());
          }
          case "min" -> {
            function = new Min(arg.expr());
            result = zeroNormalized(function, arg.type(), call.distinct());
          }
          case "max" -> {
            function = new Max(arg.expr());
            result = zeroNormalized(function, arg.type(), call.distinct());
          }
          default ->
              throw new io.relspec.ir.error.RelspecException(
                  io.relspec.ir.error.ErrorCode.INVALID_BUNDLE,
                  "Cannot compile aggregate '"
                      + fn
                      + "' at "
                      + at(path)
                      + ": it is not a format v1 aggregate. Use count, sum, min, max or avg.");
        }
      }
      if (result == null) {
        result = function.toAggregateExpression(call.distinct(), scala.Option.empty());
      }
      return Plans.alias(result, call.name());
    }

    /**
     * min/max of a float: Spark compares -0.0 equal to 0.0 and keeps whichever it met first, so the
     * zero it returns depends on the partitioning; the result is normalized as Spark normalizes
     * grouping keys (-0.0 as 0.0, NaN canonical: relspec clarification, floating zeros and NaN).
     * Other types as they are.
     */
    Expression zeroNormalized(AggregateFunction function, DataType type, boolean distinct) {
      Expression aggregated = function.toAggregateExpression(distinct, scala.Option.empty());
      return type.isFloating() ? new NormalizeNaNAndZero(aggregated) : aggregated;
    }

    /**
     * sum of a decimal whose result precision is capped at 38: Spark's running sum is null once it
     * overflows, so with values of both signs its result depends on the order rows are added in.
     * The spec's rule (null when the positive or the negative values alone do not fit) is
     * order-free: each of the two sums only grows in magnitude, so it overflows exactly when its
     * total does, and their sum always fits. Below precision 38 a sum cannot overflow with fewer
     * than 10^10 rows, so plain sum is kept there.
     */
    Expression decimalSum(Expression summed, DecimalType decimal, boolean distinct) {
      org.apache.spark.sql.types.DataType sparkType = SparkTypes.toSpark(decimal);
      Expression zero =
          org.apache.spark.sql.catalyst.expressions.Literal.create(
              java.math.BigDecimal.ZERO.setScale(decimal.scale()), sparkType);
      // null stays null: the comparison is null, so If takes the value itself
      Expression positive = new If(new LessThan(summed, zero), zero, summed);
      Expression negative = new If(new GreaterThan(summed, zero), zero, summed);
      DecimalType sumType = TypeRules.sumDecimal(decimal);
      return new DecimalAddNoOverflowCheck(
          new Sum(positive, EvalMode.LEGACY())
              .toAggregateExpression(distinct, scala.Option.empty()),
          new Sum(negative, EvalMode.LEGACY())
              .toAggregateExpression(distinct, scala.Option.empty()),
          SparkTypes.toSpark(sumType));
    }

    void requireNumeric(Typed arg, String fn, String path) {
      if (!arg.type().isNumeric()) {
        throw SparkErrors.badType(at(path + ".args[0]"), fn, arg.type(), "a numeric type");
      }
    }

    LogicalPlan union(LogicalPlan in, Union union, String path) {
      List<LogicalPlan> parts = new ArrayList<>();
      parts.add(in);
      for (int i = 0; i < union.inputs().size(); i++) {
        parts.add(pipeline(union.inputs().get(i).ops(), path + ".inputs[" + i + "].ops"));
      }
      Map<String, DataType> types = new LinkedHashMap<>();
      for (LogicalPlan part : parts) {
        for (Field field : SparkTypes.fromSpark(part.schema())) {
          DataType before = types.get(field.name());
          if (before == null) {
            types.put(field.name(), field.type());
          } else {
            DataType common =
                TypeRules.commonType(before, field.type())
                    .orElseThrow(
                        () ->
                            SparkErrors.incompatibleTypes(
                                at(path),
                                "union column '" + field.name() + "'",
                                before,
                                field.type()));
            types.put(field.name(), common);
          }
        }
      }
      List<LogicalPlan> aligned = new ArrayList<>();
      for (LogicalPlan part : parts) {
        Scope scope = Scope.of(part);
        Set<String> present = new HashSet<>(Plans.names(part));
        List<NamedExpression> columns = new ArrayList<>();
        for (Map.Entry<String, DataType> column : types.entrySet()) {
          Typed value =
              present.contains(column.getKey())
                  ? ExprCompiler.widen(
                      scope.resolve(new ColumnRef(column.getKey()), at(path)), column.getValue())
                  : ExprCompiler.nullOf(column.getValue());
          columns.add(Plans.alias(value.expr(), column.getKey()));
        }
        aligned.add(Plans.project(part, columns));
      }
      LogicalPlan result = Plans.union(aligned);
      if (!union.distinct()) {
        return result;
      }
      LogicalPlan distinct = Plans.distinct(result);
      List<NamedExpression> normalized = new ArrayList<>();
      for (Attribute column : Plans.output(distinct)) {
        normalized.add(Plans.alias(Plans.normalizedFloats(column), column.name()));
      }
      return Plans.project(distinct, normalized);
    }

    LogicalPlan limit(LogicalPlan in, Limit limit, String path) {
      if (limit.n() > Integer.MAX_VALUE) {
        throw SparkErrors.badLimit(at(path + ".n"), limit.n());
      }
      if (limit.offset() > Integer.MAX_VALUE) {
        throw SparkErrors.badLimit(at(path + ".offset"), limit.offset());
      }
      LogicalPlan rows = limit.offset() > 0 ? Plans.offset(in, (int) limit.offset()) : in;
      return Plans.limit(rows, (int) limit.n());
    }

    /**
     * The element column {@code as} (then {@code position}, int32) replaces the list column in
     * place; every other column is repeated.
     */
    LogicalPlan explode(LogicalPlan in, Explode explode, String path) {
      Typed list = Scope.of(in).resolve(new ColumnRef(explode.column()), at(path + ".column"));
      if (!(list.type() instanceof ListType)) {
        throw SparkErrors.badType(at(path + ".column"), "explode", list.type(), "a list type");
      }
      List<String> inNames = Plans.names(in);
      Set<String> names = new HashSet<>();
      for (String name : inNames) {
        if (!name.equals(explode.column())) {
          names.add(name);
        }
      }
      List<String> generatedNames = new ArrayList<>(List.of(explode.as()));
      explode.position().ifPresent(generatedNames::add);
      for (String name : generatedNames) {
        if (!names.add(name)) {
          throw SparkErrors.nameClash(
              at(path), name, "Choose \"as\"/\"position\" names not used by other columns.");
        }
      }
      String element = temporary();
      String position = temporary();
      LogicalPlan exploded =
          explode.position().isPresent()
              ? Plans.generate(
                  in, new PosExplode(list.expr()), explode.outer(), List.of(position, element))
              : Plans.generate(
                  in,
                  new org.apache.spark.sql.catalyst.expressions.Explode(list.expr()),
                  explode.outer(),
                  List.of(element));
      List<NamedExpression> output = new ArrayList<>();
      for (String name : inNames) {
        if (name.equals(explode.column())) {
          output.add(Plans.alias(Plans.col(exploded, element), explode.as()));
          explode
              .position()
              .ifPresent(p -> output.add(Plans.alias(Plans.col(exploded, position), p)));
        } else {
          output.add(Plans.col(exploded, name));
        }
      }
      return Plans.project(exploded, output);
    }

    LogicalPlan dedupe(LogicalPlan in, Dedupe dedupe, String path) {
      Scope scope = Scope.of(in);
      List<Expression> keys = new ArrayList<>();
      for (int i = 0; i < dedupe.keys().size(); i++) {
        keys.add(
            scope
                .resolve(new ColumnRef(dedupe.keys().get(i)), at(path + ".keys[" + i + "]"))
                .expr());
      }
      List<String> all = Plans.names(in);
      List<SortOrder> order = totalOrder(in, dedupe.orderBy(), all, Map.of(), path + ".orderBy");
      return firstPerWindow(in, Plans.rowNumber(keys, order), all);
    }

    /** Keeps the rows where {@code rowNumber} is 1 and returns {@code keep} (all by name). */
    LogicalPlan firstPerWindow(LogicalPlan in, Expression rowNumber, List<String> keep) {
      String rank = temporary();
      List<NamedExpression> columns = new ArrayList<>(Plans.output(in));
      columns.add(Plans.alias(rowNumber, rank));
      LogicalPlan ranked = Plans.project(in, columns);
      LogicalPlan first =
          Plans.filter(
              ranked,
              new EqualTo(
                  Plans.col(ranked, rank),
                  org.apache.spark.sql.catalyst.expressions.Literal.create(
                      1, DataTypes.IntegerType)));
      return Plans.project(first, Plans.cols(first, keep));
    }

    /**
     * The sort keys, then every remaining column of {@code all} ascending with nulls last: a total
     * order, so the first row never depends on the engine. {@code names} maps v1 names to the names
     * in {@code in} (empty when equal).
     */
    List<SortOrder> totalOrder(
        LogicalPlan in,
        List<SortKey> keys,
        List<String> all,
        Map<String, String> names,
        String path) {
      List<SortOrder> order = sortOrders(in, keys, names, path);
      Set<String> used = new HashSet<>();
      keys.forEach(k -> used.add(k.column()));
      for (String name : all) {
        if (!used.contains(name)) {
          order.add(
              Plans.sortOrder(
                  new Column(Plans.col(in, names.getOrDefault(name, name))).asc_nulls_last()));
        }
      }
      return order;
    }

    List<SortOrder> sortOrders(
        LogicalPlan in, List<SortKey> keys, Map<String, String> names, String path) {
      List<SortOrder> order = new ArrayList<>();
      List<String> inNames = Plans.names(in);
      Set<String> present = new HashSet<>(inNames);
      for (int i = 0; i < keys.size(); i++) {
        SortKey key = keys.get(i);
        String name = names.getOrDefault(key.column(), key.column());
        if (!present.contains(name) || (!names.isEmpty() && !names.containsKey(key.column()))) {
          throw SparkErrors.unknownColumn(
              at(path + "[" + i + "].col"),
              key.column(),
              names.isEmpty() ? inNames : names.keySet());
        }
        order.add(Plans.sortOrder(sortOrder(new Column(Plans.col(in, name)), key)));
      }
      return order;
    }

    LogicalPlan intervalAlign(LogicalPlan left, IntervalAlign align, String path) {
      LogicalPlan rightRows = pipeline(align.right().ops(), path + ".right.ops");
      Map<String, String> rightNames = new LinkedHashMap<>();
      String matched = temporary();
      LogicalPlan right =
          renameAll(
              rightRows,
              rightNames,
              Plans.alias(
                  org.apache.spark.sql.catalyst.expressions.Literal.TrueLiteral(), matched));
      String id = temporary();
      List<String> leftNames = Plans.names(left);
      List<NamedExpression> leftColumns = new ArrayList<>(Plans.output(left));
      leftColumns.add(Plans.alias(new MonotonicallyIncreasingID(), id));
      LogicalPlan leftWithId = Plans.project(left, leftColumns);

      Scope scope = Scope.join(leftWithId, right, rightNames);
      List<Expr> conditions = new ArrayList<>();
      for (EquiKey key : align.on()) {
        conditions.add(Call.of("eq", leftRef(key.left()), rightRef(key.right())));
      }
      Expr ls = leftRef(align.leftSpan().start());
      Expr le = leftRef(align.leftSpan().end());
      Expr rs = rightRef(align.rightSpan().start());
      Expr re = rightRef(align.rightSpan().end());
      for (Expr end : List.of(ls, le, rs, re)) {
        conditions.add(Call.of("is_not_null", end));
      }
      conditions.add(
          switch (align.mode()) {
            case EXACT -> Call.of("and", Call.of("eq", rs, ls), Call.of("eq", re, le));
            case CONTAINED -> Call.of("span_contains", ls, le, rs, re);
            case OVERLAP -> Call.of("span_overlaps", ls, le, rs, re);
          });
      Typed condition = exprs.compile(new Call("and", conditions), scope, path + ".on");
      LogicalPlan joined =
          Plans.join(
              leftWithId,
              right,
              condition.expr(),
              align.how() == IntervalAlign.How.LEFT ? "left_outer" : "inner");

      Typed spanLen = exprs.compile(Call.of("span_len", rs, re), scope, path + ".rightSpan");
      List<SortOrder> order = new ArrayList<>();
      order.add(Plans.sortOrder(spanLen.column().asc_nulls_last()));
      order.addAll(
          totalOrder(
              right,
              align.tieBreakers(),
              List.copyOf(rightNames.keySet()),
              rightNames,
              path + ".tieBreakers"));

      List<String> keep = new ArrayList<>(leftNames);
      keep.add(matched);
      Map<String, String> selected = new LinkedHashMap<>();
      Set<String> names = new HashSet<>(leftNames);
      for (int i = 0; i < align.selectRight().size(); i++) {
        String name = align.selectRight().get(i);
        String tmp = rightNames.get(name);
        if (tmp == null) {
          throw SparkErrors.unknownColumn(
              at(path + ".selectRight[" + i + "]"), name, rightNames.keySet());
        }
        if (!names.add(name)) {
          throw SparkErrors.nameClash(
              at(path + ".selectRight[" + i + "]"),
              name,
              "Rename the right column in the right pipeline (project) before aligning.");
        }
        selected.put(name, tmp);
        keep.add(tmp);
      }
      String score = temporary();
      // -(re - rs) negated as int64, then float64: a zero-length span scores 0.0, never the -0.0
      // that negating the float64 would give
      Expression scoreExpr =
          ExprCompiler.widen(
                  new Typed(new UnaryMinus(spanLen.expr(), false), PrimitiveType.INT64),
                  PrimitiveType.FLOAT64)
              .expr();
      List<NamedExpression> withScore = new ArrayList<>(Plans.output(joined));
      withScore.add(Plans.alias(scoreExpr, score));
      LogicalPlan scored = Plans.project(joined, withScore);
      keep.add(score);
      LogicalPlan best =
          firstPerWindow(scored, Plans.rowNumber(List.of(Plans.col(scored, id)), order), keep);

      List<NamedExpression> output = new ArrayList<>(Plans.cols(best, leftNames));
      selected.forEach((name, tmp) -> output.add(Plans.alias(Plans.col(best, tmp), name)));
      if (align.matchMeta()) {
        for (String name : List.of(IntervalAlign.MATCH_KIND, IntervalAlign.MATCH_SCORE)) {
          if (!names.add(name)) {
            throw SparkErrors.nameClash(
                at(path + ".matchMeta"), name, "Rename that column before aligning.");
          }
        }
        Expression unmatched = new IsNull(Plans.col(best, matched));
        Expression kind =
            new If(
                unmatched,
                ExprCompiler.literal(Literal.of(IntervalAlign.NO_MATCH, PrimitiveType.STRING))
                    .expr(),
                ExprCompiler.literal(Literal.of(align.mode().jsonName(), PrimitiveType.STRING))
                    .expr());
        Expression scoreOut =
            new If(
                unmatched,
                ExprCompiler.nullOf(PrimitiveType.FLOAT64).expr(),
                Plans.col(best, score));
        output.add(Plans.alias(kind, IntervalAlign.MATCH_KIND));
        output.add(Plans.alias(scoreOut, IntervalAlign.MATCH_SCORE));
      }
      return Plans.project(best, output);
    }

    Expr leftRef(String name) {
      return new ColumnRef(name, Optional.of(Side.LEFT));
    }

    Expr rightRef(String name) {
      return new ColumnRef(name, Optional.of(Side.RIGHT));
    }
  }

  static Column sortOrder(Column column, SortKey key) {
    boolean asc = key.direction() == SortKey.Direction.ASC;
    boolean nullsFirst = key.nulls() == SortKey.NullOrder.FIRST;
    if (asc) {
      return nullsFirst ? column.asc_nulls_first() : column.asc_nulls_last();
    }
    return nullsFirst ? column.desc_nulls_first() : column.desc_nulls_last();
  }

  static String sparkJoinType(JoinType type) {
    return switch (type) {
      case INNER -> "inner";
      case LEFT -> "left_outer";
      case RIGHT -> "right_outer";
      case FULL -> "full_outer";
      case SEMI -> "left_semi";
      case ANTI -> "left_anti";
    };
  }
}
