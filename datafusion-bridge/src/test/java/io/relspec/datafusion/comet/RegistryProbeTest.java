package io.relspec.datafusion.comet;

import static io.relspec.reference.conformance.CaseValues.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.Fallback;
import io.relspec.datafusion.PlanReport;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.capability.Capability;
import io.relspec.ir.capability.KernelCapabilities;
import io.relspec.ir.capability.Lane;
import io.relspec.ir.capability.Support;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.conformance.ArrowInputs;
import io.relspec.reference.conformance.CaseBuilder;
import io.relspec.reference.conformance.CaseValues;
import io.relspec.reference.conformance.ConformanceCase;
import io.relspec.reference.conformance.LaneResult;
import io.relspec.reference.conformance.ReferenceConformanceLane;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeps the capability registry honest for the standalone DataFusion lane: every op, function and
 * aggregate it lists for {@link Lane#DATAFUSION} has a probe (a minimal rule using it), which runs
 * on the bridge ({@link CometEngine}, with per-op fallback); the bridge's {@link PlanReport} must
 * be fully native where the registry says native or translated, and show a fallback for that kernel
 * where it says fallback; and the rows must equal the reference lane's. A registry entry without a
 * probe fails {@link #everyRegistryEntryHasAProbe()}, so a new entry needs a probe here.
 */
class RegistryProbeTest {
  private static final String INT32_ONE = "{\"lit\":1,\"type\":\"int32\"}";

  /** Probe rules (ops JSON) by {@code kind:kernel}, over datasets t, u and occ. */
  private static final Map<String, String> PROBES = probes();

  private static final BufferAllocator ALLOCATOR = new RootAllocator();
  private static final CometEngine ENGINE = new CometEngine();
  private static final ReferenceConformanceLane REFERENCE = new ReferenceConformanceLane();

  private static CaseBuilder data() {
    return new CaseBuilder()
        .dataset(
            "t",
            "id:int64",
            "g:string",
            "s:int64",
            "e:int64",
            "x:float64",
            "l:list<string>",
            "d:date32")
        .rows(
            "t",
            row(1, "a", 0, 10, 1.5, List.of("p", "q"), LocalDate.of(2024, 1, 1)),
            row(2, "b", 5, 6, -2.0, List.of(), LocalDate.of(2024, 2, 29)),
            row(3, "a", 2, 4, null, null, null),
            row(null, null, null, null, 0.0, List.of("r"), LocalDate.of(1970, 1, 1)))
        .dataset("u", "id:int64", "w:float64")
        .rows("u", row(1, 10.0), row(3, 30.0), row(4, 40.0))
        .dataset("occ", "g:string", "rs:int64", "re:int64", "sym:string")
        .rows("occ", row("a", 1, 3, "x"), row("a", 0, 10, "y"), row("b", 5, 6, "z"));
  }

  private static String col(String name) {
    return "{\"col\":\"" + name + "\"}";
  }

  private static String fn(String name, String... args) {
    return "{\"fn\":\"" + name + "\",\"args\":[" + String.join(",", args) + "]}";
  }

  private static String scan(String dataset) {
    return "{\"op\":\"scan\",\"dataset\":\"" + dataset + "\"}";
  }

  private static String ops(String... ops) {
    return "[" + String.join(",", ops) + "]";
  }

  private static String derive(String expr) {
    return ops(scan("t"), "{\"op\":\"derive\",\"name\":\"v\",\"expr\":" + expr + "}");
  }

  private static Map<String, String> probes() {
    Map<String, String> p = new LinkedHashMap<>();
    String t = scan("t");
    p.put("op:scan", ops(t));
    p.put(
        "op:filter",
        ops(t, "{\"op\":\"filter\",\"predicate\":" + fn("gt", col("id"), col("s")) + "}"));
    p.put(
        "op:project",
        ops(
            t,
            "{\"op\":\"project\",\"columns\":[\"id\",{\"name\":\"h\",\"expr\":"
                + col("g")
                + "}]}"));
    p.put("op:derive", derive(col("g")));
    p.put(
        "op:join",
        ops(
            t,
            "{\"op\":\"join\",\"type\":\"inner\",\"right\":{\"ops\":["
                + scan("u")
                + "]},\"on\":[\"id\"],\"rightSuffix\":\"_r\"}"));
    p.put(
        "op:aggregate",
        ops(
            t,
            "{\"op\":\"aggregate\",\"groupBy\":[\"g\"],\"aggregates\":[{\"name\":\"n\",\"fn\":\"count\"}]}"));
    p.put(
        "op:union",
        ops(
            t,
            "{\"op\":\"project\",\"columns\":[\"id\"]}",
            "{\"op\":\"union\",\"inputs\":[{\"ops\":["
                + scan("u")
                + ",{\"op\":\"project\",\"columns\":[\"id\"]}]}],\"distinct\":false}"));
    p.put(
        "op:param",
        ops(
            t,
            "{\"op\":\"param\",\"name\":\"lo\",\"type\":\"int64\",\"default\":2}",
            "{\"op\":\"filter\",\"predicate\":" + fn("ge", col("id"), "{\"param\":\"lo\"}") + "}"));
    p.put("op:sort", ops(t, "{\"op\":\"sort\",\"keys\":[{\"col\":\"id\"}]}"));
    p.put(
        "op:limit",
        ops(t, "{\"op\":\"sort\",\"keys\":[{\"col\":\"id\"}]}", "{\"op\":\"limit\",\"n\":2}"));
    p.put("op:explode", ops(t, "{\"op\":\"explode\",\"column\":\"l\",\"as\":\"item\"}"));
    p.put(
        "op:dedupe",
        ops(
            t,
            "{\"op\":\"project\",\"columns\":[\"id\",\"g\",\"x\"]}",
            "{\"op\":\"dedupe\",\"keys\":[\"g\"],\"orderBy\":[{\"col\":\"x\",\"dir\":\"desc\"}]}"));
    p.put(
        "op:interval_align",
        ops(
            t,
            "{\"op\":\"interval_align\",\"right\":{\"ops\":["
                + scan("occ")
                + "]},\"on\":[\"g\"],\"leftSpan\":[\"s\",\"e\"],\"rightSpan\":[\"rs\",\"re\"],"
                + "\"mode\":\"contained\",\"how\":\"left\",\"selectRight\":[\"sym\"],"
                + "\"tieBreakers\":[],\"matchMeta\":false}"));

    String id = col("id");
    String s = col("s");
    String e = col("e");
    String g = col("g");
    String a = "{\"lit\":\"a\",\"type\":\"string\"}";
    for (String cmp : List.of("eq", "ne", "lt", "le", "gt", "ge")) {
      p.put("function:" + cmp, derive(fn(cmp, id, s)));
    }
    p.put("function:is_null", derive(fn("is_null", g)));
    p.put("function:is_not_null", derive(fn("is_not_null", g)));
    p.put("function:in", derive(fn("in", id, s, e)));
    p.put("function:between", derive(fn("between", id, s, e)));
    p.put("function:and", derive(fn("and", fn("gt", id, s), fn("lt", id, e))));
    p.put("function:or", derive(fn("or", fn("gt", id, s), fn("lt", id, e))));
    p.put("function:not", derive(fn("not", fn("gt", id, s))));
    for (String arithmetic : List.of("add", "sub", "mul", "div", "mod", "bit_and", "bit_or")) {
      p.put("function:" + arithmetic, derive(fn(arithmetic, id, s)));
    }
    p.put("function:neg", derive(fn("neg", id)));
    p.put("function:abs", derive(fn("abs", s)));
    p.put("function:coalesce", derive(fn("coalesce", id, s)));
    p.put("function:nullif", derive(fn("nullif", id, s)));
    p.put("function:concat", derive(fn("concat", g, g)));
    for (String string : List.of("lower", "upper", "trim", "length")) {
      p.put("function:" + string, derive(fn(string, g)));
    }
    p.put("function:substr", derive(fn("substr", g, INT32_ONE, INT32_ONE)));
    for (String predicate : List.of("starts_with", "ends_with", "contains")) {
      p.put("function:" + predicate, derive(fn(predicate, g, a)));
    }
    p.put("function:like", derive(fn("like", g, "{\"lit\":\"a%\",\"type\":\"string\"}")));
    p.put("function:year", derive(fn("year", col("d"))));
    p.put("function:date_add_days", derive(fn("date_add_days", col("d"), INT32_ONE)));
    p.put("function:span_len", derive(fn("span_len", s, e)));
    p.put("function:span_contains", derive(fn("span_contains", s, e, s, e)));
    p.put("function:span_overlaps", derive(fn("span_overlaps", s, e, id, e)));
    p.put("function:stable_hash64", derive(fn("stable_hash64", id, g)));

    Map<String, String> argument =
        Map.of("count", "id", "sum", "s", "min", "s", "max", "s", "avg", "x");
    argument.forEach(
        (aggregate, column) ->
            p.put(
                "aggregate:" + aggregate,
                ops(
                    t,
                    "{\"op\":\"aggregate\",\"groupBy\":[\"g\"],\"aggregates\":[{\"name\":\"v\","
                        + "\"fn\":\""
                        + aggregate
                        + "\",\"args\":["
                        + col(column)
                        + "]}]}")));
    return p;
  }

  private static String key(Capability capability) {
    return capability.kind() + ":" + capability.kernel();
  }

  @Test
  void everyRegistryEntryHasAProbe() {
    List<String> entries =
        KernelCapabilities.forLane(Lane.DATAFUSION).stream().map(c -> key(c)).toList();
    assertThat(PROBES.keySet())
        .as("probes for the registry's datafusion entries (add a probe for a new entry)")
        .containsExactlyInAnyOrderElementsOf(entries);
  }

  @TestFactory
  Stream<DynamicTest> theBridgeRunsEachKernelAsTheRegistrySays() {
    return KernelCapabilities.forLane(Lane.DATAFUSION).stream()
        .filter(c -> PROBES.containsKey(key(c)))
        .map(c -> DynamicTest.dynamicTest(key(c) + " " + c.support().jsonName(), () -> probe(c)));
  }

  private static void probe(Capability capability) {
    CaseBuilder data = data();
    String bundleJson =
        data.bundle(
            "{\"name\":\"c\",\"version\":1,\"columns\":[{\"name\":\"zz_unused\",\"type\":\"string\"}]}",
            Map.of("r", PROBES.get(key(capability))));
    ConformanceCase probe =
        new ConformanceCase(key(capability), bundleJson, data.inputs(), List.of(), false);
    ValidatedBundle bundle = probe.validated();
    RelPlan plan = bundle.plans().get(0);
    Map<String, List<VectorSchemaRoot>> batches = ArrowInputs.batches(probe, bundle, ALLOCATOR, 2);
    try (EngineSession session = ENGINE.openSession(RuntimeProfile.DEFAULT, ALLOCATOR)) {
      batches.forEach((name, list) -> session.registerBatches(name, list.get(0).getSchema(), list));
      PlanReport report = session.explain(plan);
      if (capability.support() == Support.FALLBACK) {
        assertThat(report.fallbacks())
            .as(
                "the registry says %s falls back (%s); the bridge: %s",
                key(capability), capability.reason(), report.summary())
            .anySatisfy(f -> assertThat(fallsBackFor(f, capability)).isTrue());
      } else {
        assertThat(report.fallbacks())
            .as(
                "the registry says %s is %s (%s); the bridge: %s",
                key(capability),
                capability.support().jsonName(),
                capability.reason(),
                report.summary())
            .isEmpty();
      }
      if (capability.kind().equals("op")) {
        // the run manifest records each op's mode from the report
        assertThat(report.executions())
            .as("how the run manifest records %s", key(capability))
            .filteredOn(x -> x.op().equals(capability.kernel()) && !x.path().contains("."))
            .singleElement()
            .satisfies(x -> assertThat(x.mode()).isEqualTo(capability.support().jsonName()));
      }
      List<List<Object>> rows;
      try (QueryResult result = session.execute(plan)) {
        rows = ArrowInputs.rows(result.batches());
      }
      LaneResult reference = REFERENCE.run(probe);
      assertThat(reference).isInstanceOf(LaneResult.Rows.class);
      assertThat(CaseValues.renderRows(rows))
          .as("%s on the bridge vs the reference lane", key(capability))
          .isNotEmpty()
          .containsExactlyInAnyOrderElementsOf(
              CaseValues.renderRows(((LaneResult.Rows) reference).rows()));
    } finally {
      ArrowInputs.close(batches);
    }
  }

  /** The fallback is the op itself, or an op whose expression uses the function. */
  private static boolean fallsBackFor(Fallback fallback, Capability capability) {
    return capability.kind().equals("op")
        ? fallback.op().equals(capability.kernel())
        : fallback.reason().contains("'" + capability.kernel() + "'");
  }

  @AfterAll
  static void close() {
    REFERENCE.close();
    ALLOCATOR.close();
  }
}
