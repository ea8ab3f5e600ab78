package io.relspec.ir.error;

/**
 * The user-facing errors relspec-ir raises outside document and bundle validation (which report
 * {@link Problem}s): each message says the problem, why, and how to fix it.
 */
public final class IrErrors {
  private IrErrors() {}

  /** {@code --out} names a filesystem that is not local ({@code hdfs://}, {@code s3a://}, ...). */
  public static RelspecException remoteOutput(String location) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot write outputs to '"
            + location
            + "': relspec commits each output dataset atomically by a local rename, which needs a"
            + " local filesystem path. Write to a local or mounted path and copy the committed"
            + " datasets.");
  }

  /** {@code --data} names a filesystem that is not local. */
  public static RelspecException remoteData(String location) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot read datasets from '"
            + location
            + "': dataset locations are resolved against --data as local filesystem paths (the"
            + " Spark engine could read remote data, but relspec does not hand it remote locations"
            + " yet). Copy the datasets to a local or mounted path and pass that path.");
  }

  /** A {@code file:} URI that does not name an absolute local path. */
  public static RelspecException badFileUri(String option, String location, String why) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot use "
            + option
            + " '"
            + location
            + "': "
            + why
            + ". Write file:///absolute/path or a plain local path.");
  }
}
