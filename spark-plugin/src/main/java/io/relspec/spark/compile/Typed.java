package io.relspec.spark.compile;

import io.relspec.ir.type.DataType;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.expressions.Expression;

/** A compiled Catalyst expression with its format v1 type. */
public record Typed(Expression expr, DataType type) {
  public Typed {
    Objects.requireNonNull(expr, "expr");
    Objects.requireNonNull(type, "type");
  }

  public Column column() {
    return new Column(expr);
  }
}
