package io.relspec.ir.type;

/** {@code decimal(P,S)} with 1 <= P <= 38 and 0 <= S <= P. */
public record DecimalType(int precision, int scale) implements DataType {
  public static final int MAX_PRECISION = 38;

  public DecimalType {
    if (precision < 1 || precision > MAX_PRECISION || scale < 0 || scale > precision) {
      throw new IllegalArgumentException(
          "Cannot create decimal("
              + precision
              + ","
              + scale
              + "): precision must be 1 to 38 and scale 0 to precision");
    }
  }

  @Override
  public String typeString() {
    return "decimal(" + precision + "," + scale + ")";
  }

  @Override
  public String toString() {
    return typeString();
  }
}
