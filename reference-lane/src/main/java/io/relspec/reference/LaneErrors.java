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
}
