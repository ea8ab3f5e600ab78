package io.relspec.spark.datagen;

import io.trino.tpch.TpchColumn;
import io.trino.tpch.TpchEntity;
import io.trino.tpch.TpchTable;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * TPC-H tables via {@code io.trino.tpch:tpch}, written as Parquet with proper types: identifiers as
 * int64, integers as int32, money and quantities as decimal(15,2), dates as date32. Generated in
 * parallel, one generator part per task.
 */
public final class TpchGenerator {
  private TpchGenerator() {}

  public static Generated write(SparkSession spark, double scale, Path out) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (TpchTable<?> table : TpchTable.getTables()) {
      counts.put(table.getTableName(), writeTable(spark, table, scale, out));
    }
    return new Generated(out, counts);
  }

  private static <E extends TpchEntity> long writeTable(
      SparkSession spark, TpchTable<E> table, double scale, Path out) {
    StructType schema = schema(table);
    boolean large =
        table == TpchTable.LINE_ITEM
            || table == TpchTable.ORDERS
            || table == TpchTable.PART_SUPPLIER;
    int parts = large ? (int) Math.max(1, Math.min(64, Math.ceil(scale * 8))) : 1;
    String name = table.getTableName();
    Dataset<Row> rows =
        spark
            .range(0, parts, 1, parts)
            .flatMap(
                (FlatMapFunction<Long, Row>)
                    part -> generate(name, scale, part.intValue() + 1, parts),
                Encoders.row(schema));
    rows.write().mode(SaveMode.Overwrite).parquet(out.resolve(name).toString());
    return spark.read().parquet(out.resolve(name).toString()).count();
  }

  static <E extends TpchEntity> StructType schema(TpchTable<E> table) {
    StructType schema = new StructType();
    for (TpchColumn<E> column : table.getColumns()) {
      schema = schema.add(column.getSimplifiedColumnName(), sparkType(column), false);
    }
    return schema;
  }

  private static DataType sparkType(TpchColumn<?> column) {
    return switch (column.getType().getBase()) {
      case IDENTIFIER -> DataTypes.LongType;
      case INTEGER -> DataTypes.IntegerType;
      case DATE -> DataTypes.DateType;
      case DOUBLE -> DataTypes.createDecimalType(15, 2);
      case VARCHAR -> DataTypes.StringType;
    };
  }

  @SuppressWarnings("unchecked")
  private static Iterator<Row> generate(String tableName, double scale, int part, int parts) {
    TpchTable<TpchEntity> table = (TpchTable<TpchEntity>) TpchTable.getTable(tableName);
    List<TpchColumn<TpchEntity>> columns = table.getColumns();
    Iterator<TpchEntity> entities = table.createGenerator(scale, part, parts).iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return entities.hasNext();
      }

      @Override
      public Row next() {
        TpchEntity entity = entities.next();
        List<Object> values = new ArrayList<>(columns.size());
        for (TpchColumn<TpchEntity> column : columns) {
          values.add(
              switch (column.getType().getBase()) {
                case IDENTIFIER -> column.getIdentifier(entity);
                case INTEGER -> column.getInteger(entity);
                case DATE -> java.sql.Date.valueOf(LocalDate.ofEpochDay(column.getDate(entity)));
                case DOUBLE -> BigDecimal.valueOf(Math.round(column.getDouble(entity) * 100), 2);
                case VARCHAR -> column.getString(entity);
              });
        }
        return RowFactory.create(values.toArray());
      }
    };
  }
}
