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
  }

  @Override
  public String opName() {
    return "param";
  }
}
