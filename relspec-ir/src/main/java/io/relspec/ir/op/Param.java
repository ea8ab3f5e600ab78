package io.relspec.ir.op;

import io.relspec.ir.expr.Literal;
import io.relspec.ir.type.DataType;
import java.util.Objects;
import java.util.Optional;

/** Declares a parameter; rows pass unchanged. The default, if any, is a literal of its type. */
public record Param(String name, DataType type, Optional<Literal> defaultValue) implements Op {
  public Param {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(defaultValue, "defaultValue");
    defaultValue.ifPresent(
        value -> {
          // normalized JSON writes an absent default as null, so a null default cannot round trip
          if (value.isNull()) {
            throw new IllegalArgumentException(
                "Cannot declare param "
                    + name
                    + " with a null default: a param either has a non-null default or none");
          }
          if (!value.type().equals(type)) {
            throw new IllegalArgumentException(
                "Cannot declare param "
                    + name
                    + " of type "
                    + type.typeString()
                    + " with a default of type "
                    + value.type().typeString());
          }
        });
  }

  @Override
  public String opName() {
    return "param";
  }
}
