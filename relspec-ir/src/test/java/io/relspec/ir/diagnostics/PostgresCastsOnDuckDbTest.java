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
import org.apache.calcite.rel.RelNode;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL-dialect casts that may fail give null for malformed text (as relspec's cast does)
 * instead of an error, run on DuckDB; stable_hash64 is named as a function the reader provides.
 */
class PostgresCastsOnDuckDbTest {
  private static String ruleSql(String expr, String type, SqlDialectName dialect) {
    ValidatedBundle validated = withType(expr, type);
    RelNode rel = new RelCompiler(validated).rule(validated.plan("r").orElseThrow());
    return SqlRenderer.render(rel, dialect);
  }

  private static ValidatedBundle withType(String expr, String type) {
    return Examples.fromJson(
        "{\"relspec\": 1, \"name\": \"x\", \"datasets\": [{\"name\": \"t\", \"format\":"
            + " \"parquet\", \"location\": \"t\", \"schema\": [{\"name\": \"id\", \"type\":"
            + " \"int64\"}, {\"name\": \"s\", \"type\": \"string\"}]}], \"contracts\":"
            + " [{\"name\": \"c_v1\", \"version\": 1, \"columns\": [{\"name\": \"id\", \"type\":"
            + " \"int64\"}, {\"name\": \"v\", \"type\": \""
            + type
            + "\"}]}], \"rules\": [{\"name\": \"r\", \"output\": \"r\", \"contract\": \"c_v1\","
            + " \"ops\": [{\"op\": \"scan\", \"dataset\": \"t\"}, {\"op\": \"project\","
            + " \"columns\": [\"id\", {\"name\": \"v\", \"expr\": "
            + expr
            + "}]}]}]}");
  }

  private static List<String> rows(Connection db, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery(sql + " ORDER BY 1")) {
      while (rs.next()) {
        rows.add(rs.getLong(1) + " | " + rs.getString(2));
      }
    }
    return rows;
  }

  @Test
  void castsFromMalformedTextGiveNullInsteadOfAnError() throws SQLException {
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = db.createStatement()) {
      s.execute("CREATE TABLE t (id BIGINT, s VARCHAR)");
      s.execute(
          "INSERT INTO t VALUES (1, '12'), (2, 'x12'), (3, ' -7 '), (4, NULL), (5, '1.5'),"
              + " (6, '2024-02-29'), (7, 'true'), (8, '')");
      String toInt =
          ruleSql(
              "{\"cast\": {\"col\": \"s\"}, \"to\": \"int64\"}", "int64", SqlDialectName.POSTGRES);
      assertThat(toInt).contains("CASE WHEN \"s\" ~ '").contains("THEN CAST(\"s\" AS BIGINT)");
      assertThat(rows(db, toInt))
          .containsExactly(
              "1 | 12",
              "2 | null",
              "3 | -7",
              "4 | null",
              "5 | null",
              "6 | null",
              "7 | null",
              "8 | null");
      String toDouble =
          ruleSql(
              "{\"cast\": {\"col\": \"s\"}, \"to\": \"float64\"}",
              "float64",
              SqlDialectName.POSTGRES);
      assertThat(rows(db, toDouble))
          .containsExactly(
              "1 | 12.0",
              "2 | null",
              "3 | -7.0",
              "4 | null",
              "5 | 1.5",
              "6 | null",
              "7 | null",
              "8 | null");
      String toDate =
          ruleSql(
              "{\"cast\": {\"col\": \"s\"}, \"to\": \"date32\"}",
              "date32",
              SqlDialectName.POSTGRES);
      assertThat(rows(db, toDate))
          .containsExactly(
              "1 | null",
              "2 | null",
              "3 | null",
              "4 | null",
              "5 | null",
              "6 | 2024-02-29",
              "7 | null",
              "8 | null");
      String toBool =
          ruleSql(
              "{\"cast\": {\"col\": \"s\"}, \"to\": \"boolean\"}",
              "boolean",
              SqlDialectName.POSTGRES);
      assertThat(rows(db, toBool))
          .containsExactly(
              "1 | null",
              "2 | null",
              "3 | null",
              "4 | null",
              "5 | null",
              "6 | null",
              "7 | true",
              "8 | null");
    }
    // Spark and ANSI keep the plain cast (null on failure in Spark's default mode).
    assertThat(
            ruleSql(
                "{\"cast\": {\"col\": \"s\"}, \"to\": \"int64\"}", "int64", SqlDialectName.SPARK))
        .contains("CAST(`s` AS BIGINT)")
        .doesNotContain("CASE");
  }

  @Test
  void stableHash64IsAFunctionThePostgresReaderProvides() {
    ValidatedBundle validated =
        withType("{\"fn\": \"stable_hash64\", \"args\": [{\"col\": \"s\"}]}", "int64");
    RelNode rel = new RelCompiler(validated).rule(validated.plan("r").orElseThrow());
    assertThat(SqlRenderer.render(rel, SqlDialectName.POSTGRES)).contains("STABLE_HASH64(\"s\")");
    assertThat(SqlRenderer.udfs(rel, SqlDialectName.POSTGRES))
        .containsExactly(SqlRenderer.STABLE_HASH64_UDF);
    assertThat(SqlRenderer.udfs(rel, SqlDialectName.ANSI))
        .containsExactly(SqlRenderer.STABLE_HASH64_UDF);
    assertThat(SqlRenderer.udfs(rel, SqlDialectName.SPARK)).isEmpty();
    assertThat(SqlRenderer.render(rel, SqlDialectName.SPARK)).contains("XXHASH64(`s`)");
  }
}
