package io.relspec.reference;

import io.relspec.ir.expr.Bytes;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.StructType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;

/**
 * The lane's value domain: one canonical Java class per relspec type, read from and written to
 * Arrow vectors, with the one total order and the one equality every op uses.
 *
 * <p>boolean: Boolean; int8..int64: Long; float32/float64: Double (a float32 value is exactly a
 * double); string: String; binary: {@link Bytes}; date32: Integer days; timestamp_us: Long
 * microseconds; decimal(p,s): BigDecimal with scale s; list: List; struct: List of field values.
 * Null is Java null.
 */
public final class Values {
  private Values() {}

  /** The value at {@code index}, or null. */
  public static Object read(ValueVector vector, int index) {
    if (vector.isNull(index)) {
      return null;
    }
    if (vector instanceof BigIntVector v) {
      return v.get(index);
    }
    if (vector instanceof IntVector v) {
      return (long) v.get(index);
    }
    if (vector instanceof SmallIntVector v) {
      return (long) v.get(index);
    }
    if (vector instanceof TinyIntVector v) {
      return (long) v.get(index);
    }
    if (vector instanceof VarCharVector v) {
      return new String(v.get(index), StandardCharsets.UTF_8);
    }
    if (vector instanceof Float8Vector v) {
      return v.get(index);
    }
    if (vector instanceof Float4Vector v) {
      return (double) v.get(index);
    }
    if (vector instanceof BitVector v) {
      return v.get(index) == 1;
    }
    if (vector instanceof DateDayVector v) {
      return v.get(index);
    }
    if (vector instanceof TimeStampVector v) {
      return v.get(index);
    }
    if (vector instanceof DecimalVector v) {
      return v.getObject(index);
    }
    if (vector instanceof VarBinaryVector v) {
      return Bytes.copyOf(v.get(index));
    }
    if (vector instanceof ListVector v) {
      FieldVector data = v.getDataVector();
      int start = v.getElementStartIndex(index);
      int end = v.getElementEndIndex(index);
      List<Object> list = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        list.add(read(data, i));
      }
      return Collections.unmodifiableList(list);
    }
    if (vector instanceof StructVector v) {
      List<Object> fields = new ArrayList<>();
      for (FieldVector child : v.getChildrenFromFields()) {
        fields.add(read(child, index));
      }
      return Collections.unmodifiableList(fields);
    }
    throw new IllegalStateException(
        "Cannot read Arrow vector "
            + vector.getClass().getSimpleName()
            + ": it is not a format v1 type. Write inputs with RelSchema.toArrow()");
  }

  /** Writes {@code value} (canonical class, or null) at {@code index}, growing the vector. */
  public static void write(ValueVector vector, int index, Object value) {
    if (value == null) {
      setNull(vector, index);
      return;
    }
    if (vector instanceof BigIntVector v) {
      v.setSafe(index, (Long) value);
    } else if (vector instanceof IntVector v) {
      v.setSafe(index, (int) (long) (Long) value);
    } else if (vector instanceof SmallIntVector v) {
      v.setSafe(index, (short) (long) (Long) value);
    } else if (vector instanceof TinyIntVector v) {
      v.setSafe(index, (byte) (long) (Long) value);
    } else if (vector instanceof VarCharVector v) {
      v.setSafe(index, ((String) value).getBytes(StandardCharsets.UTF_8));
    } else if (vector instanceof Float8Vector v) {
      v.setSafe(index, (Double) value);
    } else if (vector instanceof Float4Vector v) {
      v.setSafe(index, (float) (double) (Double) value);
    } else if (vector instanceof BitVector v) {
      v.setSafe(index, ((Boolean) value) ? 1 : 0);
    } else if (vector instanceof DateDayVector v) {
      v.setSafe(index, (Integer) value);
    } else if (vector instanceof TimeStampVector v) {
      v.setSafe(index, (Long) value);
    } else if (vector instanceof DecimalVector v) {
      v.setSafe(index, ((BigDecimal) value).setScale(v.getScale(), RoundingMode.UNNECESSARY));
    } else if (vector instanceof VarBinaryVector v) {
      v.setSafe(index, ((Bytes) value).toByteArray());
    } else if (vector instanceof ListVector v) {
      List<?> list = (List<?>) value;
      int start = v.startNewValue(index);
      FieldVector data = v.getDataVector();
      for (int i = 0; i < list.size(); i++) {
        write(data, start + i, list.get(i));
      }
      data.setValueCount(Math.max(data.getValueCount(), start + list.size()));
      v.endValue(index, list.size());
    } else if (vector instanceof StructVector v) {
      List<?> fields = (List<?>) value;
      List<FieldVector> children = v.getChildrenFromFields();
      for (int i = 0; i < children.size(); i++) {
        write(children.get(i), index, fields.get(i));
      }
      v.setIndexDefined(index);
    } else {
      throw new IllegalStateException(
          "Cannot write Arrow vector " + vector.getClass().getSimpleName());
    }
  }

  /** Sets {@code index} to null, growing the vector. */
  public static void setNull(ValueVector vector, int index) {
    if (vector instanceof BaseFixedWidthVector v) {
      v.setNull(index);
    } else if (vector instanceof BaseVariableWidthVector v) {
      v.setNull(index);
    } else if (vector instanceof ListVector v) {
      v.setNull(index);
    } else if (vector instanceof StructVector v) {
      v.setNull(index);
    } else {
      throw new IllegalStateException(
          "Cannot write null to Arrow vector " + vector.getClass().getSimpleName());
    }
  }

  /** A literal's value in the lane's canonical class for {@code type}. */
  public static Object fromLiteral(Object value, DataType type) {
    if (value == null) {
      return null;
    }
    if (value instanceof LocalDate date) {
      return (int) date.toEpochDay();
    }
    if (value instanceof Instant instant) {
      return micros(instant);
    }
    if (value instanceof BigDecimal decimal && type instanceof DecimalType d) {
      return decimal.setScale(d.scale(), RoundingMode.HALF_UP);
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof List<?> list && type instanceof ListType listType) {
      List<Object> out = new ArrayList<>();
      for (Object element : list) {
        out.add(fromLiteral(element, listType.element()));
      }
      return Collections.unmodifiableList(out);
    }
    if (value instanceof List<?> list && type instanceof StructType struct) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(fromLiteral(list.get(i), struct.fields().get(i).type()));
      }
      return Collections.unmodifiableList(out);
    }
    return value;
  }

  /**
   * Microseconds since the epoch, exact over the whole timestamp_us range: {@code
   * ChronoUnit.MICROS.between} counts nanoseconds and overflows about 292 years from 1970.
   */
  public static long micros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
  }

  /**
   * The one total order of non-null values of one type: numbers by value (-0.0 equals 0.0, NaN is
   * the largest and equals NaN, as in Spark), strings by Unicode code point, binary unsigned
   * lexicographic, false before true.
   */
  @SuppressWarnings("unchecked")
  public static int compare(Object a, Object b) {
    if (a instanceof String sa && b instanceof String sb) {
      return compareCodePoints(sa, sb);
    }
    if (a instanceof Integer ia && b instanceof Integer ib) {
      return Integer.compare(ia, ib);
    }
    if (a instanceof Double da && b instanceof Double db) {
      return Double.compare(normalize(da), normalize(db));
    }
    if (a instanceof Long la && b instanceof Long lb) {
      return Long.compare(la, lb);
    }
    if (a instanceof BigDecimal da && b instanceof BigDecimal db) {
      return da.compareTo(db);
    }
    if (a instanceof Bytes ba && b instanceof Bytes bb) {
      return java.util.Arrays.compareUnsigned(ba.toByteArray(), bb.toByteArray());
    }
    if (a instanceof List<?> la && b instanceof List<?> lb) {
      for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
        int c = compareNullsLast(la.get(i), lb.get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(la.size(), lb.size());
    }
    if (a instanceof Number na && b instanceof Number nb) {
      return toBigDecimal(na).compareTo(toBigDecimal(nb));
    }
    return ((Comparable<Object>) a).compareTo(b);
  }

  /** {@link #compare} with nulls after every value. */
  public static int compareNullsLast(Object a, Object b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : 1) : -1;
    }
    return compare(a, b);
  }

  /** Strings by Unicode code point (not UTF-16 unit): the order of their UTF-8 bytes. */
  public static int compareCodePoints(String a, String b) {
    // UTF-16 order is code point order up to the first differing char unless a surrogate is
    // involved: compare chars, and take the code point walk only then (paths with long common
    // prefixes make this the hot loop of sorts)
    if (a.equals(b)) {
      // equal keys are the common case in sorts and dedupes (an intrinsic, vectorized check)
      return 0;
    }
    int n = Math.min(a.length(), b.length());
    for (int k = 0; k < n; k++) {
      char ca = a.charAt(k);
      char cb = b.charAt(k);
      if (ca != cb) {
        if (Character.isSurrogate(ca) || Character.isSurrogate(cb)) {
          return compareByCodePoints(a, b);
        }
        return ca < cb ? -1 : 1;
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  private static int compareByCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /**
   * A value normalized for equality and hashing (grouping, join keys, distinct): -0.0 as 0.0,
   * decimals without trailing zeros, lists element-wise.
   */
  public static Object key(Object value) {
    if (value instanceof Double d) {
      return normalize(d);
    }
    if (value instanceof BigDecimal d) {
      return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object element : list) {
        out.add(key(element));
      }
      return out;
    }
    return value;
  }

  private static double normalize(double d) {
    return d == 0.0 ? 0.0 : d;
  }

  /**
   * A value as the lanes output a group key or a distinct row (relspec clarification, floating
   * zeros and NaN): -0.0 as 0.0 and every NaN as the canonical NaN, inside lists and structs too;
   * every other value as it is.
   */
  public static Object normalizeFloats(Object value) {
    if (value instanceof Double d) {
      return Double.isNaN(d) ? Double.NaN : normalize(d);
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object element : list) {
        out.add(normalizeFloats(element));
      }
      return Collections.unmodifiableList(out);
    }
    return value;
  }

  static BigDecimal toBigDecimal(Number n) {
    if (n instanceof BigDecimal d) {
      return d;
    }
    if (n instanceof Double d) {
      return BigDecimal.valueOf(d);
    }
    return BigDecimal.valueOf(n.longValue());
  }

  /** The type's Java class name, for messages. */
  static String describe(DataType type) {
    return type instanceof PrimitiveType p ? p.typeString() : type.typeString();
  }
}
