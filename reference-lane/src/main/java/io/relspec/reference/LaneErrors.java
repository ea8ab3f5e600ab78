package io.relspec.reference;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.type.DataType;
import java.util.List;

/**
 * Every user-facing error of the reference lane, in the form "Cannot &lt;verb&gt; &lt;thing&gt;:
 * &lt;why&gt;. &lt;how to fix&gt;", naming the rule and op where there is one. Messages are stable:
 * tests assert them.
 */
public final class LaneErrors {
  private LaneErrors() {}

  /** A scan names a dataset the caller did not provide. */
  public static RelspecException missingInput(String rule, String dataset, List<String> known) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot scan dataset '"
            + dataset
            + "' in rule '"
            + rule
            + "': no input of that name was given (inputs: "
            + known
            + "). Pass its batches to the reference lane under that name");
  }

  /** Input batches lack a declared column. */
  public static RelspecException missingColumn(
      String rule, String dataset, String column, List<String> found) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot scan dataset '"
            + dataset
            + "' in rule '"
            + rule
            + "': column '"
            + column
            + "' is declared but the input has only "
            + found
            + ". Write the column into the input or fix the dataset schema");
  }

  /** Input batches hold a column of another type than declared. */
  public static RelspecException wrongColumnType(
      String rule, String dataset, String column, DataType declared, String found) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot scan dataset '"
            + dataset
            + "' in rule '"
            + rule
            + "': column '"
            + column
            + "' is declared "
            + declared.typeString()
            + " but the input holds Arrow type "
            + found
            + ". Write the declared type or fix the dataset schema");
  }

  /** The memory limit of the lane was reached. */
  public static RelspecException outOfMemory(String rule, String op, long limit, Throwable cause) {
    return new RelspecException(
        ErrorCode.INSUFFICIENT_RESOURCES,
        "Cannot run op "
            + op
            + " of rule '"
            + rule
            + "': the reference lane's memory limit of "
            + limit
            + " bytes of Arrow buffers was reached. Raise memoryLimitBytes in the runtime"
            + " profile or run the rule on an engine lane",
        cause);
  }

  /** An expression the reference lane cannot evaluate (a validator/lane mismatch). */
  public static RelspecException cannotEvaluate(String rule, String op, String why) {
    return new RelspecException(
        ErrorCode.INTERNAL,
        "Cannot evaluate an expression of op "
            + op
            + " in rule '"
            + rule
            + "': "
            + why
            + ". Validate the bundle first (BundleValidator.validate); if it validated, this is a"
            + " bug in the reference lane");
  }

  /** A contract with {@code onViolation: fail} rejected rows. */
  public static RelspecException contractViolation(
      String output, String contract, long rows, String firstRule, String firstMessage) {
    return new RelspecException(
        ErrorCode.CONTRACT_VIOLATION,
        "Cannot finalize output '"
            + output
            + "': "
            + rows
            + " row(s) violate contract '"
            + contract
            + "', which says onViolation=fail; the first, from rule '"
            + firstRule
            + "': "
            + firstMessage
            + ". Fix the rule or set onViolation to quarantine or drop");
  }

  /** A rule output that was not produced before a scan of it (a graph-order bug). */
  public static RelspecException outputNotReady(String rule, String output) {
    return new RelspecException(
        ErrorCode.INTERNAL,
        "Cannot scan output '"
            + output
            + "' in rule '"
            + rule
            + "': it has not been finalized yet. Run the outputs in ValidatedBundle order");
  }

  /** An op would hold more rows than one Java array can index. */
  public static RelspecException tooManyRows(long rows) {
    return new RelspecException(
        ErrorCode.INSUFFICIENT_RESOURCES,
        "Cannot hold "
            + rows
            + " rows in one op: the reference lane indexes at most 2^31 - 9 rows per op. Run the"
            + " rule on an engine lane or split its input");
  }

  /** A dataset whose format the source cannot read. */
  public static RelspecException unsupportedFormat(String dataset, String format) {
    return new RelspecException(
        ErrorCode.UNSUPPORTED,
        "Cannot read dataset '"
            + dataset
            + "': format "
            + format
            + " is not supported by ParquetDatasetSource. Convert it to parquet or pass its"
            + " batches in memory");
  }

  /** A dataset location that does not exist. */
  public static RelspecException missingLocation(String dataset, String location) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "': "
            + location
            + " does not exist. Check the dataset's location and the base directory");
  }

  /** A file that is not readable as Parquet. */
  public static RelspecException unreadableFile(String dataset, String file, Throwable cause) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "' file "
            + file
            + ": "
            + cause.getMessage()
            + ". Check that it is a Parquet file",
        cause);
  }

  /** An output file or directory that cannot be written. */
  public static RelspecException cannotWrite(String where, String why, Throwable cause) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot write Parquet at "
            + where
            + ": "
            + why
            + ". Check that the output directory is writable and has room, and write each dataset"
            + " into a new directory",
        cause);
  }

  /** A null in a column whose schema says not nullable (a finalizer or plan bug). */
  public static RelspecException nullInRequiredColumn(String column, int row) {
    return new RelspecException(
        ErrorCode.INTERNAL,
        "Cannot write column '"
            + column
            + "': row "
            + row
            + " of the batch is null but the column is not nullable. Finalize rows by their"
            + " contract before writing; if they were, this is a bug in the reference lane");
  }

  /** A file column whose Parquet type cannot hold the declared type. */
  public static RelspecException unreadableFileSchema(
      String dataset, String file, String column, String why) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "' file "
            + file
            + ": column '"
            + column
            + "' "
            + why
            + ". Rewrite the file with the declared type or fix the dataset schema");
  }

  /** A declared partition column with no {@code name=value} directory above a file. */
  public static RelspecException missingPartitionDirectory(
      String dataset, String directory, String column, List<String> found) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "' from "
            + directory
            + ": partition column '"
            + column
            + "' is declared but no directory between the location and the file is named '"
            + column
            + "=<value>' (found partition columns "
            + found
            + "). Move the files under "
            + column
            + "=<value> directories or fix the dataset's scan.partitionCols");
  }

  /** A partition directory whose value does not parse as the column's declared type. */
  public static RelspecException badPartitionValue(
      String dataset, String directory, String column, String value, String type) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "' from "
            + directory
            + ": partition column '"
            + column
            + "' has value '"
            + value
            + "', which does not parse as its declared type "
            + type
            + ". Rename the directory or fix the dataset's scan.partitionCols");
  }

  /** A CSV field that does not parse as its column's declared type (Spark's FAILFAST mode). */
  public static RelspecException badCsvValue(
      String dataset, String file, long line, String column, String why) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "' file "
            + file
            + " line "
            + line
            + ": column '"
            + column
            + "' "
            + why
            + ". Fix the file or the dataset's declared schema");
  }

  /**
   * A blocking op whose working set (Arrow buffers plus its estimated heap: hash tables, sort and
   * row indexes, dedupe maps) would pass the memory limit.
   */
  public static RelspecException overBudget(String rule, String op, long limit, long needed) {
    return new RelspecException(
        ErrorCode.INSUFFICIENT_RESOURCES,
        "Cannot run op "
            + op
            + " of rule '"
            + rule
            + "': it needs more than the reference lane's memory limit of "
            + limit
            + " bytes (Arrow buffers plus about "
            + needed
            + " bytes of its hash tables, indexes and row keys on the heap). Raise"
            + " memoryLimitBytes in the runtime profile or run the rule on an engine lane");
  }

  /** A CSV file that cannot be read. */
  public static RelspecException unreadableCsv(String dataset, String file, Throwable cause) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "' file "
            + file
            + ": "
            + cause.getMessage()
            + ". Check that it is a readable UTF-8 CSV file",
        cause);
  }

  /** A declared CSV column of a type CSV cannot hold. */
  public static RelspecException unsupportedCsvColumn(String dataset, String column, String type) {
    return new RelspecException(
        ErrorCode.UNSUPPORTED,
        "Cannot read dataset '"
            + dataset
            + "': column '"
            + column
            + "' is declared "
            + type
            + ", which a CSV file cannot hold (as in the Spark lane). Store the dataset as parquet"
            + " or declare the column as a string");
  }
}
