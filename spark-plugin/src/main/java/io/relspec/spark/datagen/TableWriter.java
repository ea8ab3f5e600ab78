package io.relspec.spark.datagen;

import java.nio.file.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Writes {@code rows} generated rows as Parquet, one row per id, in id order within each file. */
final class TableWriter {
  private TableWriter() {}

  static long write(
      SparkSession spark,
      Path directory,
      String table,
      long rows,
      StructType schema,
      MapFunction<Long, Row> row) {
    int files = (int) Math.max(1, Math.min(64, rows / 2_000_000));
    Dataset<Row> data =
        spark
            .range(0, rows, 1, files)
            .map((MapFunction<Long, Row>) row::call, Encoders.row(schema));
    data.write().mode(SaveMode.Overwrite).parquet(directory.resolve(table).toString());
    return rows;
  }
}
