package io.relspec.it.differential;

import io.relspec.ir.expr.Bytes;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One value domain for every lane and the precise equality the lanes are compared with: integers as
 * Long, date32 as Integer days, timestamp_us as Long microseconds, floats as Double compared bit
 * for bit (every NaN equal to every NaN, but -0.0 differs from 0.0), decimals by value (scale
 * ignored), strings, booleans, lists element-wise, null.
 */
public final class Canonical {
  private Canonical() {}

  /** A Spark {@code Row} value (java8 datetime API on) in the lanes' canonical classes. */
  public static Object fromSpark(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof LocalDate date) {
      return (int) date.toEpochDay();
    }
    if (value instanceof Instant instant) {
      return micros(instant);
    }
    if (value instanceof java.sql.Date || value instanceof java.sql.Timestamp) {
      throw new IllegalStateException(
          "Cannot compare " + value.getClass() + ": enable spark.sql.datetime.java8API.enabled");
    }
    if (value instanceof scala.collection.Seq<?> seq) {
      List<Object> out = new ArrayList<>();
      for (Object element : scala.collection.JavaConverters.seqAsJavaList(seq)) {
        out.add(fromSpark(element));
      }
      return Collections.unmodifiableList(out);
    }
    if (value instanceof byte[] bytes) {
      return Bytes.copyOf(bytes);
    }
    return value;
  }

  /**
   * Microseconds since the epoch, exact over the whole timestamp_us range ({@code
   * ChronoUnit.MICROS.between} overflows beyond about 292 years, since it counts nanoseconds).
   */
  static long micros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
  }

  /** A lane value as a Spark {@code Row} value of the given type. */
  public static Object toSpark(Object value, io.relspec.ir.type.DataType type) {
    if (value == null) {
      return null;
    }
    if (type instanceof io.relspec.ir.type.ListType list) {
      List<Object> out = new ArrayList<>();
      for (Object element : (List<?>) value) {
        out.add(toSpark(element, list.element()));
      }
      return scala.collection.JavaConverters.asScalaBuffer(out).toList();
    }
    if (type instanceof io.relspec.ir.type.PrimitiveType p) {
      return switch (p) {
        case INT8 -> (byte) (long) (Long) value;
        case INT16 -> (short) (long) (Long) value;
        case INT32 -> (int) (long) (Long) value;
        case FLOAT32 -> (float) (double) (Double) value;
        case DATE32 -> LocalDate.ofEpochDay((Integer) value);
        case TIMESTAMP_US -> Instant.EPOCH.plus((Long) value, ChronoUnit.MICROS);
        case BINARY -> ((Bytes) value).toByteArray();
        default -> value;
      };
    }
    return value;
  }

  /** An exact, readable rendering: equal renderings mean equal values. */
  static String render(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Double d) {
      return Double.isNaN(d) ? "NaN" : Double.toString(d);
    }
    if (value instanceof BigDecimal d) {
      return d.signum() == 0 ? "0m" : d.stripTrailingZeros().toPlainString() + "m";
    }
    if (value instanceof String s) {
      return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
    if (value instanceof Integer days) {
      return "date(" + LocalDate.ofEpochDay(days) + ")";
    }
    if (value instanceof List<?> list) {
      List<String> parts = new ArrayList<>();
      for (Object element : list) {
        parts.add(render(element));
      }
      return "[" + String.join(", ", parts) + "]";
    }
    if (value instanceof Bytes b) {
      return "b64:" + b.toBase64();
    }
    return value.toString();
  }

  /** {@link #render} with -0.0 and 0.0 the same: how sort keys compare. */
  static String renderKey(Object value) {
    if (value instanceof Double d && d == 0.0) {
      return "0.0";
    }
    return render(value);
  }

  static String renderRow(List<Object> row) {
    List<String> parts = new ArrayList<>();
    for (Object value : row) {
      parts.add(render(value));
    }
    return "(" + String.join(", ", parts) + ")";
  }
}
