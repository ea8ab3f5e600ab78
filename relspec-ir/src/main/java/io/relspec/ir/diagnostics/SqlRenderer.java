package io.relspec.ir.diagnostics;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.type.Field;
import java.math.BigDecimal;
import java.util.List;
import org.apache.calcite.avatica.util.TimeUnit;
import org.apache.calcite.rel.RelHomogeneousShuttle;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.rel2sql.RelToSqlConverter;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Renders compiled rules as SQL text of a dialect through {@link RelToSqlConverter}. The SQL is for
 * people and for other engines; relspec never runs a rule through it.
 *
 * <p>Before rendering, relspec's own functions are lowered per dialect: the span functions become
 * comparisons and subtraction everywhere; {@code stable_hash64} becomes Spark's {@code xxhash64}
 * (other dialects keep {@code STABLE_HASH64(...)}, a UDF the target must provide); {@code
 * date_add_days} becomes {@code DATE_ADD} (Spark), {@code d + n} (PostgreSQL) or {@code d + n *
 * INTERVAL '1' DAY} (ANSI); integer {@code div} is Spark's {@code DIV}; decimal {@code div} and
 * {@code mod} are cast to relspec's (Spark's) result type outside Spark. A cast that may fail (null
 * on failure) is a plain {@code CAST} in Spark (null in its default, non-ANSI mode) and ANSI; in
 * PostgreSQL a cast from text to an integer, decimal, float, date or boolean is guarded by a
 * regular expression of the type's input syntax ({@code CASE WHEN s ~ '...' THEN CAST(s AS ...)
 * END}), so malformed text gives null; text the syntax admits but the type cannot hold (an
 * out-of-range integer, an impossible date) still raises there.
 *
 * <p>{@code stable_hash64} in PostgreSQL and ANSI is written as {@code STABLE_HASH64(a, ...)}: a
 * function the reader must provide (Spark's {@code xxhash64} with seed 42 and Spark's per-type
 * encoding, returning BIGINT; null arguments skipped). {@link #udfs} names the ones a rendered plan
 * needs.
 *
 * <p>{@code explode} is a correlated {@code UNNEST ... WITH ORDINALITY} in PostgreSQL and ANSI
 * ({@code , LATERAL UNNEST(...)}; with {@code outer}, {@code LEFT JOIN LATERAL UNNEST(...) ON TRUE}
 * through {@link LateralJoinRelToSqlConverter}) and {@code LATERAL VIEW [OUTER] posexplode(...)} in
 * Spark ({@link SparkRelToSqlConverter}).
 */
public final class SqlRenderer {
  private SqlRenderer() {}

  public static String render(RelNode rel, SqlDialectName dialect) {
    RelNode lowered = lower(rel, dialect);
    RelToSqlConverter converter =
        dialect == SqlDialectName.SPARK
            ? new SparkRelToSqlConverter(dialect.dialect())
            : new LateralJoinRelToSqlConverter(dialect.dialect());
    SqlNode node = converter.visitRoot(lowered).asStatement();
    return node.toSqlString(
            c ->
                c.withDialect(dialect.dialect())
                    .withIndentation(2)
                    .withClauseStartsLine(true)
                    .withClauseEndsLine(false))
        .getSql();
  }

  /**
   * Comment lines (without {@code -- }) that say what the SQL of a finalized output ({@link
   * RelCompiler#output}) does with rows finalization routes, and what relspec does instead.
   */
  public static List<String> finalizationNotes(String output, ContractSpec contract) {
    List<String> notes = new java.util.ArrayList<>();
    List<String> nonNull = new java.util.ArrayList<>();
    for (Field column : contract.columns()) {
      if (!column.nullable() || contract.requiredNonNull().contains(column.name())) {
        nonNull.add(column.name());
      }
    }
    List<String> leftOut = new java.util.ArrayList<>();
    if (!nonNull.isEmpty()) {
      leftOut.add("rows with a null in " + nonNull + " (null_violation)");
    }
    if (!contract.keyFields().isEmpty()) {
      leftOut.add(
          "every row whose key "
              + contract.keyFields()
              + " occurs more than once"
              + (contract.dedupe().isPresent() ? " after the dedupe" : "")
              + " (duplicate_key; COUNT(*) OVER (PARTITION BY key) = 1)");
    }
    contract
        .dedupe()
        .ifPresent(
            d ->
                notes.add(
                    "dedupe: one row per "
                        + d.keys()
                        + " (ROW_NUMBER() = 1 by orderBy, then every other column ascending, nulls"
                        + " last)"));
    if (leftOut.isEmpty()) {
      return notes;
    }
    notes.add("left out: " + String.join("; ", leftOut));
    switch (contract.onViolation()) {
      case DROP -> notes.add("onViolation drop: relspec drops them too and counts them");
      case QUARANTINE ->
          notes.add(
              "onViolation quarantine: relspec writes them to "
                  + output
                  + "__errors with error_code; this query gives the rows of "
                  + output);
      case FAIL ->
          notes.add(
              "onViolation fail: relspec writes nothing when any row would be left out; this"
                  + " query gives the rows it writes when none is"
                  + (contract.keyFields().isEmpty()
                      ? ""
                      : " (the check query below lists duplicated keys)"));
    }
    return notes;
  }

  /** What a reader must provide for {@code STABLE_HASH64} outside Spark. */
  public static final String STABLE_HASH64_UDF =
      "STABLE_HASH64(a, ...) RETURNS BIGINT: Spark's xxhash64(a, ...) (xxHash64, seed 42, Spark's"
          + " per-type encoding, null arguments skipped)";

  /**
   * The functions the SQL of {@code rel} in {@code dialect} calls that the target engine does not
   * have and the reader must provide, each with what it must compute; empty for Spark.
   */
  public static List<String> udfs(RelNode rel, SqlDialectName dialect) {
    if (dialect == SqlDialectName.SPARK) {
      return List.of();
    }
    return render(rel, dialect).contains("STABLE_HASH64(") ? List.of(STABLE_HASH64_UDF) : List.of();
  }

  static RelNode lower(RelNode rel, SqlDialectName dialect) {
    RexShuttle rex = new Lowering(rel.getCluster().getRexBuilder(), dialect);
    return rel.accept(
        new RelHomogeneousShuttle() {
          @Override
          public RelNode visit(RelNode other) {
            return super.visit(other).accept(rex);
          }
        });
  }

  /** Text PostgreSQL's integer input accepts (surrounding blanks allowed). */
  static final String INTEGER_TEXT = "^\\s*[+-]?[0-9]+\\s*$";

  /** Text PostgreSQL's numeric and double precision input accepts (no NaN/Infinity). */
  static final String NUMBER_TEXT = "^\\s*[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?\\s*$";

  /** ISO dates, the form relspec and Spark cast from text. */
  static final String DATE_TEXT = "^\\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\\s*$";

  /** Boolean text, matched on the lower-cased value. */
  static final String BOOLEAN_TEXT = "^\\s*(true|false|t|f|yes|no|y|n|1|0)\\s*$";

  private static final class Lowering extends RexShuttle {
    private final RexBuilder rex;
    private final SqlDialectName dialect;

    Lowering(RexBuilder rex, SqlDialectName dialect) {
      this.rex = rex;
      this.dialect = dialect;
    }

    @Override
    public RexNode visitCall(RexCall call) {
      RexCall visited = (RexCall) super.visitCall(call);
      List<RexNode> args = visited.getOperands();
      RelDataType type = visited.getType();
      if (visited.getOperator() == RelspecFunctions.SPAN_LEN) {
        return rex.makeCall(type, SqlStdOperatorTable.MINUS, List.of(args.get(1), args.get(0)));
      }
      if (visited.getOperator() == RelspecFunctions.SPAN_CONTAINS) {
        return rex.makeCall(
            type,
            SqlStdOperatorTable.AND,
            List.of(
                rex.makeCall(
                    type,
                    SqlStdOperatorTable.GREATER_THAN_OR_EQUAL,
                    List.of(args.get(2), args.get(0))),
                rex.makeCall(
                    type,
                    SqlStdOperatorTable.LESS_THAN_OR_EQUAL,
                    List.of(args.get(3), args.get(1)))));
      }
      if (visited.getOperator() == RelspecFunctions.SPAN_OVERLAPS) {
        return rex.makeCall(
            type,
            SqlStdOperatorTable.NOT,
            List.of(
                rex.makeCall(
                    type,
                    SqlStdOperatorTable.OR,
                    List.of(
                        rex.makeCall(
                            type,
                            SqlStdOperatorTable.LESS_THAN_OR_EQUAL,
                            List.of(args.get(3), args.get(0))),
                        rex.makeCall(
                            type,
                            SqlStdOperatorTable.GREATER_THAN_OR_EQUAL,
                            List.of(args.get(2), args.get(1)))))));
      }
      if (visited.getKind() == SqlKind.LIKE
          && args.size() == 2
          && dialect != SqlDialectName.SPARK) {
        // relspec's like escapes with a backslash, as Spark SQL's LIKE does by default; the
        // standard has no default escape (PostgreSQL's is the backslash, DuckDB has none).
        return rex.makeCall(
            type,
            SqlStdOperatorTable.LIKE,
            List.of(args.get(0), args.get(1), rex.makeLiteral("\\")));
      }
      if (visited.getOperator() == SqlStdOperatorTable.DIVIDE
          && dialect == SqlDialectName.SPARK
          && SqlTypeName.INT_TYPES.contains(type.getSqlTypeName())) {
        // Spark's "/" is a double division; relspec's integer div truncates toward zero.
        return rex.makeCall(type, RelspecFunctions.SPARK_DIV, args);
      }
      if ((visited.getOperator() == SqlStdOperatorTable.DIVIDE
              || visited.getOperator() == SqlStdOperatorTable.MOD)
          && dialect != SqlDialectName.SPARK
          && type.getSqlTypeName() == SqlTypeName.DECIMAL) {
        // Spark's decimal result type is relspec's; other engines pick their own scale.
        return rex.makeAbstractCast(type, visited, false);
      }
      if (visited.getOperator() == RelspecFunctions.STABLE_HASH64
          && dialect == SqlDialectName.SPARK) {
        return rex.makeCall(type, RelspecFunctions.XXHASH64, args);
      }
      if (visited.getOperator() == RelspecFunctions.DATE_ADD_DAYS) {
        return switch (dialect) {
          case SPARK -> rex.makeCall(type, RelspecFunctions.SPARK_DATE_ADD, args);
          case POSTGRES -> rex.makeCall(type, SqlStdOperatorTable.PLUS, args);
          case ANSI -> {
            SqlIntervalQualifier day =
                new SqlIntervalQualifier(TimeUnit.DAY, null, SqlParserPos.ZERO);
            RexNode oneDay = rex.makeIntervalLiteral(new BigDecimal(86_400_000L), day);
            RexNode days =
                rex.makeCall(
                    rex.getTypeFactory().createSqlIntervalType(day),
                    SqlStdOperatorTable.MULTIPLY,
                    List.of(args.get(1), oneDay));
            yield rex.makeCall(type, SqlStdOperatorTable.DATETIME_PLUS, List.of(args.get(0), days));
          }
        };
      }
      if (visited.getKind() == SqlKind.SAFE_CAST
          || (visited.getKind() == SqlKind.CAST
              && visited.getOperator() != SqlStdOperatorTable.CAST)) {
        RexNode cast = rex.makeCast(type, args.get(0), true, false);
        return dialect == SqlDialectName.POSTGRES ? guarded(cast, args.get(0), type) : cast;
      }
      return visited;
    }

    /**
     * A cast from text that may fail, for PostgreSQL (where a failed CAST raises instead of giving
     * null): {@code CASE WHEN text ~ '<the input syntax of the type>' THEN CAST(...) END}. Values
     * the syntax admits but the type cannot hold (an integer out of range, a 13th month) still
     * raise; casts from other types are left plain.
     */
    private RexNode guarded(RexNode cast, RexNode value, RelDataType type) {
      if (!SqlTypeName.CHAR_TYPES.contains(value.getType().getSqlTypeName())) {
        return cast;
      }
      SqlTypeName target = type.getSqlTypeName();
      String pattern;
      RexNode text = value;
      if (SqlTypeName.INT_TYPES.contains(target)) {
        pattern = INTEGER_TEXT;
      } else if (target == SqlTypeName.DECIMAL
          || target == SqlTypeName.DOUBLE
          || target == SqlTypeName.FLOAT
          || target == SqlTypeName.REAL) {
        pattern = NUMBER_TEXT;
      } else if (target == SqlTypeName.DATE) {
        pattern = DATE_TEXT;
      } else if (target == SqlTypeName.BOOLEAN) {
        pattern = BOOLEAN_TEXT;
        text = rex.makeCall(SqlStdOperatorTable.LOWER, value);
      } else {
        return cast;
      }
      RexNode matches =
          rex.makeCall(
              SqlStdOperatorTable.POSIX_REGEX_CASE_SENSITIVE, text, rex.makeLiteral(pattern));
      return rex.makeCall(
          type, SqlStdOperatorTable.CASE, List.of(matches, cast, rex.makeNullLiteral(type)));
    }
  }
}
