package io.relspec.ir.op;

import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import java.util.List;
import java.util.Objects;

/**
 * Exactly the listed columns, in order. A bare {@code "name"} in the JSON is the column of that
 * name; normalization writes it as {@code {"name": n, "expr": {"col": n}}}.
 */
public record Project(List<Column> columns) implements Op {
  public Project {
    columns = List.copyOf(columns);
  }

  @Override
  public String opName() {
    return "project";
  }

  /** One output column of a projection. */
  public record Column(String name, Expr expr) {
    public Column {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(expr, "expr");
    }

    public static Column keep(String name) {
      return new Column(name, new ColumnRef(name));
    }

    /** True when the column only passes an input column through under the same name. */
    public boolean isPassThrough() {
      return expr instanceof ColumnRef ref && ref.name().equals(name) && ref.side().isEmpty();
    }
  }
}
