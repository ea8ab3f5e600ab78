package io.relspec.ir.diagnostics;

import java.util.Arrays;
import java.util.Locale;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.AnsiSqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.dialect.SparkSqlDialect;

/** The SQL dialects relspec renders rules in. */
public enum SqlDialectName {
  SPARK("spark", SparkSqlDialect.DEFAULT),
  POSTGRES("postgres", PostgresqlSqlDialect.DEFAULT),
  ANSI("ansi", new AnsiSqlDialect(AnsiSqlDialect.DEFAULT_CONTEXT.withIdentifierQuoteString("\"")));

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
