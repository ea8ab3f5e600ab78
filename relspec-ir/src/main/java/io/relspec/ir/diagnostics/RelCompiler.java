package io.relspec.ir.diagnostics;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.expr.Bytes;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.ParamRef;
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
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import io.relspec.ir.validate.ExprType;
import io.relspec.ir.validate.FunctionRegistry;
import io.relspec.ir.validate.ValidatedBundle;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.avatica.util.ByteString;
import org.apache.calcite.avatica.util.TimeUnitRange;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptPredicateList;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.metadata.DefaultRelMetadataProvider;
import org.apache.calcite.rel.metadata.ProxyingMetadataHandlerProvider;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCorrelVariable;
import org.apache.calcite.rex.RexExecutor;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexSimplify;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.fun.SqlTrimFunction;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.Holder;
import org.apache.calcite.util.TimestampString;

/**
 * Compiles validated rules to Calcite relational algebra through {@link RelBuilder}. The catalog is
 * the bundle: one table per dataset (its schema) and one per rule output (its contract's columns).
 *
 * <p>Kernels become their relational equivalents: {@code explode} is a correlated {@code UNNEST}
 * (Uncollect under a Correlate, {@code WITH ORDINALITY} for the position); {@code dedupe} and
 * {@code interval_align} rank rows with {@code ROW_NUMBER()} using the spec's tie rules (every
 * remaining column ascending, nulls last) and keep rank 1. Params become literals of their
 * effective values. Scalar calls carry the result type relspec's registry gives, so a compiled
 * rule's row type is its {@link RelPlan#schema()}.
 *
 * <p>Not thread-safe; one compiler per bundle.
 */
public final class RelCompiler {
  static final String ROW_NUMBER = "__relspec_rn";
  static final String LEFT_ROW = "__relspec_left_row";
  static final String SCORE = "__relspec_score";
  static final String KEY_COUNT = "__relspec_key_count";

  /** Constant folding is off: relspec functions have engine-specific meaning (no codegen). */
  private static final RexExecutor NO_CONSTANT_FOLDING =
      (rexBuilder, constExps, reducedValues) -> reducedValues.addAll(constExps);

  private final ValidatedBundle bundle;
  private final RelDataTypeFactory types;
  private final RexBuilder rex;
  private final RelBuilder builder;

  public RelCompiler(ValidatedBundle bundle) {
    this.bundle = bundle;
    JavaTypeFactoryImpl typeFactory = new JavaTypeFactoryImpl(RelspecTypeSystem.INSTANCE);
    this.types = typeFactory;
    CalciteSchema root = CalciteSchema.createRootSchema(false, false);
    for (DatasetSpec dataset : bundle.bundle().datasets()) {
      root.add(dataset.name(), new FixedTable(dataset.schema()));
    }
    for (OutputPlan output : bundle.outputs()) {
      root.add(output.name(), new FixedTable(output.contract().columns()));
    }
    CalciteCatalogReader catalog =
        new CalciteCatalogReader(root, List.of(), typeFactory, CalciteConnectionConfig.DEFAULT);
    RelOptPlanner holder = new HepPlanner(HepProgram.builder().build());
    holder.setExecutor(NO_CONSTANT_FOLDING);
    this.rex = new RexBuilder(typeFactory);
    RelOptCluster cluster = RelOptCluster.create(holder, rex);
    // Metadata through reflection proxies: no Janino code generation on first use.
    cluster.setMetadataQuerySupplier(
        () ->
            new RelMetadataQuery(
                new ProxyingMetadataHandlerProvider(DefaultRelMetadataProvider.INSTANCE)));
    this.builder = RelFactories.LOGICAL_BUILDER.create(cluster, catalog);
  }

  public ValidatedBundle bundle() {
    return bundle;
  }

  /** The rows a rule's ops produce (before its output contract applies). */
  public RelNode rule(RelPlan plan) {
    pipeline(plan.ops(), plan.params());
    return builder.build();
  }

  /** A rule's rows aligned to its contract's columns (missing -> null, widening casts). */
  public RelNode ruleAligned(RelPlan plan, ContractSpec contract) {
    pipeline(plan.ops(), plan.params());
    alignToContract(contract);
    return builder.build();
  }

  /**
   * An output as finalization shapes it: its rules' rows aligned to the contract and unioned in
   * (priority, name) order, rows violating nullability dropped (what drop and quarantine leave in
   * the output), the contract's dedupe, then every row whose {@code keyFields} value occurs more
   * than once removed ({@code COUNT(*) OVER (PARTITION BY keys) = 1}; relspec routes them as {@code
   * duplicate_key}), then its canonical sort. Under {@code onViolation: fail} relspec writes
   * nothing when any row violates; these are the rows it writes when none does.
   */
  public RelNode output(OutputPlan output) {
    ContractSpec contract = output.contract();
    alignedValidDeduped(output);
    if (!contract.keyFields().isEmpty()) {
      keepUniqueKeys(contract.keyFields());
    }
    if (!contract.canonicalSort().isEmpty()) {
      builder.sort(sortKeys(contract.canonicalSort()));
    }
    return builder.build();
  }

  /**
   * The check of an output's {@code keyFields}: each key value that occurs more than once after
   * alignment, nullability and dedupe, with its count ({@code __relspec_key_count}); no rows when
   * the keys are unique. Empty when the contract has no {@code keyFields}.
   */
  public Optional<RelNode> duplicateKeys(OutputPlan output) {
    List<String> keys = output.contract().keyFields();
    if (keys.isEmpty()) {
      return Optional.empty();
    }
    alignedValidDeduped(output);
    List<RexNode> group = new ArrayList<>();
    for (String key : keys) {
      group.add(builder.field(key));
    }
    builder.aggregate(builder.groupKey(group), builder.countStar(KEY_COUNT));
    builder.filter(builder.greaterThan(builder.field(KEY_COUNT), builder.literal(1)));
    return Optional.of(builder.build());
  }

  /** Pushes an output's rows aligned, unioned, without nullability violations, deduped. */
  private void alignedValidDeduped(OutputPlan output) {
    ContractSpec contract = output.contract();
    boolean windowed = contract.dedupe().isPresent() || !contract.keyFields().isEmpty();
    for (RelPlan plan : output.rules()) {
      pipeline(plan.ops(), plan.params());
      if (windowed
          && builder.peek() instanceof org.apache.calcite.rel.core.Sort sort
          && sort.fetch == null
          && sort.offset == null) {
        // A rule's own sort means nothing to finalization (the canonical sort, if any, follows),
        // and Calcite's SQL writer cannot put a window over a sorted aggregate.
        builder.build();
        builder.push(sort.getInput());
      }
      alignToContract(contract);
    }
    if (output.rules().size() > 1) {
      builder.union(true, output.rules().size());
    }
    List<RexNode> nonNull = new ArrayList<>();
    for (Field column : contract.columns()) {
      if (!column.nullable() || contract.requiredNonNull().contains(column.name())) {
        nonNull.add(builder.isNotNull(builder.field(column.name())));
      }
    }
    if (!nonNull.isEmpty()) {
      builder.filter(nonNull);
    }
    contract.dedupe().ifPresent(d -> rankAndKeepFirst(d.keys(), d.orderBy()));
  }

  /** A predicate over the columns of a dataset or rule output, as Calcite sees it. */
  RexNode predicateOver(String table, Expr predicate, Map<String, Literal> params) {
    builder.scan(table);
    try {
      return expr(predicate, single(), params);
    } finally {
      builder.clear();
    }
  }

  /** The AND of predicates. */
  RexNode conjunction(List<RexNode> predicates) {
    return and(predicates);
  }

  /** True when {@code premise} implies {@code conclusion} (both over the same row). */
  boolean implies(RexNode premise, RexNode conclusion) {
    RexSimplify simplify = new RexSimplify(rex, RelOptPredicateList.EMPTY, NO_CONSTANT_FOLDING);
    RexNode counterexample =
        rex.makeCall(
            SqlStdOperatorTable.AND,
            List.of(premise, rex.makeCall(SqlStdOperatorTable.NOT, List.of(conclusion))));
    return simplify.simplifyUnknownAsFalse(counterexample).isAlwaysFalse();
  }

  private void alignToContract(ContractSpec contract) {
    RelDataType row = builder.peek().getRowType();
    List<RexNode> columns = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Field column : contract.columns()) {
      RelDataTypeField produced = row.getField(column.name(), true, false);
      RelDataType target = CalciteTypes.toCalcite(types, column.type(), true);
      if (produced == null) {
        columns.add(rex.makeNullLiteral(target));
      } else {
        RexNode value = builder.field(produced.getIndex());
        columns.add(coerce(value, column.type()));
      }
      names.add(column.name());
    }
    builder.project(columns, names, true);
  }

  // ------------------------------------------------------------------ ops

  private void pipeline(List<Op> ops, Map<String, Literal> params) {
    for (Op op : ops) {
      op(op, params);
    }
  }

  private void op(Op op, Map<String, Literal> params) {
    if (op instanceof Scan scan) {
      builder.scan(scan.dataset());
      if (scan.columns().isPresent()) {
        List<RexNode> fields = new ArrayList<>();
        for (String column : scan.columns().get()) {
          fields.add(builder.field(column));
        }
        builder.project(fields, scan.columns().get(), true);
      }
    } else if (op instanceof Filter filter) {
      RexNode predicate = expr(filter.predicate(), single(), params);
      builder.filter(predicate);
    } else if (op instanceof Project project) {
      List<RexNode> exprs = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (Project.Column column : project.columns()) {
        exprs.add(expr(column.expr(), single(), params));
        names.add(column.name());
      }
      builder.project(exprs, names, true);
    } else if (op instanceof Derive derive) {
      RexNode value = expr(derive.expr(), single(), params);
      List<RexNode> exprs = new ArrayList<>();
      List<String> names = new ArrayList<>();
      boolean replaced = false;
      for (RelDataTypeField field : builder.peek().getRowType().getFieldList()) {
        if (field.getName().equals(derive.name())) {
          exprs.add(value);
          replaced = true;
        } else {
          exprs.add(builder.field(field.getIndex()));
        }
        names.add(field.getName());
      }
      if (!replaced) {
        exprs.add(value);
        names.add(derive.name());
      }
      builder.project(exprs, names, true);
    } else if (op instanceof Join join) {
      join(join, params);
    } else if (op instanceof Aggregate aggregate) {
      aggregate(aggregate, params);
    } else if (op instanceof Union union) {
      union(union, params);
    } else if (op instanceof Param) {
      // Declares a param; rows pass unchanged. References compile to the effective value.
    } else if (op instanceof Sort sort) {
      builder.sort(sortKeys(sort.keys()));
    } else if (op instanceof Limit limit) {
      builder.limit(
          (int) Math.min(Integer.MAX_VALUE, limit.offset()),
          (int) Math.min(Integer.MAX_VALUE, limit.n()));
    } else if (op instanceof Explode explode) {
      explode(explode);
    } else if (op instanceof Dedupe dedupe) {
      rankAndKeepFirst(dedupe.keys(), dedupe.orderBy());
    } else if (op instanceof IntervalAlign align) {
      intervalAlign(align, params);
    } else {
      throw new IllegalStateException("Cannot compile op " + op.opName() + ": no translation");
    }
  }

  private void join(Join join, Map<String, Literal> params) {
    RelDataType leftRow = builder.peek().getRowType();
    pipeline(join.right().ops(), params);
    RelDataType rightRow = builder.peek().getRowType();
    List<RexNode> conditions = new ArrayList<>(equiKeys(join.on()));
    if (join.condition().isPresent()) {
      conditions.add(expr(join.condition().get(), joinScope(leftRow, rightRow), params));
    }
    RexNode condition = conditions.isEmpty() ? rex.makeLiteral(true) : and(conditions);
    builder.join(joinType(join.type()), condition);
    if (!join.type().keepsRightColumns()) {
      return;
    }
    Set<String> leftNames = new HashSet<>(leftRow.getFieldNames());
    List<RexNode> exprs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int i = 0;
    for (RelDataTypeField field : leftRow.getFieldList()) {
      exprs.add(builder.field(i++));
      names.add(field.getName());
    }
    for (RelDataTypeField field : rightRow.getFieldList()) {
      exprs.add(builder.field(i++));
      String name = field.getName();
      names.add(leftNames.contains(name) ? name + join.rightSuffix().orElse("") : name);
    }
    builder.project(exprs, names, true);
  }

  private List<RexNode> equiKeys(List<EquiKey> keys) {
    List<RexNode> conditions = new ArrayList<>();
    for (EquiKey key : keys) {
      RexNode left = builder.field(2, 0, key.left());
      RexNode right = builder.field(2, 1, key.right());
      DataType common =
          TypeRules.commonType(
                  CalciteTypes.toRelspec(left.getType()), CalciteTypes.toRelspec(right.getType()))
              .orElseThrow();
      conditions.add(builder.equals(coerce(left, common), coerce(right, common)));
    }
    return conditions;
  }

  private static JoinRelType joinType(JoinType type) {
    return switch (type) {
      case INNER -> JoinRelType.INNER;
      case LEFT -> JoinRelType.LEFT;
      case RIGHT -> JoinRelType.RIGHT;
      case FULL -> JoinRelType.FULL;
      case SEMI -> JoinRelType.SEMI;
      case ANTI -> JoinRelType.ANTI;
    };
  }

  private void aggregate(Aggregate aggregate, Map<String, Literal> params) {
    List<RexNode> groups = new ArrayList<>();
    for (String column : aggregate.groupBy()) {
      groups.add(builder.field(column));
    }
    List<RelBuilder.AggCall> calls = new ArrayList<>();
    for (Aggregate.AggregateCall call : aggregate.aggregates()) {
      List<RexNode> args = new ArrayList<>();
      for (Expr arg : call.args()) {
        args.add(expr(arg, single(), params));
      }
      RelBuilder.AggCall agg;
      switch (call.fn()) {
        case "count" -> agg = builder.count(call.distinct(), call.name(), args);
        case "sum" -> {
          DataType type = CalciteTypes.toRelspec(args.get(0).getType());
          RexNode arg = args.get(0);
          if (type.isInteger()) {
            arg = coerce(arg, PrimitiveType.INT64);
          } else if (type.isFloating()) {
            arg = coerce(arg, PrimitiveType.FLOAT64);
          }
          agg = builder.sum(call.distinct(), call.name(), arg);
        }
        case "avg" ->
            agg =
                builder.avg(
                    call.distinct(), call.name(), coerce(args.get(0), PrimitiveType.FLOAT64));
        case "min" -> agg = builder.min(call.name(), args.get(0)).distinct(call.distinct());
        case "max" -> agg = builder.max(call.name(), args.get(0)).distinct(call.distinct());
        default ->
            throw new IllegalStateException(
                "Cannot compile aggregate " + call.fn() + ": not in the registry");
      }
      calls.add(agg);
    }
    builder.aggregate(builder.groupKey(groups), calls);
    // Calcite orders group columns by input position; relspec by groupBy order.
    List<RexNode> exprs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String column : aggregate.groupBy()) {
      exprs.add(builder.field(column));
      names.add(column);
    }
    for (Aggregate.AggregateCall call : aggregate.aggregates()) {
      exprs.add(builder.field(call.name()));
      names.add(call.name());
    }
    builder.project(exprs, names, true);
  }

  private void union(Union union, Map<String, Literal> params) {
    List<RelNode> inputs = new ArrayList<>();
    inputs.add(builder.build());
    for (io.relspec.ir.op.Pipeline input : union.inputs()) {
      pipeline(input.ops(), params);
      inputs.add(builder.build());
    }
    Map<String, DataType> merged = new LinkedHashMap<>();
    for (RelNode input : inputs) {
      for (RelDataTypeField field : input.getRowType().getFieldList()) {
        DataType type = CalciteTypes.toRelspec(field.getType());
        merged.merge(field.getName(), type, (a, b) -> TypeRules.commonType(a, b).orElseThrow());
      }
    }
    for (RelNode input : inputs) {
      builder.push(input);
      List<RexNode> exprs = new ArrayList<>();
      for (Map.Entry<String, DataType> column : merged.entrySet()) {
        RelDataTypeField field = input.getRowType().getField(column.getKey(), true, false);
        exprs.add(
            field == null
                ? rex.makeNullLiteral(CalciteTypes.toCalcite(types, column.getValue(), true))
                : coerce(builder.field(field.getIndex()), column.getValue()));
      }
      builder.project(exprs, merged.keySet(), true);
    }
    builder.union(!union.distinct(), inputs.size());
  }

  private void explode(Explode explode) {
    RelDataType inRow = builder.peek().getRowType();
    Holder<RexCorrelVariable> correl = Holder.empty();
    builder.variable(correl::set);
    builder
        .values(new String[] {"ZERO"}, 0)
        .project(builder.field(correl.get(), explode.column()))
        .uncollect(List.of(explode.as()), explode.position().isPresent());
    builder.correlate(
        explode.outer() ? JoinRelType.LEFT : JoinRelType.INNER,
        correl.get().id,
        builder.field(2, 0, explode.column()));
    int element = inRow.getFieldCount();
    List<RexNode> exprs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (RelDataTypeField field : inRow.getFieldList()) {
      if (field.getName().equals(explode.column())) {
        exprs.add(builder.field(element));
        names.add(explode.as());
        if (explode.position().isPresent()) {
          RexNode ordinality = builder.field(element + 1);
          RexNode zeroBased =
              rex.makeCall(
                  CalciteTypes.toCalcite(types, PrimitiveType.INT32, explode.outer()),
                  SqlStdOperatorTable.MINUS,
                  List.of(ordinality, builder.literal(1)));
          exprs.add(zeroBased);
          names.add(explode.position().get());
        }
      } else {
        exprs.add(builder.field(field.getIndex()));
        names.add(field.getName());
      }
    }
    builder.project(exprs, names, true);
  }

  /**
   * Keeps the rows whose key occurs once; every row of a key value that occurs more than once goes
   * (null key values count as equal, as in finalization and {@code PARTITION BY}).
   */
  private void keepUniqueKeys(List<String> keys) {
    RelDataType inRow = builder.peek().getRowType();
    List<RexNode> partition = new ArrayList<>();
    for (String key : keys) {
      partition.add(builder.field(key));
    }
    RexNode count =
        builder.aggregateCall(SqlStdOperatorTable.COUNT).over().partitionBy(partition).toRex();
    builder.projectPlus(builder.alias(count, KEY_COUNT));
    builder.filter(builder.equals(builder.field(KEY_COUNT), builder.literal(1)));
    builder.project(fieldsOf(inRow.getFieldCount()), inRow.getFieldNames(), true);
  }

  /**
   * Keeps the first row per key by {@code orderBy}, ties broken by every other column in schema
   * order, ascending, nulls last.
   */
  private void rankAndKeepFirst(List<String> keys, List<SortKey> orderBy) {
    RelDataType inRow = builder.peek().getRowType();
    List<RexNode> partition = new ArrayList<>();
    for (String key : keys) {
      partition.add(builder.field(key));
    }
    List<RexNode> order = new ArrayList<>(sortKeys(orderBy));
    Set<String> used = new HashSet<>(keys);
    orderBy.forEach(k -> used.add(k.column()));
    for (RelDataTypeField field : inRow.getFieldList()) {
      if (!used.contains(field.getName())) {
        order.add(builder.nullsLast(builder.field(field.getIndex())));
      }
    }
    RexNode rank =
        builder
            .aggregateCall(SqlStdOperatorTable.ROW_NUMBER)
            .over()
            .partitionBy(partition)
            .orderBy(order)
            .toRex();
    builder.projectPlus(builder.alias(rank, ROW_NUMBER));
    builder.filter(builder.equals(builder.field(ROW_NUMBER), builder.literal(1)));
    builder.project(fieldsOf(inRow.getFieldCount()), inRow.getFieldNames(), true);
  }

  private void intervalAlign(IntervalAlign align, Map<String, Literal> params) {
    RelDataType leftRow = builder.peek().getRowType();
    int leftCount = leftRow.getFieldCount();
    // A row id per left row, so duplicates of a left row each get their own best match.
    List<RexNode> leftOrder = new ArrayList<>();
    for (RelDataTypeField field : leftRow.getFieldList()) {
      if (field.getType().getComponentType() == null && !field.getType().isStruct()) {
        leftOrder.add(builder.field(field.getIndex()));
      }
    }
    RexNode rowId =
        builder.aggregateCall(SqlStdOperatorTable.ROW_NUMBER).over().orderBy(leftOrder).toRex();
    builder.projectPlus(builder.alias(rowId, LEFT_ROW));
    pipeline(align.right().ops(), params);
    RelDataType rightRow = builder.peek().getRowType();
    List<RexNode> conditions = new ArrayList<>(equiKeys(align.on()));
    RexNode ls = toInt64(builder.field(2, 0, align.leftSpan().start()));
    RexNode le = toInt64(builder.field(2, 0, align.leftSpan().end()));
    RexNode rs = toInt64(builder.field(2, 1, align.rightSpan().start()));
    RexNode re = toInt64(builder.field(2, 1, align.rightSpan().end()));
    conditions.add(spanMatch(align.mode(), ls, le, rs, re));
    builder.join(
        align.how() == IntervalAlign.How.LEFT ? JoinRelType.LEFT : JoinRelType.INNER,
        and(conditions));
    int rightBase = leftCount + 1;
    RexNode rsOut =
        toInt64(
            builder.field(rightBase + rightRow.getFieldNames().indexOf(align.rightSpan().start())));
    RexNode reOut =
        toInt64(
            builder.field(rightBase + rightRow.getFieldNames().indexOf(align.rightSpan().end())));
    RelDataType int64 = CalciteTypes.toCalcite(types, PrimitiveType.INT64, true);
    RexNode score =
        rex.makeCast(
            CalciteTypes.toCalcite(types, PrimitiveType.FLOAT64, true),
            rex.makeCall(
                int64,
                SqlStdOperatorTable.UNARY_MINUS,
                List.of(rex.makeCall(int64, SqlStdOperatorTable.MINUS, List.of(reOut, rsOut)))));
    builder.projectPlus(builder.alias(score, SCORE));
    int scoreIndex = rightBase + rightRow.getFieldCount();
    List<RexNode> order = new ArrayList<>();
    order.add(builder.nullsLast(builder.desc(builder.field(scoreIndex))));
    Set<String> used = new HashSet<>();
    for (SortKey key : align.tieBreakers()) {
      used.add(key.column());
      order.add(
          sortKey(builder.field(rightBase + rightRow.getFieldNames().indexOf(key.column())), key));
    }
    for (RelDataTypeField field : rightRow.getFieldList()) {
      if (!used.contains(field.getName())) {
        order.add(builder.nullsLast(builder.field(rightBase + field.getIndex())));
      }
    }
    RexNode rank =
        builder
            .aggregateCall(SqlStdOperatorTable.ROW_NUMBER)
            .over()
            .partitionBy(builder.field(leftCount))
            .orderBy(order)
            .toRex();
    builder.projectPlus(builder.alias(rank, ROW_NUMBER));
    builder.filter(builder.equals(builder.field(ROW_NUMBER), builder.literal(1)));
    List<RexNode> exprs = new ArrayList<>(fieldsOf(leftCount));
    List<String> names = new ArrayList<>(leftRow.getFieldNames());
    for (String column : align.selectRight()) {
      exprs.add(builder.field(rightBase + rightRow.getFieldNames().indexOf(column)));
      names.add(column);
    }
    if (align.matchMeta()) {
      RexNode kind = builder.literal(align.mode().jsonName());
      if (align.how() == IntervalAlign.How.LEFT) {
        RexNode matched =
            builder.isNotNull(
                builder.field(
                    rightBase + rightRow.getFieldNames().indexOf(align.rightSpan().start())));
        kind =
            rex.makeCall(
                CalciteTypes.toCalcite(types, PrimitiveType.STRING, false),
                SqlStdOperatorTable.CASE,
                List.of(matched, string(align.mode().jsonName()), string(IntervalAlign.NO_MATCH)));
      } else {
        kind = string(align.mode().jsonName());
      }
      exprs.add(kind);
      names.add(IntervalAlign.MATCH_KIND);
      exprs.add(builder.field(scoreIndex));
      names.add(IntervalAlign.MATCH_SCORE);
    }
    builder.project(exprs, names, true);
  }

  private RexNode spanMatch(
      IntervalAlign.Mode mode, RexNode ls, RexNode le, RexNode rs, RexNode re) {
    return switch (mode) {
      case EXACT -> and(List.of(builder.equals(rs, ls), builder.equals(re, le)));
      case CONTAINED ->
          and(
              List.of(
                  builder.call(SqlStdOperatorTable.GREATER_THAN_OR_EQUAL, rs, ls),
                  builder.call(SqlStdOperatorTable.LESS_THAN_OR_EQUAL, re, le)));
      case OVERLAP ->
          builder.not(
              builder.or(
                  builder.call(SqlStdOperatorTable.LESS_THAN_OR_EQUAL, re, ls),
                  builder.call(SqlStdOperatorTable.GREATER_THAN_OR_EQUAL, rs, le)));
    };
  }

  private List<RexNode> fieldsOf(int count) {
    List<RexNode> fields = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      fields.add(builder.field(i));
    }
    return fields;
  }

  private List<RexNode> sortKeys(List<SortKey> keys) {
    List<RexNode> order = new ArrayList<>();
    for (SortKey key : keys) {
      order.add(sortKey(builder.field(key.column()), key));
    }
    return order;
  }

  private RexNode sortKey(RexNode field, SortKey key) {
    RexNode node = key.direction() == SortKey.Direction.DESC ? builder.desc(field) : field;
    return key.nulls() == SortKey.NullOrder.FIRST
        ? builder.nullsFirst(node)
        : builder.nullsLast(node);
  }

  private RexNode and(List<RexNode> conditions) {
    if (conditions.size() == 1) {
      return conditions.get(0);
    }
    return rex.makeCall(SqlStdOperatorTable.AND, conditions);
  }

  // ------------------------------------------------------------------ expressions

  /** How column references resolve: one input, or the two inputs of a join. */
  private interface Scope {
    RexNode column(ColumnRef ref);
  }

  private Scope single() {
    return ref -> builder.field(ref.name());
  }

  private Scope joinScope(RelDataType left, RelDataType right) {
    return ref -> {
      if (ref.side().isPresent()) {
        return builder.field(2, ref.side().get() == Side.LEFT ? 0 : 1, ref.name());
      }
      boolean inRight = right.getField(ref.name(), true, false) != null;
      return builder.field(2, inRight ? 1 : 0, ref.name());
    };
  }

  private RexNode expr(Expr expr, Scope scope, Map<String, Literal> params) {
    if (expr instanceof ColumnRef ref) {
      return scope.column(ref);
    }
    if (expr instanceof Literal literal) {
      return literal(literal);
    }
    if (expr instanceof ParamRef ref) {
      Literal value = params.get(ref.name());
      if (value == null) {
        throw new IllegalStateException(
            "Cannot compile param '" + ref.name() + "': it has no effective value");
      }
      return literal(value);
    }
    if (expr instanceof Cast cast) {
      RexNode inner = expr(cast.expr(), scope, params);
      DataType from = CalciteTypes.toRelspec(inner.getType());
      if (from.equals(cast.to())) {
        return inner;
      }
      if (TypeRules.canWiden(from, cast.to())) {
        return coerce(inner, cast.to());
      }
      // A failed cast is null: a safe cast (SqlRenderer writes it per dialect).
      return rex.makeCast(CalciteTypes.toCalcite(types, cast.to(), true), inner, false, true);
    }
    if (expr instanceof Case kase) {
      List<RexNode> conditions = new ArrayList<>();
      List<RexNode> values = new ArrayList<>();
      for (Case.When when : kase.branches()) {
        conditions.add(expr(when.when(), scope, params));
        values.add(expr(when.then(), scope, params));
      }
      if (kase.otherwise().isPresent()) {
        values.add(expr(kase.otherwise().get(), scope, params));
      }
      DataType result = null;
      boolean nullable = kase.otherwise().isEmpty();
      for (RexNode value : values) {
        DataType type = CalciteTypes.toRelspec(value.getType());
        result = result == null ? type : TypeRules.commonType(result, type).orElseThrow();
        nullable |= value.getType().isNullable();
      }
      RelDataType resultType = CalciteTypes.toCalcite(types, result, nullable);
      List<RexNode> operands = new ArrayList<>();
      for (int i = 0; i < conditions.size(); i++) {
        operands.add(conditions.get(i));
        operands.add(coerce(values.get(i), result));
      }
      operands.add(
          kase.otherwise().isPresent()
              ? coerce(values.get(values.size() - 1), result)
              : rex.makeNullLiteral(resultType));
      return rex.makeCall(resultType, SqlStdOperatorTable.CASE, operands);
    }
    if (expr instanceof Call call) {
      List<RexNode> args = new ArrayList<>();
      for (Expr arg : call.args()) {
        args.add(expr(arg, scope, params));
      }
      return call(call.fn(), args);
    }
    throw new IllegalStateException("Cannot compile expression " + expr + ": unknown form");
  }

  private RexNode call(String fn, List<RexNode> rawArgs) {
    List<ExprType> argTypes = new ArrayList<>();
    for (RexNode arg : rawArgs) {
      argTypes.add(CalciteTypes.exprType(arg.getType()));
    }
    FunctionRegistry.Resolution resolution;
    try {
      resolution = FunctionRegistry.resolve(fn, argTypes);
    } catch (FunctionRegistry.TypeError e) {
      throw new IllegalStateException("Cannot compile " + fn + ": " + e.getMessage(), e);
    }
    List<RexNode> args = new ArrayList<>();
    for (int i = 0; i < rawArgs.size(); i++) {
      args.add(coerce(rawArgs.get(i), resolution.argumentTypes().get(i)));
    }
    RelDataType type =
        CalciteTypes.toCalcite(types, resolution.result().type(), resolution.result().nullable());
    RelDataType int32 = CalciteTypes.toCalcite(types, PrimitiveType.INT32, true);
    return switch (fn) {
      case "eq" -> typed(type, SqlStdOperatorTable.EQUALS, args);
      case "ne" -> typed(type, SqlStdOperatorTable.NOT_EQUALS, args);
      case "lt" -> typed(type, SqlStdOperatorTable.LESS_THAN, args);
      case "le" -> typed(type, SqlStdOperatorTable.LESS_THAN_OR_EQUAL, args);
      case "gt" -> typed(type, SqlStdOperatorTable.GREATER_THAN, args);
      case "ge" -> typed(type, SqlStdOperatorTable.GREATER_THAN_OR_EQUAL, args);
      case "is_null" -> typed(type, SqlStdOperatorTable.IS_NULL, args);
      case "is_not_null" -> typed(type, SqlStdOperatorTable.IS_NOT_NULL, args);
      case "in" -> {
        List<RexNode> equals = new ArrayList<>();
        for (RexNode value : args.subList(1, args.size())) {
          equals.add(typed(type, SqlStdOperatorTable.EQUALS, List.of(args.get(0), value)));
        }
        yield equals.size() == 1 ? equals.get(0) : typed(type, SqlStdOperatorTable.OR, equals);
      }
      case "between" ->
          typed(
              type,
              SqlStdOperatorTable.AND,
              List.of(
                  typed(
                      type,
                      SqlStdOperatorTable.GREATER_THAN_OR_EQUAL,
                      List.of(args.get(0), args.get(1))),
                  typed(
                      type,
                      SqlStdOperatorTable.LESS_THAN_OR_EQUAL,
                      List.of(args.get(0), args.get(2)))));
      case "and" -> args.size() == 1 ? args.get(0) : typed(type, SqlStdOperatorTable.AND, args);
      case "or" -> args.size() == 1 ? args.get(0) : typed(type, SqlStdOperatorTable.OR, args);
      case "not" -> typed(type, SqlStdOperatorTable.NOT, args);
      case "add" -> typed(type, SqlStdOperatorTable.PLUS, args);
      case "sub" -> typed(type, SqlStdOperatorTable.MINUS, args);
      case "mul" -> typed(type, SqlStdOperatorTable.MULTIPLY, args);
      case "div" ->
          typed(type, SqlStdOperatorTable.DIVIDE, List.of(args.get(0), nullIfZero(args.get(1))));
      case "mod" ->
          typed(type, SqlStdOperatorTable.MOD, List.of(args.get(0), nullIfZero(args.get(1))));
      case "neg" -> typed(type, SqlStdOperatorTable.UNARY_MINUS, args);
      case "abs" -> typed(type, SqlStdOperatorTable.ABS, args);
      case "bit_and" -> typed(type, SqlStdOperatorTable.BITAND, args);
      case "bit_or" -> typed(type, SqlStdOperatorTable.BITOR, args);
      case "coalesce" -> typed(type, SqlStdOperatorTable.COALESCE, args);
      case "nullif" -> typed(type, SqlStdOperatorTable.NULLIF, args);
      case "concat" -> {
        RexNode result = args.get(0);
        for (RexNode next : args.subList(1, args.size())) {
          result = typed(type, SqlStdOperatorTable.CONCAT, List.of(result, next));
        }
        yield result;
      }
      case "lower" -> typed(type, SqlStdOperatorTable.LOWER, args);
      case "upper" -> typed(type, SqlStdOperatorTable.UPPER, args);
      case "trim" ->
          typed(
              type,
              SqlStdOperatorTable.TRIM,
              List.of(rex.makeFlag(SqlTrimFunction.Flag.BOTH), string(" "), args.get(0)));
      case "length" -> typed(type, SqlStdOperatorTable.CHAR_LENGTH, args);
      case "substr" -> typed(type, SqlStdOperatorTable.SUBSTRING, args);
      case "starts_with" ->
          typed(
              type,
              SqlStdOperatorTable.EQUALS,
              List.of(position(int32, args.get(1), args.get(0)), builder.literal(1)));
      case "contains" ->
          typed(
              type,
              SqlStdOperatorTable.GREATER_THAN,
              List.of(position(int32, args.get(1), args.get(0)), builder.literal(0)));
      case "ends_with" -> {
        RexNode lengthA = typed(int32, SqlStdOperatorTable.CHAR_LENGTH, List.of(args.get(0)));
        RexNode lengthB = typed(int32, SqlStdOperatorTable.CHAR_LENGTH, List.of(args.get(1)));
        RexNode start =
            typed(
                int32,
                SqlStdOperatorTable.PLUS,
                List.of(
                    typed(int32, SqlStdOperatorTable.MINUS, List.of(lengthA, lengthB)),
                    builder.literal(1)));
        RexNode tail =
            typed(
                args.get(0).getType(), SqlStdOperatorTable.SUBSTRING, List.of(args.get(0), start));
        yield typed(
            type,
            SqlStdOperatorTable.AND,
            List.of(
                typed(type, SqlStdOperatorTable.LESS_THAN_OR_EQUAL, List.of(lengthB, lengthA)),
                typed(type, SqlStdOperatorTable.EQUALS, List.of(tail, args.get(1)))));
      }
      case "like" -> typed(type, SqlStdOperatorTable.LIKE, args);
      case "year" ->
          typed(
              type,
              SqlStdOperatorTable.EXTRACT,
              List.of(rex.makeFlag(TimeUnitRange.YEAR), args.get(0)));
      case "date_add_days" -> typed(type, RelspecFunctions.DATE_ADD_DAYS, args);
      case "span_len" -> typed(type, RelspecFunctions.SPAN_LEN, args);
      case "span_contains" -> typed(type, RelspecFunctions.SPAN_CONTAINS, args);
      case "span_overlaps" -> typed(type, RelspecFunctions.SPAN_OVERLAPS, args);
      case "stable_hash64" -> typed(type, RelspecFunctions.STABLE_HASH64, args);
      default ->
          throw new IllegalStateException(
              "Cannot compile function " + fn + ": not in the registry");
    };
  }

  private RexNode position(RelDataType int32, RexNode needle, RexNode haystack) {
    return typed(int32, SqlStdOperatorTable.POSITION, List.of(needle, haystack));
  }

  private RexNode nullIfZero(RexNode value) {
    RelDataType type = value.getType();
    RexNode zero = rex.makeZeroLiteral(types.createTypeWithNullability(type, false));
    return rex.makeCall(
        types.createTypeWithNullability(type, true),
        SqlStdOperatorTable.NULLIF,
        List.of(value, zero));
  }

  private RexNode typed(RelDataType type, SqlOperator operator, List<RexNode> args) {
    return rex.makeCall(type, operator, args);
  }

  private RexNode toInt64(RexNode value) {
    return coerce(value, PrimitiveType.INT64);
  }

  /** Widens a value to {@code type} (keeping its nullability); no-op when it already has it. */
  private RexNode coerce(RexNode value, DataType type) {
    if (CalciteTypes.toRelspec(value.getType()).equals(type)) {
      return value;
    }
    return rex.makeCast(
        CalciteTypes.toCalcite(types, type, value.getType().isNullable()), value, true, false);
  }

  private RexNode string(String value) {
    return rex.makeLiteral(value, CalciteTypes.toCalcite(types, PrimitiveType.STRING, false));
  }

  private RexNode literal(Literal literal) {
    RelDataType type = CalciteTypes.toCalcite(types, literal.type(), literal.isNull());
    if (literal.isNull()) {
      return rex.makeNullLiteral(type);
    }
    Object value = literal.value().get();
    DataType dataType = literal.type();
    if (dataType == PrimitiveType.BOOLEAN) {
      return rex.makeLiteral((Boolean) value);
    }
    if (dataType.isInteger()) {
      return rex.makeExactLiteral(BigDecimal.valueOf((Long) value), type);
    }
    if (dataType.isFloating()) {
      return rex.makeApproxLiteral((Double) value, type);
    }
    if (dataType == PrimitiveType.STRING) {
      return rex.makeLiteral(value, type);
    }
    if (dataType instanceof io.relspec.ir.type.DecimalType) {
      return rex.makeExactLiteral((BigDecimal) value, type);
    }
    if (dataType == PrimitiveType.DATE32) {
      return rex.makeDateLiteral(
          DateString.fromDaysSinceEpoch((int) ((LocalDate) value).toEpochDay()));
    }
    if (dataType == PrimitiveType.TIMESTAMP_US) {
      Instant instant = (Instant) value;
      String text =
          DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
              .withZone(ZoneOffset.UTC)
              .format(instant);
      return rex.makeTimestampLiteral(new TimestampString(text), 6);
    }
    if (dataType == PrimitiveType.BINARY) {
      return rex.makeBinaryLiteral(new ByteString(((Bytes) value).toByteArray()));
    }
    throw new IllegalStateException(
        "Cannot compile a literal of type " + dataType.typeString() + ": no SQL literal form");
  }

  /** A table whose row type is a fixed list of relspec fields. */
  private static final class FixedTable extends AbstractTable {
    private final List<Field> fields;

    FixedTable(List<Field> fields) {
      this.fields = List.copyOf(fields);
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory typeFactory) {
      return CalciteTypes.rowType(typeFactory, fields);
    }
  }
}
