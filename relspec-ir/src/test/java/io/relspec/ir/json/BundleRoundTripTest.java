package io.relspec.ir.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.OnViolation;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.expr.Bytes;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.Side;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Limit;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.Ordering;
import io.relspec.ir.signature.CanonicalJson;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeParser;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BundleRoundTripTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String SOURCE = "signature-vectors/cpg_relations.json";

  private static Bundle original() {
    return BundleReader.read(TestResources.text(SOURCE), SOURCE);
  }

  private static String normalized(Bundle bundle) {
    return BundleWriter.toPrettyJson(BundleWriter.bundle(bundle));
  }

  @Test
  void readWriteReadGivesEqualRecordsAndStableText() {
    Bundle first = original();
    String firstText = normalized(first);

    Bundle second = BundleReader.read(firstText, "normalized.json");
    String secondText = normalized(second);

    assertThat(second).isEqualTo(first);
    assertThat(secondText).isEqualTo(firstText);
    assertThat(BundleReader.read(secondText, "again.json")).isEqualTo(first);
  }

  @Test
  void canonicalTextReadsBackToTheSameBundle() {
    Bundle first = original();
    String canonical = CanonicalJson.write(BundleWriter.bundle(first));

    Bundle fromCanonical = BundleReader.read(canonical, "canonical.json");

    assertThat(fromCanonical).isEqualTo(first);
    assertThat(CanonicalJson.write(BundleWriter.bundle(fromCanonical))).isEqualTo(canonical);
  }

  @Test
  void normalizedTextIsPrettyPrintedWithTrailingNewline() {
    String text = normalized(original());

    assertThat(text).startsWith("{\n  \"relspec\" : 1,\n  \"name\" : \"cpg_relations\",\n");
    assertThat(text).endsWith("}\n");
  }

  @Test
  void decodesTheRealisticBundleIntoTheExpectedRecords() {
    Bundle bundle = original();

    assertThat(bundle.name()).isEqualTo("cpg_relations");
    assertThat(bundle.datasets())
        .extracting(d -> d.name())
        .containsExactly("ast_nodes", "symbols", "calls");
    assertThat(bundle.dataset("symbols").orElseThrow().format()).isEqualTo(DatasetFormat.CSV);
    assertThat(bundle.dataset("ast_nodes").orElseThrow().ordering())
        .isEqualTo(
            Ordering.implicit(
                List.of(
                    SortKey.asc("path"),
                    new SortKey("start", SortKey.Direction.ASC, SortKey.NullOrder.FIRST))));
    assertThat(bundle.dataset("calls").orElseThrow().ordering())
        .isEqualTo(Ordering.explicit(List.of(SortKey.desc("day"))));
    assertThat(bundle.contract("node_symbol_v1").orElseThrow().onViolation())
        .isEqualTo(OnViolation.QUARANTINE);
    assertThat(bundle.contract("call_edge_v1").orElseThrow().onViolation())
        .isEqualTo(OnViolation.FAIL);

    RuleDefinition nodeSymbols = bundle.rule("node_symbols").orElseThrow();
    assertThat(nodeSymbols.priority()).isEqualTo(RuleDefinition.DEFAULT_PRIORITY);
    assertThat(nodeSymbols.params())
        .containsExactly(
            java.util.Map.entry("min_depth", Literal.of(2L, PrimitiveType.INT32)),
            java.util.Map.entry("kinds_prefix", Literal.of("decl_", PrimitiveType.STRING)));
    IntervalAlign align = (IntervalAlign) nodeSymbols.ops().get(4);
    assertThat(align.on()).containsExactly(EquiKey.same("path"));
    assertThat(align.tieBreakers()).containsExactly(SortKey.asc("qualified"));
    Project project = (Project) nodeSymbols.ops().get(6);
    assertThat(project.columns().get(0)).isEqualTo(Project.Column.keep("path"));
    assertThat(project.columns().get(7).isPassThrough()).isFalse();

    RuleDefinition callEdges = bundle.rule("call_edges").orElseThrow();
    Join join = (Join) callEdges.ops().get(2);
    assertThat(join.type()).isEqualTo(JoinType.LEFT);
    assertThat(join.on()).containsExactly(EquiKey.same("path"), new EquiKey("callee", "name"));
    assertThat(((Call) join.condition().orElseThrow()).args().get(0))
        .isEqualTo(new ColumnRef("start", Optional.of(Side.RIGHT)));
    assertThat(callEdges.ops().get(6)).isEqualTo(new Limit(1000, 10));
    assertThat(bundle.rule("call_edges_from_args").orElseThrow().ops().get(3))
        .isEqualTo(new Limit(50, 0));
  }

  @Test
  void decodesEveryLiteralTypeIntoItsCanonicalJavaValue() {
    RuleDefinition stats = original().rule("call_stats").orElseThrow();
    Call or = (Call) ((Filter) stats.ops().get(1)).predicate();
    List<Object> values =
        or.args().stream()
            .map(arg -> (Literal) ((Call) arg).args().get(((Call) arg).args().size() - 1))
            .map(lit -> lit.value().orElse("<null>"))
            .toList();

    assertThat(values)
        .containsExactly(
            -128L,
            32767L,
            9007199254740993L,
            -9007199254740991L,
            0.1,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.MIN_VALUE,
            Double.MAX_VALUE,
            0.000001,
            1e-7,
            123456789012345680000.0,
            new BigDecimal("12.50"),
            LocalDate.of(2024, 2, 29),
            Instant.parse("2024-01-31T11:00:00.123456Z"),
            Bytes.copyOf(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}),
            "caf\u00e9 \ud83d\ude00 \u0001\t\"/\\",
            "<null>",
            true);
    Literal nullList = (Literal) ((Call) or.args().get(17)).args().get(1);
    assertThat(nullList).isEqualTo(Literal.nullOf(TypeParser.of("list<string>")));
  }

  @Test
  void writesEveryDefaultAndAbsentOptionalValueExplicitly() throws Exception {
    JsonNode n = MAPPER.readTree(normalized(original()));

    // dataset defaults: ordering, scan options (per format), nullable
    assertThat(n.at("/datasets/1/ordering").toString())
        .isEqualTo("{\"kind\":\"unordered\",\"keys\":[]}");
    assertThat(n.at("/datasets/1/scan").toString())
        .isEqualTo(
            "{\"partitionCols\":[],\"fileSortOrder\":[],\"parquetPruning\":true,"
                + "\"skipMetadata\":true,\"fileExtension\":\".tsv\"}");
    assertThat(n.at("/datasets/2/scan/fileExtension").asText()).isEqualTo(".parquet");
    assertThat(n.at("/datasets/0/scan/fileSortOrder").toString())
        .isEqualTo("[{\"col\":\"path\",\"dir\":\"asc\",\"nulls\":\"last\"}]");
    assertThat(n.at("/datasets/0/schema/3").toString())
        .isEqualTo("{\"name\":\"kind\",\"type\":\"string\",\"nullable\":true}");
    assertThat(n.at("/datasets/0/schema/7/type").asText())
        .isEqualTo("struct<lang:string,generated:boolean>");

    // contract defaults
    JsonNode edgeContract = n.at("/contracts/1");
    assertThat(edgeContract.get("dedupe").isNull()).isTrue();
    assertThat(edgeContract.get("canonicalSort").toString()).isEqualTo("[]");
    assertThat(edgeContract.get("onViolation").asText()).isEqualTo("fail");

    // rule defaults
    JsonNode callEdges = n.at("/rules/1");
    assertThat(callEdges.get("params").toString()).isEqualTo("{}");
    assertThat(callEdges.get("description").isNull()).isTrue();
    assertThat(callEdges.get("tags").toString()).isEqualTo("[]");
    assertThat(n.at("/rules/0/priority").asInt()).isEqualTo(100);

    // op defaults and expanded shorthands
    assertThat(n.at("/rules/0/ops/0/columns").toString())
        .isEqualTo("[\"path\",\"node_id\",\"kind\",\"start\",\"end\",\"depth\"]");
    assertThat(n.at("/rules/1/ops/0/columns").isNull()).isTrue();
    assertThat(n.at("/rules/0/ops/2/default").isNull()).isTrue();
    assertThat(n.at("/rules/0/ops/4/on").toString())
        .isEqualTo("[{\"left\":\"path\",\"right\":\"path\"}]");
    assertThat(n.at("/rules/0/ops/6/columns/0").toString())
        .isEqualTo("{\"name\":\"path\",\"expr\":{\"col\":\"path\",\"side\":null}}");
    assertThat(n.at("/rules/0/ops/7/orderBy").toString())
        .isEqualTo(
            "[{\"col\":\"span_len\",\"dir\":\"asc\",\"nulls\":\"last\"},"
                + "{\"col\":\"name\",\"dir\":\"desc\",\"nulls\":\"last\"}]");
    assertThat(n.at("/rules/1/ops/2/on").toString())
        .isEqualTo(
            "[{\"left\":\"path\",\"right\":\"path\"},{\"left\":\"callee\",\"right\":\"name\"}]");
    assertThat(n.at("/rules/1/ops/4/columns/5/expr/col").asText()).isEqualTo("bucket");
    assertThat(n.at("/rules/1/ops/5/keys/1").toString())
        .isEqualTo("{\"col\":\"arg_pos\",\"dir\":\"desc\",\"nulls\":\"first\"}");
    JsonNode antiJoin = n.at("/rules/2/ops/2");
    assertThat(antiJoin.get("condition").isNull()).isTrue();
    assertThat(antiJoin.get("rightSuffix").isNull()).isTrue();
    assertThat(n.at("/rules/2/ops/3").toString())
        .isEqualTo("{\"op\":\"limit\",\"n\":50,\"offset\":0}");
    assertThat(n.at("/rules/3/ops/2/aggregates/0").toString())
        .isEqualTo("{\"name\":\"calls\",\"fn\":\"count\",\"args\":[],\"distinct\":false}");
    assertThat(n.at("/rules/1/ops/3/expr/else/cast").toString())
        .isEqualTo("{\"col\":\"arg_pos\",\"side\":null}");
  }

  @Test
  void writesOpDefaultsWhenTheyAreOmitted() throws Exception {
    String json =
        "{\"relspec\":1,\"name\":\"d\",\"rules\":[{\"name\":\"r\",\"output\":\"o\","
            + "\"contract\":\"c\",\"ops\":["
            + "{\"op\":\"scan\",\"dataset\":\"a\"},"
            + "{\"op\":\"join\",\"right\":{\"ops\":[{\"op\":\"scan\",\"dataset\":\"b\"}]}},"
            + "{\"op\":\"union\",\"inputs\":[]},"
            + "{\"op\":\"explode\",\"column\":\"xs\",\"as\":\"x\"},"
            + "{\"op\":\"interval_align\",\"right\":{\"ops\":[{\"op\":\"scan\",\"dataset\":\"b\"}]},"
            + "\"leftSpan\":[\"s\",\"e\"],\"rightSpan\":[\"s\",\"e\"],\"mode\":\"overlap\"},"
            + "{\"op\":\"filter\",\"predicate\":{\"case\":[{\"when\":{\"col\":\"a\"},"
            + "\"then\":{\"lit\":1,\"type\":\"int32\"}}]}}"
            + "]}]}";
    JsonNode ops = BundleWriter.bundle(BundleReader.read(json, "defaults.json")).at("/rules/0/ops");

    assertThat(ops.get(1).toString())
        .isEqualTo(
            "{\"op\":\"join\",\"type\":\"inner\",\"right\":{\"ops\":[{\"op\":\"scan\","
                + "\"dataset\":\"b\",\"columns\":null}]},\"on\":[],\"condition\":null,"
                + "\"rightSuffix\":null}");
    assertThat(ops.get(2).toString())
        .isEqualTo("{\"op\":\"union\",\"inputs\":[],\"distinct\":false}");
    assertThat(ops.get(3).toString())
        .isEqualTo(
            "{\"op\":\"explode\",\"column\":\"xs\",\"as\":\"x\",\"position\":null,"
                + "\"outer\":false}");
    assertThat(ops.get(4).toString())
        .isEqualTo(
            "{\"op\":\"interval_align\",\"right\":{\"ops\":[{\"op\":\"scan\",\"dataset\":\"b\","
                + "\"columns\":null}]},\"on\":[],\"leftSpan\":[\"s\",\"e\"],"
                + "\"rightSpan\":[\"s\",\"e\"],\"mode\":\"overlap\",\"how\":\"inner\","
                + "\"selectRight\":[],\"tieBreakers\":[],\"matchMeta\":false}");
    assertThat(ops.get(5).at("/predicate/else").isNull()).isTrue();
  }

  @Test
  void writesLiteralsInTheirNormalizedJsonForms() throws Exception {
    JsonNode args = MAPPER.readTree(normalized(original())).at("/rules/3/ops/1/predicate/args");

    assertThat(args.get(0).at("/args/1").toString()).isEqualTo("{\"lit\":-128,\"type\":\"int8\"}");
    assertThat(args.get(2).at("/args/1/lit").toString()).isEqualTo("\"9007199254740993\"");
    assertThat(args.get(3).at("/args/1/lit").toString()).isEqualTo("-9007199254740991");
    assertThat(args.get(5).at("/args/1/lit").toString()).isEqualTo("\"NaN\"");
    assertThat(args.get(6).at("/args/1/lit").toString()).isEqualTo("\"Infinity\"");
    assertThat(args.get(7).at("/args/1/lit").doubleValue()).isEqualTo(Double.MIN_VALUE);
    assertThat(args.get(12).at("/args/1/lit").toString()).isEqualTo("\"12.50\"");
    assertThat(args.get(13).at("/args/1/lit").toString()).isEqualTo("\"2024-02-29\"");
    assertThat(args.get(14).at("/args/1/lit").toString())
        .isEqualTo("\"2024-01-31T11:00:00.123456Z\"");
    assertThat(args.get(15).at("/args/1/lit").toString()).isEqualTo("\"3q2+7w==\"");
    assertThat(args.get(17).at("/args/1").toString())
        .isEqualTo("{\"lit\":null,\"type\":\"list<string>\"}");
    assertThat(args.get(18).at("/args/0/lit").toString()).isEqualTo("true");
  }

  @Test
  void normalizesEquivalentSpellingsOfLiteralValues() {
    String template =
        "{\"relspec\":1,\"name\":\"d\",\"rules\":[{\"name\":\"r\",\"output\":\"o\","
            + "\"contract\":\"c\",\"ops\":[{\"op\":\"scan\",\"dataset\":\"a\"},"
            + "{\"op\":\"filter\",\"predicate\":{\"lit\":%s,\"type\":\"%s\"}}]}]}";
    assertThat(normalizedLiteral(template, "\"5\"", "int64")).isEqualTo("5");
    assertThat(normalizedLiteral(template, "\"1.5e1\"", "decimal(5,3)")).isEqualTo("\"15.000\"");
    assertThat(normalizedLiteral(template, "\"2024-01-31T12:00:00.120+00:00\"", "timestamp_us"))
        .isEqualTo("\"2024-01-31T12:00:00.120Z\"");
    assertThat(normalizedLiteral(template, "\"2024-01-31T12:00:00Z\"", "timestamp_us"))
        .isEqualTo("\"2024-01-31T12:00:00Z\"");
    assertThat(normalizedLiteral(template, "\"QQ\"", "binary")).isEqualTo("\"QQ==\"");
    assertThat(normalizedLiteral(template, "9007199254740992", "int64"))
        .isEqualTo("\"9007199254740992\"");
    assertThat(normalizedLiteral(template, "-9007199254740991", "int64"))
        .isEqualTo("-9007199254740991");
    assertThat(normalizedLiteral(template, "-9007199254740992", "int64"))
        .isEqualTo("\"-9007199254740992\"");
    assertThat(normalizedLiteral(template, "-9223372036854775808", "int64"))
        .isEqualTo("\"-9223372036854775808\"");
    assertThat(normalizedLiteral(template, "\"9223372036854775807\"", "int64"))
        .isEqualTo("\"9223372036854775807\"");
  }

  private static String normalizedLiteral(String template, String value, String type) {
    Bundle bundle = BundleReader.read(String.format(template, value, type), "literal.json");
    return BundleWriter.bundle(bundle).at("/rules/0/ops/1/predicate/lit").toString();
  }
}
