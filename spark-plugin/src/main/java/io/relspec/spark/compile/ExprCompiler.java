package io.relspec.spark.compile;

import io.relspec.ir.expr.Bytes;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.ParamRef;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.spark.SparkErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.catalyst.expressions.Abs;
import org.apache.spark.sql.catalyst.expressions.Add;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.BitwiseAnd;
import org.apache.spark.sql.catalyst.expressions.BitwiseOr;
import org.apache.spark.sql.catalyst.expressions.CaseWhen;
import org.apache.spark.sql.catalyst.expressions.Coalesce;
import org.apache.spark.sql.catalyst.expressions.Concat;
import org.apache.spark.sql.catalyst.expressions.Contains;
import org.apache.spark.sql.catalyst.expressions.DateAdd;
import org.apache.spark.sql.catalyst.expressions.Divide;
import org.apache.spark.sql.catalyst.expressions.EndsWith;
import org.apache.spark.sql.catalyst.expressions.EqualTo;
import org.apache.spark.sql.catalyst.expressions.EvalMode;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GreaterThan;
import org.apache.spark.sql.catalyst.expressions.GreaterThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.If;
import org.apache.spark.sql.catalyst.expressions.In;
import org.apache.spark.sql.catalyst.expressions.IntegralDivide;
import org.apache.spark.sql.catalyst.expressions.IsNotNull;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.catalyst.expressions.Length;
import org.apache.spark.sql.catalyst.expressions.LessThan;
import org.apache.spark.sql.catalyst.expressions.LessThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.Like;
import org.apache.spark.sql.catalyst.expressions.Lower;
import org.apache.spark.sql.catalyst.expressions.Multiply;
import org.apache.spark.sql.catalyst.expressions.Not;
import org.apache.spark.sql.catalyst.expressions.Or;
import org.apache.spark.sql.catalyst.expressions.Remainder;
import org.apache.spark.sql.catalyst.expressions.StartsWith;
import org.apache.spark.sql.catalyst.expressions.StringTrim;
import org.apache.spark.sql.catalyst.expressions.Substring;
import org.apache.spark.sql.catalyst.expressions.Subtract;
import org.apache.spark.sql.catalyst.expressions.UnaryMinus;
import org.apache.spark.sql.catalyst.expressions.Upper;
import org.apache.spark.sql.catalyst.expressions.XxHash64;
import org.apache.spark.sql.catalyst.expressions.Year;
import scala.Option;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * Compiles format v1 expressions to Catalyst expressions. Every coercion is an explicit cast and
 * every operator that depends on {@code spark.sql.ansi.enabled} is built with an explicit eval
 * mode, so the result follows the spec whatever the session's configuration.
 */
public final class ExprCompiler {
  /** Seed of Spark SQL's {@code xxhash64}, which {@code stable_hash64} must equal. */
  public static final long XXHASH64_SEED = 42L;

  /** Like's escape character: NUL, so that only {@code %} and {@code _} are special. */
  static final char LIKE_ESCAPE = '\u0000';

  private static final String UTC = "UTC";

  private final String rule;
  private final Map<String, Literal> params;

  /**
   * @param rule the rule being compiled, for error messages
   * @param params the effective value of every param of the rule
   */
  public ExprCompiler(String rule, Map<String, Literal> params) {
    this.rule = rule;
    this.params = Map.copyOf(params);
  }

  public String rule() {
    return rule;
  }

  public Map<String, Literal> params() {
    return params;
  }

  /** Compiles {@code expr}; {@code path} is its JSON path inside the rule, for errors. */
  public Typed compile(Expr expr, Scope scope, String path) {
    if (expr instanceof ColumnRef ref) {
      return scope.resolve(ref, SparkErrors.at(rule, path));
    } else if (expr instanceof Literal literal) {
      return literal(literal);
    } else if (expr instanceof ParamRef param) {
      Literal value = params.get(param.name());
      if (value == null) {
        throw SparkErrors.unboundParam(SparkErrors.at(rule, path), param.name());
      }
      return literal(value);
    } else if (expr instanceof Cast cast) {
      Typed child = compile(cast.expr(), scope, path + ".cast");
      return tryCast(child, cast.to());
    } else if (expr instanceof Case caseExpr) {
      return caseWhen(caseExpr, scope, path);
    } else if (expr instanceof Call call) {
      return call(call, scope, path);
    }
    throw new IllegalStateException("unknown expression " + expr);
  }

  /** A Catalyst literal of a v1 literal. */
  public static Typed literal(Literal literal) {
    return new Typed(
        org.apache.spark.sql.catalyst.expressions.Literal.create(
            literal.value().map(v -> javaValue(v, literal.type())).orElse(null),
            SparkTypes.toSpark(literal.type())),
        literal.type());
  }

  /** A typed null. */
  public static Typed nullOf(DataType type) {
    return literal(Literal.nullOf(type));
  }

  private static Object javaValue(Object value, DataType type) {
    if (value instanceof Long l) {
      if (type == PrimitiveType.INT8) {
        return l.byteValue();
      } else if (type == PrimitiveType.INT16) {
        return l.shortValue();
      } else if (type == PrimitiveType.INT32) {
        return l.intValue();
      }
      return l;
    }
    if (value instanceof Double d && type == PrimitiveType.FLOAT32) {
      return d.floatValue();
    }
    if (value instanceof Bytes bytes) {
      return bytes.toByteArray();
    }
    return value;
  }

  /** A cast whose failure is null (format v1 {@code cast}), independent of ANSI mode. */
  public static Typed tryCast(Typed child, DataType to) {
    if (child.type().equals(to)) {
      return child;
    }
    return new Typed(
        new org.apache.spark.sql.catalyst.expressions.Cast(
            child.expr(), SparkTypes.toSpark(to), Option.apply(UTC), EvalMode.TRY()),
        to);
  }

  /** A widening cast (never fails), or the expression itself when it already has the type. */
  static Typed widen(Typed child, DataType to) {
    if (child.type().equals(to)) {
      return child;
    }
    return new Typed(
        new org.apache.spark.sql.catalyst.expressions.Cast(
            child.expr(), SparkTypes.toSpark(to), Option.apply(UTC), EvalMode.LEGACY()),
        to);
  }

  private Typed caseWhen(Case caseExpr, Scope scope, String path) {
    List<Typed> conditions = new ArrayList<>();
    List<Typed> values = new ArrayList<>();
    for (int i = 0; i < caseExpr.branches().size(); i++) {
      Case.When branch = caseExpr.branches().get(i);
      String at = path + ".case[" + i + "]";
      conditions.add(requireBoolean(compile(branch.when(), scope, at + ".when"), at + ".when"));
      values.add(compile(branch.then(), scope, at + ".then"));
    }
    Optional<Typed> otherwise = caseExpr.otherwise().map(e -> compile(e, scope, path + ".else"));
    List<Typed> all = new ArrayList<>(values);
    otherwise.ifPresent(all::add);
    DataType type = commonOf(all, path, "case branches");
    List<Tuple2<Expression, Expression>> branches = new ArrayList<>();
    for (int i = 0; i < conditions.size(); i++) {
      branches.add(new Tuple2<>(conditions.get(i).expr(), widen(values.get(i), type).expr()));
    }
    Expression elseExpr = otherwise.map(t -> widen(t, type).expr()).orElse(nullOf(type).expr());
    return new Typed(new CaseWhen(seq(branches), Option.apply(elseExpr)), type);
  }

  private Typed call(Call call, Scope scope, String path) {
    String fn = call.fn();
    List<Typed> args = new ArrayList<>();
    for (int i = 0; i < call.args().size(); i++) {
      args.add(compile(call.args().get(i), scope, path + ".args[" + i + "]"));
    }
    return switch (fn) {
      case "eq", "ne", "lt", "le", "gt", "ge" -> comparison(fn, args, path);
      case "is_null" -> {
        arity(fn, args, 1, path);
        yield bool(new IsNull(args.get(0).expr()));
      }
      case "is_not_null" -> {
        arity(fn, args, 1, path);
        yield bool(new IsNotNull(args.get(0).expr()));
      }
      case "in" -> {
        atLeast(fn, args, 2, path);
        DataType type = commonOf(args, path, fn);
        List<Expression> list = new ArrayList<>();
        for (Typed arg : args.subList(1, args.size())) {
          list.add(widen(arg, type).expr());
        }
        yield bool(new In(widen(args.get(0), type).expr(), seq(list)));
      }
      case "between" -> {
        arity(fn, args, 3, path);
        DataType type = commonOf(args, path, fn);
        Expression value = widen(args.get(0), type).expr();
        yield bool(
            new And(
                new GreaterThanOrEqual(value, widen(args.get(1), type).expr()),
                new LessThanOrEqual(value, widen(args.get(2), type).expr())));
      }
      case "and", "or" -> {
        atLeast(fn, args, 1, path);
        Expression result = null;
        for (int i = 0; i < args.size(); i++) {
          Expression arg = requireBoolean(args.get(i), path + ".args[" + i + "]").expr();
          result =
              result == null ? arg : fn.equals("and") ? new And(result, arg) : new Or(result, arg);
        }
        yield bool(result);
      }
      case "not" -> {
        arity(fn, args, 1, path);
        yield bool(new Not(requireBoolean(args.get(0), path + ".args[0]").expr()));
      }
      case "add", "sub", "mul", "div", "mod" -> arithmetic(fn, args, path);
      case "neg" -> {
        arity(fn, args, 1, path);
        Typed arg = requireNumeric(args.get(0), path + ".args[0]");
        yield new Typed(new UnaryMinus(arg.expr(), false), arg.type());
      }
      case "abs" -> {
        arity(fn, args, 1, path);
        Typed arg = requireNumeric(args.get(0), path + ".args[0]");
        yield new Typed(new Abs(arg.expr(), false), arg.type());
      }
      case "bit_and", "bit_or" -> {
        arity(fn, args, 2, path);
        for (int i = 0; i < 2; i++) {
          if (!args.get(i).type().isInteger()) {
            throw SparkErrors.badType(
                SparkErrors.at(rule, path + ".args[" + i + "]"),
                fn,
                args.get(i).type(),
                "an integer type");
          }
        }
        DataType type = commonOf(args, path, fn);
        Expression l = widen(args.get(0), type).expr();
        Expression r = widen(args.get(1), type).expr();
        yield new Typed(fn.equals("bit_and") ? new BitwiseAnd(l, r) : new BitwiseOr(l, r), type);
      }
      case "coalesce" -> {
        atLeast(fn, args, 1, path);
        DataType type = commonOf(args, path, fn);
        List<Expression> list = new ArrayList<>();
        for (Typed arg : args) {
          list.add(widen(arg, type).expr());
        }
        yield new Typed(new Coalesce(seq(list)), type);
      }
      case "nullif" -> {
        arity(fn, args, 2, path);
        DataType type = commonOf(args, path, fn);
        Expression a = widen(args.get(0), type).expr();
        Expression b = widen(args.get(1), type).expr();
        yield new Typed(new If(new EqualTo(a, b), nullOf(type).expr(), a), type);
      }
      case "concat" -> {
        atLeast(fn, args, 1, path);
        List<Expression> list = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
          list.add(requireString(args.get(i), fn, path + ".args[" + i + "]").expr());
        }
        yield string(new Concat(seq(list)));
      }
      case "lower" -> string(new Lower(stringArg(fn, args, path)));
      case "upper" -> string(new Upper(stringArg(fn, args, path)));
      case "trim" -> string(new StringTrim(stringArg(fn, args, path)));
      case "length" -> new Typed(new Length(stringArg(fn, args, path)), PrimitiveType.INT32);
      case "substr" -> substr(args, path);
      case "starts_with", "ends_with", "contains", "like" -> {
        arity(fn, args, 2, path);
        Expression s = requireString(args.get(0), fn, path + ".args[0]").expr();
        Expression p = requireString(args.get(1), fn, path + ".args[1]").expr();
        yield bool(
            switch (fn) {
              case "starts_with" -> new StartsWith(s, p);
              case "ends_with" -> new EndsWith(s, p);
              case "contains" -> new Contains(s, p);
              default -> new Like(s, p, LIKE_ESCAPE);
            });
      }
      case "year" -> {
        arity(fn, args, 1, path);
        Typed arg = args.get(0);
        if (arg.type() == PrimitiveType.DATE32) {
          yield new Typed(new Year(arg.expr()), PrimitiveType.INT32);
        } else if (arg.type() == PrimitiveType.TIMESTAMP_US) {
          yield new Typed(new Year(tryCast(arg, PrimitiveType.DATE32).expr()), PrimitiveType.INT32);
        }
        throw SparkErrors.badType(
            SparkErrors.at(rule, path + ".args[0]"), fn, arg.type(), "date32 or timestamp_us");
      }
      case "date_add_days" -> {
        arity(fn, args, 2, path);
        if (args.get(0).type() != PrimitiveType.DATE32) {
          throw SparkErrors.badType(
              SparkErrors.at(rule, path + ".args[0]"), fn, args.get(0).type(), "date32");
        }
        Typed days = requireInteger(args.get(1), fn, path + ".args[1]");
        yield new Typed(
            new DateAdd(args.get(0).expr(), tryCast(days, PrimitiveType.INT32).expr()),
            PrimitiveType.DATE32);
      }
      case "span_len" -> {
        arity(fn, args, 2, path);
        Expression start =
            widen(requireInteger(args.get(0), fn, path + ".args[0]"), PrimitiveType.INT64).expr();
        Expression end =
            widen(requireInteger(args.get(1), fn, path + ".args[1]"), PrimitiveType.INT64).expr();
        yield new Typed(new Subtract(end, start, EvalMode.LEGACY()), PrimitiveType.INT64);
      }
      case "span_contains", "span_overlaps" -> {
        arity(fn, args, 4, path);
        DataType type = commonOf(args, path, fn);
        List<Expression> e = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          e.add(widen(requireNumeric(args.get(i), path + ".args[" + i + "]"), type).expr());
        }
        Expression ls = e.get(0);
        Expression le = e.get(1);
        Expression rs = e.get(2);
        Expression re = e.get(3);
        yield bool(
            fn.equals("span_contains")
                ? new And(new GreaterThanOrEqual(rs, ls), new LessThanOrEqual(re, le))
                : new Not(new Or(new LessThanOrEqual(re, ls), new GreaterThanOrEqual(rs, le))));
      }
      case "stable_hash64" -> {
        atLeast(fn, args, 1, path);
        List<Expression> list = new ArrayList<>();
        for (Typed arg : args) {
          list.add(arg.expr());
        }
        yield new Typed(new XxHash64(seq(list), XXHASH64_SEED), PrimitiveType.INT64);
      }
      default -> throw SparkErrors.unknownFunction(SparkErrors.at(rule, path), fn);
    };
  }

  private Typed comparison(String fn, List<Typed> args, String path) {
    arity(fn, args, 2, path);
    DataType type = commonOf(args, path, fn);
    Expression l = widen(args.get(0), type).expr();
    Expression r = widen(args.get(1), type).expr();
    return bool(
        switch (fn) {
          case "eq" -> new EqualTo(l, r);
          case "ne" -> new Not(new EqualTo(l, r));
          case "lt" -> new LessThan(l, r);
          case "le" -> new LessThanOrEqual(l, r);
          case "gt" -> new GreaterThan(l, r);
          default -> new GreaterThanOrEqual(l, r);
        });
  }

  private Typed arithmetic(String fn, List<Typed> args, String path) {
    arity(fn, args, 2, path);
    Typed a = requireNumeric(args.get(0), path + ".args[0]");
    Typed b = requireNumeric(args.get(1), path + ".args[1]");
    DataType type = commonOf(args, path, fn);
    DataType result;
    Expression l;
    Expression r;
    if (type instanceof DecimalType) {
      DecimalType da = SparkTypes.asDecimal(a.type());
      DecimalType db = SparkTypes.asDecimal(b.type());
      l = widen(a, da).expr();
      r = widen(b, db).expr();
      result = SparkTypes.decimalResult(fn, da, db);
    } else {
      l = widen(a, type).expr();
      r = widen(b, type).expr();
      result = type;
    }
    Expression sparkResult =
        switch (fn) {
          case "add" -> new Add(l, r, EvalMode.LEGACY());
          case "sub" -> new Subtract(l, r, EvalMode.LEGACY());
          case "mul" -> new Multiply(l, r, EvalMode.LEGACY());
          case "div" ->
              type.isInteger()
                  ? new IntegralDivide(l, r, EvalMode.LEGACY())
                  : new Divide(l, r, EvalMode.LEGACY());
          default -> new Remainder(l, r, EvalMode.LEGACY());
        };
    // Spark's integral divide is int64 and its divide of floats is float64: cast back so the
    // result has the v1 type; a decimal result keeps the type Spark's decimal rules give it.
    Expression typed =
        result instanceof DecimalType
            ? sparkResult
            : widen(new Typed(sparkResult, PrimitiveType.INT64), result).expr();
    if (fn.equals("div") || fn.equals("mod")) {
      // Division by zero is null (spec section 3), whatever spark.sql.ansi.enabled says.
      DataType divisorType = type instanceof DecimalType ? SparkTypes.asDecimal(b.type()) : type;
      Expression zero = widen(literal(Literal.of(0L, PrimitiveType.INT64)), divisorType).expr();
      typed = new If(new EqualTo(r, zero), nullOf(result).expr(), typed);
    }
    return new Typed(typed, result);
  }

  private Typed substr(List<Typed> args, String path) {
    arity("substr", args, 3, path);
    Expression s = requireString(args.get(0), "substr", path + ".args[0]").expr();
    Expression start =
        tryCast(requireInteger(args.get(1), "substr", path + ".args[1]"), PrimitiveType.INT64)
            .expr();
    Expression len =
        tryCast(requireInteger(args.get(2), "substr", path + ".args[2]"), PrimitiveType.INT64)
            .expr();
    // SQL-standard substring: characters [start, start + len) clipped to the string, 1-based;
    // Spark's own Substring treats start <= 0 differently, so clip before calling it.
    Expression one = literal(Literal.of(1L, PrimitiveType.INT64)).expr();
    Expression zero = literal(Literal.of(0L, PrimitiveType.INT64)).expr();
    Expression endExclusive = new Add(start, len, EvalMode.LEGACY());
    Expression clippedStart = new If(new LessThan(start, one), one, start);
    Expression clippedLen = new Subtract(endExclusive, clippedStart, EvalMode.LEGACY());
    Expression nonNegative = new If(new LessThan(clippedLen, zero), zero, clippedLen);
    Expression maxInt = literal(Literal.of((long) Integer.MAX_VALUE, PrimitiveType.INT64)).expr();
    Expression boundedLen = new If(new GreaterThan(nonNegative, maxInt), maxInt, nonNegative);
    Expression boundedStart = new If(new GreaterThan(clippedStart, maxInt), maxInt, clippedStart);
    Expression substring =
        new Substring(
            s,
            widen(new Typed(boundedStart, PrimitiveType.INT64), PrimitiveType.INT32).expr(),
            widen(new Typed(boundedLen, PrimitiveType.INT64), PrimitiveType.INT32).expr());
    Expression anyNull = new Or(new IsNull(start), new IsNull(len));
    return string(new If(anyNull, nullOf(PrimitiveType.STRING).expr(), substring));
  }

  private DataType commonOf(List<Typed> args, String path, String what) {
    DataType type = args.get(0).type();
    for (int i = 1; i < args.size(); i++) {
      DataType next = args.get(i).type();
      Optional<DataType> common = SparkTypes.common(type, next);
      if (common.isEmpty()) {
        throw SparkErrors.incompatibleTypes(SparkErrors.at(rule, path), what, type, next);
      }
      type = common.get();
    }
    return type;
  }

  private Expression stringArg(String fn, List<Typed> args, String path) {
    arity(fn, args, 1, path);
    return requireString(args.get(0), fn, path + ".args[0]").expr();
  }

  private Typed requireBoolean(Typed typed, String path) {
    if (typed.type() != PrimitiveType.BOOLEAN) {
      throw SparkErrors.badType(SparkErrors.at(rule, path), "a condition", typed.type(), "boolean");
    }
    return typed;
  }

  private Typed requireString(Typed typed, String fn, String path) {
    if (typed.type() != PrimitiveType.STRING) {
      throw SparkErrors.badType(SparkErrors.at(rule, path), fn, typed.type(), "string");
    }
    return typed;
  }

  private Typed requireInteger(Typed typed, String fn, String path) {
    if (!typed.type().isInteger()) {
      throw SparkErrors.badType(SparkErrors.at(rule, path), fn, typed.type(), "an integer type");
    }
    return typed;
  }

  private Typed requireNumeric(Typed typed, String path) {
    if (!typed.type().isNumeric()) {
      throw SparkErrors.badType(
          SparkErrors.at(rule, path), "an arithmetic argument", typed.type(), "a numeric type");
    }
    return typed;
  }

  private void arity(String fn, List<Typed> args, int n, String path) {
    if (args.size() != n) {
      throw SparkErrors.badArity(SparkErrors.at(rule, path), fn, String.valueOf(n), args.size());
    }
  }

  private void atLeast(String fn, List<Typed> args, int n, String path) {
    if (args.size() < n) {
      throw SparkErrors.badArity(SparkErrors.at(rule, path), fn, "at least " + n, args.size());
    }
  }

  private static Typed bool(Expression expr) {
    return new Typed(expr, PrimitiveType.BOOLEAN);
  }

  private static Typed string(Expression expr) {
    return new Typed(expr, PrimitiveType.STRING);
  }

  static <T> Seq<T> seq(List<T> list) {
    return JavaConverters.asScalaBuffer(new ArrayList<>(list)).toList();
  }
}
