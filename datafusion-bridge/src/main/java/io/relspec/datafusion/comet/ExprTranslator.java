package io.relspec.datafusion.comet;

import io.relspec.ir.expr.Bytes;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.ParamRef;
import io.relspec.ir.expr.Side;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import io.relspec.ir.validate.ExprType;
import io.relspec.ir.validate.FunctionRegistry;
import io.relspec.ir.validate.LikePatterns;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.comet.serde.ExprOuterClass;
import org.apache.comet.serde.LiteralOuterClass;
import org.apache.comet.shaded.protobuf.ByteString;

/**
 * relspec expressions (format v1, section 3) as Comet 0.12 expression protobuf with Spark
 * semantics: columns become {@code BoundReference}s by index, arguments are cast to the widened
 * types {@link FunctionRegistry#resolve} gives, arithmetic runs in Spark's LEGACY eval mode, and
 * division or remainder by zero is null.
 */
final class ExprTranslator {

  /** An expression the Comet lane cannot translate, with the reason. */
  static final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    Unsupported(String reason) {
      super(reason);
    }
  }

  /** A translated expression and its relspec type. */
  record Typed(ExprOuterClass.Expr proto, DataType type, boolean nullable) {
    ExprType exprType() {
      return ExprType.of(type, nullable);
    }
  }

  /** Functions of registry v1 this translator does not map to Comet yet. */
  static final List<String> UNMAPPED =
      List.of("concat", "lower", "upper", "trim", "substr", "date_add_days");

  /** Functions that compare their arguments, whose float operands are normalized. */
  private static final List<String> COMPARISONS =
      List.of("eq", "ne", "lt", "le", "gt", "ge", "in", "between", "nullif");

  /** The seed of {@code stable_hash64}: Spark SQL's {@code xxhash64} seed. */
  static final long STABLE_HASH_SEED = 42L;

  private final RelSchema input;
  private final Optional<RelSchema> right;
  private final Map<String, Literal> params;

  private ExprTranslator(RelSchema input, Optional<RelSchema> right, Map<String, Literal> params) {
    this.input = input;
    this.right = right;
    this.params = params;
  }

  /** Expressions over one input. */
  static ExprTranslator over(RelSchema input, Map<String, Literal> params) {
    return new ExprTranslator(input, Optional.empty(), params);
  }

  /** A join condition over the left columns followed by the right columns. */
  static ExprTranslator overJoin(RelSchema left, RelSchema right, Map<String, Literal> params) {
    return new ExprTranslator(left, Optional.of(right), params);
  }

  Typed translate(Expr expr) throws Unsupported {
    if (expr instanceof ColumnRef col) {
      return column(col);
    }
    if (expr instanceof Literal lit) {
      requireScalarLiteral(lit);
      return new Typed(literal(lit.value(), lit.type()), lit.type(), lit.isNull());
    }
    if (expr instanceof ParamRef ref) {
      Literal value = params.get(ref.name());
      if (value == null) {
        throw new Unsupported("param '" + ref.name() + "' has no value");
      }
      requireScalarLiteral(value);
      return new Typed(literal(value.value(), value.type()), value.type(), value.isNull());
    }
    if (expr instanceof Cast cast) {
      Typed inner = translate(cast.expr());
      if (inner.type() == PrimitiveType.DATE32 && cast.to() == PrimitiveType.TIMESTAMP_US) {
        // Comet 0.12 plans it but fails at run time: "Native cast invoked for unsupported cast"
        throw new Unsupported("cast from date32 to timestamp_us has no native Comet 0.12 cast");
      }
      requireExactCast(inner.type(), cast.to());
      return new Typed(
          explicitCast(inner, cast.to()),
          cast.to(),
          inner.nullable() || !TypeRules.canWiden(inner.type(), cast.to()));
    }
    if (expr instanceof Case kase) {
      return caseWhen(kase);
    }
    if (expr instanceof Call call) {
      return call(call);
    }
    throw new Unsupported("expression " + expr + " has no Comet translation");
  }

  /**
   * Refuses the explicit casts whose native Comet 0.12 result is not the spec's: Comet has no
   * string to float or decimal cast ("Native cast invoked for unsupported cast"), prints floats in
   * Rust's shortest form (5.0E-324 where Java and Spark print 4.9E-324), and casts a float to a
   * decimal from its binary value (1.00499... to 1.00) where the spec rounds its shortest decimal
   * text half up (1.01). These run on the reference lane, as a recorded fallback.
   */
  private static void requireExactCast(DataType from, DataType to) throws Unsupported {
    boolean toNumber = to.isFloating() || to instanceof DecimalType;
    if (from == PrimitiveType.STRING && toNumber) {
      throw new Unsupported(
          "cast from string to " + to + " has no native Comet 0.12 cast (unsupported cast)");
    }
    if (from.isFloating() && to == PrimitiveType.STRING) {
      throw new Unsupported(
          "cast from "
              + from
              + " to string prints Rust's shortest float form in Comet 0.12 (5.0E-324), not"
              + " Java's (4.9E-324)");
    }
    if (from == PrimitiveType.STRING && to == PrimitiveType.TIMESTAMP_US) {
      throw new Unsupported(
          "cast from string to timestamp_us parses fewer forms in Comet 0.12 than the spec"
              + " ('2024-01-31T12:34:56Z', offsets, 'yyyy-m-d' are null there) and takes 'yyyy'");
    }
    if (from == PrimitiveType.TIMESTAMP_US && to == PrimitiveType.STRING) {
      throw new Unsupported(
          "cast from timestamp_us to string prints years outside 0..9999 as chrono does in Comet"
              + " 0.12 ('+10000', '-0001'), not as the spec ('10000', '-001')");
    }
    if (from instanceof ListType lf && to instanceof ListType lt && !lf.equals(lt)) {
      DataType a = lf.element();
      DataType b = lt.element();
      boolean exact =
          (a.isInteger() || a == PrimitiveType.BOOLEAN)
              && (b.isInteger()
                  || b == PrimitiveType.BOOLEAN
                  || b == PrimitiveType.STRING
                  || (b == PrimitiveType.FLOAT64 && a != PrimitiveType.INT64));
      if (!exact) {
        throw new Unsupported(
            "cast from "
                + from
                + " to "
                + to
                + " casts the elements with Arrow's cast in Comet 0.12, not Spark's (text"
                + " parsing, float printing and rounding differ)");
      }
    }
    if (from instanceof DecimalType d && d.precision() > 15 && to.isFloating()) {
      throw new Unsupported(
          "cast from "
              + from
              + " to "
              + to
              + " rounds twice in Comet 0.12 (the unscaled value to float64, then the division by"
              + " 10^scale) where the spec rounds the exact value once; exact up to precision 15");
    }
    if (from.isFloating() && to instanceof DecimalType) {
      throw new Unsupported(
          "cast from "
              + from
              + " to "
              + to
              + " rounds the binary value in Comet 0.12, not the shortest decimal text half up");
    }
  }

  /**
   * Whitespace the spec's text casts strip ({@code String.strip()}: {@code
   * Character.isWhitespace}). Comet's own trim is Rust's {@code str::trim} (Unicode White_Space),
   * which also strips U+0085, U+00A0, U+2007 and U+202F and keeps U+001C..U+001F: text is stripped
   * with this set first and then matched against the spec's grammar, so Comet's trim finds nothing
   * left to strip.
   */
  private static final String JAVA_WHITESPACE =
      "\t\n\u000B\f\r\u001C\u001D\u001E\u001F \u1680\u2000\u2001\u2002\u2003\u2004\u2005"
          + "\u2006\u2008\u2009\u200A\u2028\u2029\u205F\u3000";

  /** The spec's integer text (after stripping): sign, digits, an ignored fraction. */
  private static final String INTEGER_TEXT = "^[+-]?[0-9]+(\\.[0-9]*)?$";

  /** The spec's boolean words, any ASCII case (after stripping). */
  private static final String BOOLEAN_TEXT =
      "^([tT]|[tT][rR][uU][eE]|[yY]|[yY][eE][sS]|1|[fF]|[fF][aA][lL][sS][eE]|[nN]|[nN][oO]|0)$";

  /** The spec's date text: the part before the first space or 'T' (after stripping). */
  private static final String DATE_TEXT = "^[0-9]{4}(-[0-9]{1,2}(-[0-9]{1,2})?)?$";

  /**
   * An explicit (TRY) cast of {@code inner} to {@code to}, as the reference lane's {@code Casts}
   * computes it. Comet 0.12 has no boolean to decimal cast ("Native cast invoked for unsupported
   * cast from Boolean to Decimal128"): a boolean goes through int8 (true 1, false 0, as the spec
   * counts it), then to the decimal, where a decimal without an integer digit gives null as the
   * spec's failed cast. int64 (and decimals) to float32 go through float64, as the spec rounds
   * twice (2^60 + 2^36 + 1 rounds to another float directly). Text to an integer, boolean or date
   * is stripped of the spec's whitespace and checked against the spec's grammar (regex) before
   * Comet's Spark cast parses it: Comet's TRY cast refuses "12.7" (the spec truncates to 12), its
   * LEGACY cast takes ".5" (the spec's null), its trim is Rust's, and its date parser refuses
   * "2024-01T00:00" (the spec cuts the text at the first space or 'T').
   */
  private static ExprOuterClass.Expr explicitCast(Typed inner, DataType to) {
    DataType from = inner.type();
    if (from.equals(to)) {
      return inner.proto();
    }
    ExprOuterClass.Expr child = inner.proto();
    ExprOuterClass.EvalMode tryMode = ExprOuterClass.EvalMode.TRY;
    if (from == PrimitiveType.BOOLEAN && to instanceof DecimalType) {
      return castTo(castTo(child, PrimitiveType.INT8, tryMode), to, tryMode);
    }
    if (to == PrimitiveType.FLOAT32
        && (from == PrimitiveType.INT64 || from instanceof DecimalType)) {
      return castTo(castTo(child, PrimitiveType.FLOAT64, tryMode), to, tryMode);
    }
    if (from == PrimitiveType.STRING && to.isInteger()) {
      ExprOuterClass.Expr text = stripped(child);
      return ifThen(
          rlike(text, INTEGER_TEXT),
          castTo(text, to, ExprOuterClass.EvalMode.LEGACY),
          literal(Optional.empty(), to));
    }
    if (from == PrimitiveType.STRING && to == PrimitiveType.BOOLEAN) {
      ExprOuterClass.Expr text = stripped(child);
      return ifThen(
          rlike(text, BOOLEAN_TEXT), castTo(text, to, tryMode), literal(Optional.empty(), to));
    }
    if (from == PrimitiveType.STRING && to == PrimitiveType.DATE32) {
      ExprOuterClass.Expr text = splitPart(splitPart(stripped(child), " "), "T");
      return ifThen(
          rlike(text, DATE_TEXT), castTo(text, to, tryMode), literal(Optional.empty(), to));
    }
    return castTo(child, to, tryMode);
  }

  /**
   * The class of a float for {@code min}/{@code max}: 0 for -Infinity, 1 finite, 2 +Infinity, 3
   * NaN, null for null. DataFusion 50's grouped float min/max accumulators start at the type's
   * finite MAX/MIN and compare with {@code partial_cmp} (a NaN replaces the current value and is
   * replaced by the next one; +Infinity never replaces the starting MAX): an integer class and the
   * finite values alone are aggregated correctly by them.
   */
  static ExprOuterClass.Expr floatClass(ExprOuterClass.Expr x, DataType type) {
    ExprOuterClass.Expr cls =
        ifThen(
            scalarFunc("isnan", List.of(x), PrimitiveType.BOOLEAN),
            literal(Optional.of(3L), PrimitiveType.INT32),
            ifThen(
                eq(x, literal(Optional.of(Double.POSITIVE_INFINITY), type)),
                literal(Optional.of(2L), PrimitiveType.INT32),
                ifThen(
                    eq(x, literal(Optional.of(Double.NEGATIVE_INFINITY), type)),
                    literal(Optional.of(0L), PrimitiveType.INT32),
                    literal(Optional.of(1L), PrimitiveType.INT32))));
    return ifThen(
        ExprOuterClass.Expr.newBuilder().setIsNull(unary(x)).build(),
        literal(Optional.empty(), PrimitiveType.INT32),
        cls);
  }

  /** {@code x} (-0.0 as 0.0) where its {@link #floatClass} is 1 (finite), else null. */
  static ExprOuterClass.Expr finiteOnly(ExprOuterClass.Expr x, DataType type) {
    return ifThen(
        eq(floatClass(x, type), literal(Optional.of(1L), PrimitiveType.INT32)),
        sortKey(x, type),
        literal(Optional.empty(), type));
  }

  /** The float a min/max of {@link #floatClass} {@code cls} and of the finite values gives. */
  static ExprOuterClass.Expr fromFloatClass(
      ExprOuterClass.Expr cls, ExprOuterClass.Expr finite, DataType type) {
    return ifThen(
        eq(cls, literal(Optional.of(1L), PrimitiveType.INT32)),
        finite,
        ifThen(
            eq(cls, literal(Optional.of(0L), PrimitiveType.INT32)),
            literal(Optional.of(Double.NEGATIVE_INFINITY), type),
            ifThen(
                eq(cls, literal(Optional.of(2L), PrimitiveType.INT32)),
                literal(Optional.of(Double.POSITIVE_INFINITY), type),
                ifThen(
                    eq(cls, literal(Optional.of(3L), PrimitiveType.INT32)),
                    literal(Optional.of(Double.NaN), type),
                    literal(Optional.empty(), type)))));
  }

  private static ExprOuterClass.Expr eq(ExprOuterClass.Expr a, ExprOuterClass.Expr b) {
    return ExprOuterClass.Expr.newBuilder().setEq(binary(a, b)).build();
  }

  private static ExprOuterClass.Expr stripped(ExprOuterClass.Expr text) {
    return scalarFunc(
        "btrim",
        List.of(text, literal(Optional.of(JAVA_WHITESPACE), PrimitiveType.STRING)),
        PrimitiveType.STRING);
  }

  /** The text before the first {@code delimiter} (all of it when there is none). */
  private static ExprOuterClass.Expr splitPart(ExprOuterClass.Expr text, String delimiter) {
    return scalarFunc(
        "split_part",
        List.of(
            text,
            literal(Optional.of(delimiter), PrimitiveType.STRING),
            literal(Optional.of(1L), PrimitiveType.INT64)),
        PrimitiveType.STRING);
  }

  private static ExprOuterClass.Expr rlike(ExprOuterClass.Expr text, String regex) {
    return ExprOuterClass.Expr.newBuilder()
        .setRlike(binary(text, literal(Optional.of(regex), PrimitiveType.STRING)))
        .build();
  }

  private static ExprOuterClass.Expr ifThen(
      ExprOuterClass.Expr condition, ExprOuterClass.Expr then, ExprOuterClass.Expr otherwise) {
    return ExprOuterClass.Expr.newBuilder()
        .setIf(
            ExprOuterClass.IfExpr.newBuilder()
                .setIfExpr(condition)
                .setTrueExpr(then)
                .setFalseExpr(otherwise))
        .build();
  }

  private static void requireScalarLiteral(Literal lit) throws Unsupported {
    boolean scalar = lit.type() instanceof PrimitiveType || lit.type() instanceof DecimalType;
    if (!scalar && !lit.isNull()) {
      throw new Unsupported(
          "a " + lit.type() + " literal is not mapped to Comet's list/struct literals yet");
    }
  }

  private Typed column(ColumnRef col) throws Unsupported {
    RelSchema scope = input;
    int offset = 0;
    if (right.isPresent()) {
      boolean toRight = col.side().map(s -> s == Side.RIGHT).orElse(input.indexOf(col.name()) < 0);
      if (toRight) {
        scope = right.get();
        offset = input.fields().size();
      }
    }
    int index = scope.indexOf(col.name());
    if (index < 0) {
      throw new Unsupported("column '" + col.name() + "' is not in the input " + scope.names());
    }
    Field field = scope.fields().get(index);
    ExprOuterClass.Expr proto =
        ExprOuterClass.Expr.newBuilder()
            .setBound(
                ExprOuterClass.BoundReference.newBuilder()
                    .setIndex(offset + index)
                    .setDatatype(CometTypes.proto(field.type())))
            .build();
    return new Typed(proto, field.type(), field.nullable());
  }

  private Typed call(Call call) throws Unsupported {
    String fn = call.fn();
    if (UNMAPPED.contains(fn)) {
      throw new Unsupported(
          "function '" + fn + "' is not mapped to a Comet 0.12 expression by this bridge yet");
    }
    List<Typed> args = new ArrayList<>();
    List<ExprType> types = new ArrayList<>();
    for (Expr arg : call.args()) {
      Typed typed = translate(arg);
      args.add(typed);
      types.add(typed.exprType());
    }
    FunctionRegistry.Resolution resolution;
    try {
      resolution = FunctionRegistry.resolve(fn, types);
    } catch (FunctionRegistry.TypeError e) {
      throw new Unsupported("function '" + fn + "' does not type-check: " + e.getMessage());
    }
    DataType result = resolution.result().type();
    boolean nullable = resolution.result().nullable();
    List<ExprOuterClass.Expr> in = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      in.add(coerce(args.get(i), resolution.argumentTypes().get(i)));
    }
    if (COMPARISONS.contains(fn)) {
      // relspec compares -0.0 equal to 0.0 and NaN equal to NaN (the largest value); arrow-rs
      // compares floats by their total order, so float operands are normalized first
      for (int i = 0; i < in.size(); i++) {
        in.set(i, sortKey(in.get(i), resolution.argumentTypes().get(i)));
      }
    }
    ExprOuterClass.Expr.Builder out = ExprOuterClass.Expr.newBuilder();
    switch (fn) {
      case "eq" -> out.setEq(binary(in.get(0), in.get(1)));
      case "ne" -> out.setNeq(binary(in.get(0), in.get(1)));
      case "lt" -> out.setLt(binary(in.get(0), in.get(1)));
      case "le" -> out.setLtEq(binary(in.get(0), in.get(1)));
      case "gt" -> out.setGt(binary(in.get(0), in.get(1)));
      case "ge" -> out.setGtEq(binary(in.get(0), in.get(1)));
      case "is_null" -> out.setIsNull(unary(in.get(0)));
      case "is_not_null" -> out.setIsNotNull(unary(in.get(0)));
      case "in" ->
          out.setIn(
              ExprOuterClass.In.newBuilder()
                  .setInValue(in.get(0))
                  .addAllLists(in.subList(1, in.size()))
                  .setNegated(false));
      case "between" -> {
        return new Typed(
            and(
                List.of(
                    ExprOuterClass.Expr.newBuilder().setGtEq(binary(in.get(0), in.get(1))).build(),
                    ExprOuterClass.Expr.newBuilder()
                        .setLtEq(binary(in.get(0), in.get(2)))
                        .build())),
            result,
            nullable);
      }
      case "and" -> {
        return new Typed(and(in), result, nullable);
      }
      case "or" -> {
        return new Typed(or(in), result, nullable);
      }
      case "not" -> out.setNot(unary(in.get(0)));
      case "add" -> out.setAdd(math(in.get(0), in.get(1), result));
      case "sub" -> out.setSubtract(math(in.get(0), in.get(1), result));
      case "mul" -> out.setMultiply(math(in.get(0), in.get(1), result));
      case "div" -> {
        // Integer division truncates toward zero (DataFusion's integer division); division by
        // zero is null for every type, as in Spark.
        DataType divisorType = resolution.argumentTypes().get(1);
        ExprOuterClass.MathExpr math = math(in.get(0), nullIfZero(in.get(1), divisorType), result);
        if (!result.isInteger()) {
          out.setDivide(math);
        } else {
          // MIN / -1 overflows in DataFusion; like Spark's LEGACY mode (and Java) it wraps to MIN,
          // which is what negation gives: as 0 - x, since Comet's UnaryMinus negates a literal
          // with a checked negation that fails on MIN (differential seed 20261214)
          ExprOuterClass.Expr divide =
              ExprOuterClass.Expr.newBuilder().setIntegralDivide(math).build();
          ExprOuterClass.Expr negated =
              ExprOuterClass.Expr.newBuilder()
                  .setSubtract(math(zero(result), in.get(0), result))
                  .build();
          return new Typed(ifMinusOne(in.get(1), divisorType, negated, divide), result, nullable);
        }
      }
      case "mod" -> {
        DataType divisorType = resolution.argumentTypes().get(1);
        ExprOuterClass.Expr remainder =
            ExprOuterClass.Expr.newBuilder()
                .setRemainder(math(in.get(0), nullIfZero(in.get(1), divisorType), result))
                .build();
        if (!result.isInteger()) {
          return new Typed(remainder, result, nullable);
        }
        // MIN % -1 overflows in DataFusion; any integer % -1 is 0.
        return new Typed(
            ifMinusOne(in.get(1), divisorType, zero(result), remainder), result, nullable);
      }
      case "neg" -> {
        if (in.get(0).hasLiteral() && in.get(0).getLiteral().getIsNull()) {
          // the negation of a null literal is null; Comet's UnaryMinus fails on a null scalar
          // ("Can not run arithmetic negative on scalar value Decimal128(None, ...)")
          return new Typed(literal(Optional.empty(), result), result, true);
        }
        if (result.isInteger()) {
          // 0 - x wraps for MIN like the other lanes; Comet's UnaryMinus negates a scalar (a
          // literal) with a checked negation that fails on MIN even without fail_on_error
          out.setSubtract(math(zero(result), in.get(0), result));
        } else {
          out.setUnaryMinus(
              ExprOuterClass.UnaryMinus.newBuilder().setChild(in.get(0)).setFailOnError(false));
        }
      }
      case "abs" -> {
        ExprOuterClass.Expr negative =
            ExprOuterClass.Expr.newBuilder().setLt(binary(in.get(0), zero(result))).build();
        // an integer as 0 - x, which wraps for MIN (abs(MIN) = MIN, as on the other lanes):
        // Comet's UnaryMinus negates a literal with a checked negation that fails on MIN
        ExprOuterClass.Expr negated =
            result.isInteger()
                ? ExprOuterClass.Expr.newBuilder()
                    .setSubtract(math(zero(result), in.get(0), result))
                    .build()
                : ExprOuterClass.Expr.newBuilder()
                    .setUnaryMinus(
                        ExprOuterClass.UnaryMinus.newBuilder()
                            .setChild(in.get(0))
                            .setFailOnError(false))
                    .build();
        out.setIf(
            ExprOuterClass.IfExpr.newBuilder()
                .setIfExpr(negative)
                .setTrueExpr(negated)
                .setFalseExpr(in.get(0)));
      }
      case "bit_and" -> out.setBitwiseAnd(binary(in.get(0), in.get(1)));
      case "bit_or" -> out.setBitwiseOr(binary(in.get(0), in.get(1)));
      case "coalesce" -> {
        if (in.size() == 1) {
          // a CASE needs at least one WHEN (DataFusion refuses it): coalesce(a) is a
          out.mergeFrom(in.get(0));
        } else {
          List<ExprOuterClass.Expr> whens = new ArrayList<>();
          for (int i = 0; i < in.size() - 1; i++) {
            whens.add(ExprOuterClass.Expr.newBuilder().setIsNotNull(unary(in.get(i))).build());
          }
          out.mergeFrom(
              caseWhen(whens, in.subList(0, in.size() - 1), in.get(in.size() - 1), result));
        }
      }
      case "nullif" -> {
        ExprOuterClass.Expr equal =
            ExprOuterClass.Expr.newBuilder().setEq(binary(in.get(0), in.get(1))).build();
        out.setIf(
            ExprOuterClass.IfExpr.newBuilder()
                .setIfExpr(equal)
                .setTrueExpr(literal(Optional.empty(), result))
                .setFalseExpr(coerce(args.get(0), result)));
      }
      case "like" -> {
        if (!likePatternIsValid(call.args().get(1))) {
          return new Typed(
              literal(Optional.empty(), PrimitiveType.BOOLEAN), PrimitiveType.BOOLEAN, true);
        }
        out.setLike(binary(in.get(0), in.get(1)));
      }
      case "starts_with", "ends_with", "contains" -> {
        return new Typed(scalarFunc(fn, in, result), result, nullable);
      }
      case "length" -> {
        // Characters, not bytes, as Spark's length.
        return new Typed(scalarFunc("char_length", in, result), result, nullable);
      }
      case "year" -> {
        // As Comet serializes Spark's Year: date_part('year', x) cast to int32. A timestamp_us is
        // UTC, so its year is the UTC year.
        List<ExprOuterClass.Expr> datePart =
            List.of(literal(Optional.of("year"), PrimitiveType.STRING), in.get(0));
        return new Typed(
            castTo(scalarFunc("datepart", datePart, PrimitiveType.FLOAT64, false), result),
            result,
            nullable);
      }
      case "stable_hash64" -> {
        for (Typed arg : args) {
          if (!hashable(arg.type())) {
            throw new Unsupported(
                "stable_hash64 of "
                    + arg.type()
                    + " is not supported by Comet 0.12's xxhash64 (Spark hashes decimals with"
                    + " precision > 18 through BigDecimal)");
          }
        }
        // Spark's xxhash64: the seed is the last argument; null arguments are skipped.
        List<ExprOuterClass.Expr> hashArgs = new ArrayList<>(in);
        hashArgs.add(literal(Optional.of(STABLE_HASH_SEED), PrimitiveType.INT64));
        return new Typed(scalarFunc("xxhash64", hashArgs, result), result, nullable);
      }
      case "span_len" -> out.setSubtract(math(in.get(1), in.get(0), PrimitiveType.INT64));
      case "span_contains" -> {
        // rs >= ls and re <= le
        return new Typed(
            nullOnNull(
                in,
                and(
                    List.of(
                        ExprOuterClass.Expr.newBuilder()
                            .setGtEq(binary(in.get(2), in.get(0)))
                            .build(),
                        ExprOuterClass.Expr.newBuilder()
                            .setLtEq(binary(in.get(3), in.get(1)))
                            .build())),
                result),
            result,
            nullable);
      }
      case "span_overlaps" -> {
        // not (re <= ls or rs >= le)
        ExprOuterClass.Expr disjoint =
            or(
                List.of(
                    ExprOuterClass.Expr.newBuilder().setLtEq(binary(in.get(3), in.get(0))).build(),
                    ExprOuterClass.Expr.newBuilder()
                        .setGtEq(binary(in.get(2), in.get(1)))
                        .build()));
        return new Typed(
            nullOnNull(
                in, ExprOuterClass.Expr.newBuilder().setNot(unary(disjoint)).build(), result),
            result,
            nullable);
      }
      default ->
          throw new Unsupported(
              "function '" + fn + "' is not mapped to a Comet 0.12 expression by this bridge yet");
    }
    return new Typed(out.build(), result, nullable);
  }

  /**
   * {@code value}, or null when any argument is null: the span functions follow "null in gives null
   * out" even where a Kleene and/or alone would decide (docs/format.md).
   */
  private static ExprOuterClass.Expr nullOnNull(
      List<ExprOuterClass.Expr> args, ExprOuterClass.Expr value, DataType result) {
    List<ExprOuterClass.Expr> isNull = new ArrayList<>();
    for (ExprOuterClass.Expr arg : args) {
      isNull.add(ExprOuterClass.Expr.newBuilder().setIsNull(unary(arg)).build());
    }
    return ExprOuterClass.Expr.newBuilder()
        .setIf(
            ExprOuterClass.IfExpr.newBuilder()
                .setIfExpr(or(isNull))
                .setTrueExpr(literal(Optional.empty(), result))
                .setFalseExpr(value))
        .build();
  }

  private static boolean hashable(DataType type) {
    if (type instanceof DecimalType decimal) {
      return decimal.precision() <= 18;
    }
    return type instanceof PrimitiveType;
  }

  private static ExprOuterClass.Expr scalarFunc(
      String name, List<ExprOuterClass.Expr> args, DataType result) {
    return scalarFunc(name, args, result, true);
  }

  /**
   * A call of a function registered in Comet's native session. With {@code typed} the return type
   * is given; without it the function's own return type applies (then cast by the caller).
   */
  private static ExprOuterClass.Expr scalarFunc(
      String name, List<ExprOuterClass.Expr> args, DataType result, boolean typed) {
    ExprOuterClass.ScalarFunc.Builder func =
        ExprOuterClass.ScalarFunc.newBuilder().setFunc(name).addAllArgs(args).setFailOnError(false);
    if (typed) {
      func.setReturnType(CometTypes.proto(result));
    }
    return ExprOuterClass.Expr.newBuilder().setScalarFunc(func).build();
  }

  /**
   * Whether a like pattern follows relspec's escape rule ({@link LikePatterns}), on which
   * DataFusion's like agrees ({@code \%}, {@code \_}, {@code \\}); a constant pattern that breaks
   * it makes like null. A pattern computed per row cannot be checked natively (DataFusion reads a
   * backslash before any character as an escape and a trailing one as a literal), so it is {@link
   * Unsupported} and the op runs on the reference lane.
   */
  private boolean likePatternIsValid(Expr pattern) throws Unsupported {
    Literal constant =
        pattern instanceof Literal lit
            ? lit
            : pattern instanceof ParamRef ref ? params.get(ref.name()) : null;
    if (constant == null) {
      throw new Unsupported(
          "like with a pattern computed per row: DataFusion reads a backslash before any"
              + " character as an escape, relspec's like is null where the pattern escapes"
              + " anything but %, _ or a backslash, and Comet 0.12 has nothing to check it with");
    }
    return !(constant.value().orElse(null) instanceof String p) || LikePatterns.isValid(p);
  }

  private Typed caseWhen(Case kase) throws Unsupported {
    List<Typed> conditions = new ArrayList<>();
    List<Typed> values = new ArrayList<>();
    for (Case.When when : kase.branches()) {
      conditions.add(translate(when.when()));
      values.add(translate(when.then()));
    }
    Optional<Typed> otherwise = Optional.empty();
    if (kase.otherwise().isPresent()) {
      otherwise = Optional.of(translate(kase.otherwise().get()));
    }
    DataType result = null;
    boolean nullable = otherwise.isEmpty();
    List<Typed> all = new ArrayList<>(values);
    otherwise.ifPresent(all::add);
    for (Typed value : all) {
      nullable |= value.nullable();
      result =
          result == null
              ? value.type()
              : TypeRules.commonType(result, value.type())
                  .orElseThrow(() -> new IllegalStateException("case branches do not unify"));
    }
    List<ExprOuterClass.Expr> whens = new ArrayList<>();
    List<ExprOuterClass.Expr> thens = new ArrayList<>();
    for (int i = 0; i < conditions.size(); i++) {
      whens.add(conditions.get(i).proto());
      thens.add(coerce(values.get(i), result));
    }
    ExprOuterClass.Expr elseExpr =
        otherwise.isPresent() ? coerce(otherwise.get(), result) : literal(Optional.empty(), result);
    return new Typed(caseWhen(whens, thens, elseExpr, result), result, nullable);
  }

  /**
   * CASE WHEN whens[i] THEN thens[i] ... ELSE elseExpr. Comet 0.12's planner casts every CASE
   * branch to the common type with no time zone, which panics for timestamps ("assertion failed:
   * !timezone.is_empty()"), so a timestamp CASE is a chain of IFs (a null condition takes the else
   * branch, as in CASE).
   */
  private static ExprOuterClass.Expr caseWhen(
      List<ExprOuterClass.Expr> whens,
      List<ExprOuterClass.Expr> thens,
      ExprOuterClass.Expr elseExpr,
      DataType result) {
    if (result == PrimitiveType.TIMESTAMP_US) {
      ExprOuterClass.Expr chain = elseExpr;
      for (int i = whens.size() - 1; i >= 0; i--) {
        chain =
            ExprOuterClass.Expr.newBuilder()
                .setIf(
                    ExprOuterClass.IfExpr.newBuilder()
                        .setIfExpr(whens.get(i))
                        .setTrueExpr(thens.get(i))
                        .setFalseExpr(chain))
                .build();
      }
      return chain;
    }
    ExprOuterClass.CaseWhen.Builder builder = ExprOuterClass.CaseWhen.newBuilder();
    builder.addAllWhen(whens).addAllThen(thens).setElseExpr(elseExpr);
    return ExprOuterClass.Expr.newBuilder().setCaseWhen(builder).build();
  }

  /** {@code expr} as {@code type}: itself when it already has it, else a Spark LEGACY cast. */
  static ExprOuterClass.Expr coerce(Typed expr, DataType type) {
    return expr.type().equals(type) ? expr.proto() : castTo(expr.proto(), type);
  }

  /**
   * A float sort, group or join key normalized the way relspec compares floats: -0.0 as 0.0 and
   * every NaN as the one positive NaN (Comet's {@code NormalizeNaNAndZero}, what Spark puts under
   * float keys). DataFusion orders floats by their total order, where -0.0 sorts before 0.0 and a
   * NaN by its sign; normalized, -0.0 equals 0.0 and NaN is the largest value, equal to NaN, as the
   * spec orders them. Other types are returned unchanged.
   */
  static ExprOuterClass.Expr sortKey(ExprOuterClass.Expr child, DataType type) {
    if (!type.isFloating()) {
      return child;
    }
    return ExprOuterClass.Expr.newBuilder()
        .setNormalizeNanAndZero(
            ExprOuterClass.NormalizeNaNAndZero.newBuilder()
                .setChild(child)
                .setDatatype(CometTypes.proto(type)))
        .build();
  }

  /** A Spark LEGACY cast, for the widenings and casts that cannot fail. */
  static ExprOuterClass.Expr castTo(ExprOuterClass.Expr child, DataType type) {
    return castTo(child, type, ExprOuterClass.EvalMode.LEGACY);
  }

  /**
   * A cast in {@code mode}; an explicit relspec cast is TRY, so a value out of the target's range
   * is null (the spec's failed cast) where LEGACY would wrap (300 to int8 gives 44).
   */
  static ExprOuterClass.Expr castTo(
      ExprOuterClass.Expr child, DataType type, ExprOuterClass.EvalMode mode) {
    return ExprOuterClass.Expr.newBuilder()
        .setCast(
            ExprOuterClass.Cast.newBuilder()
                .setChild(child)
                .setDatatype(CometTypes.proto(type))
                .setTimezone("UTC")
                .setEvalMode(mode)
                .setAllowIncompat(false))
        .build();
  }

  /**
   * Null where {@code value} is zero (the spec's division by zero). A float -0.0 is zero too:
   * Comet's float equality compares the bits (-0.0 is not 0.0 there), so the divisor is compared
   * normalized ({@link #sortKey}); the division itself keeps the divisor's own value.
   */
  private static ExprOuterClass.Expr nullIfZero(ExprOuterClass.Expr value, DataType type) {
    ExprOuterClass.Expr isZero =
        ExprOuterClass.Expr.newBuilder().setEq(binary(sortKey(value, type), zero(type))).build();
    return ExprOuterClass.Expr.newBuilder()
        .setIf(
            ExprOuterClass.IfExpr.newBuilder()
                .setIfExpr(isZero)
                .setTrueExpr(literal(Optional.empty(), type))
                .setFalseExpr(value))
        .build();
  }

  /** {@code if divisor = -1 then whenMinusOne else otherwise}; a null divisor takes otherwise. */
  private static ExprOuterClass.Expr ifMinusOne(
      ExprOuterClass.Expr divisor,
      DataType type,
      ExprOuterClass.Expr whenMinusOne,
      ExprOuterClass.Expr otherwise) {
    ExprOuterClass.Expr isMinusOne =
        ExprOuterClass.Expr.newBuilder()
            .setEq(binary(divisor, literal(Optional.of(-1L), type)))
            .build();
    return ExprOuterClass.Expr.newBuilder()
        .setIf(
            ExprOuterClass.IfExpr.newBuilder()
                .setIfExpr(isMinusOne)
                .setTrueExpr(whenMinusOne)
                .setFalseExpr(otherwise))
        .build();
  }

  private static ExprOuterClass.Expr zero(DataType type) {
    Object zero;
    if (type.isInteger()) {
      zero = 0L;
    } else if (type.isFloating()) {
      zero = 0.0d;
    } else {
      zero = BigDecimal.ZERO;
    }
    return literal(Optional.of(zero), type);
  }

  private static ExprOuterClass.MathExpr math(
      ExprOuterClass.Expr left, ExprOuterClass.Expr right, DataType result) {
    return ExprOuterClass.MathExpr.newBuilder()
        .setLeft(left)
        .setRight(right)
        .setReturnType(CometTypes.proto(result))
        .setEvalMode(ExprOuterClass.EvalMode.LEGACY)
        .build();
  }

  private static ExprOuterClass.BinaryExpr binary(
      ExprOuterClass.Expr left, ExprOuterClass.Expr right) {
    return ExprOuterClass.BinaryExpr.newBuilder().setLeft(left).setRight(right).build();
  }

  private static ExprOuterClass.UnaryExpr unary(ExprOuterClass.Expr child) {
    return ExprOuterClass.UnaryExpr.newBuilder().setChild(child).build();
  }

  static ExprOuterClass.Expr and(List<ExprOuterClass.Expr> args) {
    ExprOuterClass.Expr acc = args.get(0);
    for (ExprOuterClass.Expr next : args.subList(1, args.size())) {
      acc = ExprOuterClass.Expr.newBuilder().setAnd(binary(acc, next)).build();
    }
    return acc;
  }

  private static ExprOuterClass.Expr or(List<ExprOuterClass.Expr> args) {
    ExprOuterClass.Expr acc = args.get(0);
    for (ExprOuterClass.Expr next : args.subList(1, args.size())) {
      acc = ExprOuterClass.Expr.newBuilder().setOr(binary(acc, next)).build();
    }
    return acc;
  }

  /** A literal in its canonical Java form (see {@link Literal}) as Comet's literal protobuf. */
  static ExprOuterClass.Expr literal(Optional<Object> value, DataType type) {
    LiteralOuterClass.Literal.Builder lit =
        LiteralOuterClass.Literal.newBuilder().setDatatype(CometTypes.proto(type));
    if (value.isEmpty()) {
      lit.setIsNull(true);
    } else {
      Object v = value.get();
      if (type instanceof DecimalType decimal) {
        BigDecimal number = v instanceof BigDecimal big ? big : new BigDecimal(v.toString());
        lit.setDecimalVal(
            ByteString.copyFrom(
                number
                    .setScale(decimal.scale(), RoundingMode.UNNECESSARY)
                    .unscaledValue()
                    .toByteArray()));
      } else {
        PrimitiveType primitive = (PrimitiveType) type;
        switch (primitive) {
          case BOOLEAN -> lit.setBoolVal((Boolean) v);
          case INT8 -> lit.setByteVal(((Number) v).intValue());
          case INT16 -> lit.setShortVal(((Number) v).intValue());
          case INT32 -> lit.setIntVal(((Number) v).intValue());
          case INT64 -> lit.setLongVal(((Number) v).longValue());
          case FLOAT32 -> lit.setFloatVal(((Number) v).floatValue());
          case FLOAT64 -> lit.setDoubleVal(((Number) v).doubleValue());
          case STRING -> lit.setStringVal((String) v);
          case BINARY -> lit.setBytesVal(ByteString.copyFrom(((Bytes) v).toByteArray()));
          case DATE32 -> lit.setIntVal((int) ((LocalDate) v).toEpochDay());
          case TIMESTAMP_US ->
              // not ChronoUnit.MICROS.between: it counts nanoseconds and overflows ~292 years out
              lit.setLongVal(
                  Math.addExact(
                      Math.multiplyExact(((Instant) v).getEpochSecond(), 1_000_000L),
                      ((Instant) v).getNano() / 1000));
        }
      }
    }
    return ExprOuterClass.Expr.newBuilder().setLiteral(lit).build();
  }
}
