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
import io.relspec.ir.type.DataType;
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
import org.apache.spark.sql.catalyst.expressions.EvalMode;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.If;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.catalyst.expressions.UnaryMinus;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateFunction;
import org.apache.spark.sql.catalyst.expressions.aggregate.Average;
import org.apache.spark.sql.catalyst.expressions.aggregate.Count;
import org.apache.spark.sql.catalyst.expressions.aggregate.Max;
import org.apache.spark.sql.catalyst.expressions.aggregate.Min;
import org.apache.spark.sql.catalyst.expressions.aggregate.Sum;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;

/**
 * Compiles a rule's ops (format v1, section 4) to a Spark Dataset whose logical plan is built only
 * through the Dataset/Column API and Catalyst expressions: no SQL text is written anywhere.
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
    try {
      return new Run(new ExprCompiler(rule, params)).pipeline(ops, "ops");
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

    Dataset<Row> pipeline(List<Op> ops, String path) {
      if (ops.isEmpty() || !(ops.get(0) instanceof Scan)) {
        throw new io.relspec.ir.error.RelspecException(
            io.relspec.ir.error.ErrorCode.INVALID_BUNDLE,
            "Cannot compile pipeline "
                + at(path)
                + ": its first op must be a scan. Start the pipeline with {\"op\": \"scan\"}.");
      }
      Dataset<Row> rows = null;
      for (int i = 0; i < ops.size(); i++) {
        rows = op(rows, ops.get(i), path + "[" + i + "]");
      }
      return rows;
    }

    Dataset<Row> op(Dataset<Row> in, Op op, String path) {
      if (op instanceof Scan scan) {
        return scan(scan, path);
      } else if (op instanceof Filter filter) {
        Typed predicate = exprs.compile(filter.predicate(), Scope.of(in), path + ".predicate");
        if (predicate.type() != PrimitiveType.BOOLEAN) {
          throw SparkErrors.badType(
              at(path + ".predicate"), "a filter predicate", predicate.type(), "boolean");
        }
        return in.filter(predicate.column());
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
        return in.orderBy(sortColumns(in, sort.keys(), Map.of(), path + ".keys"));
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

    Dataset<Row> scan(Scan scan, String path) {
      Dataset<Row> rows = resolver.resolve(scan.dataset(), at(path));
      if (scan.columns().isEmpty()) {
        return rows;
      }
      List<Column> columns = new ArrayList<>();
      Scope scope = Scope.of(rows);
      for (int i = 0; i < scan.columns().get().size(); i++) {
        String name = scan.columns().get().get(i);
        columns.add(
            scope.resolve(new ColumnRef(name), at(path + ".columns[" + i + "]")).column().as(name));
      }
      return rows.select(columns.toArray(Column[]::new));
    }

    Dataset<Row> project(Dataset<Row> in, Project project, String path) {
      Scope scope = Scope.of(in);
      List<Column> columns = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (int i = 0; i < project.columns().size(); i++) {
        Project.Column column = project.columns().get(i);
        String at = path + ".columns[" + i + "]";
        if (!names.add(column.name())) {
          throw SparkErrors.nameClash(
              at(at), column.name(), "Give each projected column its own name.");
        }
        columns.add(exprs.compile(column.expr(), scope, at + ".expr").column().as(column.name()));
      }
      return in.select(columns.toArray(Column[]::new));
    }

    Dataset<Row> derive(Dataset<Row> in, Derive derive, String path) {
      Column value = exprs.compile(derive.expr(), Scope.of(in), path + ".expr").column();
      List<Column> columns = new ArrayList<>();
      boolean replaced = false;
      for (String name : in.columns()) {
        if (name.equals(derive.name())) {
          columns.add(value.as(name));
          replaced = true;
        } else {
          columns.add(in.col(name));
        }
      }
      if (!replaced) {
        columns.add(value.as(derive.name()));
      }
      return in.select(columns.toArray(Column[]::new));
    }

    /** The right side with every column renamed to a temporary name (no clash, no self-join). */
    Dataset<Row> renameAll(Dataset<Row> right, Map<String, String> names, Column... extra) {
      List<Column> columns = new ArrayList<>();
      for (String name : right.columns()) {
        String tmp = temporary();
        names.put(name, tmp);
        columns.add(right.col(name).as(tmp));
      }
      columns.addAll(List.of(extra));
      return right.select(columns.toArray(Column[]::new));
    }

    Dataset<Row> join(Dataset<Row> left, Join join, String path) {
      Dataset<Row> rightRows = pipeline(join.right().ops(), path + ".right.ops");
      Map<String, String> rightNames = new LinkedHashMap<>();
      Dataset<Row> right = renameAll(rightRows, rightNames);
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
      Column condition = functions.lit(true);
      if (!conditions.isEmpty()) {
        Expr all = conditions.size() == 1 ? conditions.get(0) : new Call("and", conditions);
        String at = join.condition().isPresent() && join.on().isEmpty() ? ".condition" : ".on";
        Typed typed = exprs.compile(all, scope, path + at);
        if (typed.type() != PrimitiveType.BOOLEAN) {
          throw SparkErrors.badType(at(path + at), "a join condition", typed.type(), "boolean");
        }
        condition = typed.column();
      }
      Dataset<Row> joined = left.join(right, condition, sparkJoinType(join.type()));
      if (!join.type().keepsRightColumns()) {
        return joined.select(columnsOf(left, left.columns()));
      }
      List<Column> columns = new ArrayList<>(List.of(columnsOf(left, left.columns())));
      Set<String> names = new LinkedHashSet<>(List.of(left.columns()));
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
        columns.add(right.col(entry.getValue()).as(name));
      }
      return joined.select(columns.toArray(Column[]::new));
    }

    Dataset<Row> aggregate(Dataset<Row> in, Aggregate aggregate, String path) {
      Scope scope = Scope.of(in);
      List<Column> groups = new ArrayList<>();
      for (int i = 0; i < aggregate.groupBy().size(); i++) {
        String name = aggregate.groupBy().get(i);
        groups.add(
            scope.resolve(new ColumnRef(name), at(path + ".groupBy[" + i + "]")).column().as(name));
      }
      List<Column> aggregates = new ArrayList<>();
      for (int i = 0; i < aggregate.aggregates().size(); i++) {
        Aggregate.AggregateCall call = aggregate.aggregates().get(i);
        aggregates.add(aggregateCall(call, scope, path + ".aggregates[" + i + "]"));
      }
      if (aggregates.isEmpty()) {
        return in.select(groups.toArray(Column[]::new)).distinct();
      }
      return in.groupBy(groups.toArray(Column[]::new))
          .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new));
    }

    Column aggregateCall(Aggregate.AggregateCall call, Scope scope, String path) {
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
            function = new Sum(ExprCompiler.widen(arg, type).expr(), EvalMode.LEGACY());
          }
          case "avg" -> {
            requireNumeric(arg, fn, path);
            Expression asDouble = ExprCompiler.widen(arg, PrimitiveType.FLOAT64).expr();
            function = new Average(asDouble, EvalMode.LEGACY());
          }
          case "min" -> function = new Min(arg.expr());
          case "max" -> function = new Max(arg.expr());
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
      return new Column(function.toAggregateExpression(call.distinct(), scala.Option.empty()))
          .as(call.name());
    }

    void requireNumeric(Typed arg, String fn, String path) {
      if (!arg.type().isNumeric()) {
        throw SparkErrors.badType(at(path + ".args[0]"), fn, arg.type(), "a numeric type");
      }
    }

    Dataset<Row> union(Dataset<Row> in, Union union, String path) {
      List<Dataset<Row>> parts = new ArrayList<>();
      parts.add(in);
      for (int i = 0; i < union.inputs().size(); i++) {
        parts.add(pipeline(union.inputs().get(i).ops(), path + ".inputs[" + i + "].ops"));
      }
      Map<String, DataType> types = new LinkedHashMap<>();
      for (Dataset<Row> part : parts) {
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
      Dataset<Row> result = null;
      for (Dataset<Row> part : parts) {
        Scope scope = Scope.of(part);
        Set<String> present = new HashSet<>(List.of(part.columns()));
        List<Column> columns = new ArrayList<>();
        for (Map.Entry<String, DataType> column : types.entrySet()) {
          Typed value =
              present.contains(column.getKey())
                  ? ExprCompiler.widen(
                      scope.resolve(new ColumnRef(column.getKey()), at(path)), column.getValue())
                  : ExprCompiler.nullOf(column.getValue());
          columns.add(value.column().as(column.getKey()));
        }
        Dataset<Row> aligned = part.select(columns.toArray(Column[]::new));
        result = result == null ? aligned : result.union(aligned);
      }
      return union.distinct() ? result.distinct() : result;
    }

    Dataset<Row> limit(Dataset<Row> in, Limit limit, String path) {
      if (limit.n() > Integer.MAX_VALUE) {
        throw SparkErrors.badLimit(at(path + ".n"), limit.n());
      }
      if (limit.offset() > Integer.MAX_VALUE) {
        throw SparkErrors.badLimit(at(path + ".offset"), limit.offset());
      }
      Dataset<Row> rows = limit.offset() > 0 ? in.offset((int) limit.offset()) : in;
      return rows.limit((int) limit.n());
    }

    /**
     * The element column {@code as} (then {@code position}, int32) replaces the list column in
     * place; every other column is repeated.
     */
    Dataset<Row> explode(Dataset<Row> in, Explode explode, String path) {
      Typed list = Scope.of(in).resolve(new ColumnRef(explode.column()), at(path + ".column"));
      if (!(list.type() instanceof ListType)) {
        throw SparkErrors.badType(at(path + ".column"), "explode", list.type(), "a list type");
      }
      Set<String> names = new HashSet<>();
      for (String name : in.columns()) {
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
      List<Column> generated = new ArrayList<>(List.of(columnsOf(in, in.columns())));
      if (explode.position().isPresent()) {
        Column gen =
            explode.outer()
                ? functions.posexplode_outer(list.column())
                : functions.posexplode(list.column());
        generated.add(gen.as(new String[] {position, element}));
      } else {
        Column gen =
            explode.outer()
                ? functions.explode_outer(list.column())
                : functions.explode(list.column());
        generated.add(gen.as(element));
      }
      Dataset<Row> exploded = in.select(generated.toArray(Column[]::new));
      List<Column> output = new ArrayList<>();
      for (String name : in.columns()) {
        if (name.equals(explode.column())) {
          output.add(exploded.col(element).as(explode.as()));
          explode.position().ifPresent(p -> output.add(exploded.col(position).as(p)));
        } else {
          output.add(exploded.col(name));
        }
      }
      return exploded.select(output.toArray(Column[]::new));
    }

    Dataset<Row> dedupe(Dataset<Row> in, Dedupe dedupe, String path) {
      Scope scope = Scope.of(in);
      List<Column> keys = new ArrayList<>();
      for (int i = 0; i < dedupe.keys().size(); i++) {
        keys.add(
            scope
                .resolve(new ColumnRef(dedupe.keys().get(i)), at(path + ".keys[" + i + "]"))
                .column());
      }
      List<Column> order =
          totalOrder(in, dedupe.orderBy(), List.of(in.columns()), Map.of(), path + ".orderBy");
      WindowSpec window =
          Window.partitionBy(keys.toArray(Column[]::new)).orderBy(order.toArray(Column[]::new));
      return firstPerWindow(in, window, List.of(in.columns()));
    }

    /** Keeps row_number() = 1 over {@code window} and returns {@code keep} (all by name). */
    Dataset<Row> firstPerWindow(Dataset<Row> in, WindowSpec window, List<String> keep) {
      String rank = temporary();
      List<Column> columns = new ArrayList<>(List.of(columnsOf(in, in.columns())));
      columns.add(functions.row_number().over(window).as(rank));
      Dataset<Row> ranked = in.select(columns.toArray(Column[]::new));
      Dataset<Row> first = ranked.filter(ranked.col(rank).equalTo(functions.lit(1)));
      return first.select(columnsOf(first, keep.toArray(String[]::new)));
    }

    /**
     * The sort keys, then every remaining column of {@code all} ascending with nulls last: a total
     * order, so the first row never depends on the engine. {@code names} maps v1 names to the names
     * in {@code in} (empty when equal).
     */
    List<Column> totalOrder(
        Dataset<Row> in,
        List<SortKey> keys,
        List<String> all,
        Map<String, String> names,
        String path) {
      List<Column> order = sortColumnList(in, keys, names, path);
      Set<String> used = new HashSet<>();
      keys.forEach(k -> used.add(k.column()));
      for (String name : all) {
        if (!used.contains(name)) {
          order.add(in.col(names.getOrDefault(name, name)).asc_nulls_last());
        }
      }
      return order;
    }

    Column[] sortColumns(
        Dataset<Row> in, List<SortKey> keys, Map<String, String> names, String path) {
      return sortColumnList(in, keys, names, path).toArray(Column[]::new);
    }

    List<Column> sortColumnList(
        Dataset<Row> in, List<SortKey> keys, Map<String, String> names, String path) {
      List<Column> order = new ArrayList<>();
      Set<String> present = new HashSet<>(List.of(in.columns()));
      for (int i = 0; i < keys.size(); i++) {
        SortKey key = keys.get(i);
        String name = names.getOrDefault(key.column(), key.column());
        if (!present.contains(name) || (!names.isEmpty() && !names.containsKey(key.column()))) {
          throw SparkErrors.unknownColumn(
              at(path + "[" + i + "].col"),
              key.column(),
              names.isEmpty() ? List.of(in.columns()) : names.keySet());
        }
        order.add(sortOrder(in.col(name), key));
      }
      return order;
    }

    Dataset<Row> intervalAlign(Dataset<Row> left, IntervalAlign align, String path) {
      Dataset<Row> rightRows = pipeline(align.right().ops(), path + ".right.ops");
      Map<String, String> rightNames = new LinkedHashMap<>();
      String matched = temporary();
      Dataset<Row> right = renameAll(rightRows, rightNames, functions.lit(true).as(matched));
      String id = temporary();
      List<Column> leftColumns = new ArrayList<>(List.of(columnsOf(left, left.columns())));
      leftColumns.add(functions.monotonically_increasing_id().as(id));
      Dataset<Row> leftWithId = left.select(leftColumns.toArray(Column[]::new));

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
      Dataset<Row> joined =
          leftWithId.join(
              right,
              condition.column(),
              align.how() == IntervalAlign.How.LEFT ? "left_outer" : "inner");

      Typed spanLen = exprs.compile(Call.of("span_len", rs, re), scope, path + ".rightSpan");
      List<Column> order = new ArrayList<>();
      order.add(spanLen.column().asc_nulls_last());
      order.addAll(
          totalOrder(
              right,
              align.tieBreakers(),
              List.copyOf(rightNames.keySet()),
              rightNames,
              path + ".tieBreakers"));

      List<String> keep = new ArrayList<>(List.of(left.columns()));
      keep.add(matched);
      Map<String, String> selected = new LinkedHashMap<>();
      Set<String> names = new HashSet<>(List.of(left.columns()));
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
      Expression scoreExpr =
          new UnaryMinus(ExprCompiler.widen(spanLen, PrimitiveType.FLOAT64).expr(), false);
      List<Column> withScore = new ArrayList<>(List.of(columnsOf(joined, joined.columns())));
      withScore.add(new Column(scoreExpr).as(score));
      Dataset<Row> scored = joined.select(withScore.toArray(Column[]::new));
      keep.add(score);
      Dataset<Row> best =
          firstPerWindow(
              scored,
              Window.partitionBy(scored.col(id)).orderBy(order.toArray(Column[]::new)),
              keep);

      List<Column> output = new ArrayList<>(List.of(columnsOf(best, left.columns())));
      selected.forEach((name, tmp) -> output.add(best.col(tmp).as(name)));
      if (align.matchMeta()) {
        for (String name : List.of(IntervalAlign.MATCH_KIND, IntervalAlign.MATCH_SCORE)) {
          if (!names.add(name)) {
            throw SparkErrors.nameClash(
                at(path + ".matchMeta"), name, "Rename that column before aligning.");
          }
        }
        Expression unmatched = new IsNull(best.col(matched).expr());
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
                best.col(score).expr());
        output.add(new Column(kind).as(IntervalAlign.MATCH_KIND));
        output.add(new Column(scoreOut).as(IntervalAlign.MATCH_SCORE));
      }
      return best.select(output.toArray(Column[]::new));
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

  static Column[] columnsOf(Dataset<Row> rows, String[] names) {
    Column[] columns = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      columns[i] = rows.col(names[i]);
    }
    return columns;
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
