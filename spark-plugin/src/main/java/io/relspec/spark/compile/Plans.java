package io.relspec.spark.compile;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.CurrentRow$;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Generator;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.RowFrame$;
import org.apache.spark.sql.catalyst.expressions.RowNumber;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.expressions.SpecifiedWindowFrame;
import org.apache.spark.sql.catalyst.expressions.UnboundedPreceding$;
import org.apache.spark.sql.catalyst.expressions.WindowExpression;
import org.apache.spark.sql.catalyst.expressions.WindowSpecDefinition;
import org.apache.spark.sql.catalyst.optimizer.NormalizeFloatingNumbers$;
import org.apache.spark.sql.catalyst.plans.JoinType$;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.Distinct;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.Generate;
import org.apache.spark.sql.catalyst.plans.logical.Join;
import org.apache.spark.sql.catalyst.plans.logical.JoinHint;
import org.apache.spark.sql.catalyst.plans.logical.Limit$;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Offset;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.Sort;
import org.apache.spark.sql.catalyst.plans.logical.Union;
import org.apache.spark.sql.catalyst.types.DataTypeUtils;
import org.apache.spark.sql.types.DataTypes;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * Builds Catalyst logical plan nodes whose expressions are already resolved (attribute references
 * of the child's output, explicit casts, specified window frames), so a whole rule is one plan that
 * Spark's analyzer checks once, instead of once per Dataset transformation.
 */
final class Plans {
  private Plans() {}

  /** The output column names of {@code plan}, in order. */
  static List<String> names(LogicalPlan plan) {
    List<String> names = new ArrayList<>();
    for (Attribute attribute : output(plan)) {
      names.add(attribute.name());
    }
    return names;
  }

  static List<Attribute> output(LogicalPlan plan) {
    return JavaConverters.seqAsJavaList(plan.output());
  }

  /** The output attribute {@code name} of {@code plan}; the compiler checked it exists. */
  static Attribute col(LogicalPlan plan, String name) {
    for (Attribute attribute : output(plan)) {
      if (attribute.name().equals(name)) {
        return attribute;
      }
    }
    throw new IllegalStateException("no column " + name + " in " + names(plan));
  }

  static List<NamedExpression> cols(LogicalPlan plan, List<String> names) {
    List<NamedExpression> columns = new ArrayList<>();
    for (String name : names) {
      columns.add(col(plan, name));
    }
    return columns;
  }

  static NamedExpression alias(Expression expr, String name) {
    return (NamedExpression) new Column(expr).as(name).expr();
  }

  static LogicalPlan project(LogicalPlan in, List<? extends NamedExpression> columns) {
    return new Project(ExprCompiler.seq(List.copyOf(columns)), in);
  }

  static LogicalPlan filter(LogicalPlan in, Expression condition) {
    return new Filter(condition, in);
  }

  /** {@code type} is Spark's join type name, e.g. {@code left_outer}. */
  static LogicalPlan join(LogicalPlan left, LogicalPlan right, Expression on, String type) {
    return new Join(left, right, JoinType$.MODULE$.apply(type), Option.apply(on), JoinHint.NONE());
  }

  static LogicalPlan aggregate(
      LogicalPlan in, List<Expression> groups, List<NamedExpression> outputs) {
    return new Aggregate(ExprCompiler.seq(groups), ExprCompiler.seq(outputs), in);
  }

  /**
   * {@code value} with every float in it normalized (-0.0 as 0.0, NaN canonical, inside lists and
   * structs too): what the spec writes where equal rows merge (format.md, floating zeros and NaN).
   * Spark normalizes the keys of an aggregate only where it plans one, and its optimizer removes
   * some: a distinct or group-only aggregate over at most one row ({@code OptimizeOneRowPlan}),
   * which is what a union distinct of a one-row dataset with itself becomes once {@code
   * RemoveNoopUnion} drops the duplicate input; -0.0 then came out (differential seed 20261212).
   * Other types are returned as they are.
   */
  static Expression normalizedFloats(Expression value) {
    return NormalizeFloatingNumbers$.MODULE$.normalize(value);
  }

  static LogicalPlan distinct(LogicalPlan in) {
    return new Distinct(in);
  }

  static LogicalPlan union(List<LogicalPlan> parts) {
    return new Union(ExprCompiler.seq(parts), false, false);
  }

  static LogicalPlan sort(LogicalPlan in, List<SortOrder> order) {
    return new Sort(ExprCompiler.seq(order), true, in);
  }

  static LogicalPlan limit(LogicalPlan in, int n) {
    // Limit.apply returns Scala's UnaryNode trait, which Java does not see as a LogicalPlan.
    Object limit =
        Limit$.MODULE$.apply(
            org.apache.spark.sql.catalyst.expressions.Literal.create(n, DataTypes.IntegerType), in);
    return (LogicalPlan) limit;
  }

  static LogicalPlan offset(LogicalPlan in, int n) {
    return new Offset(
        org.apache.spark.sql.catalyst.expressions.Literal.create(n, DataTypes.IntegerType), in);
  }

  /**
   * {@code generator} applied to every row of {@code in}; its output columns are named {@code
   * names} (one per field of the generator's element schema), nullable when {@code outer}.
   */
  static LogicalPlan generate(
      LogicalPlan in, Generator generator, boolean outer, List<String> names) {
    List<AttributeReference> fields =
        JavaConverters.seqAsJavaList(DataTypeUtils.toAttributes(generator.elementSchema()));
    List<Attribute> named = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      Attribute attribute = fields.get(i).withName(names.get(i));
      named.add(outer ? attribute.withNullability(true) : attribute);
    }
    return new Generate(
        generator, ExprCompiler.seq(List.of()), outer, Option.empty(), ExprCompiler.seq(named), in);
  }

  /** {@code row_number()} over the partition and order, with the frame Spark itself gives it. */
  static Expression rowNumber(List<Expression> partition, List<SortOrder> order) {
    return new WindowExpression(
        new RowNumber(),
        new WindowSpecDefinition(
            ExprCompiler.seq(partition),
            ExprCompiler.seq(order),
            new SpecifiedWindowFrame(
                RowFrame$.MODULE$, UnboundedPreceding$.MODULE$, CurrentRow$.MODULE$)));
  }

  static SortOrder sortOrder(Column column) {
    return (SortOrder) column.expr();
  }
}
