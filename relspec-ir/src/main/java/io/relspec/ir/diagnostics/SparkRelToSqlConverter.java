package io.relspec.ir.diagnostics;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Correlate;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Uncollect;
import org.apache.calcite.rel.core.Values;
import org.apache.calcite.rel.rel2sql.RelToSqlConverter;
import org.apache.calcite.rex.RexCorrelVariable;
import org.apache.calcite.rex.RexFieldAccess;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Spark SQL from Calcite relational algebra: as {@link RelToSqlConverter}, except that relspec's
 * {@code explode} (a {@link Correlate} over an {@link Uncollect} of one column of the left row,
 * {@link RelCompiler}'s form) is written with Spark's {@code LATERAL VIEW}, since Spark does not
 * parse {@code LATERAL UNNEST(...) WITH ORDINALITY}:
 *
 * <pre>
 * SELECT t.a, ..., __relspec_explode.__relspec_elem AS x, __relspec_explode.__relspec_pos + 1 AS ORDINALITY
 * FROM (...) t LATERAL VIEW [OUTER] posexplode(t.list) __relspec_explode AS __relspec_pos, __relspec_elem
 * </pre>
 *
 * <p>{@code posexplode} numbers elements from 0; {@code + 1} gives the 1-based {@code ORDINALITY}
 * of {@code UNNEST}, from which the compiled plan takes relspec's 0-based position. Spark's
 * semantics are relspec's (docs/format.md, explode): without {@code OUTER} a null or empty list
 * gives no row; with {@code OUTER} one row with a null element and a null position. Without a
 * position column the generator is {@code explode}.
 *
 * <p>Public only because Calcite dispatches {@code visit} methods by reflection.
 */
public final class SparkRelToSqlConverter extends RelToSqlConverter {
  static final String GENERATOR_ALIAS = "__relspec_explode";
  static final String POSITION = "__relspec_pos";
  static final String ELEMENT = "__relspec_elem";

  private static final SqlParserPos POS = SqlParserPos.ZERO;

  SparkRelToSqlConverter(SqlDialect dialect) {
    super(dialect);
  }

  /** Visits a Correlate; called by {@code dispatch} via reflection. */
  @Override
  public Result visit(Correlate e) {
    int listField = explodedField(e);
    if (listField < 0) {
      return super.visit(e);
    }
    Uncollect uncollect = (Uncollect) e.getRight();
    Result left = visitInput(e, 0).resetAlias(e.getCorrelVariable(), e.getInput(0).getRowType());
    SqlNode list = left.qualifiedContext().field(listField);
    boolean outer = e.getJoinType() == JoinRelType.LEFT;
    SqlNode from =
        new LateralView(outer, uncollect.withOrdinality).createCall(POS, left.asFrom(), list);
    List<String> names = e.getRowType().getFieldNames();
    int leftCount = e.getLeft().getRowType().getFieldCount();
    List<SqlNode> select = new ArrayList<>();
    for (int i = 0; i < leftCount; i++) {
      select.add(as(left.qualifiedContext().field(i), names.get(i)));
    }
    select.add(as(generated(ELEMENT), names.get(leftCount)));
    if (uncollect.withOrdinality) {
      SqlNode oneBased =
          SqlStdOperatorTable.PLUS.createCall(
              POS, generated(POSITION), SqlLiteral.createExactNumeric("1", POS));
      select.add(as(oneBased, names.get(leftCount + 1)));
    }
    SqlSelect node =
        new SqlSelect(
            POS,
            null,
            new SqlNodeList(select, POS),
            from,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            SqlNodeList.EMPTY);
    return result(node, List.of(Clause.SELECT), e, null);
  }

  /**
   * The index of the left column a correlate explodes when it has {@link RelCompiler}'s explode
   * shape ({@code Uncollect(Project($cor.column) over Values)}), or -1.
   */
  private static int explodedField(Correlate e) {
    if (!(e.getRight() instanceof Uncollect uncollect)
        || !(e.getJoinType() == JoinRelType.INNER || e.getJoinType() == JoinRelType.LEFT)) {
      return -1;
    }
    RelNode input = uncollect.getInput();
    if (!(input instanceof Project project)
        || !(project.getInput() instanceof Values)
        || project.getProjects().size() != 1) {
      return -1;
    }
    RexNode expr = project.getProjects().get(0);
    if (expr instanceof RexFieldAccess access
        && access.getReferenceExpr() instanceof RexCorrelVariable variable
        && variable.id.equals(e.getCorrelationId())) {
      return access.getField().getIndex();
    }
    return -1;
  }

  private static SqlNode generated(String column) {
    return new SqlIdentifier(List.of(GENERATOR_ALIAS, column), POS);
  }

  private static SqlNode as(SqlNode value, String name) {
    if (value instanceof SqlIdentifier id && id.names.get(id.names.size() - 1).equals(name)) {
      return value;
    }
    return SqlStdOperatorTable.AS.createCall(POS, value, new SqlIdentifier(name, POS));
  }

  /**
   * {@code <from> LATERAL VIEW [OUTER] posexplode(<list>) __relspec_explode AS __relspec_pos,
   * __relspec_elem} (or {@code explode(<list>) ... AS __relspec_elem}); operands: the FROM item and
   * the list expression.
   */
  private static final class LateralView extends SqlSpecialOperator {
    private final boolean outer;
    private final boolean withPosition;

    LateralView(boolean outer, boolean withPosition) {
      // Binds tighter than anything around it: a FROM item, never parenthesized.
      super("LATERAL VIEW", SqlKind.OTHER, 200);
      this.outer = outer;
      this.withPosition = withPosition;
    }

    @Override
    public void unparse(SqlWriter writer, SqlCall call, int leftPrec, int rightPrec) {
      call.operand(0).unparse(writer, 0, 0);
      writer.keyword("LATERAL VIEW");
      if (outer) {
        writer.keyword("OUTER");
      }
      SqlWriter.Frame function = writer.startFunCall(withPosition ? "posexplode" : "explode");
      call.operand(1).unparse(writer, 0, 0);
      writer.endFunCall(function);
      writer.identifier(GENERATOR_ALIAS, true);
      writer.keyword("AS");
      if (withPosition) {
        writer.identifier(POSITION, true);
        writer.print(",");
      }
      writer.identifier(ELEMENT, true);
    }
  }
}
