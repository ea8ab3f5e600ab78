package io.relspec.ir.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.validate.ValidatedBundle;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.calcite.rel.RelNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL-dialect SQL of every output of {@code examples/analytics.json} (rules and
 * finalization), run on DuckDB over small hand-made tables, against rows computed by hand.
 */
class AnalyticsOnDuckDbTest {
  private static Connection db;
  private static Map<String, String> sql;
  private static Map<String, String> optimizedSql;

  @BeforeAll
  static void load() throws SQLException {
    db = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = db.createStatement()) {
      s.execute(
          "CREATE TABLE customers (customer_id BIGINT NOT NULL, name VARCHAR, region VARCHAR,"
              + " signup_date DATE)");
      s.execute(
          "INSERT INTO customers VALUES (1, 'Ann', 'north', DATE '2023-05-01'), (2, 'Bob',"
              + " 'south', DATE '2024-02-10'), (3, NULL, 'north', DATE '2022-01-15'), (4, 'Dan',"
              + " 'east', DATE '2021-07-07'), (5, 'Eve', NULL, DATE '2024-03-03')");
      s.execute(
          "CREATE TABLE orders (order_id BIGINT NOT NULL, customer_id BIGINT, order_date DATE,"
              + " status VARCHAR, amount DECIMAL(12,2))");
      s.execute(
          "INSERT INTO orders VALUES (10, 1, DATE '2024-01-05', 'shipped', 120.00), (11, 1, DATE"
              + " '2024-02-01', 'delivered', 900.00), (12, 2, DATE '2024-03-01', 'shipped',"
              + " 50.50), (13, 2, DATE '2023-12-31', 'shipped', 400.00), (14, 3, DATE"
              + " '2024-04-01', 'cancelled', 75.00), (15, 3, DATE '2024-04-02', 'delivered',"
              + " 310.00), (16, NULL, DATE '2024-05-01', 'shipped', 20.00)");
      s.execute(
          "CREATE TABLE order_items (order_id BIGINT NOT NULL, sku VARCHAR, qty INTEGER,"
              + " unit_price DECIMAL(10,2))");
      s.execute(
          "INSERT INTO order_items VALUES (10, 'A', 2, 10.00), (10, 'B', 1, 100.00), (11, 'A', 5,"
              + " 10.00), (14, 'C', 3, 25.00), (15, 'B', 3, 100.00), (99, 'A', 1, 10.00), (12,"
              + " NULL, 4, 5.00)");
    }
    ValidatedBundle bundle = Examples.validated("analytics.json");
    RelCompiler compiler = new RelCompiler(bundle);
    sql = new TreeMap<>();
    optimizedSql = new TreeMap<>();
    for (OutputPlan output : bundle.outputs()) {
      RelNode rel = compiler.output(output);
      sql.put(output.name(), SqlRenderer.render(rel, SqlDialectName.POSTGRES));
      optimizedSql.put(
          output.name(), SqlRenderer.render(PlanOptimizer.optimize(rel), SqlDialectName.POSTGRES));
    }
  }

  @AfterAll
  static void close() throws SQLException {
    db.close();
  }

  /** Rows of an output's SQL; the optimized form must give the same rows. */
  private static List<String> rows(String output) throws SQLException {
    List<String> rows = rowsOf(sql.get(output));
    assertThat(rowsOf(optimizedSql.get(output))).as("optimized " + output).isEqualTo(rows);
    return rows;
  }

  private static List<String> rowsOf(String query) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet result = s.executeQuery(query)) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          Object value = result.getObject(i);
          row.add(value instanceof BigDecimal d ? d.toPlainString() : String.valueOf(value));
        }
        rows.add(String.join(" | ", row));
      }
    }
    return rows;
  }

  @Test
  void regionRevenue() throws SQLException {
    // Since 2024-01-01, shipped or delivered, joined to a customer: north = orders 10, 11 (Ann)
    // and 15 (customer 3); south = order 12 (Bob). Order 16 has no customer.
    assertThat(rows("region_revenue"))
        .containsExactly(
            "north | 1330.00 | 3 | 2 | 443.3333333333333", "south | 50.50 | 1 | 1 | 50.5");
  }

  @Test
  void topCustomers() throws SQLException {
    // Not cancelled: Ann 120 + 900, Bob 50.50 + 400, customer 3 310 (no name: quarantined by the
    // contract), no customer 20 (below the floor of 100).
    assertThat(rows("top_customers"))
        .containsExactly("1 | Ann | 1020.00 | 2 | gold", "2 | Bob | 450.50 | 2 | silver");
  }

  @Test
  void skuSales() throws SQLException {
    // Items of orders that exist and are not cancelled: A 2x10 + 5x10, B 1x100 + 3x100; the null
    // sku group (order 12) is dropped by the contract.
    assertThat(rows("sku_sales")).containsExactly("A | 7 | 70.00 | 5", "B | 4 | 400.00 | 3");
  }

  @Test
  void dormantCustomers() throws SQLException {
    assertThat(rows("dormant_customers")).containsExactly("4 | Dan | 2021", "5 | Eve | 2024");
  }
}
