package io.relspec.spark.datagen;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Shop tables for {@code examples/analytics.json}: customers (some with no orders, some with null
 * names or regions), orders (null customers, four statuses) and order items (some null SKUs).
 * Deterministic by seed; {@code rows} is the number of orders.
 */
public final class AnalyticsGenerator {
  public static final StructType CUSTOMERS =
      new StructType()
          .add("customer_id", DataTypes.LongType, false)
          .add("name", DataTypes.StringType, true)
          .add("region", DataTypes.StringType, true)
          .add("signup_date", DataTypes.DateType, true);
  public static final StructType ORDERS =
      new StructType()
          .add("order_id", DataTypes.LongType, false)
          .add("customer_id", DataTypes.LongType, true)
          .add("order_date", DataTypes.DateType, true)
          .add("status", DataTypes.StringType, true)
          .add("amount", DataTypes.createDecimalType(12, 2), true);
  public static final StructType ORDER_ITEMS =
      new StructType()
          .add("order_id", DataTypes.LongType, false)
          .add("sku", DataTypes.StringType, true)
          .add("qty", DataTypes.IntegerType, true)
          .add("unit_price", DataTypes.createDecimalType(10, 2), true);

  private static final String[] REGIONS = {"north", "south", "east", "west"};
  private static final String[] STATUSES = {
    "shipped", "shipped", "delivered", "delivered", "cancelled", "pending"
  };

  private AnalyticsGenerator() {}

  public static Generated write(SparkSession spark, long rows, long seed, Path out) {
    long customers = Math.max(10, rows / 10);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put(
        "customers",
        TableWriter.write(spark, out, "customers", customers, CUSTOMERS, id -> customer(id, seed)));
    counts.put(
        "orders",
        TableWriter.write(spark, out, "orders", rows, ORDERS, id -> order(id, customers, seed)));
    counts.put(
        "order_items",
        TableWriter.write(spark, out, "order_items", rows * 2, ORDER_ITEMS, id -> item(id, seed)));
    return new Generated(out, counts);
  }

  private static org.apache.spark.sql.Row customer(long id, long seed) {
    SplittableRandom random = RowRandom.of(seed, 11, id);
    String name = RowRandom.oneIn(random, 25) ? null : String.format("Customer#%06d", id + 1);
    String region = RowRandom.oneIn(random, 20) ? null : REGIONS[random.nextInt(REGIONS.length)];
    return RowFactory.create(
        id + 1,
        name,
        region,
        java.sql.Date.valueOf(LocalDate.of(2020, 1, 1).plusDays(random.nextInt(1500))));
  }

  private static org.apache.spark.sql.Row order(long id, long customers, long seed) {
    SplittableRandom random = RowRandom.of(seed, 12, id);
    // The last tenth of the customers never order: they are the dormant ones.
    Long customer =
        RowRandom.oneIn(random, 100) ? null : 1 + random.nextLong(Math.max(1, customers * 9 / 10));
    java.sql.Date date =
        java.sql.Date.valueOf(LocalDate.of(2023, 6, 1).plusDays(random.nextInt(700)));
    String status = STATUSES[random.nextInt(STATUSES.length)];
    BigDecimal amount = BigDecimal.valueOf(500 + random.nextInt(200_000), 2);
    return RowFactory.create(id + 1, customer, date, status, amount);
  }

  private static org.apache.spark.sql.Row item(long id, long seed) {
    SplittableRandom random = RowRandom.of(seed, 13, id);
    String sku =
        RowRandom.oneIn(random, 100) ? null : String.format("SKU-%03d", random.nextInt(50));
    return RowFactory.create(
        id / 2 + 1,
        sku,
        1 + random.nextInt(10),
        BigDecimal.valueOf(99 + random.nextInt(20_000), 2));
  }
}
