package io.relspec.spark.run;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.TypeRules;
import io.relspec.spark.SparkErrors;
import io.relspec.spark.compile.ExprCompiler;
import io.relspec.spark.compile.SparkTypes;
import io.relspec.spark.compile.Typed;
import io.relspec.spark.engine.SparkEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.PartitionPath;
import org.apache.spark.sql.execution.datasources.PartitionSpec;
import org.apache.spark.sql.execution.datasources.PartitioningAwareFileIndex;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

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
   * Reads a dataset once, uncached: {@link #resolve} then {@link #rows}. A run reads through {@link
   * InputRelations}, which lists each dataset's files once.
   *
   * @param where who needs the dataset, e.g. {@code rule 'r1' ops[0]}
   */
  public static Dataset<Row> read(
      SparkSession spark, DatasetSpec spec, Path dataDir, String where) {
    return rows(spark, resolve(spark, spec, dataDir, where));
  }

  /**
   * A dataset's files as one Spark relation: listed (and their Parquet footers read) once, with the
   * scan options applied and the declared schema checked.
   *
   * @param spec the dataset
   * @param location where its files are (the spec's location resolved against the data directory)
   * @param relation Spark's relation over the files; its file index holds the listing
   */
  public record Resolved(DatasetSpec spec, String location, BaseRelation relation) {}

  /**
   * Lists the dataset's files and reads their schema: {@code scan.fileExtension} selects the files,
   * {@code scan.partitionCols} are read from {@code name=value} directories with the declared
   * types, and every declared column is checked against the files.
   *
   * @param where who needs the dataset, e.g. {@code rule 'r1' ops[0]}
   */
  public static Resolved resolve(SparkSession spark, DatasetSpec spec, Path dataDir, String where) {
    Path path = dataDir.resolve(spec.location()).normalize();
    if (!Files.exists(path)) {
      throw SparkErrors.missingInput(spec.name(), where, path.toString());
    }
    String location = path.toString();
    ScanOptions scan = spec.scan();
    // scan.fileExtension: only files with that extension are read (others in the directory are
    // ignored, as are Spark's _SUCCESS and hidden files)
    String glob = "*" + scan.fileExtension();
    Dataset<Row> files;
    try {
      files =
          switch (spec.format()) {
            case PARQUET -> {
              Dataset<Row> inferred = spark.read().option("pathGlobFilter", glob).parquet(location);
              yield scan.partitionCols().isEmpty()
                  ? inferred
                  : partitioned(spark, spec, location, glob, inferred);
            }
            case CSV ->
                spark
                    .read()
                    .option("pathGlobFilter", glob)
                    .option("header", "true")
                    .option("mode", "FAILFAST")
                    .schema(SparkTypes.toSpark(spec.schema()))
                    .csv(location);
            case DELTA ->
                throw SparkErrors.unsupportedFormat(spec.name(), spec.format().jsonName());
          };
    } catch (RelspecException e) {
      throw e;
    } catch (Exception e) {
      if (e instanceof AnalysisException) {
        throw SparkErrors.unreadableInput(spec.name(), location, e);
      }
      throw e;
    }
    BaseRelation relation = relation(files);
    if (scan.skipMetadata() && relation instanceof HadoopFsRelation fs) {
      // scan.skipMetadata: the field metadata of the schema Spark keeps in the Parquet footer
      // (comments, char/varchar lengths, ...) is dropped before Spark sees the relation
      relation =
          new HadoopFsRelation(
              fs.location(),
              withoutMetadata(fs.partitionSchema()),
              withoutMetadata(fs.dataSchema()),
              fs.bucketSpec(),
              fs.fileFormat(),
              fs.options(),
              fs.sparkSession());
      files = spark.baseRelationToDataFrame(relation);
    }
    Resolved resolved = new Resolved(spec, location, relation);
    // every check now, so that a bad input fails before any rule runs
    columns(spark, resolved, files, false);
    return resolved;
  }

  /**
   * The rows of a resolved dataset as a new relation (fresh column ids, so two scans of one dataset
   * can be joined), with the declared columns in declared order and types.
   */
  public static Dataset<Row> rows(SparkSession spark, Resolved resolved) {
    Dataset<Row> files = spark.baseRelationToDataFrame(resolved.relation());
    return files.select(columns(spark, resolved, files, true).toArray(Column[]::new));
  }

  private static StructType withoutMetadata(StructType schema) {
    StructField[] fields = schema.fields().clone();
    for (int i = 0; i < fields.length; i++) {
      fields[i] =
          new StructField(
              fields[i].name(), fields[i].dataType(), fields[i].nullable(), Metadata.empty());
    }
    return new StructType(fields);
  }

  private static BaseRelation relation(Dataset<Row> files) {
    LogicalPlan plan = files.queryExecution().analyzed();
    if (plan instanceof LogicalRelation relation) {
      return relation.relation();
    }
    throw SparkErrors.internal(
        "read the files of a dataset",
        new IllegalStateException("Spark returned " + plan.nodeName() + ", not a relation"));
  }

  /**
   * Parquet under hive-style partition directories: Spark is given the files' own data columns plus
   * the declared partition columns with their declared types (no type inference), and {@code
   * basePath} = the dataset location; every partition directory's value must parse as its type.
   */
  private static Dataset<Row> partitioned(
      SparkSession spark, DatasetSpec spec, String location, String glob, Dataset<Row> inferred) {
    BaseRelation relation = relation(inferred);
    StructType found =
        relation instanceof HadoopFsRelation fs ? fs.partitionSchema() : new StructType();
    Set<String> foundPartitions = new LinkedHashSet<>(List.of(found.fieldNames()));
    Set<String> declared = new LinkedHashSet<>();
    List<StructField> fields = new ArrayList<>();
    for (StructField field : inferred.schema().fields()) {
      if (!foundPartitions.contains(field.name())) {
        fields.add(field);
      }
    }
    for (ScanOptions.PartitionColumn column : spec.scan().partitionCols()) {
      if (!foundPartitions.contains(column.name())) {
        throw SparkErrors.badInputSchema(
            spec.name(),
            location,
            column.name(),
            "is a declared partition column but no directory under the location is named '"
                + column.name()
                + "=<value>' (found partition columns "
                + foundPartitions
                + ")");
      }
      declared.add(column.name());
      fields.add(
          new StructField(
              column.name(), SparkTypes.toSpark(column.type()), true, Metadata.empty()));
    }
    // partition columns found in the directories but not declared keep Spark's inferred type
    for (StructField field : found.fields()) {
      if (!declared.contains(field.name())) {
        fields.add(field);
      }
    }
    Dataset<Row> files;
    try {
      files =
          spark
              .read()
              .schema(new StructType(fields.toArray(StructField[]::new)))
              .option("basePath", location)
              .option("pathGlobFilter", glob)
              .parquet(location);
    } catch (Exception e) {
      if (e instanceof SparkThrowable t
          && "_LEGACY_ERROR_TEMP_2058".equals(t.getErrorClass())
          && t.getMessageParameters().containsKey("columnName")) {
        String column = t.getMessageParameters().get("columnName");
        String value = t.getMessageParameters().get("value");
        throw badPartitionValue(spark, spec, location, column, value, e);
      }
      throw e;
    }
    checkPartitionValues(spark, spec, location, relation(files));
    return files;
  }

  /**
   * Spark turns a partition value its cast cannot parse into null for some types (dates,
   * timestamps) instead of failing: a null from a directory other than Hive's default partition is
   * a value that does not parse.
   */
  private static void checkPartitionValues(
      SparkSession spark, DatasetSpec spec, String location, BaseRelation relation) {
    if (!(relation instanceof HadoopFsRelation fs)
        || !(fs.location() instanceof PartitioningAwareFileIndex index)) {
      return;
    }
    PartitionSpec partitions = index.partitionSpec();
    String[] names = partitions.partitionColumns().fieldNames();
    for (PartitionPath partition : JavaConverters.seqAsJavaList(partitions.partitions())) {
      for (int i = 0; i < names.length; i++) {
        if (!partition.values().isNullAt(i)) {
          continue;
        }
        String column = names[i];
        Optional<String> raw = rawValue(partition.path(), column);
        if (raw.isPresent() && !raw.get().equals(DEFAULT_PARTITION)) {
          String type =
              spec.scan().partitionCols().stream()
                  .filter(c -> c.name().equals(column))
                  .findFirst()
                  .map(c -> c.type().typeString())
                  .orElse(partitions.partitionColumns().fields()[i].dataType().simpleString());
          throw SparkErrors.badPartitionValue(
              spec.name(), partition.path().toString(), column, raw.get(), type, null);
        }
      }
    }
  }

  private static final String DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";

  /** The unescaped value of {@code column=value} in a partition directory's path. */
  private static Optional<String> rawValue(org.apache.hadoop.fs.Path dir, String column) {
    for (org.apache.hadoop.fs.Path p = dir; p != null; p = p.getParent()) {
      String name = p.getName();
      int eq = name.indexOf('=');
      if (eq > 0 && ExternalCatalogUtils.unescapePathName(name.substring(0, eq)).equals(column)) {
        return Optional.of(ExternalCatalogUtils.unescapePathName(name.substring(eq + 1)));
      }
    }
    return Optional.empty();
  }

  /** Spark failed on a partition value: find the directory that holds it, for the message. */
  private static RelspecException badPartitionValue(
      SparkSession spark,
      DatasetSpec spec,
      String location,
      String column,
      String value,
      Throwable cause) {
    String type =
        spec.scan().partitionCols().stream()
            .filter(c -> c.name().equals(column))
            .findFirst()
            .map(c -> c.type().typeString())
            .orElse("its declared type");
    String dir = location;
    try {
      org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(location);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      dir = findDirectory(fs, root, column, value, 0).map(Object::toString).orElse(location);
    } catch (IOException e) {
      // name the location instead
    }
    return SparkErrors.badPartitionValue(spec.name(), dir, column, value, type, cause);
  }

  private static Optional<org.apache.hadoop.fs.Path> findDirectory(
      FileSystem fs, org.apache.hadoop.fs.Path dir, String column, String value, int depth)
      throws IOException {
    if (depth > 16) {
      return Optional.empty();
    }
    for (FileStatus status : fs.listStatus(dir)) {
      if (!status.isDirectory()) {
        continue;
      }
      org.apache.hadoop.fs.Path child = status.getPath();
      String name = child.getName();
      int eq = name.indexOf('=');
      if (eq > 0
          && ExternalCatalogUtils.unescapePathName(name.substring(0, eq)).equals(column)
          && (name.substring(eq + 1).equals(value)
              || ExternalCatalogUtils.unescapePathName(name.substring(eq + 1)).equals(value))) {
        return Optional.of(child);
      }
      Optional<org.apache.hadoop.fs.Path> deeper =
          findDirectory(fs, child, column, value, depth + 1);
      if (deeper.isPresent()) {
        return deeper;
      }
    }
    return Optional.empty();
  }

  /**
   * The declared columns over {@code files}: checked against the files' schema, widened to the
   * declared type, null-checked when declared non-null; with the files' field metadata unless
   * {@code scan.skipMetadata}.
   *
   * @param query whether the columns are for a query (on spark-datafusion the non-null check runs
   *     then, as one query)
   */
  private static List<Column> columns(
      SparkSession spark, Resolved resolved, Dataset<Row> files, boolean query) {
    DatasetSpec spec = resolved.spec();
    String location = resolved.location();
    String glob = "*" + spec.scan().fileExtension();
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
            location,
            declared.name(),
            "is declared but missing from the files (they have " + actual.keySet() + ")");
      }
      DataType type;
      try {
        type = SparkTypes.fromSpark(found.dataType(), "column '" + declared.name() + "'");
      } catch (RuntimeException e) {
        throw SparkErrors.badInputSchema(
            spec.name(),
            location,
            declared.name(),
            "has unsupported type " + found.dataType().simpleString());
      }
      if (!TypeRules.canWiden(type, declared.type())) {
        throw SparkErrors.badInputSchema(
            spec.name(),
            location,
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
                    SEP, spec.name(), location, declared.name(), spec.format().jsonName(), glob)
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
      // the files' field metadata (none with scan.skipMetadata) stays on the column, also when it
      // is widened or null-checked
      columns.add(column.as(declared.name(), found.metadata()));
    }
    if (query && !checkedAhead.isEmpty()) {
      checkNoNulls(spark, files, checkedAhead);
    }
    return columns;
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
