package io.relspec.reference.conformance;

import io.relspec.ir.type.DataType;
import io.relspec.ir.type.TypeParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes conformance cases: datasets declared as {@code "name:type"} (or {@code "name:type!"} for
 * not null), their rows, then rules given as their ops JSON with the rows the spec says they give.
 * Each rule becomes one {@link ConformanceCase} over the datasets and rows declared so far.
 */
public final class CaseBuilder {
  private final List<ConformanceCase> sink;
  private final String area;
  private final Map<String, String> datasets = new LinkedHashMap<>();
  private final Map<String, List<DataType>> types = new LinkedHashMap<>();
  private final Map<String, List<List<Object>>> data = new LinkedHashMap<>();

  /** A builder of datasets and rows only (bundles through {@link #bundle(String, Map)}). */
  public CaseBuilder() {
    this(new ArrayList<>(), "contract");
  }

  CaseBuilder(List<ConformanceCase> sink, String area) {
    this.sink = sink;
    this.area = area;
  }

  /** Declares a dataset; columns as {@code "name:type"} or {@code "name:type!"} for not null. */
  public CaseBuilder dataset(String name, String... columns) {
    List<DataType> columnTypes = new ArrayList<>();
    String schema =
        Arrays.stream(columns)
            .map(
                c -> {
                  int colon = c.indexOf(':');
                  boolean notNull = c.endsWith("!");
                  String type = c.substring(colon + 1, notNull ? c.length() - 1 : c.length());
                  columnTypes.add(TypeParser.of(type));
                  return "{\"name\":\""
                      + c.substring(0, colon)
                      + "\",\"type\":\""
                      + type
                      + "\",\"nullable\":"
                      + !notNull
                      + "}";
                })
            .collect(Collectors.joining(","));
    datasets.put(
        name,
        "{\"name\":\""
            + name
            + "\",\"format\":\"parquet\",\"location\":\""
            + name
            + "\",\"schema\":["
            + schema
            + "]}");
    types.put(name, columnTypes);
    data.put(name, new ArrayList<>());
    return this;
  }

  /** Rows of a dataset; ints may be Integer, dates LocalDate, decimals String or BigDecimal. */
  public CaseBuilder rows(String dataset, List<?>... rows) {
    List<DataType> columnTypes = types.get(dataset);
    for (List<?> row : rows) {
      List<Object> values = new ArrayList<>();
      for (int c = 0; c < row.size(); c++) {
        values.add(CaseValues.canonical(row.get(c), columnTypes.get(c)));
      }
      data.get(dataset).add(java.util.Collections.unmodifiableList(values));
    }
    return this;
  }

  /** A case of rule {@code r} with these ops, named {@code AREA/name}. */
  public Expect rule(String name, String opsJson) {
    return new Expect(area + "/" + name, bundle(opsJson));
  }

  /**
   * A case projecting each expression (JSON) as a column {@code e0, e1, ...} over the one row of
   * dataset {@code one}, whose column {@code n} (int64) is null.
   */
  public Expect eval(String name, String... exprs) {
    if (!datasets.containsKey("one")) {
      dataset("one", "n:int64").rows("one", CaseValues.row((Object) null));
    }
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < exprs.length; i++) {
      columns.add("{\"name\":\"e" + i + "\",\"expr\":" + exprs[i] + "}");
    }
    return rule(
        name,
        "[{\"op\":\"scan\",\"dataset\":\"one\"},{\"op\":\"project\",\"columns\":["
            + String.join(",", columns)
            + "]}]");
  }

  /** A bundle of the declared datasets, one unconstrained contract and one rule of these ops. */
  private String bundle(String opsJson) {
    return bundle(
        "{\"name\":\"c\",\"version\":1,"
            + "\"columns\":[{\"name\":\"zz_unused\",\"type\":\"string\"}]}",
        Map.of("r", opsJson));
  }

  /**
   * A bundle of the declared datasets, the contract (JSON, named {@code c}) and one rule per entry
   * (rule name to its ops JSON, in order), every rule writing output {@code out}.
   */
  public String bundle(String contractJson, Map<String, String> rules) {
    List<String> ruleJson = new ArrayList<>();
    rules.forEach(
        (name, ops) ->
            ruleJson.add(
                "{\"name\":\""
                    + name
                    + "\",\"output\":\"out\",\"contract\":\"c\",\"ops\":"
                    + ops
                    + "}"));
    return "{\"relspec\":1,\"name\":\"conformance\",\"datasets\":["
        + String.join(",", datasets.values())
        + "],\"contracts\":["
        + contractJson
        + "],\"rules\":["
        + String.join(",", ruleJson)
        + "]}";
  }

  /** The rows declared so far, per dataset. */
  public Map<String, List<List<Object>>> inputs() {
    Map<String, List<List<Object>>> inputs = new LinkedHashMap<>();
    data.forEach((dataset, list) -> inputs.put(dataset, List.copyOf(list)));
    return inputs;
  }

  /** The expected rows of one case. */
  public final class Expect {
    private final String name;
    private final String bundleJson;

    private Expect(String name, String bundleJson) {
      this.name = name;
      this.bundleJson = bundleJson;
    }

    /** The spec gives these rows in no particular order (the plan's ordering is not explicit). */
    @SafeVarargs
    public final CaseBuilder anyOrder(List<Object>... rows) {
      return add(List.of(rows), false);
    }

    /** The spec gives these rows in this order (an explicit ordering, i.e. a sort). */
    @SafeVarargs
    public final CaseBuilder inOrder(List<Object>... rows) {
      return add(List.of(rows), true);
    }

    /** The spec gives no rows. */
    public CaseBuilder none() {
      return add(List.of(), false);
    }

    private CaseBuilder add(List<List<Object>> rows, boolean ordered) {
      sink.add(new ConformanceCase(name, bundleJson, inputs(), rows, ordered));
      return CaseBuilder.this;
    }
  }
}
