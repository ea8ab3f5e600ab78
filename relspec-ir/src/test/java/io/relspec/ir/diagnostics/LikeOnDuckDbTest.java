package io.relspec.ir.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.validate.ValidatedBundle;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code like} renders with the backslash as its escape (docs/format.md, "like and the backslash"):
 * {@code ESCAPE '\'} in PostgreSQL and ANSI, Spark SQL's default escape in Spark; the PostgreSQL
 * text run on DuckDB (which has no default escape) gives relspec's results for {@code \%}, {@code
 * \_} and {@code \\}.
 */
class LikeOnDuckDbTest {
  /** Patterns as JSON string contents: a\%c, a\_c, a\\%, a_c. */
  private static final List<String> PATTERNS = List.of("a\\\\%c", "a\\\\_c", "a\\\\\\\\%", "a_c");

  private static ValidatedBundle bundle() {
    StringBuilder columns = new StringBuilder("\"s\"");
    for (int i = 0; i < PATTERNS.size(); i++) {
      columns
          .append(", {\"name\": \"m")
          .append(i)
          .append("\", \"expr\": {\"fn\": \"like\", \"args\": [{\"col\": \"s\"}, {\"lit\": \"")
          .append(PATTERNS.get(i))
          .append("\", \"type\": \"string\"}]}}");
    }
    return Examples.fromJson(
        "{\"relspec\": 1, \"name\": \"x\", \"datasets\": [{\"name\": \"words\", \"format\":"
            + " \"parquet\", \"location\": \"w\", \"schema\": [{\"name\": \"s\", \"type\":"
            + " \"string\"}]}], \"contracts\": [{\"name\": \"c\", \"version\": 1, \"columns\":"
            + " [{\"name\": \"s\", \"type\": \"string\"}]}], \"rules\": [{\"name\": \"r\","
            + " \"output\": \"r\", \"contract\": \"c\", \"ops\": [{\"op\": \"scan\", \"dataset\":"
            + " \"words\"}, {\"op\": \"project\", \"columns\": ["
            + columns
            + "]}]}]}");
  }

  @Test
  void backslashEscapesInEveryDialect() throws SQLException {
    ValidatedBundle bundle = bundle();
    RelCompiler compiler = new RelCompiler(bundle);
    String postgres =
        SqlRenderer.render(compiler.rule(bundle.plan("r").orElseThrow()), SqlDialectName.POSTGRES);
    String ansi =
        SqlRenderer.render(compiler.rule(bundle.plan("r").orElseThrow()), SqlDialectName.ANSI);
    String spark =
        SqlRenderer.render(compiler.rule(bundle.plan("r").orElseThrow()), SqlDialectName.SPARK);
    assertThat(postgres).contains("LIKE 'a\\%c' ESCAPE '\\'");
    assertThat(ansi).contains("LIKE 'a\\%c' ESCAPE '\\'");
    // Spark SQL reads a backslash in a string literal as an escape: the pattern a\\% is 'a\\\\%'
    assertThat(spark)
        .contains("LIKE 'a\\\\%c' `m0`")
        .contains("LIKE 'a\\\\\\\\%' `m2`")
        .doesNotContain("ESCAPE");
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = db.createStatement()) {
      s.execute("CREATE TABLE words (s VARCHAR)");
      s.execute("INSERT INTO words VALUES ('abc'), ('a%c'), ('a_c'), ('a\\c'), ('a\\%c'), (NULL)");
      List<String> rows = new ArrayList<>();
      try (ResultSet result = s.executeQuery(postgres)) {
        while (result.next()) {
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= 5; i++) {
            row.add(String.valueOf(result.getObject(i)));
          }
          rows.add(String.join(" | ", row));
        }
      }
      assertThat(rows)
          .containsExactlyInAnyOrder(
              "abc | false | false | false | true",
              "a%c | true | false | false | true",
              "a_c | false | true | false | true",
              "a\\c | false | false | true | true",
              "a\\%c | false | false | true | false",
              "null | null | null | null | null");
    }
  }
}
