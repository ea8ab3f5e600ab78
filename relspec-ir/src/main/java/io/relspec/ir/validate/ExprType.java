package io.relspec.ir.validate;

import io.relspec.ir.type.DataType;
import java.util.Objects;

/** The type of an expression and whether it can be null. */
public record ExprType(DataType type, boolean nullable) {
  public ExprType {
    Objects.requireNonNull(type, "type");
  }

  public static ExprType of(DataType type, boolean nullable) {
    return new ExprType(type, nullable);
  }
}
