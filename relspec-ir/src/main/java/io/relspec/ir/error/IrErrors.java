package io.relspec.ir.error;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The user-facing errors relspec-ir raises: reading documents, validating bundles (both carry the
 * {@link Problem}s found), binding params, staging outputs, run arguments. Each message says what
 * could not be done, why, and how to fix it.
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

  // ------------------------------------------------------------ reading documents

  /** {@code Cannot read <what> <source>: <why>.} */
  private static RelspecException cannotRead(
      ErrorCode code, String what, Object source, String why, Throwable cause) {
    return new RelspecException(code, "Cannot read " + what + " " + source + ": " + why, cause);
  }

  /** A document file larger than the reader's limit. */
  public static RelspecException fileTooLarge(String what, Path file, long size, long limit) {
    return cannotRead(
        ErrorCode.INSUFFICIENT_RESOURCES,
        what,
        file,
        "it has "
            + size
            + " bytes, more than the limit of "
            + limit
            + ". Split it into several bundles.",
        null);
  }

  /** Document text (not a file) longer than the reader's limit. */
  public static RelspecException textTooLarge(String what, String source, int length, long limit) {
    return cannotRead(
        ErrorCode.INSUFFICIENT_RESOURCES,
        what,
        source,
        "it has "
            + length
            + " characters, more than the limit of "
            + limit
            + " bytes. Split it into several bundles.",
        null);
  }

  public static RelspecException missingFile(String what, Path file) {
    return cannotRead(
        ErrorCode.INVALID_ARGUMENT, what, file, "the file does not exist. Check the path.", null);
  }

  public static RelspecException notUtf8(String what, Path file) {
    return cannotRead(
        ErrorCode.INVALID_DOCUMENT,
        what,
        file,
        "it is not UTF-8 text. Save it as UTF-8 JSON.",
        null);
  }

  /** Any other I/O failure reading a document file. */
  public static RelspecException unreadableFile(String what, Path file, IOException e) {
    return cannotRead(
        ErrorCode.INVALID_ARGUMENT,
        what,
        file,
        e.getMessage() + ". Check that the file is readable.",
        e);
  }

  /** The JSON parser could not even be created: a bug, not the document. */
  public static RelspecException parserFailed(String what, String source, IOException e) {
    return cannotRead(
        ErrorCode.INTERNAL,
        what,
        source,
        e + ". This is a bug in relspec; report it with the document.",
        e);
  }

  /** An I/O failure while parsing document text. */
  public static RelspecException unparsableDocument(String what, String source, IOException e) {
    return cannotRead(
        ErrorCode.INVALID_DOCUMENT,
        what,
        source,
        e + ". Check that the document is complete JSON.",
        e);
  }

  /** One problem that stops reading a document ({@code why} says what and how to fix it). */
  public static RelspecException invalidDocument(
      String what, String source, String path, String why) {
    return documentProblem(ErrorCode.INVALID_DOCUMENT, what, source, path, why);
  }

  /** One limit of the parser (string, number, nesting) that stops reading a document. */
  public static RelspecException documentLimit(
      String what, String source, String path, String why) {
    return documentProblem(ErrorCode.INSUFFICIENT_RESOURCES, what, source, path, why);
  }

  private static RelspecException documentProblem(
      ErrorCode code, String what, String source, String path, String why) {
    return new RelspecException(
        code,
        "Cannot read " + what + " " + source + ": " + why + ".",
        List.of(new Problem(source, path, why)),
        null);
  }

  /**
   * Every problem found decoding a document; {@code code} is {@code INSUFFICIENT_RESOURCES} when
   * all are limits.
   *
   * @param count e.g. {@code 3 problems}
   */
  public static RelspecException documentProblems(
      ErrorCode code, String what, String source, String count, List<Problem> problems) {
    return new RelspecException(
        code,
        "Cannot read " + what + " " + source + ": " + count + ". Fix each one listed below.",
        problems,
        null);
  }

  // ------------------------------------------------------------ validation

  /** Every problem validation found in a bundle. */
  public static RelspecException invalidBundle(String source, List<Problem> problems) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot validate bundle "
            + source
            + ": "
            + (problems.size() == 1 ? "1 problem" : problems.size() + " problems")
            + ". Fix each one listed below.",
        problems,
        null);
  }

  /** An op the fluent builder cannot add to a rule: the first problem, then all of them. */
  public static RelspecException invalidBuilderOp(String rulePath, List<Problem> problems) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot add op to rule at " + rulePath + ": " + problems.get(0).message(),
        problems,
        null);
  }

  /** Param values (run-time or the rule's bindings) that do not bind. */
  public static RelspecException paramBindings(String source, List<Problem> problems) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot bind params of bundle "
            + source
            + ": "
            + problems.size()
            + " problem(s). Fix each one listed below.",
        problems,
        null);
  }

  // ------------------------------------------------------------ staged outputs

  /** Staging or committing outputs failed on the filesystem. */
  public static RelspecException stagedWrite(String what, Path where, IOException e) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot write "
            + what
            + " at "
            + where
            + ": "
            + e.getMessage()
            + ". Check that the output directory is writable and on one filesystem.",
        e);
  }
}
