package io.relspec.ir.diagnostics;

import org.apache.calcite.rel.core.Correlate;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.rel2sql.RelToSqlConverter;
import org.apache.calcite.sql.JoinConditionType;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * PostgreSQL and ANSI SQL from Calcite relational algebra: as {@link RelToSqlConverter}, except
 * that a {@code LEFT} {@link Correlate} (relspec's {@code explode} with {@code outer: true}) is
 * written as a left lateral join instead of Calcite's comma join, which has inner-join meaning:
 *
 * <pre>
 * FROM t LEFT JOIN LATERAL UNNEST(...) [WITH ORDINALITY] AS t0 (x[, ORDINALITY]) ON TRUE
 * </pre>
 *
 * <p>{@code UNNEST} of a null or an empty list gives no rows, so the left join keeps the row with a
 * null element and a null ordinality (a null position), as relspec's outer explode does
 * (docs/format.md, explode). An inner correlate stays a comma join ({@code , LATERAL UNNEST(...)}).
 *
 * <p>Public only because Calcite dispatches {@code visit} methods by reflection.
 */
public final class LateralJoinRelToSqlConverter extends RelToSqlConverter {
  private static final SqlParserPos POS = SqlParserPos.ZERO;

  LateralJoinRelToSqlConverter(SqlDialect dialect) {
    super(dialect);
  }

  /** Visits a Correlate; called by {@code dispatch} via reflection. */
  @Override
  public Result visit(Correlate e) {
    Result result = super.visit(e);
    if (e.getJoinType() == JoinRelType.LEFT
        && result.asSelect().getFrom() instanceof SqlJoin join) {
      join.setOperand(2, JoinType.LEFT.symbol(POS));
      join.setOperand(4, JoinConditionType.ON.symbol(POS));
      join.setOperand(5, SqlLiteral.createBoolean(true, POS));
    }
    return result;
  }
}
