package io.relspec.ir.type;

import java.util.Optional;

/**
 * Implicit widening and result types (format v1, section 2). Only widening is implicit: intN to a
 * wider int to float64; an int combined with a decimal as decimal(10,0) (int8/16/32) or
 * decimal(20,0) (int64); a decimal combined with a float as float64. Decimal arithmetic follows
 * Spark 3.5 with precision loss allowed.
 */
public final class TypeRules {
  private static final int MINIMUM_ADJUSTED_SCALE = 6;

  private TypeRules() {}

  /** The type both can be widened to, if any. */
  public static Optional<DataType> commonType(DataType a, DataType b) {
    if (a.equals(b)) {
      return Optional.of(a);
    }
    if (a.isInteger() && b.isInteger()) {
      return Optional.of(
          ((PrimitiveType) a).integerWidth() >= ((PrimitiveType) b).integerWidth() ? a : b);
    }
    if (a.isFloating() && b.isFloating()) {
      return Optional.of(PrimitiveType.FLOAT64);
    }
    if ((a.isInteger() && b.isFloating()) || (a.isFloating() && b.isInteger())) {
      return Optional.of(PrimitiveType.FLOAT64);
    }
    if (a instanceof DecimalType || b instanceof DecimalType) {
      if (a.isFloating() || b.isFloating()) {
        return Optional.of(PrimitiveType.FLOAT64);
      }
      if (a.isNumeric() && b.isNumeric()) {
        return Optional.of(widerDecimal(asDecimal(a), asDecimal(b)));
      }
    }
    if (a instanceof ListType la && b instanceof ListType lb) {
      return commonType(la.element(), lb.element()).map(ListType::new);
    }
    return Optional.empty();
  }

  /** True when a value of {@code from} can be implicitly widened to {@code to}. */
  public static boolean canWiden(DataType from, DataType to) {
    return commonType(from, to).map(to::equals).orElse(false);
  }

  /** An integer type as the decimal it widens to; a decimal as itself. */
  public static DecimalType asDecimal(DataType type) {
    if (type instanceof DecimalType decimal) {
      return decimal;
    }
    if (type == PrimitiveType.INT64) {
      return new DecimalType(20, 0);
    }
    if (type.isInteger()) {
      return new DecimalType(10, 0);
    }
    throw new IllegalArgumentException("Cannot widen " + type + " to a decimal");
  }

  private static DecimalType widerDecimal(DecimalType a, DecimalType b) {
    int scale = Math.max(a.scale(), b.scale());
    int range = Math.max(a.precision() - a.scale(), b.precision() - b.scale());
    return bounded(range + scale, scale);
  }

  /** decimal + or -: {@code (max(s1,s2) + max(p1-s1,p2-s2) + 1, max(s1,s2))}, adjusted. */
  public static DecimalType addDecimal(DecimalType a, DecimalType b) {
    int scale = Math.max(a.scale(), b.scale());
    int range = Math.max(a.precision() - a.scale(), b.precision() - b.scale());
    return adjust(range + scale + 1, scale);
  }

  /** decimal *: {@code (p1+p2+1, s1+s2)}, adjusted. */
  public static DecimalType multiplyDecimal(DecimalType a, DecimalType b) {
    return adjust(a.precision() + b.precision() + 1, a.scale() + b.scale());
  }

  /** decimal /: Spark's {@code (p1-s1+s2+max(6,s1+p2+1), max(6,s1+p2+1))}, adjusted. */
  public static DecimalType divideDecimal(DecimalType a, DecimalType b) {
    int scale = Math.max(MINIMUM_ADJUSTED_SCALE, a.scale() + b.precision() + 1);
    int precision = a.precision() - a.scale() + b.scale() + scale;
    return adjust(precision, scale);
  }

  /** decimal mod: Spark's {@code (min(p1-s1,p2-s2)+max(s1,s2), max(s1,s2))}, adjusted. */
  public static DecimalType remainderDecimal(DecimalType a, DecimalType b) {
    int scale = Math.max(a.scale(), b.scale());
    int precision = Math.min(a.precision() - a.scale(), b.precision() - b.scale()) + scale;
    return adjust(precision, scale);
  }

  /** {@code sum(decimal(p,s))} is {@code decimal(min(38,p+10), s)}. */
  public static DecimalType sumDecimal(DecimalType a) {
    return new DecimalType(Math.min(DecimalType.MAX_PRECISION, a.precision() + 10), a.scale());
  }

  /** Spark's {@code DecimalType.adjustPrecisionScale} with precision loss allowed. */
  static DecimalType adjust(int precision, int scale) {
    if (precision <= DecimalType.MAX_PRECISION) {
      return new DecimalType(Math.max(precision, 1), scale);
    }
    int intDigits = precision - scale;
    int minScale = Math.min(scale, MINIMUM_ADJUSTED_SCALE);
    int adjustedScale = Math.max(DecimalType.MAX_PRECISION - intDigits, minScale);
    return new DecimalType(DecimalType.MAX_PRECISION, adjustedScale);
  }

  private static DecimalType bounded(int precision, int scale) {
    return new DecimalType(
        Math.min(precision, DecimalType.MAX_PRECISION), Math.min(scale, DecimalType.MAX_PRECISION));
  }

  /** Types that have a total order usable by sort keys, comparisons, min/max and tie-breaking. */
  public static boolean isOrderable(DataType type) {
    return type instanceof PrimitiveType || type instanceof DecimalType;
  }

  /** Whether {@code cast(from -> to)} is allowed (a failed cast at run time is null). */
  public static boolean canCast(DataType from, DataType to) {
    if (from.equals(to)) {
      return true;
    }
    if (from instanceof ListType lf && to instanceof ListType lt) {
      return canCast(lf.element(), lt.element());
    }
    if (from instanceof StructType || to instanceof StructType) {
      return false;
    }
    if (from instanceof ListType || to instanceof ListType) {
      return false;
    }
    if (from == PrimitiveType.STRING || to == PrimitiveType.STRING) {
      return true;
    }
    boolean fromNumber = from.isNumeric() || from == PrimitiveType.BOOLEAN;
    boolean toNumber = to.isNumeric() || to == PrimitiveType.BOOLEAN;
    if (fromNumber && toNumber) {
      return true;
    }
    return (from == PrimitiveType.DATE32 && to == PrimitiveType.TIMESTAMP_US)
        || (from == PrimitiveType.TIMESTAMP_US && to == PrimitiveType.DATE32);
  }
}
