package io.relspec.datafusion;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every error the DataFusion bridge shows a user, in one place. Each message says what could not be
 * done, why, and how to fix it: {@code Cannot <verb> <thing>: <why>. <how to fix>}.
 */
public final class DataFusionErrors {
  private DataFusionErrors() {}

  public static RelspecException unknownDataset(String dataset, List<String> registered) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot scan dataset '"
            + dataset
            + "': it is not registered in this session (registered: "
            + registered
            + "). Register it with EngineSession.registerBatches before executing the plan");
  }

  public static RelspecException duplicateDataset(String dataset) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot register dataset '"
            + dataset
            + "': a dataset of that name is already registered in this session. Use another name"
            + " or open a new session");
  }

  public static RelspecException batchSchemaMismatch(
      String dataset, int batch, String expected, String found) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot register dataset '"
            + dataset
            + "': batch "
            + batch
            + " has schema ["
            + found
            + "] but the dataset declares ["
            + expected
            + "]. Give every batch the declared schema");
  }

  public static RelspecException unsupportedArrowType(String dataset, String column, String type) {
    return new RelspecException(
        ErrorCode.UNSUPPORTED,
        "Cannot register dataset '"
            + dataset
            + "': column '"
            + column
            + "' has Arrow type "
            + type
            + ", which has no relspec type. Cast it to a relspec v1 type (int8..int64, float32,"
            + " float64, boolean, string, binary, date32, timestamp_us UTC, decimal(p,s)) first");
  }

  public static RelspecException unsupportedPlan(String engine, List<Fallback> fallbacks) {
    String lines =
        fallbacks.stream()
            .map(f -> "  - " + f.render())
            .collect(Collectors.joining(System.lineSeparator()));
    return new RelspecException(
        ErrorCode.UNSUPPORTED,
        "Cannot execute plan on "
            + engine
            + ": "
            + fallbacks.size()
            + " op(s) cannot run natively and this engine has no JVM fallback for them. Run the"
            + " rule on another lane, or rewrite the listed ops:"
            + System.lineSeparator()
            + lines);
  }

  public static RelspecException unboundParam(String name) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot execute plan: param '"
            + name
            + "' has no value. Bind it (RelPlan.params() carries the effective values) or give"
            + " the param op a default");
  }

  public static RelspecException invalidPlan(String path, String why) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot translate plan at "
            + path
            + ": "
            + why
            + ". Validate the bundle with BundleValidator before executing it");
  }

  public static RelspecException nativeFailure(String engine, String stage, Throwable cause) {
    String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    boolean memory =
        why.contains("Resources exhausted")
            || why.contains("ResourcesExhausted")
            || why.contains("memory");
    return new RelspecException(
        memory ? ErrorCode.INSUFFICIENT_RESOURCES : ErrorCode.INTERNAL,
        "Cannot "
            + stage
            + " on "
            + engine
            + ": the native engine failed with: "
            + why
            + (memory
                ? ". Raise RuntimeProfile.memoryLimitBytes or lower batchSize"
                : ". This is a bug in the bridge or in the native engine; report it with the"
                    + " plan"),
        cause);
  }

  public static RelspecException unexpectedOutput(
      String engine, int column, String name, String expected, String found) {
    return new RelspecException(
        ErrorCode.INTERNAL,
        "Cannot read native output column "
            + column
            + " ('"
            + name
            + "') from "
            + engine
            + ": expected Arrow type "
            + expected
            + " but the native plan produced "
            + found
            + ". This is a bug in the plan translation; report it with the plan");
  }

  public static RelspecException jniSurfaceMoved(String what, String expected, String found) {
    return new RelspecException(
        ErrorCode.INTERNAL,
        "Cannot use Apache DataFusion Comet's JNI entry point "
            + what
            + ": the bridge is built for Comet 0.12.0, whose signature is `"
            + expected
            + "`, but the classpath has "
            + found
            + ". Put comet-spark-spark3.5_2.12 0.12.0 on the classpath, or port"
            + " io.relspec.datafusion.comet.CometJni to the new signature");
  }

  public static RelspecException engineUnavailable(String engine, Throwable cause) {
    return new RelspecException(
        ErrorCode.INTERNAL,
        "Cannot start "
            + engine
            + ": the native library did not load ("
            + cause
            + "). It needs Linux x86_64 with glibc >= 2.30 and a writable java.io.tmpdir ("
            + System.getProperty("java.io.tmpdir")
            + ")",
        cause);
  }

  /** The run's Arrow buffers (inputs, results, reference-lane fallbacks) reached the limit. */
  public static RelspecException outOfArrowMemory(
      String engine, String rule, long limit, Throwable cause) {
    return new RelspecException(
        ErrorCode.INSUFFICIENT_RESOURCES,
        "Cannot run rule '"
            + rule
            + "' on "
            + engine
            + ": its Arrow buffers (inputs, results and ops run on the reference lane) reached the"
            + " memory limit of "
            + limit
            + " bytes ("
            + cause.getMessage()
            + "). Raise memoryLimitBytes in the runtime profile",
        cause);
  }

  /** A hive-style partition directory whose value is not of the column's declared type. */
  public static RelspecException badPartitionValue(
      String dataset, String directory, String column, String value, String type) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "': partition directory "
            + directory
            + " gives column '"
            + column
            + "' the value '"
            + value
            + "', which does not parse as its declared type "
            + type
            + ". Rename the directory or fix the dataset's scan.partitionCols");
  }

  /** A file of a partitioned dataset that is not under a directory for a declared column. */
  public static RelspecException missingPartitionDirectory(
      String dataset, String file, String column) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "': file "
            + file
            + " is not under a '"
            + column
            + "=<value>' directory, but '"
            + column
            + "' is a declared partition column. Move the file under such a directory or remove"
            + " the column from scan.partitionCols");
  }

  /** A partitioned dataset that NativeScan cannot read: the JVM reader has no partition columns. */
  public static RelspecException partitionedNotNative(String dataset, String reason) {
    return new RelspecException(
        ErrorCode.UNSUPPORTED,
        "Cannot read dataset '"
            + dataset
            + "': it has hive-style partition columns (scan.partitionCols), which this engine"
            + " reads through Comet's NativeScan only, and NativeScan cannot read it: "
            + reason
            + ". Store the columns with the types NativeScan reads, or run the rule with --engine"
            + " spark");
  }

  public static RelspecException sessionClosed() {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot use engine session: it is closed. Open a new session with"
            + " DataFusionEngine.openSession");
  }
}
