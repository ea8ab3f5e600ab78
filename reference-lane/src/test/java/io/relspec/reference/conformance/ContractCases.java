package io.relspec.reference.conformance;

import static io.relspec.reference.conformance.CaseValues.row;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The contract-finalization conformance cases (docs/format.md, section 5): {@code keyFields}
 * uniqueness, contract {@code dedupe}, non-null and {@code requiredNonNull} columns, alignment and
 * widening to the contract's types, {@code canonicalSort}, and {@code onViolation} drop, quarantine
 * and fail, with the {@code __errors} rows and the accounting, hand-computed from the spec.
 */
public final class ContractCases {
  private ContractCases() {}

  private static final class Holder {
    static final List<ContractCase> ALL = build();
  }

  public static List<ContractCase> all() {
    return Holder.ALL;
  }

  /** The case with this name. */
  public static ContractCase named(String name) {
    return all().stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no contract case " + name));
  }

  private static final String SCAN_T = "[{\"op\":\"scan\",\"dataset\":\"t\"}]";

  /** Contract {@code c} with an id (not null) and a v column, and these extra fields. */
  private static String idContract(String extra) {
    return "{\"name\":\"c\",\"version\":1,\"columns\":[{\"name\":\"id\",\"type\":\"int64\","
        + "\"nullable\":false},{\"name\":\"v\",\"type\":\"string\"}]"
        + extra
        + "}";
  }

  private static List<ContractCase> build() {
    List<ContractCase> cases = new ArrayList<>();
    CaseBuilder keys = new CaseBuilder().dataset("t", "id:int64", "v:string");
    keys.rows("t", row(1, "a"), row(2, "b"), row(2, "c"), row(3, "d"));
    new Case(cases, "keyFields quarantines every row of a duplicated key")
        .bundle(keys, idContract(",\"keyFields\":[\"id\"],\"onViolation\":\"quarantine\""), SCAN_T)
        .rows(row(1L, "a"), row(3L, "d"))
        .errors(row(2L, "b", "duplicate_key", "id", "r"), row(2L, "c", "duplicate_key", "id", "r"))
        .counts(4, 2, 2, 0, 0);
    new Case(cases, "keyFields with fail writes nothing and reports CONTRACT_VIOLATION")
        .bundle(keys, idContract(",\"keyFields\":[\"id\"],\"onViolation\":\"fail\""), SCAN_T)
        .fails("CONTRACT_VIOLATION");
    new Case(cases, "keyFields with drop drops every row of a duplicated key and counts it")
        .bundle(keys, idContract(",\"keyFields\":[\"id\"],\"onViolation\":\"drop\""), SCAN_T)
        .rows(row(1L, "a"), row(3L, "d"))
        .counts(4, 2, 0, 2, 0);

    CaseBuilder nulls = new CaseBuilder().dataset("t", "id:int64", "v:string");
    nulls.rows("t", row(1, "a"), row(null, "b"), row(3, null), row(null, null));
    String required = ",\"requiredNonNull\":[\"v\"],\"onViolation\":\"%s\"";
    new Case(cases, "a null in a non-null or requiredNonNull column is a null_violation")
        .bundle(nulls, idContract(required.formatted("quarantine")), SCAN_T)
        .rows(row(1L, "a"))
        .errors(
            row(null, "b", "null_violation", "id", "r"),
            row(3L, null, "null_violation", "v", "r"),
            row(null, null, "null_violation", "id", "r"))
        .counts(4, 1, 3, 0, 0);
    new Case(cases, "drop removes violating rows, counts them and quarantines nothing")
        .bundle(nulls, idContract(required.formatted("drop")), SCAN_T)
        .rows(row(1L, "a"))
        .counts(4, 1, 0, 3, 0);
    new Case(cases, "fail with a null violation writes nothing and reports CONTRACT_VIOLATION")
        .bundle(nulls, idContract(required.formatted("fail")), SCAN_T)
        .fails("CONTRACT_VIOLATION");

    CaseBuilder clean = new CaseBuilder().dataset("t", "id:int64", "v:string");
    clean.rows("t", row(1, "a"), row(2, null));
    new Case(cases, "fail without a violation writes every row")
        .bundle(clean, idContract(",\"keyFields\":[\"id\"],\"onViolation\":\"fail\""), SCAN_T)
        .rows(row(1L, "a"), row(2L, null))
        .counts(2, 2, 0, 0, 0);

    CaseBuilder dedupe = new CaseBuilder().dataset("t", "k:string", "score:float64", "v:string");
    dedupe.rows(
        "t",
        row("a", 1.0, "x"),
        row("a", 3.0, "y"),
        row("b", 2.0, "p"),
        row("b", 2.0, "a"),
        row(null, 1.0, "n"),
        row(null, null, "m"));
    // desc puts nulls first; the tie on (b, 2.0) goes to the smaller v
    new Case(cases, "dedupe keeps the first row per key by orderBy then the remaining columns")
        .bundle(
            dedupe,
            "{\"name\":\"c\",\"version\":1,\"columns\":[{\"name\":\"k\",\"type\":\"string\"},"
                + "{\"name\":\"score\",\"type\":\"float64\"},{\"name\":\"v\",\"type\":\"string\"}],"
                + "\"dedupe\":{\"keys\":[\"k\"],\"orderBy\":[{\"col\":\"score\",\"dir\":\"desc\"}]},"
                + "\"keyFields\":[\"k\"],\"onViolation\":\"quarantine\"}",
            SCAN_T)
        .rows(row("a", 3.0, "y"), row("b", 2.0, "a"), row(null, null, "m"))
        .counts(6, 3, 0, 0, 3);

    CaseBuilder align = new CaseBuilder().dataset("u", "x:int32", "extra:string");
    align.rows("u", row(1, "e"), row(null, "f"));
    new Case(
            cases, "columns align by name: missing nullable ones are null, extras dropped, widened")
        .bundle(
            align,
            "{\"name\":\"c\",\"version\":1,\"columns\":[{\"name\":\"y\",\"type\":\"string\"},"
                + "{\"name\":\"x\",\"type\":\"decimal(12,2)\"}]}",
            "[{\"op\":\"scan\",\"dataset\":\"u\"}]")
        .rows(row(null, CaseValues.dec("1.00")), row(null, null))
        .counts(2, 2, 0, 0, 0);

    CaseBuilder sorted = new CaseBuilder().dataset("t", "id:int64", "v:string");
    sorted.rows("t", row(1, "b"), row(2, null), row(3, "c"), row(4, "a"));
    new Case(cases, "canonicalSort orders the output, desc with nulls first")
        .bundle(sorted, idContract(",\"canonicalSort\":[{\"col\":\"v\",\"dir\":\"desc\"}]"), SCAN_T)
        .inOrder()
        .rows(row(2L, null), row(3L, "c"), row(1L, "b"), row(4L, "a"))
        .counts(4, 4, 0, 0, 0);

    CaseBuilder two =
        new CaseBuilder()
            .dataset("t", "id:int64", "v:string")
            .dataset("t2", "id:int64", "v:string");
    two.rows("t", row(1, "a"), row(2, "b")).rows("t2", row(2, "c"), row(3, "d"), row(3, "d"));
    Map<String, String> rules = new LinkedHashMap<>();
    rules.put("r1", SCAN_T);
    rules.put("r2", "[{\"op\":\"scan\",\"dataset\":\"t2\"}]");
    new Case(cases, "two rules into one output: a key duplicated across them names each rule")
        .bundle(two, idContract(",\"keyFields\":[\"id\"],\"onViolation\":\"quarantine\""), rules)
        .rows(row(1L, "a"))
        .errors(
            row(2L, "b", "duplicate_key", "id", "r1"),
            row(2L, "c", "duplicate_key", "id", "r2"),
            row(3L, "d", "duplicate_key", "id", "r2"),
            row(3L, "d", "duplicate_key", "id", "r2"))
        .counts(5, 1, 4, 0, 0);

    List<String> names = cases.stream().map(ContractCase::name).toList();
    if (names.stream().distinct().count() != names.size()) {
      throw new IllegalStateException("Cannot list contract cases: duplicate names " + names);
    }
    return List.copyOf(cases);
  }

  /** Writes one case: the bundle, then rows, errors and counts, or a failure. */
  private static final class Case {
    private final List<ContractCase> sink;
    private final String name;
    private String bundleJson;
    private Map<String, List<List<Object>>> inputs;
    private List<List<Object>> rows = List.of();
    private List<List<Object>> errors = List.of();
    private boolean ordered;

    Case(List<ContractCase> sink, String name) {
      this.sink = sink;
      this.name = "contract/" + name;
    }

    Case bundle(CaseBuilder data, String contractJson, String opsJson) {
      return bundle(data, contractJson, Map.of("r", opsJson));
    }

    Case bundle(CaseBuilder data, String contractJson, Map<String, String> rules) {
      bundleJson = data.bundle(contractJson, rules);
      inputs = data.inputs();
      return this;
    }

    Case inOrder() {
      ordered = true;
      return this;
    }

    @SafeVarargs
    final Case rows(List<Object>... expected) {
      rows = Arrays.asList(expected);
      return this;
    }

    @SafeVarargs
    final Case errors(List<Object>... expected) {
      errors = Arrays.asList(expected);
      return this;
    }

    void counts(long in, long out, long quarantined, long dropped, long deduplicated) {
      sink.add(
          new ContractCase(
              name,
              bundleJson,
              inputs,
              rows,
              ordered,
              errors,
              new ContractCase.Counts(in, out, quarantined, dropped, deduplicated),
              Optional.empty()));
    }

    void fails(String errorCode) {
      sink.add(
          new ContractCase(
              name,
              bundleJson,
              inputs,
              List.of(),
              false,
              List.of(),
              new ContractCase.Counts(0, 0, 0, 0, 0),
              Optional.of(errorCode)));
    }
  }
}
