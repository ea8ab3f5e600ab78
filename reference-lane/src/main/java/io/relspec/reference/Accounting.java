package io.relspec.reference;

/**
 * Row accounting of one finalized output: every row the rules produced is either in the output,
 * quarantined, dropped, or removed by the contract's dedupe. {@link #balanced()} checks that
 * nothing was silently lost.
 *
 * @param rowsIn rows produced by the output's rules
 * @param rowsOut rows in the finalized output
 * @param quarantined rows written to {@code <output>__errors}
 * @param dropped violating rows dropped by {@code onViolation: drop}
 * @param deduplicated rows removed by the contract's {@code dedupe}
 * @param nullViolations routed rows with error code {@code null_violation}
 * @param castFailures routed rows with error code {@code cast_failure}
 * @param duplicateKeys routed rows with error code {@code duplicate_key}
 */
public record Accounting(
    long rowsIn,
    long rowsOut,
    long quarantined,
    long dropped,
    long deduplicated,
    long nullViolations,
    long castFailures,
    long duplicateKeys) {

  /** Rows routed away from the output by a contract violation. */
  public long routed() {
    return quarantined + dropped;
  }

  /** rows in = rows out + routed rows + rows removed by dedupe. */
  public boolean balanced() {
    return rowsIn == rowsOut + routed() + deduplicated
        && routed() == nullViolations + castFailures + duplicateKeys;
  }
}
