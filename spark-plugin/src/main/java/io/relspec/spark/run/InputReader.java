package io.relspec.spark.run;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.TypeRules;
import io.relspec.spark.SparkErrors;
import io.relspec.spark.compile.ExprCompiler;
import io.relspec.spark.compile.SparkTypes;
import io.relspec.spark.compile.Typed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * Reads an input dataset's files and checks them against the declared schema: every declared column
 * must be there with the declared type or one that widens to it (then it is cast).
 */
public final class InputReader {
  private InputReader() {}

  /**
   * @param where who needs the dataset, e.g. {@code rule 'r1' ops[0]}
   */
  public static Dataset<Row> read(
      SparkSession spark, DatasetSpec spec, Path dataDir, String where) {
    Path path = dataDir.resolve(spec.location()).normalize();
    if (!Files.exists(path)) {
      throw SparkErrors.missingInput(spec.name(), where, path.toString());
    }
    Dataset<Row> files;
    try {
      files =
          switch (spec.format()) {
            case PARQUET -> spark.read().parquet(path.toString());
            case CSV ->
                spark
                    .read()
                    .option("header", "true")
                    .option("mode", "FAILFAST")
                    .schema(SparkTypes.toSpark(spec.schema()))
                    .csv(path.toString());
            case DELTA ->
                throw SparkErrors.unsupportedFormat(spec.name(), spec.format().jsonName());
          };
    } catch (Exception e) {
      if (e instanceof AnalysisException) {
        throw SparkErrors.unreadableInput(spec.name(), path.toString(), e);
      }
      throw e;
    }
    Map<String, StructField> actual = new LinkedHashMap<>();
    for (StructField field : files.schema().fields()) {
      actual.put(field.name(), field);
    }
    List<Column> columns = new ArrayList<>();
    for (Field declared : spec.schema()) {
      StructField found = actual.get(declared.name());
      if (found == null) {
        throw SparkErrors.badInputSchema(
            spec.name(),
            path.toString(),
            declared.name(),
            "is declared but missing from the files (they have " + actual.keySet() + ")");
      }
      DataType type;
      try {
        type = SparkTypes.fromSpark(found.dataType(), "column '" + declared.name() + "'");
      } catch (RuntimeException e) {
        throw SparkErrors.badInputSchema(
            spec.name(),
            path.toString(),
            declared.name(),
            "has unsupported type " + found.dataType().simpleString());
      }
      if (!TypeRules.canWiden(type, declared.type())) {
        throw SparkErrors.badInputSchema(
            spec.name(),
            path.toString(),
            declared.name(),
            "is "
                + type.typeString()
                + " in the files but declared "
                + declared.type().typeString());
      }
      Typed value =
          ExprCompiler.widen(new Typed(files.col(declared.name()).expr(), type), declared.type());
      columns.add(value.column().as(declared.name()));
    }
    return files.select(columns.toArray(Column[]::new));
  }
}
