package io.relspec.ir.type;

/** A relspec value type (format v1, section 2). Its {@link #toString()} is the type string. */
public sealed interface DataType permits PrimitiveType, DecimalType, ListType, StructType {

  /** The type as written in a bundle, e.g. {@code decimal(10,2)} or {@code list<int64>}. */
  String typeString();

  default boolean isInteger() {
    return this instanceof PrimitiveType p && p.integerWidth() > 0;
  }

  default boolean isFloating() {
    return this == PrimitiveType.FLOAT32 || this == PrimitiveType.FLOAT64;
  }

  default boolean isNumeric() {
    return isInteger() || isFloating() || this instanceof DecimalType;
  }
}
