package io.relspec.spark.sql;

import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import scala.Function1;
import scala.Tuple3;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * {@code spark.sql.extensions=io.relspec.spark.sql.RelspecExtensions}: registers relspec's SQL
 * functions ({@code stable_hash64}, {@code span_contains}, ...) in every session.
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
    return BoxedUnit.UNIT;
  }
}
