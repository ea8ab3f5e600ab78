package io.relspec.spark.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.SparkTestSession;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.compile.SparkTypes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example bundles: every compiled rule has the schema the validator computed, and
 * examples/cpg.json runs end to end on small hand-made data with hand-computed outputs.
 */
class CpgExampleTest {
  private static final Path EXAMPLES = Path.of("..", "examples");

  @TempDir Path dir;

  private static SparkSession spark() {
    return SparkTestSession.spark();
  }

  @Test
  void compiledSchemasEqualTheValidatorsRelSchemas() {
    for (String example : List.of("cpg.json", "analytics.json")) {
      ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve(example));
      Map<String, Dataset<Row>> inputs = new HashMap<>();
      for (DatasetSpec spec : bundle.bundle().datasets()) {
        inputs.put(spec.name(), empty(spec.schema()));
      }
      for (OutputPlan output : bundle.outputs()) {
        inputs.put(output.name(), empty(output.contract().columns()));
      }
      PlanCompiler compiler = new PlanCompiler(DatasetResolver.of(inputs));
      for (RelPlan plan : bundle.plans()) {
        Dataset<Row> rows = compiler.compile(plan.name(), plan.ops(), plan.params());
        List<Field> compiled = SparkTypes.fromSpark(rows.schema());
        assertThat(compiled)
            .as("%s rule %s", example, plan.name())
            .extracting(f -> f.name() + " " + f.type().typeString())
            .containsExactlyElementsOf(
                plan.schema().fields().stream()
                    .map(f -> f.name() + " " + f.type().typeString())
                    .toList());
      }
    }
  }

  private static Dataset<Row> empty(List<Field> schema) {
    return spark().createDataFrame(List.<Row>of(), SparkTypes.toSpark(schema));
  }

  /** Spark's xxhash64 of (string, int64), computed from the hash primitive, not the compiler. */
  private static long linkId(String source, long id) {
    UTF8String text = UTF8String.fromString(source);
    long seed =
        XXH64.hashUnsafeBytes(text.getBaseObject(), text.getBaseOffset(), text.numBytes(), 42L);
    return XXH64.hashLong(id, seed);
  }

  private void write(String name, List<Field> schema, Object[]... rows) {
    List<Row> list = new ArrayList<>();
    for (Object[] row : rows) {
      list.add(RowFactory.create(row));
    }
    spark()
        .createDataFrame(list, SparkTypes.toSpark(schema))
        .write()
        .parquet(dir.resolve("data").resolve("cpg").resolve(name).toString());
  }

  private static Object[] row(Object... values) {
    return values;
  }

  private static List<Object> r(Object... values) {
    return Arrays.asList(values);
  }

  @Test
  void cpgExampleEndToEnd() throws IOException {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve("cpg.json"));
    Map<String, List<Field>> schemas = new HashMap<>();
    bundle.bundle().datasets().forEach(d -> schemas.put(d.name(), d.schema()));
    write(
        "files",
        schemas.get("files"),
        row(1L, "a.py", "python"),
        row(2L, "b.py", "python"),
        row(3L, "c.rs", null));
    write(
        "symbol_occurrences",
        schemas.get("symbol_occurrences"),
        row(1L, "a.py", "mod.f", "definition", 0L, 100L, 0.9),
        row(2L, "a.py", "mod.f.x", "reference", 10L, 20L, 0.5),
        row(3L, "a.py", "mod.g", "definition", 10L, 20L, 0.8),
        row(4L, "b.py", "mod.h", "definition", 0L, 50L, null),
        row(5L, "b.py", null, "reference", 55L, 58L, 0.7));
    write(
        "name_refs",
        schemas.get("name_refs"),
        row(1L, "a.py", "x", 5L, 25L),
        row(2L, "a.py", "y", 0L, 100L),
        row(3L, "b.py", "z", 54L, 59L),
        row(4L, "c.rs", "w", 1L, 2L),
        row(5L, "a.py", "v", null, 5L),
        row(6L, "b.py", "q", 0L, 50L));
    write(
        "call_sites",
        schemas.get("call_sites"),
        row(1L, "a.py", "f()", 30L, 33L, List.of("mod.f", "mod.g")),
        row(2L, "b.py", "h()", 60L, 63L, List.of("nope", "mod.h")),
        row(3L, "a.py", "g()", 5L, 25L, List.of("mod.g")),
        row(4L, "c.rs", "x()", 0L, 3L, List.of()),
        row(5L, "c.rs", "y()", 5L, 9L, null),
        row(6L, "a.py", "f2()", 40L, 45L, List.of("mod.f", "mod.f")));

    Path out = dir.resolve("out");
    RunManifest report =
        new SparkRunner(
                spark(),
                new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
            .run(bundle, dir.resolve("data"), out, Map.of());

    // contained (spec): the right span lies within the left one, rs >= ls and re <= le.
    // ref 1 (5-25) contains occurrences 2 and 3 (10-20), which tie on length: the tieBreaker
    // confidence desc picks 3 (mod.g, 0.8). Call 3 has the same span and score, so the contract
    // dedupe (score desc, source asc) keeps the call_site row. Ref 2 (0-100) also contains
    // occurrence 1 (0-100) but 2 and 3 are shorter. Ref 6 (0-50) contains only occurrence 4
    // (null confidence: score 0.0).
    assertThat(WrittenRows.read(out.resolve("symbol_links")))
        .containsExactly(
            r(linkId("name_ref", 2), "a.py", 0L, 100L, "mod.g", "name_ref", "contained", 0.8),
            r(linkId("call_site", 3), "a.py", 5L, 25L, "mod.g", "call_site", "callee_name", 0.8),
            r(linkId("call_site", 1), "a.py", 30L, 33L, "mod.f", "call_site", "callee_name", 0.9),
            r(linkId("call_site", 6), "a.py", 40L, 45L, "mod.f", "call_site", "callee_name", 0.9),
            r(linkId("name_ref", 6), "b.py", 0L, 50L, "mod.h", "name_ref", "contained", 0.0),
            r(linkId("call_site", 2), "b.py", 60L, 63L, "mod.h", "call_site", "callee_name", null));
    // ref 3 contains only an occurrence without a symbol; refs 4 (no occurrence in c.rs) and 5
    // (null span) do not match: all three have a null symbol, which the contract requires.
    String message = "column 'symbol' is null but contract 'symbol_links_v1' requires a value";
    assertThat(WrittenRows.read(out.resolve("symbol_links__errors")))
        .extracting(row -> row.subList(0, 11))
        .containsExactlyInAnyOrder(
            r(
                linkId("name_ref", 3),
                "b.py",
                54L,
                59L,
                null,
                "name_ref",
                "contained",
                0.7,
                "null_violation",
                "symbol",
                message),
            r(
                linkId("name_ref", 4),
                "c.rs",
                1L,
                2L,
                null,
                "name_ref",
                "NO_MATCH",
                0.0,
                "null_violation",
                "symbol",
                message),
            r(
                linkId("name_ref", 5),
                "a.py",
                null,
                5L,
                null,
                "name_ref",
                "NO_MATCH",
                0.0,
                "null_violation",
                "symbol",
                message));
    assertThat(WrittenRows.read(out.resolve("file_link_counts")))
        .containsExactly(
            r("a.py", "python", 4L, 2L), r("b.py", "python", 2L, 1L), r("c.rs", null, 0L, 0L));

    RunManifest.OutputReport links = report.outputs().get(0);
    assertThat(links.name()).isEqualTo("symbol_links");
    assertThat(links.rowsIn()).isEqualTo(10);
    assertThat(links.rowsOut()).isEqualTo(6);
    assertThat(links.quarantined()).isEqualTo(3);
    assertThat(links.deduplicated()).isEqualTo(1);
    assertThat(links.ordering())
        .isEqualTo("explicit(path asc nulls last, bstart asc nulls last, link_id asc nulls last)");
    assertThat(links.rules())
        .extracting(RunManifest.RuleReport::name)
        .containsExactly("ref_symbols", "call_symbols");
    assertThat(links.rules()).extracting(RunManifest.RuleReport::rowsIn).containsExactly(6L, 4L);
    assertThat(links.rules().get(0).planSignature())
        .isEqualTo(bundle.plan("ref_symbols").orElseThrow().planSignature());
    assertThat(report.outputs().get(1).rowsOut()).isEqualTo(3);

    // Every written file (outputs and __errors) carries the signatures in its Parquet footer.
    String refPlan = bundle.plan("ref_symbols").orElseThrow().planSignature();
    String callPlan = bundle.plan("call_symbols").orElseThrow().planSignature();
    for (String dataset : List.of("symbol_links", "symbol_links__errors", "file_link_counts")) {
      List<Map<String, String>> footers = footers(out.resolve(dataset));
      assertThat(footers).as(dataset).isNotEmpty();
      for (Map<String, String> footer : footers) {
        assertThat(footer)
            .as(dataset)
            .containsEntry("relspec.bundle.signature", bundle.signature())
            .containsEntry("relspec.dataset", dataset)
            .containsEntry("relspec.engine", "spark")
            .containsKey("org.apache.spark.sql.parquet.row.metadata");
      }
    }
    Map<String, String> links0 = footers(out.resolve("symbol_links")).get(0);
    assertThat(links0)
        .containsEntry("relspec.plan.signature", refPlan + "," + callPlan)
        .containsEntry("relspec.contract.name", "symbol_links_v1")
        .containsEntry("relspec.contract.version", String.valueOf(links.contractVersion()))
        .containsEntry("relspec.contract.signature", links.contractSignature())
        .containsEntry("relspec.ordering", links.ordering())
        .containsEntry("relspec.dataset.kind", "output");
    assertThat(links0.get("relspec.rules"))
        .contains("\"rule\":\"ref_symbols\",\"planSignature\":\"" + refPlan + "\"")
        .contains(
            "\"ruleSignature\":\""
                + bundle.plan("call_symbols").orElseThrow().ruleSignature()
                + "\"");
    assertThat(footers(out.resolve("symbol_links__errors")).get(0))
        .containsEntry("relspec.dataset.kind", "errors")
        .containsEntry("relspec.plan.signature", refPlan + "," + callPlan);
  }

  /** The key-value metadata of each Parquet file of a dataset, read with parquet-hadoop. */
  private static List<Map<String, String>> footers(Path dataset) throws IOException {
    List<Map<String, String>> footers = new ArrayList<>();
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dataset)) {
      for (Path file :
          files.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList()) {
        try (org.apache.parquet.hadoop.ParquetFileReader reader =
            org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(file.toUri()),
                    new org.apache.hadoop.conf.Configuration()))) {
          footers.add(reader.getFooter().getFileMetaData().getKeyValueMetaData());
        }
      }
    }
    return footers;
  }
}
