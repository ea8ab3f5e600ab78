package io.relspec.spark.run;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.TypeRules;
import io.relspec.spark.SparkErrors;
import io.relspec.spark.compile.ExprCompiler;
import io.relspec.spark.compile.SparkTypes;
import io.relspec.spark.compile.Typed;
import io.relspec.spark.engine.SparkEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;

/**
 * Reads an input dataset's files and checks them against the declared schema: every declared column
 * must be there with the declared type or one that widens to it (then it is cast), and a column
 * declared non-null must hold no null.
 *
 * <p>The null check runs as the rows are read, inside the rule's own plan (no extra pass over the
 * data): a null raises an error that {@link #nullInputError} turns into a user error naming the
 * dataset, the first file holding such a null and the column. Columns the file schema itself marks
 * required (Parquet {@code REQUIRED}) are not checked; a column no rule reads is not checked
 * either. On engine {@code spark-datafusion} the check is one query before the rule instead (Comet
 * cannot run {@code raise_error}, and the rule would fall back to Spark because of it).
 */
public final class InputReader {
  private static final String NULL_TAG = "relspec-null-input<<";
  private static final String NULL_END = ">>";
  private static final String SEP = "\u001f";

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
    // scan.fileExtension: only files with that extension are read (others in the directory are
    // ignored, as are Spark's _SUCCESS and hidden files)
    String glob = "*" + spec.scan().fileExtension();
    Dataset<Row> files;
    try {
      files =
          switch (spec.format()) {
            case PARQUET -> spark.read().option("pathGlobFilter", glob).parquet(path.toString());
            case CSV ->
                spark
                    .read()
                    .option("pathGlobFilter", glob)
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
    // Comet cannot run raise_error (nor the cast of its null result): on spark-datafusion the check
    // is one native query before the rule, so the rule itself stays native
    boolean checkInPlan = SparkEngine.of(spark) != SparkEngine.SPARK_DATAFUSION;
    Map<String, String> checkedAhead = new LinkedHashMap<>();
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
      Column column = value.column();
      if (!declared.nullable() && found.nullable()) {
        String tag =
            NULL_TAG
                + String.join(
                    SEP,
                    spec.name(),
                    path.toString(),
                    declared.name(),
                    spec.format().jsonName(),
                    glob)
                + NULL_END;
        if (checkInPlan) {
          column =
              functions
                  .when(column.isNull(), functions.raise_error(functions.lit(tag)))
                  .otherwise(column);
        } else {
          checkedAhead.put(declared.name(), tag);
        }
      }
      columns.add(column.as(declared.name()));
    }
    if (!checkedAhead.isEmpty()) {
      checkNoNulls(spark, files, checkedAhead);
    }
    return files.select(columns.toArray(Column[]::new));
  }

  /** One query (stopping at the first hit) for nulls in the columns declared non-null. */
  private static void checkNoNulls(
      SparkSession spark, Dataset<Row> files, Map<String, String> tagByColumn) {
    List<String> names = new ArrayList<>(tagByColumn.keySet());
    Column anyNull =
        names.stream().map(n -> files.col(n).isNull()).reduce(Column::or).orElseThrow();
    List<Row> hit =
        files
            .filter(anyNull)
            .select(names.stream().map(n -> files.col(n).isNull()).toArray(Column[]::new))
            .limit(1)
            .collectAsList();
    if (hit.isEmpty()) {
      return;
    }
    for (int i = 0; i < names.size(); i++) {
      if (hit.get(0).getBoolean(i)) {
        String tag = tagByColumn.get(names.get(i));
        throw nullInputError(spark, new IllegalStateException(tag)).orElseThrow();
      }
    }
  }

  /**
   * The user error for a failure caused by a null in a column declared non-null (see the class
   * comment), naming the first file that holds such a null; empty for any other failure.
   */
  public static Optional<RelspecException> nullInputError(SparkSession spark, Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      String message = e.getMessage();
      int start = message == null ? -1 : message.indexOf(NULL_TAG);
      int end = start < 0 ? -1 : message.indexOf(NULL_END, start);
      if (end < 0) {
        continue;
      }
      String[] parts = message.substring(start + NULL_TAG.length(), end).split(SEP, -1);
      if (parts.length != 5) {
        continue;
      }
      String dataset = parts[0];
      String location = parts[1];
      String column = parts[2];
      String file = location;
      // only Parquet files say which file holds the null; other formats name the location
      try {
        List<Row> first =
            !parts[3].equals("parquet")
                ? List.of()
                : spark
                    .read()
                    .option("pathGlobFilter", parts[4])
                    .parquet(location)
                    .filter(functions.col(column).isNull())
                    .select(functions.input_file_name())
                    .limit(1)
                    .collectAsList();
        if (!first.isEmpty() && !first.get(0).getString(0).isEmpty()) {
          file = first.get(0).getString(0);
        }
      } catch (Exception unreadable) {
        // Spark's exceptions are checked to Java but thrown undeclared: name the location
      }
      RelspecException error =
          SparkErrors.badInputSchema(
              dataset, file, column, "is declared non-null but holds null values");
      return Optional.of(new RelspecException(error.code(), error.getMessage(), failure));
    }
    return Optional.empty();
  }
}
