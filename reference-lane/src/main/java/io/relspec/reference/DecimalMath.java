package io.relspec.reference;

import io.relspec.ir.type.DecimalType;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Decimal arithmetic as Spark 3.5 does it with precision loss allowed and ANSI mode off: the exact
 * result is rounded half-up to the result type's scale (computed by {@code TypeRules}); a result
 * that does not fit the result precision is null. Division and remainder by zero are null.
 */
public final class DecimalMath {
  /** Spark divides with 38 digits of scale before rounding to the result type. */
  private static final int DIVISION_SCALE = 38;

  private DecimalMath() {}

  /** {@code value} rounded half-up to the type's scale, or null if it needs more precision. */
  public static BigDecimal fit(BigDecimal value, DecimalType type) {
    BigDecimal rounded = value.setScale(type.scale(), RoundingMode.HALF_UP);
    return rounded.precision() - rounded.scale() > type.precision() - type.scale()
            && rounded.signum() != 0
        ? null
        : rounded;
  }

  public static BigDecimal add(BigDecimal a, BigDecimal b, DecimalType result) {
    return fit(a.add(b), result);
  }

  public static BigDecimal subtract(BigDecimal a, BigDecimal b, DecimalType result) {
    return fit(a.subtract(b), result);
  }

  public static BigDecimal multiply(BigDecimal a, BigDecimal b, DecimalType result) {
    return fit(a.multiply(b), result);
  }

  public static BigDecimal divide(BigDecimal a, BigDecimal b, DecimalType result) {
    if (b.signum() == 0) {
      return null;
    }
    return fit(a.divide(b, DIVISION_SCALE, RoundingMode.HALF_UP), result);
  }

  public static BigDecimal remainder(BigDecimal a, BigDecimal b, DecimalType result) {
    if (b.signum() == 0) {
      return null;
    }
    return fit(a.remainder(b), result);
  }
}
