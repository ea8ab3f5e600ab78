package io.relspec.reference.conformance;

import io.relspec.ir.json.BundleReader;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.List;
import java.util.Map;

/**
 * One spec conformance case, independent of any lane: a one-rule bundle (rule {@code r}), the rows
 * of each input dataset and the rows the spec says the rule produces, written by hand.
 *
 * <p>Values are in the lanes' common domain ({@code io.relspec.reference.Values}): integers as
 * Long, date32 as Integer days, timestamp_us as Long microseconds, floats as Double, decimals as
 * BigDecimal at the column's scale, strings, booleans, lists as {@code List}, null.
 *
 * @param name {@code area/what}, e.g. {@code op/join left keeps unmatched rows}; unique
 * @param bundleJson the bundle, as a lane would read it from a file
 * @param inputs the rows of every dataset of the bundle (an absent dataset has no rows)
 * @param expected the rule's rows according to the spec
 * @param ordered whether the spec fixes the order of the rows (an explicit ordering, e.g. a sort,
 *     or an order-preserving pipeline such as scan, filter, explode or interval_align); otherwise
 *     the rows are compared as a multiset
 */
public record ConformanceCase(
    String name,
    String bundleJson,
    Map<String, List<List<Object>>> inputs,
    List<List<Object>> expected,
    boolean ordered) {
  public ConformanceCase {
    inputs = Map.copyOf(inputs);
    expected = List.copyOf(expected);
  }

  /** The area of the spec: op, function, kernel or edge. */
  public String area() {
    return name.substring(0, name.indexOf('/'));
  }

  /** The bundle, read and validated as every lane reads it. */
  public ValidatedBundle validated() {
    return BundleValidator.validate(
        BundleReader.read(bundleJson, name + ".json"), name + ".json", Map.of());
  }

  /** The plan of rule {@code r}. */
  public RelPlan plan() {
    return validated().plans().get(0);
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
