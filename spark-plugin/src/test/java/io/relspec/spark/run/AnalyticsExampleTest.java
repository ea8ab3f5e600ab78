package io.relspec.spark.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.run.RunManifest;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.SparkTestSession;
import io.relspec.spark.compile.SparkTypes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/analytics.json end to end on small hand-made data with hand-computed outputs. */
class AnalyticsExampleTest {
  @TempDir Path dir;

  private static SparkSession spark() {
    return SparkTestSession.spark();
  }

  private void write(String name, List<Field> schema, Object[]... rows) {
    List<Row> list = new ArrayList<>();
    for (Object[] row : rows) {
      list.add(RowFactory.create(row));
    }
    spark()
        .createDataFrame(list, SparkTypes.toSpark(schema))
        .write()
        .parquet(dir.resolve("data").resolve("analytics").resolve(name).toString());
  }

  private static Object[] row(Object... values) {
    return values;
  }

  private static List<Object> r(Object... values) {
    return Arrays.asList(values);
  }

  private static BigDecimal d(String value) {
    return new BigDecimal(value);
  }

  private static Date date(String value) {
    return Date.valueOf(value);
  }

  @Test
  void analyticsExampleEndToEnd() throws IOException {
    ValidatedBundle bundle = BundleValidator.validate(Path.of("..", "examples", "analytics.json"));
    Map<String, List<Field>> schemas = new HashMap<>();
    bundle.bundle().datasets().forEach(ds -> schemas.put(ds.name(), ds.schema()));
    write(
        "customers",
        schemas.get("customers"),
        row(1L, "Ann", "north", date("2023-05-01")),
        row(2L, "Bob", "south", date("2024-02-10")),
        row(3L, null, "north", date("2022-12-31")),
        row(4L, "Dee", null, date("2024-07-04")),
        row(5L, "Eve", "east", null));
    write(
        "orders",
        schemas.get("orders"),
        row(10L, 1L, date("2024-01-05"), "shipped", d("600.00")),
        row(11L, 1L, date("2024-03-01"), "delivered", d("500.00")),
        row(12L, 2L, date("2023-12-31"), "shipped", d("50.00")),
        row(13L, 2L, date("2024-02-11"), "cancelled", d("999.00")),
        row(14L, 3L, date("2024-06-01"), "shipped", d("400.00")),
        row(15L, 4L, date("2024-08-01"), "delivered", d("120.00")),
        row(16L, null, date("2024-09-01"), "shipped", d("70.00")),
        row(17L, 2L, date("2024-05-05"), "pending", d("80.00")),
        row(18L, 1L, null, "shipped", d("10.00")));
    write(
        "order_items",
        schemas.get("order_items"),
        row(10L, "A", 2, d("100.00")),
        row(10L, "B", 1, d("400.00")),
        row(11L, "A", 5, d("100.00")),
        row(13L, "C", 9, d("111.00")),
        row(14L, "B", 1, d("400.00")),
        row(15L, "C", 1, d("120.00")),
        row(16L, "A", null, d("70.00")),
        row(99L, "Z", 1, d("1.00")),
        row(17L, null, 1, d("80.00")));

    Path out = dir.resolve("out");
    RunManifest report =
        new SparkRunner(
                spark(),
                new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
            .run(bundle, dir.resolve("data"), out, Map.of());

    // since 2024-01-01, shipped or delivered: orders 10, 11, 14 (north) and 15 (null region);
    // order 16 has no customer (inner join), order 18 no date (filter drops null)
    assertThat(WrittenRows.read(out.resolve("region_revenue")))
        .containsExactly(
            r("north", d("1500.00"), 3L, 2L, 500.0), r(null, d("120.00"), 1L, 1L, 120.0));
    // not cancelled, per customer, total >= 100.00 (the rule's binding); customer 3 has no name
    assertThat(WrittenRows.read(out.resolve("top_customers")))
        .containsExactly(
            r(1L, "Ann", d("1110.00"), 3L, "gold"),
            r(2L, "Bob", d("130.00"), 2L, "bronze"),
            r(4L, "Dee", d("120.00"), 1L, "bronze"));
    assertThat(WrittenRows.read(out.resolve("top_customers__errors")))
        .extracting(row -> row.subList(0, 7))
        .containsExactly(r(3L, null, d("400.00"), 1L, "silver", "null_violation", "name"));
    // semi join drops order 13 (cancelled) and 99 (no order); the null sku row is dropped by
    // the contract (onViolation drop, no errors dataset)
    assertThat(WrittenRows.read(out.resolve("sku_sales")))
        .containsExactly(
            r("A", 7L, d("700.00"), 5), r("B", 2L, d("800.00"), 1), r("C", 1L, d("120.00"), 1));
    assertThat(out.resolve("sku_sales__errors")).doesNotExist();
    // anti join: a null customer_id in orders never matches, so Eve (no orders) stays
    assertThat(WrittenRows.read(out.resolve("dormant_customers")))
        .containsExactly(r(5L, "Eve", null));

    Map<String, RunManifest.OutputReport> outputs = new HashMap<>();
    report.outputs().forEach(o -> outputs.put(o.name(), o));
    assertThat(outputs.get("top_customers").quarantined()).isEqualTo(1);
    assertThat(outputs.get("top_customers").rowsIn()).isEqualTo(4);
    assertThat(outputs.get("sku_sales").dropped()).isEqualTo(1);
    assertThat(outputs.get("sku_sales").rowsIn()).isEqualTo(outputs.get("sku_sales").rowsOut() + 1);
    assertThat(outputs.get("top_customers").rules().get(0).params())
        .containsEntry("top_n_floor", "100.00");
  }
}
