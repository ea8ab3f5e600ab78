package io.relspec.reference.conformance;

import io.relspec.ir.expr.Bytes;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.ListType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Values of conformance cases: how hand-written values become the common domain, and the exact
 * equality results are checked with (floats bit for bit, so -0.0 differs from 0.0, but every NaN
 * equals every NaN; decimals by value, since the column type is checked on its own).
 */
public final class CaseValues {
  private CaseValues() {}

  public static List<Object> row(Object... values) {
    return Collections.unmodifiableList(Arrays.asList(values));
  }

  public static BigDecimal dec(String text) {
    return new BigDecimal(text);
  }

  /** date32 as the cases hold it: days since the epoch. */
  public static int date(int year, int month, int day) {
    return (int) LocalDate.of(year, month, day).toEpochDay();
  }

  /**
   * A hand-written input value of a column of {@code type} in the common domain: Integer to Long
   * for integer columns, LocalDate to days, decimal text or BigDecimal at the column's scale, lists
   * element by element.
   */
  public static Object canonical(Object value, DataType type) {
    if (value instanceof Integer i && type.isInteger()) {
      return i.longValue();
    }
    if (value instanceof LocalDate d) {
      return (int) d.toEpochDay();
    }
    if (value instanceof String s && type instanceof DecimalType d) {
      return new BigDecimal(s).setScale(d.scale(), RoundingMode.UNNECESSARY);
    }
    if (value instanceof BigDecimal b && type instanceof DecimalType d) {
      return b.setScale(d.scale(), RoundingMode.UNNECESSARY);
    }
    if (value instanceof List<?> list && type instanceof ListType lt) {
      List<Object> out = new ArrayList<>();
      for (Object element : list) {
        out.add(canonical(element, lt.element()));
      }
      return Collections.unmodifiableList(out);
    }
    return value;
  }

  /** An exact, readable rendering: equal renderings mean equal values. */
  public static String render(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Double d) {
      return Double.isNaN(d) ? "NaN" : Double.toString(d);
    }
    if (value instanceof Float f) {
      return Float.isNaN(f) ? "NaN" : Double.toString(f.doubleValue());
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
    return value.getClass().getSimpleName() + ":" + value;
  }

  public static String renderRow(List<Object> row) {
    List<String> parts = new ArrayList<>();
    for (Object value : row) {
      parts.add(render(value));
    }
    return "(" + String.join(", ", parts) + ")";
  }

  public static List<String> renderRows(List<List<Object>> rows) {
    List<String> out = new ArrayList<>();
    for (List<Object> row : rows) {
      out.add(renderRow(row));
    }
    return out;
  }
}
