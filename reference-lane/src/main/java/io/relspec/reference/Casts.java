package io.relspec.reference;

import io.relspec.ir.expr.Bytes;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cast} and implicit widening (format v1, sections 2 and 3). A failed cast is null: text
 * that does not parse, NaN or infinity to an integer or decimal, and any value outside the target's
 * range (integers do not wrap, decimals do not round away their integer digits).
 */
public final class Casts {
  static final long MICROS_PER_DAY = 86_400_000_000L;
  private static final Pattern INTEGER_TEXT = Pattern.compile("[+-]?(\\d+)(\\.\\d*)?");
  private static final Pattern FLOAT_TEXT =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern DATE_TEXT =
      Pattern.compile("(\\d{4})(?:-(\\d{1,2})(?:-(\\d{1,2}))?)?");
  private static final Pattern TIMESTAMP_TEXT =
      Pattern.compile(
          "(\\d{4})-(\\d{1,2})-(\\d{1,2})(?:[ T](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?"
              + "\\s*(Z|UTC|[+-]\\d{2}:?\\d{2})?");

  private Casts() {}

  /** {@code value} of type {@code from} as type {@code to}; null when the cast fails. */
  public static Object cast(Object value, DataType from, DataType to) {
    if (value == null) {
      return null;
    }
    if (from.equals(to)) {
      return value;
    }
    if (to instanceof ListType lt && from instanceof ListType lf) {
      List<Object> out = new ArrayList<>();
      for (Object element : (List<?>) value) {
        out.add(cast(element, lf.element(), lt.element()));
      }
      return Collections.unmodifiableList(out);
    }
    if (to == PrimitiveType.STRING) {
      return toText(value, from);
    }
    if (from == PrimitiveType.STRING) {
      return fromText(((String) value), to);
    }
    if (from == PrimitiveType.DATE32 && to == PrimitiveType.TIMESTAMP_US) {
      return (long) (Integer) value * MICROS_PER_DAY;
    }
    if (from == PrimitiveType.TIMESTAMP_US && to == PrimitiveType.DATE32) {
      return (int) Math.floorDiv((Long) value, MICROS_PER_DAY);
    }
    return numeric(value, to);
  }

  private static Object numeric(Object value, DataType to) {
    if (to == PrimitiveType.BOOLEAN) {
      if (value instanceof Long l) {
        return l != 0;
      }
      if (value instanceof Double d) {
        return d != 0.0;
      }
      if (value instanceof BigDecimal d) {
        return d.signum() != 0;
      }
      return value;
    }
    Object number = value;
    if (value instanceof Boolean b) {
      number = b ? 1L : 0L;
    }
    if (to.isInteger()) {
      int width = ((PrimitiveType) to).integerWidth();
      if (number instanceof Long l) {
        return fitsInteger(BigInteger.valueOf(l), width) ? l : null;
      }
      if (number instanceof Double d) {
        if (d.isNaN() || d.isInfinite()) {
          return null;
        }
        BigInteger truncated = new BigDecimal(d).toBigInteger();
        return fitsInteger(truncated, width) ? truncated.longValue() : null;
      }
      BigInteger truncated = ((BigDecimal) number).setScale(0, RoundingMode.DOWN).toBigInteger();
      return fitsInteger(truncated, width) ? truncated.longValue() : null;
    }
    if (to == PrimitiveType.FLOAT64 || to == PrimitiveType.FLOAT32) {
      double d =
          number instanceof Long l
              ? (double) l
              : number instanceof BigDecimal bd ? bd.doubleValue() : (Double) number;
      return to == PrimitiveType.FLOAT32 ? (double) (float) d : d;
    }
    if (to instanceof DecimalType decimal) {
      BigDecimal big;
      if (number instanceof Long l) {
        big = BigDecimal.valueOf(l);
      } else if (number instanceof Double d) {
        if (d.isNaN() || d.isInfinite()) {
          return null;
        }
        big = BigDecimal.valueOf(d);
      } else {
        big = (BigDecimal) number;
      }
      return DecimalMath.fit(big, decimal);
    }
    throw new IllegalStateException("Cannot cast " + value + " to " + to.typeString());
  }

  private static boolean fitsInteger(BigInteger value, int width) {
    return value.bitLength() <= width - 1;
  }

  /** The text form of a value, as Spark's cast to string writes it (timestamps in UTC). */
  public static String toText(Object value, DataType from) {
    if (from == PrimitiveType.FLOAT32) {
      return Float.toString((float) (double) (Double) value);
    }
    if (from == PrimitiveType.DATE32) {
      return LocalDate.ofEpochDay((Integer) value).toString();
    }
    if (from == PrimitiveType.TIMESTAMP_US) {
      long micros = (Long) value;
      LocalDateTime time =
          LocalDateTime.ofEpochSecond(
              Math.floorDiv(micros, 1_000_000L),
              (int) Math.floorMod(micros, 1_000_000L) * 1000,
              ZoneOffset.UTC);
      String text =
          String.format(
              Locale.ROOT,
              "%04d-%02d-%02d %02d:%02d:%02d",
              time.getYear(),
              time.getMonthValue(),
              time.getDayOfMonth(),
              time.getHour(),
              time.getMinute(),
              time.getSecond());
      int fraction = (int) Math.floorMod(micros, 1_000_000L);
      if (fraction != 0) {
        String digits = String.format(Locale.ROOT, "%06d", fraction).replaceAll("0+$", "");
        text = text + "." + digits;
      }
      return text;
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof Bytes b) {
      return new String(b.toByteArray(), StandardCharsets.UTF_8);
    }
    if (value instanceof List<?> list && from instanceof ListType lt) {
      StringBuilder text = new StringBuilder("[");
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          text.append(", ");
        }
        Object element = list.get(i);
        text.append(element == null ? "null" : toText(element, lt.element()));
      }
      return text.append(']').toString();
    }
    return String.valueOf(value);
  }

  /** Parses text as {@code to}; null when it does not parse or does not fit. */
  public static Object fromText(String raw, DataType to) {
    String text = raw.strip();
    if (to == PrimitiveType.BINARY) {
      return Bytes.copyOf(raw.getBytes(StandardCharsets.UTF_8));
    }
    if (to == PrimitiveType.BOOLEAN) {
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "t", "true", "y", "yes", "1" -> Boolean.TRUE;
        case "f", "false", "n", "no", "0" -> Boolean.FALSE;
        default -> null;
      };
    }
    if (to.isInteger()) {
      Matcher m = INTEGER_TEXT.matcher(text);
      if (!m.matches()) {
        return null;
      }
      String whole = m.group(2) == null ? text : text.substring(0, text.indexOf('.'));
      BigInteger value = new BigInteger(whole);
      return fitsInteger(value, ((PrimitiveType) to).integerWidth()) ? value.longValue() : null;
    }
    if (to == PrimitiveType.FLOAT64 || to == PrimitiveType.FLOAT32) {
      Double d = parseDouble(text);
      if (d == null) {
        return null;
      }
      return to == PrimitiveType.FLOAT32 ? (double) (float) (double) d : d;
    }
    if (to instanceof DecimalType decimal) {
      if (!FLOAT_TEXT.matcher(text).matches()) {
        return null;
      }
      return DecimalMath.fit(new BigDecimal(text), decimal);
    }
    if (to == PrimitiveType.DATE32) {
      return parseDate(text);
    }
    if (to == PrimitiveType.TIMESTAMP_US) {
      return parseTimestamp(text);
    }
    return null;
  }

  private static Double parseDouble(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    switch (lower) {
      case "nan":
        return Double.NaN;
      case "inf", "+inf", "infinity", "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf", "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    return FLOAT_TEXT.matcher(text).matches() ? Double.parseDouble(text) : null;
  }

  private static Integer parseDate(String text) {
    int cut = text.length();
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ' ' || text.charAt(i) == 'T') {
        cut = i;
        break;
      }
    }
    Matcher m = DATE_TEXT.matcher(text.substring(0, cut));
    if (!m.matches()) {
      return null;
    }
    try {
      int month = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
      int day = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
      return (int) LocalDate.of(Integer.parseInt(m.group(1)), month, day).toEpochDay();
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  private static Long parseTimestamp(String text) {
    Matcher m = TIMESTAMP_TEXT.matcher(text);
    if (!m.matches()) {
      return null;
    }
    try {
      LocalDate date =
          LocalDate.of(
              Integer.parseInt(m.group(1)),
              Integer.parseInt(m.group(2)),
              Integer.parseInt(m.group(3)));
      int hour = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
      int minute = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
      int second = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
      String fraction = m.group(7) == null ? "" : m.group(7);
      long micros = fraction.isEmpty() ? 0 : Long.parseLong((fraction + "000000").substring(0, 6));
      LocalDateTime time = date.atTime(hour, minute, second);
      long offsetSeconds = 0;
      String zone = m.group(8);
      if (zone != null && !zone.equals("Z") && !zone.equals("UTC")) {
        offsetSeconds =
            ZoneOffset.of(
                    zone.length() == 5 ? zone.substring(0, 3) + ":" + zone.substring(3) : zone)
                .getTotalSeconds();
      }
      return Math.addExact(
          Math.multiplyExact(time.toEpochSecond(ZoneOffset.UTC) - offsetSeconds, 1_000_000L),
          micros);
    } catch (java.time.DateTimeException | ArithmeticException e) {
      return null;
    }
  }
}
