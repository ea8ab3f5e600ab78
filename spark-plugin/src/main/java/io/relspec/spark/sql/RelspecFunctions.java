package io.relspec.spark.sql;

import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.spark.compile.ExprCompiler;
import io.relspec.spark.compile.Scope;
import io.relspec.spark.compile.SparkTypes;
import io.relspec.spark.compile.Typed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The format v1 functions Spark SQL does not have under the same name, callable from SQL once
 * {@link RelspecExtensions} is registered. Each call is compiled by the same {@link ExprCompiler}
 * the rules use, so SQL and rules agree exactly.
 */
public final class RelspecFunctions {
  /** The functions registered in every session: relspec's own, not Spark's built-ins. */
  public static final List<String> NAMES =
      List.of("stable_hash64", "span_len", "span_contains", "span_overlaps", "date_add_days");

  private RelspecFunctions() {}

  /** Builds the Catalyst expression of {@code fn} over already-resolved argument expressions. */
  public static Expression build(String fn, Seq<Expression> arguments) {
    List<Expression> args = JavaConverters.seqAsJavaList(arguments);
    Map<String, Typed> columns = new HashMap<>();
    List<Expr> refs = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      Expression arg = args.get(i);
      String name = "arg" + i;
      columns.put(
          name,
          new Typed(
              arg, SparkTypes.fromSpark(arg.dataType(), "argument " + (i + 1) + " of " + fn)));
      refs.add(new ColumnRef(name));
    }
    Scope scope = (ref, where) -> columns.get(ref.name());
    return new ExprCompiler("<sql " + fn + ">", Map.of())
        .compile(new Call(fn, refs), scope, fn)
        .expr();
  }
}
