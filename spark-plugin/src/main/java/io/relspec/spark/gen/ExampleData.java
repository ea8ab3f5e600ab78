package io.relspec.spark.gen;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.nio.file.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Deterministic generators of the example bundles' input data, written as Parquet with the types
 * the bundles declare. Every value is a function of (row id, seed) through xxhash64, so the same
 * arguments give the same rows on any machine and any number of partitions.
 */
public final class ExampleData {
  private ExampleData() {}

  /** A pseudo-random non-negative value in [0, bound) for row {@code id} and stream {@code k}. */
  private static Column rand(long seed, int k, long bound) {
    return pmod(xxhash64(col("id"), lit(seed), lit(k)), lit(bound));
  }

  /**
   * The inputs of examples/cpg.json under {@code dir/cpg/}: files, symbol occurrences (N), name
   * references (N) and call sites (N/2) with byte spans inside, overlapping or equal to
   * occurrences, null symbols and spans, and callee lists that are null, empty or repeat names.
   */
  public static void cpg(SparkSession spark, Path dir, long rows, long seed) {
    long files = Math.max(1, rows / 1000);
    long symbols = Math.max(1, rows / 20);
    Path base = dir.resolve("cpg");
    Column path = concat(lit("src/f"), pmod(col("id"), lit(files)).cast("string"), lit(".py"));

    write(
        spark
            .range(files)
            .select(
                col("id").as("file_id"),
                concat(lit("src/f"), col("id").cast("string"), lit(".py")).as("path"),
                when(rand(seed, 0, 5).equalTo(0), lit(null).cast(DataTypes.StringType))
                    .when(rand(seed, 1, 3).equalTo(0), lit("rust"))
                    .otherwise(lit("python"))
                    .as("language")),
        base.resolve("files"));

    Column occStart = rand(seed, 10, 10_000);
    write(
        spark
            .range(rows)
            .select(
                col("id").as("occ_id"),
                path.as("path"),
                when(rand(seed, 11, 50).equalTo(0), lit(null).cast(DataTypes.StringType))
                    .otherwise(concat(lit("sym"), rand(seed, 12, symbols).cast("string")))
                    .as("symbol"),
                when(rand(seed, 13, 4).equalTo(0), lit("definition"))
                    .otherwise(lit("reference"))
                    .as("role"),
                occStart.as("bstart"),
                occStart.plus(lit(1)).plus(rand(seed, 14, 200)).as("bend"),
                when(rand(seed, 15, 10).equalTo(0), lit(null).cast(DataTypes.DoubleType))
                    .otherwise(rand(seed, 16, 1000).cast(DataTypes.DoubleType).divide(lit(1000.0)))
                    .as("confidence")),
        base.resolve("symbol_occurrences"));

    Column refStart = rand(seed, 20, 10_000);
    write(
        spark
            .range(rows)
            .select(
                col("id").as("ref_id"),
                path.as("path"),
                concat(lit("n"), rand(seed, 21, 100).cast("string")).as("name"),
                when(rand(seed, 22, 97).equalTo(0), lit(null).cast(DataTypes.LongType))
                    .otherwise(refStart)
                    .as("bstart"),
                refStart.plus(lit(1)).plus(rand(seed, 23, 400)).as("bend")),
        base.resolve("name_refs"));

    Column callStart = rand(seed, 30, 10_000);
    Column callee1 = concat(lit("sym"), rand(seed, 31, symbols).cast("string"));
    Column callee2 = concat(lit("sym"), rand(seed, 32, symbols).cast("string"));
    Column all = array(callee1, callee2, callee1);
    write(
        spark
            .range(Math.max(1, rows / 2))
            .select(
                col("id").as("call_id"),
                path.as("path"),
                concat(callee1, lit("()")).as("callee_text"),
                callStart.as("bstart"),
                callStart.plus(lit(3)).as("bend"),
                when(
                        rand(seed, 33, 13).equalTo(0),
                        lit(null).cast(DataTypes.createArrayType(DataTypes.StringType)))
                    .otherwise(slice(all, lit(1), rand(seed, 34, 4).cast(DataTypes.IntegerType)))
                    .as("callees")),
        base.resolve("call_sites"));
  }

  /**
   * The inputs of examples/analytics.json under {@code dir/analytics/}: N orders of N/10 customers
   * (the last tenth of them have no orders) and 2N order items.
   */
  public static void analytics(SparkSession spark, Path dir, long rows, long seed) {
    long customers = Math.max(1, rows / 10);
    Path base = dir.resolve("analytics");
    Column day0 = lit(java.sql.Date.valueOf("2023-01-01"));
    write(
        spark
            .range(customers)
            .select(
                col("id").as("customer_id"),
                when(rand(seed, 0, 40).equalTo(0), lit(null).cast(DataTypes.StringType))
                    .otherwise(concat(lit("customer"), col("id").cast("string")))
                    .as("name"),
                when(rand(seed, 1, 30).equalTo(0), lit(null).cast(DataTypes.StringType))
                    .when(rand(seed, 2, 3).equalTo(0), lit("north"))
                    .when(rand(seed, 3, 2).equalTo(0), lit("south"))
                    .otherwise(lit("east"))
                    .as("region"),
                org.apache
                    .spark
                    .sql
                    .functions
                    .date_add(day0, rand(seed, 4, 700).cast(DataTypes.IntegerType))
                    .as("signup_date")),
        base.resolve("customers"));
    Column status =
        when(rand(seed, 10, 10).equalTo(0), lit("cancelled"))
            .when(rand(seed, 11, 7).equalTo(0), lit("pending"))
            .when(rand(seed, 12, 2).equalTo(0), lit("delivered"))
            .otherwise(lit("shipped"));
    write(
        spark
            .range(rows)
            .select(
                col("id").as("order_id"),
                when(rand(seed, 13, 50).equalTo(0), lit(null).cast(DataTypes.LongType))
                    .otherwise(rand(seed, 14, Math.max(1, customers - customers / 10)))
                    .as("customer_id"),
                org.apache
                    .spark
                    .sql
                    .functions
                    .date_add(day0, rand(seed, 15, 730).cast(DataTypes.IntegerType))
                    .as("order_date"),
                status.as("status"),
                rand(seed, 16, 100_000)
                    .cast(DataTypes.createDecimalType(12, 0))
                    .divide(lit(100))
                    .cast(DataTypes.createDecimalType(12, 2))
                    .as("amount")),
        base.resolve("orders"));
    write(
        spark
            .range(rows * 2)
            .select(
                abs(rand(seed, 20, rows)).as("order_id"),
                when(rand(seed, 21, 60).equalTo(0), lit(null).cast(DataTypes.StringType))
                    .otherwise(concat(lit("sku"), rand(seed, 22, 200).cast("string")))
                    .as("sku"),
                when(rand(seed, 23, 40).equalTo(0), lit(null).cast(DataTypes.IntegerType))
                    .otherwise(lit(1).plus(rand(seed, 24, 9)).cast(DataTypes.IntegerType))
                    .as("qty"),
                rand(seed, 25, 50_000)
                    .cast(DataTypes.createDecimalType(10, 0))
                    .divide(lit(100))
                    .cast(DataTypes.createDecimalType(10, 2))
                    .as("unit_price")),
        base.resolve("order_items"));
  }

  private static void write(Dataset<Row> rows, Path path) {
    rows.write().mode(SaveMode.Overwrite).parquet(path.toString());
  }
}
