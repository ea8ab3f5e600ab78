package io.relspec.reference;

import static io.relspec.reference.Fixture.eval;
import static io.relspec.reference.Fixture.row;
import static io.relspec.reference.conformance.Json.fn;
import static io.relspec.reference.conformance.Json.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.capability.KernelCapabilities;
import io.relspec.ir.capability.Lane;
import io.relspec.ir.capability.Support;
import io.relspec.ir.validate.FunctionRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Keeps the capability registry (relspec-ir's {@code io.relspec.ir.capability}) honest for the
 * reference lane: every kernel it claims as native actually runs in it. Coverage of every op,
 * function and aggregate for every lane is checked in relspec-ir's {@code KernelCapabilitiesTest}.
 */
class CapabilityRegistryTest {

  @Test
  void theReferenceLaneClaimsNativeForEverything() {
    assertThat(KernelCapabilities.forLane(Lane.REFERENCE))
        .allMatch(c -> c.support() == Support.NATIVE);
  }

  /** One sample call per scalar function with its expected value, run through the lane. */
  @Test
  void everyFunctionClaimedNativeRunsInTheReferenceLane() {
    String one = lit(1, "int64");
    String two = lit(2, "int64");
    String s = lit("ab", "string");
    String t = lit(true, "boolean");
    Map<String, Object[]> samples = new LinkedHashMap<>();
    samples.put("eq", new Object[] {fn("eq", one, one), true});
    samples.put("ne", new Object[] {fn("ne", one, two), true});
    samples.put("lt", new Object[] {fn("lt", one, two), true});
    samples.put("le", new Object[] {fn("le", two, two), true});
    samples.put("gt", new Object[] {fn("gt", one, two), false});
    samples.put("ge", new Object[] {fn("ge", one, two), false});
    samples.put("is_null", new Object[] {fn("is_null", one), false});
    samples.put("is_not_null", new Object[] {fn("is_not_null", one), true});
    samples.put("in", new Object[] {fn("in", two, one, two), true});
    samples.put("between", new Object[] {fn("between", two, one, two), true});
    samples.put("and", new Object[] {fn("and", t, t, t), true});
    samples.put("or", new Object[] {fn("or", t), true});
    samples.put("not", new Object[] {fn("not", t), false});
    samples.put("add", new Object[] {fn("add", one, two), 3L});
    samples.put("sub", new Object[] {fn("sub", one, two), -1L});
    samples.put("mul", new Object[] {fn("mul", two, two), 4L});
    samples.put("div", new Object[] {fn("div", two, two), 1L});
    samples.put("mod", new Object[] {fn("mod", two, two), 0L});
    samples.put("neg", new Object[] {fn("neg", two), -2L});
    samples.put("abs", new Object[] {fn("abs", two), 2L});
    samples.put("bit_and", new Object[] {fn("bit_and", one, two), 0L});
    samples.put("bit_or", new Object[] {fn("bit_or", one, two), 3L});
    samples.put("coalesce", new Object[] {fn("coalesce", one), 1L});
    samples.put("nullif", new Object[] {fn("nullif", one, two), 1L});
    samples.put("concat", new Object[] {fn("concat", s, s), "abab"});
    samples.put("lower", new Object[] {fn("lower", lit("AB", "string")), "ab"});
    samples.put("upper", new Object[] {fn("upper", s), "AB"});
    samples.put("trim", new Object[] {fn("trim", lit(" ab ", "string")), "ab"});
    samples.put("length", new Object[] {fn("length", s), 2L});
    samples.put("substr", new Object[] {fn("substr", s, one, one), "a"});
    samples.put("starts_with", new Object[] {fn("starts_with", s, s), true});
    samples.put("ends_with", new Object[] {fn("ends_with", s, s), true});
    samples.put("contains", new Object[] {fn("contains", s, s), true});
    samples.put("like", new Object[] {fn("like", s, lit("a%", "string")), true});
    samples.put("year", new Object[] {fn("year", lit("2020-06-01", "date32")), 2020L});
    samples.put(
        "date_add_days",
        new Object[] {fn("date_add_days", lit("1970-01-01", "date32"), lit(3, "int32")), 3});
    samples.put("span_len", new Object[] {fn("span_len", one, two), 1L});
    samples.put("span_contains", new Object[] {fn("span_contains", one, two, one, two), true});
    samples.put("span_overlaps", new Object[] {fn("span_overlaps", one, two, one, two), true});
    samples.put(
        "stable_hash64",
        new Object[] {
          fn("stable_hash64", lit(123, "int32")), SparkHash.hashInt(123, SparkHash.SEED)
        });
    assertThat(samples.keySet())
        .containsExactlyInAnyOrderElementsOf(FunctionRegistry.SCALAR_FUNCTIONS);
    List<Object> values =
        eval(samples.values().stream().map(v -> (String) v[0]).toArray(String[]::new));
    assertThat(values)
        .containsExactlyElementsOf(
            samples.values().stream().map(v -> v[1]).collect(Collectors.toList()));
  }

  /** Every op and every aggregate claimed native, in one pipeline with hand-computed rows. */
  @Test
  void everyOpAndAggregateClaimedNativeRunsInTheReferenceLane() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "id:int64", "path:string", "s:int64", "e:int64", "l:list<string>")
          .dataset("u", "item2:string", "w:float64")
          .dataset("v", "id:int64", "path:string", "s:int64", "e:int64")
          .dataset("occ", "path:string", "rs:int64", "re:int64", "sym:string")
          .rows(
              "t",
              row(1, "p", 0, 10, List.of("a", "b")),
              row(2, "p", 5, 6, List.of("z")),
              row(-1, "p", 0, 1, List.of("a")))
          .rows("u", row("a", 1.0), row("b", 2.0))
          .rows("v", row(3, "q", 0, 4))
          .rows("occ", row("p", 2, 3, "x"), row("p", 0, 10, "y"), row("q", 5, 6, "k"));
      List<List<Object>> rows =
          f.run(
              """
              [{"op":"scan","dataset":"t"},
               {"op":"param","name":"minid","type":"int64","default":0},
               {"op":"filter","predicate":{"fn":"ge","args":[{"col":"id"},{"param":"minid"}]}},
               {"op":"derive","name":"len","expr":{"fn":"span_len","args":[{"col":"s"},{"col":"e"}]}},
               {"op":"explode","column":"l","as":"item"},
               {"op":"join","type":"inner","right":{"ops":[{"op":"scan","dataset":"u"}]},
                "on":[{"left":"item","right":"item2"}]},
               {"op":"project","columns":["id","path","s","e","item","w"]},
               {"op":"union","inputs":[{"ops":[{"op":"scan","dataset":"v"}]}],"distinct":false},
               {"op":"dedupe","keys":["id"],"orderBy":[{"col":"w","dir":"desc"}]},
               {"op":"interval_align","right":{"ops":[{"op":"scan","dataset":"occ"}]},"on":["path"],
                "leftSpan":["s","e"],"rightSpan":["rs","re"],"mode":"contained","how":"left",
                "selectRight":["sym"],"tieBreakers":[],"matchMeta":false},
               {"op":"sort","keys":[{"col":"id"}]},
               {"op":"limit","n":10},
               {"op":"aggregate","groupBy":["path"],"aggregates":[
                 {"name":"n","fn":"count"},{"name":"ws","fn":"sum","args":[{"col":"w"}]},
                 {"name":"xs","fn":"count","args":[{"col":"sym"}]},
                 {"name":"lo","fn":"min","args":[{"col":"item"}]},
                 {"name":"hi","fn":"max","args":[{"col":"id"}]},
                 {"name":"av","fn":"avg","args":[{"col":"e"}]}]}]
              """);
      assertThat(rows)
          .containsExactlyInAnyOrder(
              row("p", 1L, 2.0, 1L, "b", 1L, 10.0), row("q", 1L, null, 0L, null, 3L, 4.0));
    }
  }
}
