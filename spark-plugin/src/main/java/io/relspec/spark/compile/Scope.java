package io.relspec.spark.compile;

import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Side;
import io.relspec.ir.type.DataType;
import io.relspec.spark.SparkErrors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.collection.JavaConverters;

/** The columns an expression can refer to: one input, or the two sides of a join condition. */
public interface Scope {
  Typed resolve(ColumnRef ref, String where);

  /** The columns of one Dataset, by their v1 names and types. */
  static Scope of(Dataset<Row> input) {
    return of(input.queryExecution().analyzed());
  }

  /** The output columns of a (resolved) logical plan, by their v1 names and types. */
  static Scope of(LogicalPlan input) {
    Map<String, Typed> columns = columns(input, Map.of());
    return (ref, where) -> {
      Typed typed = columns.get(ref.name());
      if (typed == null) {
        throw SparkErrors.unknownColumn(where, ref.name(), columns.keySet());
      }
      return typed;
    };
  }

  /**
   * The two sides of a join condition. {@code rightNames} maps the right side's v1 column names to
   * the (temporary) names they have in {@code right}.
   */
  static Scope join(LogicalPlan left, LogicalPlan right, Map<String, String> rightNames) {
    Map<String, Typed> leftColumns = columns(left, Map.of());
    Map<String, Typed> rightColumns = columns(right, rightNames);
    return (ref, where) -> {
      Typed fromLeft = leftColumns.get(ref.name());
      Typed fromRight = rightColumns.get(ref.name());
      if (ref.side().isPresent()) {
        Typed typed = ref.side().get() == Side.LEFT ? fromLeft : fromRight;
        if (typed == null) {
          throw SparkErrors.unknownColumn(
              where + " (" + ref.side().get().jsonName() + " side)",
              ref.name(),
              (ref.side().get() == Side.LEFT ? leftColumns : rightColumns).keySet());
        }
        return typed;
      }
      if (fromLeft != null && fromRight != null) {
        throw SparkErrors.ambiguousColumn(where, ref.name());
      }
      if (fromLeft == null && fromRight == null) {
        List<String> all = new ArrayList<>(leftColumns.keySet());
        all.addAll(rightColumns.keySet());
        throw SparkErrors.unknownColumn(where, ref.name(), all);
      }
      return fromLeft != null ? fromLeft : fromRight;
    };
  }

  private static Map<String, Typed> columns(LogicalPlan input, Map<String, String> renamed) {
    Map<String, String> byInternal = new LinkedHashMap<>();
    renamed.forEach((name, internal) -> byInternal.put(internal, name));
    Map<String, Typed> columns = new LinkedHashMap<>();
    for (Attribute attribute : JavaConverters.seqAsJavaList(input.output())) {
      if (!renamed.isEmpty() && !byInternal.containsKey(attribute.name())) {
        continue;
      }
      String name = byInternal.getOrDefault(attribute.name(), attribute.name());
      DataType type =
          SparkTypes.fromSpark(attribute.dataType(), "column '" + attribute.name() + "'");
      columns.put(name, new Typed(attribute, type));
    }
    return columns;
  }
}
