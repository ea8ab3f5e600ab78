package io.relspec.ir.build;

import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.ParamRef;
import io.relspec.ir.expr.Side;
import io.relspec.ir.json.LiteralCodec;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Static factories for expressions, for rules written in code: {@code fn("eq", col("a"), lit(1L))}
 * builds exactly what {@code {"fn":"eq","args":[{"col":"a"},{"lit":1,"type":"int64"}]}} reads to.
 */
public final class Exprs {
  private Exprs() {}

  public static ColumnRef col(String name) {
    return new ColumnRef(name);
  }

  /** A left-side column of a join condition. */
  public static ColumnRef left(String name) {
    return new ColumnRef(name, Optional.of(Side.LEFT));
  }

  /** A right-side column of a join condition. */
  public static ColumnRef right(String name) {
    return new ColumnRef(name, Optional.of(Side.RIGHT));
  }

  /** An int64 literal. */
  public static Literal lit(long value) {
    return Literal.of(value, PrimitiveType.INT64);
  }

  /** An int32 literal. */
  public static Literal lit(int value) {
    return Literal.of((long) value, PrimitiveType.INT32);
  }

  public static Literal lit(double value) {
    return Literal.of(value, PrimitiveType.FLOAT64);
  }

  public static Literal lit(boolean value) {
    return Literal.of(value, PrimitiveType.BOOLEAN);
  }

  public static Literal lit(String value) {
    return Literal.of(value, PrimitiveType.STRING);
  }

  /**
   * A literal of any type from a Java value (Integer/Long/..., Double, String, BigDecimal,
   * LocalDate, Instant, Bytes) or its JSON text form (e.g. "12.50" for a decimal).
   */
  public static Literal lit(Object value, String type) {
    return lit(value, TypeParser.of(type));
  }

  public static Literal lit(Object value, DataType type) {
    Object canonical;
    if (value instanceof String text && type != PrimitiveType.STRING) {
      try {
        canonical = LiteralCodec.fromText(text, type).orElseThrow();
      } catch (LiteralCodec.BadLiteralException e) {
        throw new IllegalArgumentException(
            "Cannot use \""
                + text
                + "\" as a literal of type "
                + type.typeString()
                + ": "
                + e.getMessage(),
            e);
      }
    } else {
      canonical = LiteralCodec.canonicalize(value, type);
    }
    return Literal.of(canonical, type);
  }

  public static Literal nullLit(String type) {
    return Literal.nullOf(TypeParser.of(type));
  }

  public static ParamRef param(String name) {
    return new ParamRef(name);
  }

  public static Call fn(String name, Expr... args) {
    return new Call(name, List.of(args));
  }

  public static Cast cast(Expr expr, String type) {
    return new Cast(expr, TypeParser.of(type));
  }

  public static Call eq(Expr a, Expr b) {
    return fn("eq", a, b);
  }

  public static Call ne(Expr a, Expr b) {
    return fn("ne", a, b);
  }

  public static Call lt(Expr a, Expr b) {
    return fn("lt", a, b);
  }

  public static Call le(Expr a, Expr b) {
    return fn("le", a, b);
  }

  public static Call gt(Expr a, Expr b) {
    return fn("gt", a, b);
  }

  public static Call ge(Expr a, Expr b) {
    return fn("ge", a, b);
  }

  public static Call and(Expr... args) {
    return fn("and", args);
  }

  public static Call or(Expr... args) {
    return fn("or", args);
  }

  public static Call not(Expr arg) {
    return fn("not", arg);
  }

  public static Call isNull(Expr arg) {
    return fn("is_null", arg);
  }

  public static Call isNotNull(Expr arg) {
    return fn("is_not_null", arg);
  }

  /** Starts a case expression: {@code when(c1, v1).when(c2, v2).otherwise(v3)}. */
  public static CaseBuilder when(Expr condition, Expr value) {
    return new CaseBuilder().when(condition, value);
  }

  /** Builds a {@link Case}, branch by branch. */
  public static final class CaseBuilder {
    private final List<Case.When> branches = new ArrayList<>();

    private CaseBuilder() {}

    public CaseBuilder when(Expr condition, Expr value) {
      branches.add(new Case.When(condition, value));
      return this;
    }

    public Case otherwise(Expr value) {
      return new Case(branches, Optional.of(value));
    }

    /** The case with no else branch (null when no branch is true). */
    public Case end() {
      return new Case(branches, Optional.empty());
    }
  }
}
