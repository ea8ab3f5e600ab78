package io.relspec.reference;

/**
 * What contract finalization did with the rows of one rule, with the Spark lane's semantics: rowsIn
 * = rowsOut + violations + deduplicated.
 *
 * @param rowsIn rows the rule produced
 * @param rowsOut of those, rows in the finalized output
 * @param violations rows routed away (null_violation, cast_failure, duplicate_key), whether
 *     quarantined or dropped
 * @param deduplicated rows removed by the contract's dedupe
 */
public record RuleAccounting(
    String rule, long rowsIn, long rowsOut, long violations, long deduplicated) {}
