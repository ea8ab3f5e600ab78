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
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import io.relspec.ir.validate.ExprType;
import io.relspec.ir.validate.FunctionRegistry;
import io.relspec.ir.validate.LikePatterns;
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
import org.apache.spark.sql.catalyst.expressions.RLike;
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

  /**
   * Like's escape character: the backslash, Spark SQL's default, whose rule ({@code \%}, {@code
   * \_}, {@code \\}; any other escape is an error) is relspec's ({@link LikePatterns}).
   */
  static final char LIKE_ESCAPE = '\\';

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
  public static Typed widen(Typed child, DataType to) {
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
      Typed when = compile(branch.when(), scope, at + ".when");
      if (when.type() != PrimitiveType.BOOLEAN) {
        throw SparkErrors.badType(
            SparkErrors.at(rule, at + ".when"), "a condition", when.type(), "boolean");
      }
      conditions.add(when);
      values.add(compile(branch.then(), scope, at + ".then"));
    }
    Optional<Typed> otherwise = caseExpr.otherwise().map(e -> compile(e, scope, path + ".else"));
    List<Typed> all = new ArrayList<>(values);
    otherwise.ifPresent(all::add);
    DataType type = all.get(0).type();
    for (Typed value : all.subList(1, all.size())) {
      DataType next = value.type();
      DataType before = type;
      type =
          TypeRules.commonType(type, next)
              .orElseThrow(
                  () ->
                      SparkErrors.incompatibleTypes(
                          SparkErrors.at(rule, path), "case branches", before, next));
    }
    DataType common = type;
    List<Tuple2<Expression, Expression>> branches = new ArrayList<>();
    for (int i = 0; i < conditions.size(); i++) {
      branches.add(new Tuple2<>(conditions.get(i).expr(), widen(values.get(i), common).expr()));
    }
    Expression elseExpr = otherwise.map(t -> widen(t, common).expr()).orElse(nullOf(common).expr());
    return new Typed(new CaseWhen(seq(branches), Option.apply(elseExpr)), common);
  }

  private Typed call(Call call, Scope scope, String path) {
    String fn = call.fn();
    if (!FunctionRegistry.isScalar(fn)) {
      throw SparkErrors.unknownFunction(SparkErrors.at(rule, path), fn);
    }
    List<Typed> raw = new ArrayList<>();
    List<ExprType> types = new ArrayList<>();
    for (int i = 0; i < call.args().size(); i++) {
      Typed arg = compile(call.args().get(i), scope, path + ".args[" + i + "]");
      raw.add(arg);
      types.add(ExprType.of(arg.type(), true));
    }
    FunctionRegistry.Resolution resolution;
    try {
      resolution = FunctionRegistry.resolve(fn, types);
    } catch (FunctionRegistry.TypeError e) {
      throw SparkErrors.badCall(SparkErrors.at(rule, path), fn, e.getMessage());
    }
    // Every implicit widening of the spec becomes an explicit cast to the registry's type.
    List<Typed> args = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      args.add(widen(raw.get(i), resolution.argumentTypes().get(i)));
    }
    DataType result = resolution.result().type();
    List<Expression> e = new ArrayList<>();
    args.forEach(arg -> e.add(arg.expr()));
    Expression expr =
        switch (fn) {
          case "eq" -> new EqualTo(e.get(0), e.get(1));
          case "ne" -> new Not(new EqualTo(e.get(0), e.get(1)));
          case "lt" -> new LessThan(e.get(0), e.get(1));
          case "le" -> new LessThanOrEqual(e.get(0), e.get(1));
          case "gt" -> new GreaterThan(e.get(0), e.get(1));
          case "ge" -> new GreaterThanOrEqual(e.get(0), e.get(1));
          case "is_null" -> new IsNull(e.get(0));
          case "is_not_null" -> new IsNotNull(e.get(0));
          case "in" -> new In(e.get(0), seq(e.subList(1, e.size())));
          case "between" ->
              new And(
                  new GreaterThanOrEqual(e.get(0), e.get(1)),
                  new LessThanOrEqual(e.get(0), e.get(2)));
          case "and", "or" -> {
            Expression folded = e.get(0);
            for (Expression next : e.subList(1, e.size())) {
              folded = fn.equals("and") ? new And(folded, next) : new Or(folded, next);
            }
            yield folded;
          }
          case "not" -> new Not(e.get(0));
          case "add", "sub", "mul", "div", "mod" -> arithmetic(fn, args, result);
          case "neg" -> new UnaryMinus(e.get(0), false);
          case "abs" -> new Abs(e.get(0), false);
          case "bit_and" -> new BitwiseAnd(e.get(0), e.get(1));
          case "bit_or" -> new BitwiseOr(e.get(0), e.get(1));
          case "coalesce" -> new Coalesce(seq(e));
          case "nullif" ->
              new If(
                  new EqualTo(e.get(0), e.get(1)),
                  nullOf(result).expr(),
                  widen(raw.get(0), result).expr());
          case "concat" -> new Concat(seq(e));
          case "lower" -> new Lower(e.get(0));
          case "upper" -> new Upper(e.get(0));
          case "trim" -> new StringTrim(e.get(0));
          case "length" -> new Length(e.get(0));
          case "substr" -> substr(e.get(0), e.get(1), e.get(2));
          case "starts_with" -> new StartsWith(e.get(0), e.get(1));
          case "ends_with" -> new EndsWith(e.get(0), e.get(1));
          case "contains" -> new Contains(e.get(0), e.get(1));
          case "like" -> like(e.get(0), e.get(1));
          case "year" ->
              new Year(
                  args.get(0).type() == PrimitiveType.DATE32
                      ? e.get(0)
                      : tryCast(args.get(0), PrimitiveType.DATE32).expr());
          case "date_add_days" -> new DateAdd(e.get(0), e.get(1));
          case "span_len" -> new Subtract(e.get(1), e.get(0), EvalMode.LEGACY());
          case "span_contains" ->
              strict(
                  e,
                  new And(
                      new GreaterThanOrEqual(e.get(2), e.get(0)),
                      new LessThanOrEqual(e.get(3), e.get(1))));
          case "span_overlaps" ->
              strict(
                  e,
                  new Not(
                      new Or(
                          new LessThanOrEqual(e.get(3), e.get(0)),
                          new GreaterThanOrEqual(e.get(2), e.get(1)))));
          case "stable_hash64" -> new XxHash64(seq(e), XXHASH64_SEED);
          default -> throw SparkErrors.unknownFunction(SparkErrors.at(rule, path), fn);
        };
    return new Typed(expr, result);
  }

  /**
   * Arithmetic on arguments already widened to the registry's types. Spark's integral divide is
   * int64 and its divide of floats is float64, so the result is cast back to the v1 type; division
   * and remainder by zero are null whatever {@code spark.sql.ansi.enabled} says.
   */
  private Expression arithmetic(String fn, List<Typed> args, DataType result) {
    // Catalyst's Divide takes only float64 (or decimal): with float32 arguments it stays
    // unresolved until the analyzer casts them, and the next op that reads the schema fails
    // (differential seed 20261211); cast them here, as the analyzer would
    boolean doubleDivide = fn.equals("div") && result == PrimitiveType.FLOAT32;
    Typed left = doubleDivide ? widen(args.get(0), PrimitiveType.FLOAT64) : args.get(0);
    Typed right = doubleDivide ? widen(args.get(1), PrimitiveType.FLOAT64) : args.get(1);
    Expression l = left.expr();
    Expression r = right.expr();
    Expression value =
        switch (fn) {
          case "add" -> new Add(l, r, EvalMode.LEGACY());
          case "sub" -> new Subtract(l, r, EvalMode.LEGACY());
          case "mul" -> new Multiply(l, r, EvalMode.LEGACY());
          // Catalyst's IntegralDivide takes only int64 (or decimal): with int32 arguments it
          // stays unresolved, and the next op that reads the schema fails
          case "div" ->
              result.isInteger()
                  ? new IntegralDivide(
                      widen(args.get(0), PrimitiveType.INT64).expr(),
                      widen(args.get(1), PrimitiveType.INT64).expr(),
                      EvalMode.LEGACY())
                  : new Divide(l, r, EvalMode.LEGACY());
          default -> new Remainder(l, r, EvalMode.LEGACY());
        };
    // The type Spark gives the value is not tracked here: cast to the v1 result type (a no-op
    // when Spark's type is already the same).
    Expression typed =
        new org.apache.spark.sql.catalyst.expressions.Cast(
            value, SparkTypes.toSpark(result), Option.apply(UTC), EvalMode.LEGACY());
    if (!fn.equals("div") && !fn.equals("mod")) {
      return typed;
    }
    Expression zero = widen(literal(Literal.of(0L, PrimitiveType.INT64)), right.type()).expr();
    return new If(new EqualTo(r, zero), nullOf(result).expr(), typed);
  }

  /**
   * Spark's Like with the backslash as escape, whose rule is relspec's; where Spark would raise an
   * error for a pattern that breaks it, relspec's like is null: a constant pattern is checked now
   * (validation rejects literal ones; a bound param may still break it), a pattern computed per row
   * is checked by a regular expression first.
   */
  private Expression like(Expression s, Expression pattern) {
    Expression nullResult = nullOf(PrimitiveType.BOOLEAN).expr();
    if (pattern.foldable()) {
      Object value = pattern.eval(null);
      return value != null && !LikePatterns.isValid(value.toString())
          ? nullResult
          : new Like(s, pattern, LIKE_ESCAPE);
    }
    Expression broken =
        new RLike(
            pattern,
            literal(Literal.of(LikePatterns.BROKEN_ESCAPE_REGEX, PrimitiveType.STRING)).expr());
    return new If(broken, nullResult, new Like(s, pattern, LIKE_ESCAPE));
  }

  private Expression substr(Expression s, Expression start32, Expression len32) {
    Expression start = widen(new Typed(start32, PrimitiveType.INT32), PrimitiveType.INT64).expr();
    Expression len = widen(new Typed(len32, PrimitiveType.INT32), PrimitiveType.INT64).expr();
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
    return new If(anyNull, nullOf(PrimitiveType.STRING).expr(), substring);
  }

  /**
   * Null when any argument is null, else {@code body}: the registry's "null in gives null out" for
   * a function Catalyst would otherwise build from Kleene {@code and}/{@code or}, where {@code
   * false and null} is false (span_contains(4, null, 3, 1) must be null, not false).
   */
  private static Expression strict(List<Expression> args, Expression body) {
    Expression anyNull = new IsNull(args.get(0));
    for (int i = 1; i < args.size(); i++) {
      anyNull = new Or(anyNull, new IsNull(args.get(i)));
    }
    return new If(anyNull, nullOf(PrimitiveType.BOOLEAN).expr(), body);
  }

  static <T> Seq<T> seq(List<T> list) {
    return JavaConverters.asScalaBuffer(new ArrayList<>(list)).toList();
  }
}
