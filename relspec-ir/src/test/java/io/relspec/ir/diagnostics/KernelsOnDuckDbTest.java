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
 * The window-ranking translations of {@code interval_align} and {@code dedupe}, rendered for
 * PostgreSQL and run on DuckDB, follow the spec's tie rules: shortest right span, then tieBreakers,
 * then the remaining right columns ascending; unmatched left rows get NO_MATCH.
 */
class KernelsOnDuckDbTest {
  private static final String BUNDLE =
      "{\"relspec\": 1, \"name\": \"spans\", \"datasets\": [{\"name\": \"refs\", \"format\":"
          + " \"parquet\", \"location\": \"r\", \"schema\": [{\"name\": \"ref_id\", \"type\":"
          + " \"int64\"}, {\"name\": \"path\", \"type\": \"string\"}, {\"name\": \"bstart\","
          + " \"type\": \"int64\"}, {\"name\": \"bend\", \"type\": \"int64\"}]}, {\"name\":"
          + " \"occs\", \"format\": \"parquet\", \"location\": \"o\", \"schema\": [{\"name\":"
          + " \"occ_id\", \"type\": \"int64\"}, {\"name\": \"path\", \"type\": \"string\"},"
          + " {\"name\": \"bstart\", \"type\": \"int64\"}, {\"name\": \"bend\", \"type\":"
          + " \"int64\"}, {\"name\": \"conf\", \"type\": \"float64\"}]}], \"contracts\":"
          + " [{\"name\": \"aligned_v1\", \"version\": 1, \"columns\": [{\"name\": \"ref_id\","
          + " \"type\": \"int64\"}, {\"name\": \"occ_id\", \"type\": \"int64\"}, {\"name\":"
          + " \"conf\", \"type\": \"float64\"}, {\"name\": \"match_kind\", \"type\":"
          + " \"string\"}, {\"name\": \"match_score\", \"type\": \"float64\"}],"
          + " \"canonicalSort\": [{\"col\": \"ref_id\"}]}, {\"name\": \"best_v1\", \"version\":"
          + " 1, \"columns\": [{\"name\": \"occ_id\", \"type\": \"int64\"}, {\"name\": \"path\","
          + " \"type\": \"string\"}, {\"name\": \"conf\", \"type\": \"float64\"}],"
          + " \"canonicalSort\": [{\"col\": \"path\"}]}], \"rules\": [{\"name\": \"aligned\","
          + " \"output\": \"aligned\", \"contract\": \"aligned_v1\", \"ops\": [{\"op\": \"scan\","
          + " \"dataset\": \"refs\"}, {\"op\": \"interval_align\", \"right\": {\"ops\": [{\"op\":"
          + " \"scan\", \"dataset\": \"occs\"}]}, \"on\": [\"path\"], \"leftSpan\": [\"bstart\","
          + " \"bend\"], \"rightSpan\": [\"bstart\", \"bend\"], \"mode\": \"contained\", \"how\":"
          + " \"left\", \"selectRight\": [\"occ_id\", \"conf\"], \"tieBreakers\": [{\"col\":"
          + " \"conf\", \"dir\": \"desc\"}], \"matchMeta\": true}]}, {\"name\": \"best\","
          + " \"output\": \"best\", \"contract\": \"best_v1\", \"ops\": [{\"op\": \"scan\","
          + " \"dataset\": \"occs\"}, {\"op\": \"dedupe\", \"keys\": [\"path\"], \"orderBy\":"
          + " [{\"col\": \"conf\", \"dir\": \"desc\"}]}]}]}";

  private static List<String> rows(Connection db, String query) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet result = s.executeQuery(query)) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(String.valueOf(result.getObject(i)));
        }
        rows.add(String.join(" | ", row));
      }
    }
    return rows;
  }

  @Test
  void intervalAlignAndDedupeFollowTheTieRules() throws SQLException {
    ValidatedBundle bundle = Examples.fromJson(BUNDLE);
    RelCompiler compiler = new RelCompiler(bundle);
    String aligned =
        SqlRenderer.render(
            compiler.output(bundle.output("aligned").orElseThrow()), SqlDialectName.POSTGRES);
    String best =
        SqlRenderer.render(
            compiler.output(bundle.output("best").orElseThrow()), SqlDialectName.POSTGRES);
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = db.createStatement()) {
      s.execute("CREATE TABLE refs (ref_id BIGINT, path VARCHAR, bstart BIGINT, bend BIGINT)");
      s.execute(
          "INSERT INTO refs VALUES (1, 'a', 0, 100), (2, 'a', 30, 40), (3, 'b', 0, 5), (4, NULL,"
              + " 0, 5)");
      s.execute(
          "CREATE TABLE occs (occ_id BIGINT, path VARCHAR, bstart BIGINT, bend BIGINT, conf"
              + " DOUBLE)");
      // 101 and 102 tie on span length (10) and conf (0.9): the lower occ_id wins.
      s.execute(
          "INSERT INTO occs VALUES (102, 'a', 30, 40, 0.9), (101, 'a', 50, 60, 0.9), (100, 'a',"
              + " 10, 20, 0.5), (103, 'a', 0, 90, 0.2), (104, 'b', 1, 6, 0.3)");
      assertThat(rows(db, aligned))
          .containsExactly(
              "1 | 101 | 0.9 | contained | -10.0",
              "2 | 102 | 0.9 | contained | -10.0",
              "3 | null | null | NO_MATCH | null",
              "4 | null | null | NO_MATCH | null");
      assertThat(rows(db, best)).containsExactly("101 | a | 0.9", "104 | b | 0.3");
      String alignedOptimized =
          SqlRenderer.render(
              PlanOptimizer.optimize(compiler.output(bundle.output("aligned").orElseThrow())),
              SqlDialectName.POSTGRES);
      assertThat(rows(db, alignedOptimized)).isEqualTo(rows(db, aligned));
    }
  }

  /**
   * A bundle exploding {@code calls.names} into {@code name}, with {@code position} {@code p} when
   * {@code withPosition}.
   */
  private static ValidatedBundle explodeBundle(boolean outer, boolean withPosition) {
    return Examples.fromJson(
        "{\"relspec\": 1, \"name\": \"x\", \"datasets\": [{\"name\": \"calls\","
            + " \"format\": \"parquet\", \"location\": \"c\", \"schema\": [{\"name\":"
            + " \"id\", \"type\": \"int64\"}, {\"name\": \"names\", \"type\":"
            + " \"list<string>\"}]}], \"contracts\": [{\"name\": \"e_v1\", \"version\": 1,"
            + " \"columns\": [{\"name\": \"id\", \"type\": \"int64\"}, {\"name\":"
            + " \"name\", \"type\": \"string\"}], \"canonicalSort\": [{\"col\": \"id\"},"
            + " {\"col\": \"name\"}]}],"
            + " \"rules\": [{\"name\": \"e\", \"output\": \"e\", \"contract\": \"e_v1\","
            + " \"ops\": [{\"op\": \"scan\", \"dataset\": \"calls\"}, {\"op\":"
            + " \"explode\", \"column\": \"names\", \"as\": \"name\","
            + (withPosition ? " \"position\": \"p\"," : "")
            + " \"outer\": "
            + outer
            + "}]}]}");
  }

  private static void createCalls(Statement s) throws SQLException {
    s.execute("CREATE TABLE calls (id BIGINT, names VARCHAR[])");
    s.execute("INSERT INTO calls VALUES (1, ['f', 'g']), (2, []), (3, NULL), (4, ['h', NULL])");
  }

  /**
   * Outer explode keeps a row with a null or an empty list, with a null element (docs/format.md,
   * explode): PostgreSQL's {@code LEFT JOIN LATERAL UNNEST(...) ON TRUE}, not Calcite's comma join.
   * Without a position, as DuckDB 1.1.3 does not implement UNNEST ... WITH ORDINALITY.
   */
  @Test
  void outerExplodeKeepsNullAndEmptyLists() throws SQLException {
    ValidatedBundle bundle = explodeBundle(true, false);
    RelCompiler compiler = new RelCompiler(bundle);
    String rule =
        SqlRenderer.render(compiler.rule(bundle.plan("e").orElseThrow()), SqlDialectName.POSTGRES);
    String output =
        SqlRenderer.render(
            compiler.output(bundle.output("e").orElseThrow()), SqlDialectName.POSTGRES);
    String optimized =
        SqlRenderer.render(
            PlanOptimizer.optimize(compiler.output(bundle.output("e").orElseThrow())),
            SqlDialectName.POSTGRES);
    assertThat(output).contains("LEFT JOIN LATERAL UNNEST(").contains(" ON TRUE");
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = db.createStatement()) {
      createCalls(s);
      List<String> expected =
          List.of("1 | f", "1 | g", "2 | null", "3 | null", "4 | h", "4 | null");
      assertThat(rows(db, output)).containsExactlyElementsOf(expected);
      assertThat(rows(db, optimized)).containsExactlyElementsOf(expected);
      assertThat(rows(db, rule)).containsExactlyInAnyOrderElementsOf(expected);
      String ansi =
          SqlRenderer.render(
              compiler.output(bundle.output("e").orElseThrow()), SqlDialectName.ANSI);
      assertThat(ansi).contains("LEFT JOIN LATERAL UNNEST(");
      assertThat(rows(db, ansi)).containsExactlyElementsOf(expected);
    }
  }

  /** Without a position: DuckDB 1.1.3 does not implement UNNEST ... WITH ORDINALITY. */
  @Test
  void explodeAsACorrelatedUnnest() throws SQLException {
    ValidatedBundle bundle = explodeBundle(false, false);
    RelCompiler compiler = new RelCompiler(bundle);
    String sql =
        SqlRenderer.render(
            compiler.output(bundle.output("e").orElseThrow()), SqlDialectName.POSTGRES);
    assertThat(sql).contains(",\n  LATERAL UNNEST(").doesNotContain("LEFT JOIN");
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = db.createStatement()) {
      createCalls(s);
      assertThat(rows(db, sql)).containsExactly("1 | f", "1 | g", "4 | h", "4 | null");
    }
  }

  /**
   * With a position the outer form is the same left lateral join over {@code UNNEST ... WITH
   * ORDINALITY}, in PostgreSQL and ANSI (not run here: DuckDB 1.1.3 lacks WITH ORDINALITY).
   */
  @Test
  void outerExplodeWithPositionIsALeftLateralJoin() {
    ValidatedBundle bundle = explodeBundle(true, true);
    RelCompiler compiler = new RelCompiler(bundle);
    for (SqlDialectName dialect : List.of(SqlDialectName.POSTGRES, SqlDialectName.ANSI)) {
      String sql = SqlRenderer.render(compiler.rule(bundle.plan("e").orElseThrow()), dialect);
      assertThat(sql)
          .contains("\"t00\".\"ORDINALITY\" - 1 AS \"p\"")
          .contains("\n  LEFT JOIN LATERAL UNNEST(")
          .endsWith(" WITH ORDINALITY AS \"t00\" (\"name\", \"ORDINALITY\") ON TRUE")
          .doesNotContain(",\n  LATERAL");
    }
  }
}
