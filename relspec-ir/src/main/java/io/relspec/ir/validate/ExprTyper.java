package io.relspec.ir.validate;

import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.ParamRef;
import io.relspec.ir.expr.Side;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.op.Param;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Types expressions against an input schema (or the two sides of a join), reporting each problem at
 * its JSON path. Returns null for an expression that does not type-check.
 */
final class ExprTyper {
  private final Problems problems;
  private final Map<String, Param> params;

  ExprTyper(Problems problems, Map<String, Param> params) {
    this.problems = problems;
    this.params = params;
  }

  /** The columns an expression can see: one input, or the left and right input of a join. */
  record Scope(RelSchema input, Optional<RelSchema> right) {
    static Scope of(RelSchema input) {
      return new Scope(input, Optional.empty());
    }

    static Scope join(RelSchema left, RelSchema right) {
      return new Scope(left, Optional.of(right));
    }
  }

  ExprType type(Expr expr, Scope scope, String path) {
    return type(expr, scope, path, 0);
  }

  /** Types a predicate and checks that it is boolean. */
  ExprType predicate(Expr expr, Scope scope, String path) {
    ExprType type = type(expr, scope, path);
    if (type != null && type.type() != PrimitiveType.BOOLEAN) {
      problems.add(
          path,
          "expected a boolean predicate, found an expression of type "
              + type.type().typeString()
              + ". Compare it, e.g. {\"fn\": \"eq\", \"args\": [...]}");
      return null;
    }
    return type;
  }

  /**
   * A literal {@code like} pattern must follow the escape rule ({@link LikePatterns}); a pattern
   * computed per row that breaks it gives null instead.
   */
  private boolean likePatternOk(Call call, String path) {
    if (!(call.args().get(1) instanceof Literal lit)
        || !(lit.value().orElse(null) instanceof String pattern)) {
      return true;
    }
    Optional<String> problem = LikePatterns.problem(pattern);
    problem.ifPresent(
        why ->
            problems.add(
                path + ".args[1]",
                "like pattern '"
                    + pattern
                    + "' breaks the escape rule: "
                    + why
                    + ". A backslash may only precede %, _ or another backslash, as in Spark SQL"
                    + " (in JSON a backslash is written \\\\, so \"a\\\\\\\\b\" is the"
                    + " pattern a\\\\b, a literal backslash)"));
    return problem.isEmpty();
  }

  private ExprType type(Expr expr, Scope scope, String path, int depth) {
    if (depth >= BundleReader.MAX_EXPRESSION_DEPTH) {
      problems.add(
          path,
          "expression nested deeper than "
              + BundleReader.MAX_EXPRESSION_DEPTH
              + " levels; flatten it (and/or take many arguments) or split it into several derive"
              + " ops");
      return null;
    }
    if (expr instanceof ColumnRef col) {
      return column(col, scope, path);
    }
    if (expr instanceof Literal lit) {
      return ExprType.of(lit.type(), lit.isNull());
    }
    if (expr instanceof ParamRef ref) {
      Param param = params.get(ref.name());
      if (param == null) {
        problems.add(
            path,
            "param '"
                + ref.name()
                + "' is not declared in this rule; declared params: "
                + params.keySet()
                + ". Declare it with {\"op\": \"param\", \"name\": \""
                + ref.name()
                + "\", \"type\": ...}");
        return null;
      }
      return ExprType.of(param.type(), false);
    }
    if (expr instanceof Call call) {
      List<ExprType> args = new ArrayList<>();
      boolean ok = true;
      for (int i = 0; i < call.args().size(); i++) {
        ExprType arg = type(call.args().get(i), scope, path + ".args[" + i + "]", depth + 1);
        ok &= arg != null;
        args.add(arg);
      }
      if (!FunctionRegistry.isScalar(call.fn())) {
        String hint =
            FunctionRegistry.isAggregate(call.fn())
                ? ". Aggregate functions can only be used in an aggregate op"
                : "; expected one of " + FunctionRegistry.SCALAR_FUNCTIONS;
        problems.add(path + ".fn", "unknown function '" + call.fn() + "'" + hint);
        return null;
      }
      if (!ok) {
        return null;
      }
      try {
        ExprType result = FunctionRegistry.resolve(call.fn(), args).result();
        return call.fn().equals("like") && !likePatternOk(call, path) ? null : result;
      } catch (FunctionRegistry.TypeError e) {
        problems.add(path, "Cannot type-check " + call.fn() + ": " + e.getMessage());
        return null;
      }
    }
    if (expr instanceof Cast cast) {
      ExprType inner = type(cast.expr(), scope, path + ".cast", depth + 1);
      if (inner == null) {
        return null;
      }
      if (!TypeRules.canCast(inner.type(), cast.to())) {
        problems.add(
            path,
            "cannot cast "
                + inner.type().typeString()
                + " to "
                + cast.to().typeString()
                + "; cast through string or pick another target type");
        return null;
      }
      boolean lossless = TypeRules.canWiden(inner.type(), cast.to());
      return ExprType.of(cast.to(), inner.nullable() || !lossless);
    }
    if (expr instanceof Case kase) {
      DataType result = null;
      boolean nullable = kase.otherwise().isEmpty();
      boolean ok = true;
      List<Expr> values = new ArrayList<>();
      List<String> valuePaths = new ArrayList<>();
      for (int i = 0; i < kase.branches().size(); i++) {
        String branchPath = path + ".case[" + i + "]";
        Case.When when = kase.branches().get(i);
        ExprType condition = type(when.when(), scope, branchPath + ".when", depth + 1);
        if (condition != null && condition.type() != PrimitiveType.BOOLEAN) {
          problems.add(
              branchPath + ".when",
              "expected a boolean condition, found " + condition.type().typeString());
          ok = false;
        }
        ok &= condition != null;
        values.add(when.then());
        valuePaths.add(branchPath + ".then");
      }
      kase.otherwise()
          .ifPresent(
              e -> {
                values.add(e);
                valuePaths.add(path + ".else");
              });
      for (int i = 0; i < values.size(); i++) {
        ExprType value = type(values.get(i), scope, valuePaths.get(i), depth + 1);
        if (value == null) {
          ok = false;
          continue;
        }
        nullable |= value.nullable();
        if (result == null) {
          result = value.type();
        } else {
          Optional<DataType> common = TypeRules.commonType(result, value.type());
          if (common.isEmpty()) {
            problems.add(
                valuePaths.get(i),
                "case branches must have one type: found "
                    + value.type().typeString()
                    + " after "
                    + result.typeString()
                    + "; add a cast");
            ok = false;
          } else {
            result = common.get();
          }
        }
      }
      return ok && result != null ? ExprType.of(result, nullable) : null;
    }
    throw new AssertionError("unhandled expression " + expr);
  }

  private ExprType column(ColumnRef col, Scope scope, String path) {
    if (scope.right().isEmpty()) {
      if (col.side().isPresent()) {
        problems.add(
            path + ".side",
            "'side' is only allowed in a join condition; remove it from column '"
                + col.name()
                + "'");
        return null;
      }
      return lookup(col.name(), scope.input(), path, "");
    }
    RelSchema left = scope.input();
    RelSchema right = scope.right().get();
    if (col.side().isPresent()) {
      return col.side().get() == Side.LEFT
          ? lookup(col.name(), left, path, " on the left side")
          : lookup(col.name(), right, path, " on the right side");
    }
    boolean inLeft = left.field(col.name()).isPresent();
    boolean inRight = right.field(col.name()).isPresent();
    if (inLeft && inRight) {
      problems.add(
          path,
          "column '"
              + col.name()
              + "' is on both sides of the join; add \"side\": \"left\" or \"side\": \"right\"");
      return null;
    }
    return inRight ? lookup(col.name(), right, path, "") : lookup(col.name(), left, path, "");
  }

  private ExprType lookup(String name, RelSchema schema, String path, String where) {
    Optional<Field> field = schema.field(name);
    if (field.isEmpty()) {
      problems.add(
          path, "unknown column '" + name + "'" + where + "; available columns: " + schema.names());
      return null;
    }
    return ExprType.of(field.get().type(), field.get().nullable());
  }
}
