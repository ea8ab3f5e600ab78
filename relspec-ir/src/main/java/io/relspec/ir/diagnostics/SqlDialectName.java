package io.relspec.ir.diagnostics;

import java.util.Arrays;
import java.util.Locale;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.AnsiSqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.dialect.SparkSqlDialect;

/** The SQL dialects relspec renders rules in. */
public enum SqlDialectName {
  // Each dialect uses relspec's type system, so casts keep decimal precision up to 38.
  SPARK("spark", new BackslashEscapingSparkDialect()),
  POSTGRES(
      "postgres",
      new PostgresqlSqlDialect(
          PostgresqlSqlDialect.DEFAULT_CONTEXT.withDataTypeSystem(RelspecTypeSystem.INSTANCE))),
  ANSI("ansi", new ExplicitNullsAnsiDialect());

  private final String cliName;
  private final SqlDialect dialect;

  SqlDialectName(String cliName, SqlDialect dialect) {
    this.cliName = cliName;
    this.dialect = dialect;
  }

  public String cliName() {
    return cliName;
  }

  SqlDialect dialect() {
    return dialect;
  }

  /**
   * ANSI SQL with double-quoted identifiers and NULLS FIRST/LAST always written: where nulls sort
   * by default is implementation-defined in the standard.
   */
  private static final class ExplicitNullsAnsiDialect extends AnsiSqlDialect {
    ExplicitNullsAnsiDialect() {
      super(
          AnsiSqlDialect.DEFAULT_CONTEXT
              .withIdentifierQuoteString("\"")
              .withDataTypeSystem(RelspecTypeSystem.INSTANCE));
    }

    @Override
    public RelFieldCollation.NullDirection defaultNullDirection(
        RelFieldCollation.Direction direction) {
      return RelFieldCollation.NullDirection.UNSPECIFIED;
    }
  }

  /**
   * Spark SQL, whose string literals read a backslash as an escape (with the default {@code
   * spark.sql.parser.escapedStringLiterals=false}): a backslash in a value is written doubled, so
   * that the like pattern {@code a\\%} (a literal backslash, then any run) reads back as itself.
   */
  private static final class BackslashEscapingSparkDialect extends SparkSqlDialect {
    BackslashEscapingSparkDialect() {
      super(SparkSqlDialect.DEFAULT_CONTEXT.withDataTypeSystem(RelspecTypeSystem.INSTANCE));
    }

    @Override
    public void quoteStringLiteral(StringBuilder buf, String charsetName, String val) {
      super.quoteStringLiteral(buf, charsetName, val.replace("\\", "\\\\"));
    }
  }

  /** The dialect of a command-line name ({@code spark}, {@code postgres}, {@code ansi}). */
  public static SqlDialectName fromCliName(String name) {
    for (SqlDialectName value : values()) {
      if (value.cliName.equals(name.toLowerCase(Locale.ROOT))) {
        return value;
      }
    }
    throw new IllegalArgumentException(
        "Cannot render SQL in dialect '"
            + name
            + "': unknown dialect. Use one of "
            + Arrays.stream(values()).map(SqlDialectName::cliName).toList());
  }
}
