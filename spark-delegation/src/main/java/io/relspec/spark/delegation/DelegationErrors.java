package io.relspec.spark.delegation;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import java.util.List;

/**
 * Every error of per-partition delegation a user sees, in one place: {@code Cannot <verb> <thing>:
 * <why>. <how to fix>}.
 */
public final class DelegationErrors {
  private DelegationErrors() {}

  public static RelspecException unknownRules(List<String> rules, List<String> known) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot delegate rules "
            + rules
            + " to DataFusion: the bundle has no such rules; its rules are "
            + known
            + ". Use one of those names, or all.");
  }

  /**
   * A delegated op failed inside a Spark task.
   *
   * @param rule {@code 'name' (plan 0123456789ab)}
   * @param ops {@code ops[3..5] dedupe, derive, project} The cause's message is kept in the text
   *     (the cause itself is not attached: it may not deserialize on the driver).
   */
  public static RelspecException failed(
      String rule, String ops, int partition, RelspecException cause) {
    return new RelspecException(
        cause.code(),
        "Cannot run delegated "
            + ops
            + " of rule "
            + rule
            + " on DataFusion in partition "
            + partition
            + ": "
            + cause.getMessage()
            + ". Nothing was written. Fix the cause above, or run the rule without delegation"
            + " (leave it out of --delegate / "
            + DelegationPolicy.CONF
            + ").");
  }

  /** A failure that is not relspec's own (a native panic, a JNI error): a bug to report. */
  public static RelspecException crashed(String rule, String ops, int partition, Throwable cause) {
    return new RelspecException(
        ErrorCode.INTERNAL,
        "Cannot run delegated "
            + ops
            + " of rule "
            + rule
            + " on DataFusion in partition "
            + partition
            + ": the engine failed with "
            + cause.getClass().getName()
            + ": "
            + cause.getMessage()
            + ". Nothing was written. Run the rule without delegation (leave it out of --delegate"
            + " / "
            + DelegationPolicy.CONF
            + ") and report this as a bug.");
  }

  public static RelspecException schemaMismatch(
      String rule, String where, List<String> expected, List<String> found) {
    return new RelspecException(
        ErrorCode.INTERNAL,
        "Cannot delegate ops of rule '"
            + rule
            + "' at "
            + where
            + ": the Spark rows have columns "
            + found
            + " where the validated plan has "
            + expected
            + ". This is a bug in relspec; run the rule without delegation meanwhile.");
  }

  /**
   * A task of a segment that reads Parquet files by key ranges found that the engine cannot read a
   * dataset natively, though the driver checked that it could (the files changed in between). The
   * task reports it through {@link #failed}, which names the rule and the ops.
   */
  public static RelspecException notReadNatively(String dataset, String location) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "the files of dataset '"
            + dataset
            + "' under "
            + location
            + " cannot be read natively any more, though they could when the rule was compiled"
            + " (did they change during the run?); run the rule again on files that stay"
            + " unchanged");
  }
}
