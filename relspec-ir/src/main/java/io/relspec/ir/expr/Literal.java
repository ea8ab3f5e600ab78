package io.relspec.ir.expr;

import io.relspec.ir.type.DataType;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code {"lit": V, "type": "T"}}: a typed literal. The value is held in its canonical Java form
 * (see {@code io.relspec.ir.json.LiteralCodec}): Boolean, Long for every integer type, Double for
 * both float types, String, BigDecimal, LocalDate, Instant (microsecond precision) or {@link
 * Bytes}; empty for null.
 */
public record Literal(Optional<Object> value, DataType type) implements Expr {
  public Literal {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(type, "type");
  }

  public static Literal of(Object value, DataType type) {
    return new Literal(Optional.of(value), type);
  }

  public static Literal nullOf(DataType type) {
    return new Literal(Optional.empty(), type);
  }

  public boolean isNull() {
    return value.isEmpty();
  }
}
