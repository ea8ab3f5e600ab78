package io.relspec.spark.run;

import java.util.List;
import java.util.Map;

/**
 * What a run did, as written to {@code _manifest.json}.
 *
 * @param outputs one entry per output, in the order they ran
 */
public record RunReport(
    String bundle,
    String source,
    String bundleSignature,
    String sparkVersion,
    String relspecVersion,
    Map<String, String> runtimeParams,
    String started,
    long millis,
    List<OutputReport> outputs) {
  public RunReport {
    runtimeParams = Map.copyOf(runtimeParams);
    outputs = List.copyOf(outputs);
  }

  /** One finalized output. rowsIn = rowsOut + quarantined + dropped + deduplicated. */
  public record OutputReport(
      String name,
      String contract,
      int contractVersion,
      String contractSignature,
      String ordering,
      String onViolation,
      long rowsIn,
      long rowsOut,
      long quarantined,
      long dropped,
      long deduplicated,
      long millis,
      List<RuleReport> rules) {
    public OutputReport {
      rules = List.copyOf(rules);
    }
  }

  /** One rule of an output. */
  public record RuleReport(
      String name,
      int priority,
      String planSignature,
      String ruleSignature,
      Map<String, String> params,
      long rowsIn,
      long rowsOut,
      long violations,
      long deduplicated,
      double compileMillis) {
    public RuleReport {
      params = Map.copyOf(params);
    }
  }
}
