package io.relspec.ir.diagnostics;

import org.apache.calcite.sql.SqlBinaryOperator;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;

/**
 * relspec functions that have no standard SQL operator, as Calcite user-defined functions. Plans
 * keep them as calls (so lineage and diff see them); {@link SqlRenderer} lowers them per dialect.
 */
public final class RelspecFunctions {
  private RelspecFunctions() {}

  /** {@code stable_hash64(a, ...)}: Spark's {@code xxhash64}, seed 42. */
  public static final SqlFunction STABLE_HASH64 = udf("STABLE_HASH64");

  /** {@code span_len(start, end)} = end - start. */
  public static final SqlFunction SPAN_LEN = udf("SPAN_LEN");

  /** {@code span_contains(ls, le, rs, re)} = rs >= ls and re <= le. */
  public static final SqlFunction SPAN_CONTAINS = udf("SPAN_CONTAINS");

  /** {@code span_overlaps(ls, le, rs, re)} = not (re <= ls or rs >= le). */
  public static final SqlFunction SPAN_OVERLAPS = udf("SPAN_OVERLAPS");

  /** {@code date_add_days(date, days)}. */
  public static final SqlFunction DATE_ADD_DAYS = udf("DATE_ADD_DAYS");

  /** Spark SQL's {@code xxhash64}, the Spark rendering of {@link #STABLE_HASH64}. */
  static final SqlFunction XXHASH64 = udf("XXHASH64");

  /** Spark SQL's {@code date_add(date, days)}. */
  static final SqlFunction SPARK_DATE_ADD = udf("DATE_ADD");

  /** Spark SQL's integral division {@code a DIV b} (truncates toward zero, null for 0). */
  static final SqlBinaryOperator SPARK_DIV =
      new SqlBinaryOperator(
          "DIV", SqlKind.OTHER, 60, true, ReturnTypes.ARG0_NULLABLE, null, OperandTypes.ANY_ANY);

  private static SqlFunction udf(String name) {
    // Return types are always given explicitly when a call is made (RexBuilder.makeCall with a
    // type), so the inference below is only a fallback.
    return new SqlFunction(
        name,
        SqlKind.OTHER_FUNCTION,
        ReturnTypes.ARG0_NULLABLE,
        null,
        OperandTypes.VARIADIC,
        SqlFunctionCategory.USER_DEFINED_FUNCTION);
  }
}
