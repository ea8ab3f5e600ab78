package io.relspec.ir.validate;

import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The function and aggregate registry of format v1 with each function's type rule. Lanes use {@link
 * #resolve} to learn the result type and the types the arguments are widened to.
 */
public final class FunctionRegistry {
  public static final Set<String> SCALAR_FUNCTIONS =
      Collections.unmodifiableSet(
          new TreeSet<>(
              List.of(
                  "eq",
                  "ne",
                  "lt",
                  "le",
                  "gt",
                  "ge",
                  "is_null",
                  "is_not_null",
                  "in",
                  "between",
                  "and",
                  "or",
                  "not",
                  "add",
                  "sub",
                  "mul",
                  "div",
                  "mod",
                  "neg",
                  "abs",
                  "bit_and",
                  "bit_or",
                  "coalesce",
                  "nullif",
                  "concat",
                  "lower",
                  "upper",
                  "trim",
                  "length",
                  "substr",
                  "starts_with",
                  "ends_with",
                  "contains",
                  "like",
                  "year",
                  "date_add_days",
                  "span_len",
                  "span_contains",
                  "span_overlaps",
                  "stable_hash64")));

  public static final Set<String> AGGREGATE_FUNCTIONS =
      Collections.unmodifiableSet(new TreeSet<>(List.of("count", "sum", "min", "max", "avg")));

  private FunctionRegistry() {}

  /**
   * A resolved call: the result type and, per argument, the type it is widened to before the
   * function applies.
   */
  public record Resolution(ExprType result, List<DataType> argumentTypes) {
    public Resolution {
      argumentTypes = List.copyOf(argumentTypes);
    }
  }

  /** Thrown with the reason a call does not type-check. */
  public static final class TypeError extends Exception {
    private static final long serialVersionUID = 1L;

    TypeError(String message) {
      super(message);
    }
  }

  public static boolean isScalar(String fn) {
    return SCALAR_FUNCTIONS.contains(fn);
  }

  public static boolean isAggregate(String fn) {
    return AGGREGATE_FUNCTIONS.contains(fn);
  }

  /** Resolves a scalar function call over argument types. */
  public static Resolution resolve(String fn, List<ExprType> args) throws TypeError {
    boolean anyNullable = args.stream().anyMatch(ExprType::nullable);
    switch (fn) {
      case "eq", "ne", "lt", "le", "gt", "ge" -> {
        arity(fn, args, 2, 2);
        DataType common = common(fn, args);
        if (!fn.equals("eq") && !fn.equals("ne") && !TypeRules.isOrderable(common)) {
          throw new TypeError(fn + " needs orderable arguments, found " + common.typeString());
        }
        return same(PrimitiveType.BOOLEAN, anyNullable, common, args.size());
      }
      case "is_null", "is_not_null" -> {
        arity(fn, args, 1, 1);
        return new Resolution(ExprType.of(PrimitiveType.BOOLEAN, false), types(args));
      }
      case "in" -> {
        arity(fn, args, 2, Integer.MAX_VALUE);
        return same(PrimitiveType.BOOLEAN, anyNullable, common(fn, args), args.size());
      }
      case "between" -> {
        arity(fn, args, 3, 3);
        DataType common = common(fn, args);
        if (!TypeRules.isOrderable(common)) {
          throw new TypeError("between needs orderable arguments, found " + common.typeString());
        }
        return same(PrimitiveType.BOOLEAN, anyNullable, common, 3);
      }
      case "and", "or" -> {
        arity(fn, args, 1, Integer.MAX_VALUE);
        requireAll(fn, args, PrimitiveType.BOOLEAN);
        return same(PrimitiveType.BOOLEAN, anyNullable, PrimitiveType.BOOLEAN, args.size());
      }
      case "not" -> {
        arity(fn, args, 1, 1);
        requireAll(fn, args, PrimitiveType.BOOLEAN);
        return same(PrimitiveType.BOOLEAN, anyNullable, PrimitiveType.BOOLEAN, 1);
      }
      case "add", "sub", "mul", "div", "mod" -> {
        arity(fn, args, 2, 2);
        return arithmetic(fn, args.get(0), args.get(1));
      }
      case "neg", "abs" -> {
        arity(fn, args, 1, 1);
        DataType type = args.get(0).type();
        if (!type.isNumeric()) {
          throw new TypeError(fn + " needs a number, found " + type.typeString());
        }
        return same(type, anyNullable, type, 1);
      }
      case "bit_and", "bit_or" -> {
        arity(fn, args, 2, 2);
        DataType common = common(fn, args);
        if (!common.isInteger()) {
          throw new TypeError(fn + " needs integers, found " + describe(args));
        }
        return same(common, anyNullable, common, 2);
      }
      case "coalesce" -> {
        arity(fn, args, 1, Integer.MAX_VALUE);
        DataType common = common(fn, args);
        boolean allNullable = args.stream().allMatch(ExprType::nullable);
        return same(common, allNullable, common, args.size());
      }
      case "nullif" -> {
        arity(fn, args, 2, 2);
        DataType common = common(fn, args);
        return new Resolution(ExprType.of(args.get(0).type(), true), List.of(common, common));
      }
      case "concat" -> {
        arity(fn, args, 1, Integer.MAX_VALUE);
        requireAll(fn, args, PrimitiveType.STRING);
        return same(PrimitiveType.STRING, anyNullable, PrimitiveType.STRING, args.size());
      }
      case "lower", "upper", "trim" -> {
        arity(fn, args, 1, 1);
        requireAll(fn, args, PrimitiveType.STRING);
        return same(PrimitiveType.STRING, anyNullable, PrimitiveType.STRING, 1);
      }
      case "length" -> {
        arity(fn, args, 1, 1);
        requireAll(fn, args, PrimitiveType.STRING);
        return new Resolution(ExprType.of(PrimitiveType.INT32, anyNullable), types(args));
      }
      case "substr" -> {
        arity(fn, args, 3, 3);
        requireArg(fn, args, 0, PrimitiveType.STRING);
        requireInteger(fn, args, 1);
        requireInteger(fn, args, 2);
        return new Resolution(
            ExprType.of(PrimitiveType.STRING, anyNullable),
            List.of(PrimitiveType.STRING, PrimitiveType.INT32, PrimitiveType.INT32));
      }
      case "starts_with", "ends_with", "contains", "like" -> {
        arity(fn, args, 2, 2);
        requireAll(fn, args, PrimitiveType.STRING);
        return new Resolution(ExprType.of(PrimitiveType.BOOLEAN, anyNullable), types(args));
      }
      case "year" -> {
        arity(fn, args, 1, 1);
        DataType type = args.get(0).type();
        if (type != PrimitiveType.DATE32 && type != PrimitiveType.TIMESTAMP_US) {
          throw new TypeError("year needs a date32 or timestamp_us, found " + type.typeString());
        }
        return new Resolution(ExprType.of(PrimitiveType.INT32, anyNullable), types(args));
      }
      case "date_add_days" -> {
        arity(fn, args, 2, 2);
        requireArg(fn, args, 0, PrimitiveType.DATE32);
        requireInteger(fn, args, 1);
        return new Resolution(
            ExprType.of(PrimitiveType.DATE32, anyNullable),
            List.of(PrimitiveType.DATE32, PrimitiveType.INT32));
      }
      case "span_len" -> {
        arity(fn, args, 2, 2);
        for (int i = 0; i < 2; i++) {
          requireInteger(fn, args, i);
        }
        return same(PrimitiveType.INT64, anyNullable, PrimitiveType.INT64, 2);
      }
      case "span_contains", "span_overlaps" -> {
        arity(fn, args, 4, 4);
        for (int i = 0; i < 4; i++) {
          requireInteger(fn, args, i);
        }
        return same(PrimitiveType.BOOLEAN, anyNullable, PrimitiveType.INT64, 4);
      }
      case "stable_hash64" -> {
        arity(fn, args, 1, Integer.MAX_VALUE);
        return new Resolution(ExprType.of(PrimitiveType.INT64, false), types(args));
      }
      default ->
          throw new TypeError(
              "unknown function '" + fn + "'; the registry has " + SCALAR_FUNCTIONS);
    }
  }

  /** Resolves an aggregate; {@code args} is empty only for {@code count()}. */
  public static Resolution resolveAggregate(String fn, List<ExprType> args) throws TypeError {
    switch (fn) {
      case "count" -> {
        arity(fn, args, 0, 1);
        return new Resolution(ExprType.of(PrimitiveType.INT64, false), types(args));
      }
      case "sum" -> {
        arity(fn, args, 1, 1);
        DataType type = args.get(0).type();
        DataType result;
        if (type.isInteger()) {
          result = PrimitiveType.INT64;
        } else if (type.isFloating()) {
          result = PrimitiveType.FLOAT64;
        } else if (type instanceof DecimalType decimal) {
          result = TypeRules.sumDecimal(decimal);
        } else {
          throw new TypeError("sum needs a number, found " + type.typeString());
        }
        return new Resolution(ExprType.of(result, true), List.of(result));
      }
      case "avg" -> {
        arity(fn, args, 1, 1);
        DataType type = args.get(0).type();
        if (!type.isNumeric()) {
          throw new TypeError("avg needs a number, found " + type.typeString());
        }
        return new Resolution(
            ExprType.of(PrimitiveType.FLOAT64, true), List.of(PrimitiveType.FLOAT64));
      }
      case "min", "max" -> {
        arity(fn, args, 1, 1);
        DataType type = args.get(0).type();
        if (!TypeRules.isOrderable(type)) {
          throw new TypeError(fn + " needs an orderable value, found " + type.typeString());
        }
        return new Resolution(ExprType.of(type, true), List.of(type));
      }
      default ->
          throw new TypeError(
              "unknown aggregate function '" + fn + "'; aggregates are " + AGGREGATE_FUNCTIONS);
    }
  }

  private static Resolution arithmetic(String fn, ExprType left, ExprType right) throws TypeError {
    DataType a = left.type();
    DataType b = right.type();
    if (!a.isNumeric() || !b.isNumeric()) {
      throw new TypeError(
          fn + " needs numbers, found " + a.typeString() + " and " + b.typeString());
    }
    boolean nullable = left.nullable() || right.nullable() || fn.equals("div") || fn.equals("mod");
    DataType common = TypeRules.commonType(a, b).orElseThrow();
    if (common instanceof DecimalType) {
      DecimalType da = TypeRules.asDecimal(a);
      DecimalType db = TypeRules.asDecimal(b);
      DecimalType result =
          switch (fn) {
            case "add", "sub" -> TypeRules.addDecimal(da, db);
            case "mul" -> TypeRules.multiplyDecimal(da, db);
            case "div" -> TypeRules.divideDecimal(da, db);
            default -> TypeRules.remainderDecimal(da, db);
          };
      return new Resolution(ExprType.of(result, nullable), List.of(da, db));
    }
    return new Resolution(ExprType.of(common, nullable), List.of(common, common));
  }

  private static Resolution same(DataType result, boolean nullable, DataType argType, int count) {
    List<DataType> argTypes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      argTypes.add(argType);
    }
    return new Resolution(ExprType.of(result, nullable), argTypes);
  }

  private static List<DataType> types(List<ExprType> args) {
    return args.stream().map(ExprType::type).toList();
  }

  private static DataType common(String fn, List<ExprType> args) throws TypeError {
    DataType common = args.get(0).type();
    for (ExprType arg : args.subList(1, args.size())) {
      Optional<DataType> next = TypeRules.commonType(common, arg.type());
      if (next.isEmpty()) {
        throw new TypeError(
            fn
                + " cannot compare "
                + describe(args)
                + ": no implicit widening joins "
                + common.typeString()
                + " and "
                + arg.type().typeString()
                + "; add a cast");
      }
      common = next.get();
    }
    return common;
  }

  private static void arity(String fn, List<ExprType> args, int min, int max) throws TypeError {
    if (args.size() < min || args.size() > max) {
      String expected =
          min == max
              ? String.valueOf(min)
              : max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
      throw new TypeError(
          fn
              + " takes "
              + expected
              + " argument"
              + (expected.equals("1") ? "" : "s")
              + ", found "
              + args.size());
    }
  }

  private static void requireAll(String fn, List<ExprType> args, DataType type) throws TypeError {
    for (int i = 0; i < args.size(); i++) {
      requireArg(fn, args, i, type);
    }
  }

  private static void requireArg(String fn, List<ExprType> args, int i, DataType type)
      throws TypeError {
    if (!args.get(i).type().equals(type)) {
      throw new TypeError(
          fn
              + " needs "
              + type.typeString()
              + " for argument "
              + i
              + ", found "
              + args.get(i).type().typeString()
              + (type == PrimitiveType.STRING ? "; cast it to string" : ""));
    }
  }

  private static void requireInteger(String fn, List<ExprType> args, int i) throws TypeError {
    if (!args.get(i).type().isInteger()) {
      throw new TypeError(
          fn
              + " needs an integer for argument "
              + i
              + ", found "
              + args.get(i).type().typeString());
    }
  }

  private static String describe(List<ExprType> args) {
    return args.stream().map(a -> a.type().typeString()).toList().toString();
  }
}
