package io.relspec.ir.type;

/** The types that take no parameters. */
public enum PrimitiveType implements DataType {
  BOOLEAN("boolean", 0),
  INT8("int8", 8),
  INT16("int16", 16),
  INT32("int32", 32),
  INT64("int64", 64),
  FLOAT32("float32", 0),
  FLOAT64("float64", 0),
  STRING("string", 0),
  BINARY("binary", 0),
  DATE32("date32", 0),
  TIMESTAMP_US("timestamp_us", 0);

  private final String typeString;
  private final int integerWidth;

  PrimitiveType(String typeString, int integerWidth) {
    this.typeString = typeString;
    this.integerWidth = integerWidth;
  }

  @Override
  public String typeString() {
    return typeString;
  }

  /** Bit width for the integer types, 0 for every other type. */
  public int integerWidth() {
    return integerWidth;
  }

  @Override
  public String toString() {
    return typeString;
  }
}
