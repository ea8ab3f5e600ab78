package io.relspec.ir.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.relspec.ir.runtime.RuntimeProfile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run did, as every lane writes it to {@code OUT/_manifest.json}. The shape is the same for
 * every engine, so two runs of one bundle on two lanes can be compared field by field (only {@code
 * engine}, {@code versions}, timings and {@link RuleReport#execution()} differ).
 *
 * @param engine the lane that ran the bundle: {@code spark}, {@code reference}, {@code datafusion},
 *     ...
 * @param versions engine and library versions, e.g. {@code spark -> 3.5.7}, {@code relspec ->
 *     0.1.0-SNAPSHOT}
 * @param runtimeProfile the runtime profile in its JSON form (see {@link #describe})
 * @param outputs one entry per output, in the order they ran
 * @param skipped rules (and the outputs they feed) that did not run, with the reason
 */
public record RunManifest(
    String bundle,
    String source,
    String bundleSignature,
    String engine,
    Map<String, String> versions,
    Map<String, String> runtimeParams,
    Map<String, Object> runtimeProfile,
    String started,
    long millis,
    List<OutputReport> outputs,
    List<SkippedRule> skipped) {
  public static final String FILE_NAME = "_manifest.json";
  public static final String RELSPEC_VERSION = "0.1.0-SNAPSHOT";

  public RunManifest {
    versions = Map.copyOf(versions);
    runtimeParams = Map.copyOf(runtimeParams);
    runtimeProfile = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(runtimeProfile));
    outputs = List.copyOf(outputs);
    skipped = List.copyOf(skipped);
  }

  /**
   * One finalized output. rowsIn = rowsOut + quarantined + dropped + deduplicated.
   *
   * @param execution how the engine operators that belong to no single rule ran (contract
   *     finalization, the canonical sort, the write), in the same form as {@link
   *     RuleReport#execution()}; empty when the lane does not report operators
   */
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
      List<RuleReport> rules,
      List<OpExecution> execution) {
    public OutputReport {
      rules = List.copyOf(rules);
      execution = execution == null ? List.of() : List.copyOf(execution);
    }

    /** The one progress line every runner prints when the output is finalized. */
    public String progressLine() {
      return String.format(
          "relspec: output %s: %d rows in, %d out, %d quarantined, %d dropped, %d deduplicated"
              + " (%d ms)",
          name, rowsIn, rowsOut, quarantined, dropped, deduplicated, millis);
    }

    /** An output whose lane reports no engine operators outside its rules. */
    public OutputReport(
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
      this(
          name,
          contract,
          contractVersion,
          contractSignature,
          ordering,
          onViolation,
          rowsIn,
          rowsOut,
          quarantined,
          dropped,
          deduplicated,
          millis,
          rules,
          List.of());
    }
  }

  /**
   * One rule of an output.
   *
   * @param execution how each op of the rule ran on this lane (native, translated, fallback and
   *     why); empty when the lane does not report it
   * @param acceleration operator counts of an engine that accelerates another one (Spark with
   *     DataFusion through Comet); {@link Acceleration#NONE} otherwise, and when a manifest written
   *     before this field existed is read
   */
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
      double compileMillis,
      List<OpExecution> execution,
      Acceleration acceleration) {
    public RuleReport {
      params = Map.copyOf(params);
      execution = List.copyOf(execution);
      acceleration = acceleration == null ? Acceleration.NONE : acceleration;
    }

    /** A rule on a lane that reports no acceleration counts. */
    public RuleReport(
        String name,
        int priority,
        String planSignature,
        String ruleSignature,
        Map<String, String> params,
        long rowsIn,
        long rowsOut,
        long violations,
        long deduplicated,
        double compileMillis,
        List<OpExecution> execution) {
      this(
          name,
          priority,
          planSignature,
          ruleSignature,
          params,
          rowsIn,
          rowsOut,
          violations,
          deduplicated,
          compileMillis,
          execution,
          Acceleration.NONE);
    }
  }

  /**
   * How much of a rule ran on the accelerating engine, the numbers of Comet's own summary line
   * ("Comet accelerated N out of M eligible operators. Final plan contains T transitions").
   *
   * @param nativeOperators operators that ran natively (mode {@code native})
   * @param fallbackOperators operators that stayed on the host engine (mode {@code fallback})
   * @param transitions conversions between the two engines' data formats (mode {@code transition}),
   *     e.g. columnar to rows
   */
  public record Acceleration(int nativeOperators, int fallbackOperators, int transitions) {
    /** Nothing reported: the lane does not accelerate another engine. */
    public static final Acceleration NONE = new Acceleration(0, 0, 0);

    /** Operators either engine could have run. */
    public int eligible() {
      return nativeOperators + fallbackOperators;
    }
  }

  /**
   * How one op (or engine operator) of a rule ran.
   *
   * @param path the op's JSON path in the bundle, e.g. {@code $.rules.r1.pipeline[2]}, or the
   *     engine operator's name where the engine reports operators rather than ops
   * @param op the op or operator name
   * @param mode {@code native}, {@code translated} or {@code fallback}; for an engine operator also
   *     {@code transition} (a conversion between the accelerating engine and its host, e.g. {@code
   *     CometColumnarToRow}; its lane names both, e.g. {@code datafusion->spark})
   * @param lane the lane that executed it (differs from the run's engine for a fallback)
   * @param reason why, for anything but the lane's own native execution; empty otherwise
   */
  public record OpExecution(String path, String op, String mode, String lane, String reason) {}

  /** A rule that did not run: its diagnostics gate stopped it, or an upstream rule was skipped. */
  public record SkippedRule(String rule, String output, String reason) {}

  /** A runtime profile in the JSON form of the profile file; absent optionals are left out. */
  public static Map<String, Object> describe(RuntimeProfile profile) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("targetPartitions", profile.targetPartitions());
    fields.put("batchSize", profile.batchSize());
    profile.spillDir().ifPresent(dir -> fields.put("spillDir", dir));
    fields.put("memoryPool", profile.memoryPool().jsonName());
    profile.memoryLimitBytes().ifPresent(limit -> fields.put("memoryLimitBytes", limit));
    return fields;
  }

  /** The manifest as indented JSON, the form every lane writes. */
  public void write(Path path) throws IOException {
    mapper().writeValue(path.toFile(), this);
  }

  public static RunManifest read(Path path) throws IOException {
    return mapper().readValue(path.toFile(), RunManifest.class);
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }
}
