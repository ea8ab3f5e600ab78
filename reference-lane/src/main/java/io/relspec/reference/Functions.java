package io.relspec.reference;

import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.validate.LikePatterns;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The scalar function registry of format v1 (section 3) over canonical values: SQL three-valued
 * logic (null in gives null out unless stated), integer arithmetic that wraps at the result width
 * as Spark's does with ANSI mode off, integer {@code div} truncating toward zero, division and
 * remainder by zero null, decimals by {@link DecimalMath}.
 */
final class Functions {
  private Functions() {}

  /**
   * @param args evaluators widened to {@code argTypes}
   * @param raw the same arguments before widening (of {@code rawTypes})
   */
  static Evaluator scalar(
      String fn,
      List<Evaluator> args,
      List<Evaluator> raw,
      List<DataType> argTypes,
      List<DataType> rawTypes,
      DataType result) {
    Evaluator a = args.isEmpty() ? null : args.get(0);
    Evaluator b = args.size() < 2 ? null : args.get(1);
    switch (fn) {
      case "eq":
        return compare(a, b, c -> c == 0);
      case "ne":
        return compare(a, b, c -> c != 0);
      case "lt":
        return compare(a, b, c -> c < 0);
      case "le":
        return compare(a, b, c -> c <= 0);
      case "gt":
        return compare(a, b, c -> c > 0);
      case "ge":
        return compare(a, b, c -> c >= 0);
      case "is_null":
        return row -> a.eval(row) == null;
      case "is_not_null":
        return row -> a.eval(row) != null;
      case "in":
        return row -> in(row, args);
      case "between":
        {
          Evaluator lo = compare(a, b, c -> c >= 0);
          Evaluator hi = compare(a, args.get(2), c -> c <= 0);
          return row -> and(lo.eval(row), hi.eval(row));
        }
      case "and":
        return row -> {
          boolean sawNull = false;
          for (Evaluator arg : args) {
            Object v = arg.eval(row);
            if (Boolean.FALSE.equals(v)) {
              return false;
            }
            sawNull |= v == null;
          }
          return sawNull ? null : true;
        };
      case "or":
        return row -> {
          boolean sawNull = false;
          for (Evaluator arg : args) {
            Object v = arg.eval(row);
            if (Boolean.TRUE.equals(v)) {
              return true;
            }
            sawNull |= v == null;
          }
          return sawNull ? null : false;
        };
      case "not":
        return row -> {
          Object v = a.eval(row);
          return v == null ? null : !(Boolean) v;
        };
      case "add", "sub", "mul", "div", "mod":
        return arithmetic(fn, a, b, result);
      case "neg":
        return unary(a, v -> negate(v, result));
      case "abs":
        return unary(
            a, v -> v instanceof Double d ? Math.abs(d) : signum(v) < 0 ? negate(v, result) : v);
      case "bit_and":
        return binary(a, b, (x, y) -> wrap((Long) x & (Long) y, result));
      case "bit_or":
        return binary(a, b, (x, y) -> wrap((Long) x | (Long) y, result));
      case "coalesce":
        return row -> {
          for (Evaluator arg : args) {
            Object v = arg.eval(row);
            if (v != null) {
              return v;
            }
          }
          return null;
        };
      case "nullif":
        {
          Evaluator first = raw.get(0);
          return row -> {
            Object x = first.eval(row);
            Object wx = a.eval(row);
            Object wy = b.eval(row);
            if (wx != null && wy != null && Values.key(wx).equals(Values.key(wy))) {
              return null;
            }
            return x;
          };
        }
      case "concat":
        return row -> {
          StringBuilder text = new StringBuilder();
          for (Evaluator arg : args) {
            Object v = arg.eval(row);
            if (v == null) {
              return null;
            }
            text.append((String) v);
          }
          return text.toString();
        };
      case "lower":
        return unary(a, v -> ((String) v).toLowerCase(Locale.ROOT));
      case "upper":
        return unary(a, v -> ((String) v).toUpperCase(Locale.ROOT));
      case "trim":
        return unary(a, v -> trimSpaces((String) v));
      case "length":
        return unary(a, v -> (long) ((String) v).codePointCount(0, ((String) v).length()));
      case "substr":
        return row -> {
          Object s = a.eval(row);
          Object pos = b.eval(row);
          Object len = args.get(2).eval(row);
          if (s == null || pos == null || len == null) {
            return null;
          }
          return substr((String) s, (int) (long) (Long) pos, (int) (long) (Long) len);
        };
      case "starts_with":
        return binary(a, b, (x, y) -> ((String) x).startsWith((String) y));
      case "ends_with":
        return binary(a, b, (x, y) -> ((String) x).endsWith((String) y));
      case "contains":
        return binary(a, b, (x, y) -> ((String) x).contains((String) y));
      case "like":
        return like(a, b);
      case "year":
        {
          boolean timestamp = argTypes.get(0) == PrimitiveType.TIMESTAMP_US;
          return unary(
              a,
              v -> {
                long day =
                    timestamp ? Math.floorDiv((Long) v, Casts.MICROS_PER_DAY) : (long) (Integer) v;
                return (long) LocalDate.ofEpochDay(day).getYear();
              });
        }
      case "date_add_days":
        return binary(a, b, (x, y) -> (int) ((Integer) x + (Long) y));
      case "span_len":
        return binary(a, b, (x, y) -> (Long) y - (Long) x);
      case "span_contains":
        return spans(args, (ls, le, rs, re) -> rs >= ls && re <= le);
      case "span_overlaps":
        return spans(args, (ls, le, rs, re) -> !(re <= ls || rs >= le));
      case "stable_hash64":
        return row -> {
          List<Object> values = new ArrayList<>(raw.size());
          for (Evaluator arg : raw) {
            values.add(arg.eval(row));
          }
          return SparkHash.hash(values, rawTypes);
        };
      default:
        throw new IllegalStateException("Cannot evaluate function '" + fn + "': not in v1");
    }
  }

  private interface IntPredicate {
    boolean test(int comparison);
  }

  private interface Binary {
    Object apply(Object x, Object y);
  }

  private interface Unary {
    Object apply(Object x);
  }

  private interface SpanTest {
    boolean test(long ls, long le, long rs, long re);
  }

  private static Evaluator compare(Evaluator a, Evaluator b, IntPredicate test) {
    return row -> {
      Object x = a.eval(row);
      if (x == null) {
        return null;
      }
      Object y = b.eval(row);
      if (y == null) {
        return null;
      }
      if (x instanceof List<?> || y instanceof List<?>) {
        return test.test(Values.key(x).equals(Values.key(y)) ? 0 : 1);
      }
      return test.test(Values.compare(x, y));
    };
  }

  private static Object in(Row row, List<Evaluator> args) {
    Object x = args.get(0).eval(row);
    if (x == null) {
      return null;
    }
    Object key = Values.key(x);
    boolean sawNull = false;
    for (int i = 1; i < args.size(); i++) {
      Object y = args.get(i).eval(row);
      if (y == null) {
        sawNull = true;
      } else if (key.equals(Values.key(y))) {
        return true;
      }
    }
    return sawNull ? null : false;
  }

  static Object and(Object x, Object y) {
    if (Boolean.FALSE.equals(x) || Boolean.FALSE.equals(y)) {
      return false;
    }
    return x == null || y == null ? null : true;
  }

  private static Evaluator unary(Evaluator a, Unary f) {
    return row -> {
      Object x = a.eval(row);
      return x == null ? null : f.apply(x);
    };
  }

  private static Evaluator binary(Evaluator a, Evaluator b, Binary f) {
    return row -> {
      Object x = a.eval(row);
      if (x == null) {
        return null;
      }
      Object y = b.eval(row);
      return y == null ? null : f.apply(x, y);
    };
  }

  private static Evaluator spans(List<Evaluator> args, SpanTest test) {
    return row -> {
      long[] v = new long[4];
      for (int i = 0; i < 4; i++) {
        Object x = args.get(i).eval(row);
        if (x == null) {
          return null;
        }
        v[i] = (Long) x;
      }
      return test.test(v[0], v[1], v[2], v[3]);
    };
  }

  private static Evaluator arithmetic(String fn, Evaluator a, Evaluator b, DataType result) {
    if (result instanceof DecimalType decimal) {
      return binary(
          a,
          b,
          (x, y) -> {
            BigDecimal p = (BigDecimal) x;
            BigDecimal q = (BigDecimal) y;
            return switch (fn) {
              case "add" -> DecimalMath.add(p, q, decimal);
              case "sub" -> DecimalMath.subtract(p, q, decimal);
              case "mul" -> DecimalMath.multiply(p, q, decimal);
              case "div" -> DecimalMath.divide(p, q, decimal);
              default -> DecimalMath.remainder(p, q, decimal);
            };
          });
    }
    if (result.isFloating()) {
      boolean single = result == PrimitiveType.FLOAT32;
      return binary(
          a,
          b,
          (x, y) -> {
            double p = (Double) x;
            double q = (Double) y;
            if ((fn.equals("div") || fn.equals("mod")) && q == 0.0) {
              return null;
            }
            double r =
                switch (fn) {
                  case "add" -> p + q;
                  case "sub" -> p - q;
                  case "mul" -> p * q;
                  case "div" -> p / q;
                  default -> p % q;
                };
            return single ? (double) (float) r : r;
          });
    }
    return binary(
        a,
        b,
        (x, y) -> {
          long p = (Long) x;
          long q = (Long) y;
          if ((fn.equals("div") || fn.equals("mod")) && q == 0L) {
            return null;
          }
          long r =
              switch (fn) {
                case "add" -> p + q;
                case "sub" -> p - q;
                case "mul" -> p * q;
                case "div" -> p / q;
                default -> p % q;
              };
          return wrap(r, result);
        });
  }

  /** An integer result wrapped to its type's width, as Spark's non-ANSI arithmetic does. */
  static Long wrap(long value, DataType type) {
    int width = type instanceof PrimitiveType p ? p.integerWidth() : 64;
    return switch (width) {
      case 8 -> (long) (byte) value;
      case 16 -> (long) (short) value;
      case 32 -> (long) (int) value;
      default -> value;
    };
  }

  private static Object negate(Object v, DataType type) {
    if (v instanceof Long l) {
      return wrap(-l, type);
    }
    if (v instanceof Double d) {
      return -d;
    }
    return ((BigDecimal) v).negate();
  }

  private static int signum(Object v) {
    if (v instanceof Long l) {
      return Long.signum(l);
    }
    return ((BigDecimal) v).signum();
  }

  /** Spark's {@code trim}: removes the space character (U+0020) from both ends. */
  static String trimSpaces(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == ' ') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(start, end);
  }

  /** Spark's {@code substring(s, pos, len)} over code points; pos is 1-based, negative from end. */
  /**
   * {@code substr(s, start, len)} as the SQL standard defines it (and PostgreSQL and DataFusion
   * do): the characters at 1-based positions {@code start} to {@code start + len - 1} that exist. A
   * start of 0 or below is before the first character (it does not count from the end, as Spark's
   * own substring does), so {@code substr("ab", 0, 2)} is {@code "a"}; a length of 0 or below gives
   * the empty string.
   */
  static String substr(String s, int pos, int length) {
    int[] cps = s.codePoints().toArray();
    long from = Math.max((long) pos, 1L);
    long to = Math.min((long) pos + length, (long) cps.length + 1);
    if (from >= to) {
      return "";
    }
    return new String(cps, (int) (from - 1), (int) (to - from));
  }

  /**
   * {@code like} with {@link LikePatterns}' escape rule: a pattern that breaks it (a backslash
   * before a character other than %, _ or a backslash, or at the end) gives null. The last pattern
   * seen is kept compiled, since a pattern is usually the same on every row.
   */
  private static Evaluator like(Evaluator a, Evaluator b) {
    // one reference, replaced whole, so evaluators shared by threads never see half an update
    CompiledLike[] last = {new CompiledLike(null, Optional.empty())};
    return binary(
        a,
        b,
        (x, y) -> {
          CompiledLike compiled = last[0];
          if (!y.equals(compiled.pattern())) {
            compiled = new CompiledLike((String) y, LikePatterns.toRegex((String) y));
            last[0] = compiled;
          }
          return compiled.regex().map(r -> r.matcher((String) x).matches()).orElse(null);
        });
  }

  private record CompiledLike(String pattern, Optional<Pattern> regex) {}

  static boolean equal(Object a, Object b) {
    return Objects.equals(Values.key(a), Values.key(b));
  }
}
