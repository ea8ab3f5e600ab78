package io.relspec.spark.sql;

import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.Function1;
import scala.Tuple3;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * {@code spark.sql.extensions=io.relspec.spark.sql.RelspecExtensions}: registers relspec's SQL
 * functions ({@code stable_hash64}, {@code span_contains}, ...) and the table function {@code
 * relspec('bundle.json', 'output_or_rule')} in every session.
 */
public final class RelspecExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    for (String name : RelspecFunctions.NAMES) {
      Function1<Seq<Expression>, Expression> builder =
          new AbstractFunction1<>() {
            @Override
            public Expression apply(Seq<Expression> arguments) {
              return RelspecFunctions.build(name, arguments);
            }
          };
      extensions.injectFunction(
          new Tuple3<>(
              FunctionIdentifier.apply(name),
              new ExpressionInfo(
                  RelspecFunctions.class.getName(),
                  null,
                  name,
                  "relspec format v1 function " + name,
                  "",
                  "",
                  "",
                  name.equals("stable_hash64") ? "hash_funcs" : "misc_funcs",
                  "",
                  "",
                  "built-in"),
              builder));
    }
    Function1<Seq<Expression>, LogicalPlan> table =
        new AbstractFunction1<>() {
          @Override
          public LogicalPlan apply(Seq<Expression> arguments) {
            return RelspecTableFunction.build(arguments);
          }
        };
    extensions.injectTableFunction(
        new Tuple3<>(
            FunctionIdentifier.apply(RelspecTableFunction.NAME),
            new ExpressionInfo(
                RelspecTableFunction.class.getName(),
                null,
                RelspecTableFunction.NAME,
                "relspec('bundle.json', 'output_or_rule' [, 'data dir']): the rows of a relspec output or rule",
                "",
                "",
                "",
                "table_funcs",
                "",
                "",
                "built-in"),
            table));
    return BoxedUnit.UNIT;
  }
}
