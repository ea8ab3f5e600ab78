package io.relspec.reference.conformance;

import io.relspec.ir.json.BundleReader;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One contract-finalization conformance case, independent of any lane: a bundle whose rules all
 * write output {@code out} under contract {@code c}, the rows of each input dataset, and what the
 * spec (docs/format.md, section 5) says finalization gives: the output rows, the {@code
 * out__errors} rows, the accounting, or a failure.
 *
 * @param name {@code contract/what}; unique
 * @param bundleJson the bundle, as a lane would read it from a file
 * @param inputs the rows of every dataset of the bundle, in the cases' value domain
 * @param rows the rows of {@code out}
 * @param ordered whether the contract fixes their order ({@code canonicalSort})
 * @param errors the rows of {@code out__errors}: the contract's columns, then {@code error_code},
 *     {@code error_column} and {@code rule_name} ({@code error_message} is free text, not compared)
 * @param counts the output's accounting in the run manifest
 * @param failure the error code of the run when the spec says it fails (nothing is written then)
 */
public record ContractCase(
    String name,
    String bundleJson,
    Map<String, List<List<Object>>> inputs,
    List<List<Object>> rows,
    boolean ordered,
    List<List<Object>> errors,
    Counts counts,
    Optional<String> failure) {
  public ContractCase {
    inputs = Map.copyOf(inputs);
    rows = List.copyOf(rows);
    errors = List.copyOf(errors);
  }

  /** An output's accounting: rows in = out + quarantined + dropped + deduplicated. */
  public record Counts(long in, long out, long quarantined, long dropped, long deduplicated) {
    @Override
    public String toString() {
      return "in="
          + in
          + " out="
          + out
          + " quarantined="
          + quarantined
          + " dropped="
          + dropped
          + " deduplicated="
          + deduplicated;
    }
  }

  /** The bundle, read and validated as every lane reads it. */
  public ValidatedBundle validated() {
    return BundleValidator.validate(
        BundleReader.read(bundleJson, name + ".json"), name + ".json", Map.of());
  }

  /** The rows of a dataset (none when the case declares none). */
  public List<List<Object>> rows(String dataset) {
    return inputs.getOrDefault(dataset, List.of());
  }

  @Override
  public String toString() {
    return name;
  }
}
