package io.relspec.spark.engine.comet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.Relspec;
import io.relspec.spark.engine.AccelerationReport;
import io.relspec.spark.engine.FailOnFallback;
import io.relspec.spark.engine.SparkEngine;
import io.relspec.spark.run.SparkRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Engine spark-datafusion (Spark with Comet 0.12.0) against vanilla Spark in one session, on the
 * example bundles and data: identical outputs, signatures and counts; per-rule acceleration reports
 * with Comet's fallback reasons; fail-on-fallback.
 */
class SparkDataFusionLaneTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DATA = ROOT.resolve("examples/data");

  /** filter + project + aggregate over Parquet: every operator has a Comet 0.12 equivalent. */
  private static final String NATIVE_BUNDLE =
      """
      {"relspec": 1, "name": "native_only",
       "datasets": [
         {"name": "orders", "format": "parquet", "location": "analytics/orders",
          "schema": [{"name": "order_id", "type": "int64", "nullable": false}, {"name": "customer_id", "type": "int64"},
                     {"name": "order_date", "type": "date32"}, {"name": "status", "type": "string"},
                     {"name": "amount", "type": "decimal(12,2)"}]}],
       "contracts": [
         {"name": "status_totals_v1", "version": 1, "onViolation": "fail",
          "columns": [{"name": "status", "type": "string"}, {"name": "orders", "type": "int64", "nullable": false},
                      {"name": "big", "type": "int64"}],
          "canonicalSort": [{"col": "status"}]}],
       "rules": [
         {"name": "status_totals", "output": "status_totals", "contract": "status_totals_v1",
          "ops": [{"op": "scan", "dataset": "orders"},
                  {"op": "filter", "predicate": {"fn": "gt", "args": [{"col": "customer_id"}, {"lit": 0, "type": "int64"}]}},
                  {"op": "project", "columns": ["status", {"name": "cents", "expr": {"fn": "mul", "args": [{"col": "order_id"}, {"lit": 100, "type": "int64"}]}}]},
                  {"op": "aggregate", "groupBy": ["status"],
                   "aggregates": [{"name": "orders", "fn": "count", "args": []},
                                  {"name": "big", "fn": "max", "args": [{"col": "cents"}]}]}]}]}
      """;

  @TempDir Path dir;
  private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

  private static SparkSession spark() {
    return CometTestSession.spark();
  }

  private RunManifest runDataFusion(ValidatedBundle bundle, Path out, FailOnFallback policy) {
    assertThat(SparkEngine.of(spark())).isEqualTo(SparkEngine.SPARK_DATAFUSION);
    return new SparkRunner(spark(), new PrintStream(progress, true))
        .failOnFallback(policy)
        .run(bundle, DATA, out, Map.of());
  }

  private RunManifest runVanilla(ValidatedBundle bundle, Path out) {
    return CometTestSession.vanilla(
        () -> {
          assertThat(SparkEngine.of(spark())).isEqualTo(SparkEngine.SPARK);
          return new SparkRunner(spark(), new PrintStream(progress, true))
              .run(bundle, DATA, out, Map.of());
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpg.json", "analytics.json"})
  void exampleBundlesGiveTheSameOutputsAndSignaturesAsVanillaSpark(String example)
      throws IOException {
    ValidatedBundle bundle = BundleValidator.validate(ROOT.resolve("examples").resolve(example));
    RunManifest vanilla = runVanilla(bundle, dir.resolve("spark"));
    RunManifest datafusion = runDataFusion(bundle, dir.resolve("df"), FailOnFallback.NONE);

    assertThat(vanilla.engine()).isEqualTo("spark");
    assertThat(datafusion.engine()).isEqualTo("spark-datafusion");
    assertThat(datafusion.versions()).containsEntry("comet", "0.12.0");
    assertThat(datafusion.bundleSignature()).isEqualTo(vanilla.bundleSignature());
    assertThat(datafusion.outputs()).hasSameSizeAs(vanilla.outputs());
    for (int i = 0; i < vanilla.outputs().size(); i++) {
      RunManifest.OutputReport expected = vanilla.outputs().get(i);
      RunManifest.OutputReport actual = datafusion.outputs().get(i);
      assertThat(actual.name()).isEqualTo(expected.name());
      assertThat(actual.contractSignature()).isEqualTo(expected.contractSignature());
      assertThat(List.of(actual.rowsIn(), actual.rowsOut(), actual.quarantined(), actual.dropped()))
          .isEqualTo(
              List.of(
                  expected.rowsIn(),
                  expected.rowsOut(),
                  expected.quarantined(),
                  expected.dropped()));
      for (int r = 0; r < expected.rules().size(); r++) {
        RunManifest.RuleReport rule = actual.rules().get(r);
        assertThat(rule.planSignature()).isEqualTo(expected.rules().get(r).planSignature());
        assertThat(rule.ruleSignature()).isEqualTo(expected.rules().get(r).ruleSignature());
        assertThat(rule.rowsOut()).isEqualTo(expected.rules().get(r).rowsOut());
        // vanilla Spark reports no operators; spark-datafusion reports every rule's operators
        assertThat(expected.rules().get(r).execution()).isEmpty();
        assertThat(rule.execution()).isNotEmpty();
        assertThat(rule.acceleration().eligible())
            .isEqualTo(
                (int)
                    rule.execution().stream().filter(e -> !e.mode().equals("transition")).count());
      }
      // same rows in the same order (part files in name order), hence the same multiset
      for (String dataset : List.of(expected.name(), expected.name() + "__errors")) {
        Path a = dir.resolve("spark").resolve(dataset);
        if (Files.exists(a)) {
          assertThat(rows(dir.resolve("df").resolve(dataset)))
              .as("rows of %s", dataset)
              .isEqualTo(rows(a));
        }
      }
    }
    assertThat(rows(dir.resolve("df").resolve(vanilla.outputs().get(0).name()))).isNotEmpty();
    // DataFusion ran a part of every rule
    assertThat(
            datafusion.outputs().stream()
                .flatMap(o -> o.rules().stream())
                .allMatch(r -> r.acceleration().nativeOperators() > 0))
        .isTrue();
  }

  @Test
  void explodeFallsBackToSparkWithCometsReasonAndTheSameRows() throws IOException {
    ValidatedBundle bundle = BundleValidator.validate(ROOT.resolve("examples/cpg.json"));
    RunManifest manifest = runDataFusion(bundle, dir.resolve("df"), FailOnFallback.NONE);
    RunManifest.RuleReport calls = rule(manifest, "call_symbols");

    assertThat(calls.execution())
        .filteredOn(e -> e.op().equals("Generate"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.mode()).isEqualTo("fallback");
              assertThat(e.lane()).isEqualTo("spark");
              assertThat(e.reason()).isEqualTo("Generate is not supported");
            });
    assertThat(calls.acceleration().fallbackOperators()).isPositive();
    assertThat(calls.acceleration().transitions()).isPositive();
    // the Parquet scans under the explode still run natively
    assertThat(calls.execution())
        .anySatisfy(
            e -> {
              assertThat(e.op()).startsWith("CometScan");
              assertThat(e.mode()).isEqualTo("native");
              assertThat(e.lane()).isEqualTo("datafusion");
            });
    assertThat(progress.toString())
        .contains("relspec: rule call_symbols: DataFusion (Comet 0.12.0)");
    // identical to vanilla Spark's rows (the quarantined rows include the explode's)
    RunManifest vanilla = runVanilla(bundle, dir.resolve("spark"));
    assertThat(rows(dir.resolve("df/symbol_links")))
        .isEqualTo(rows(dir.resolve("spark/symbol_links")));
    assertThat(rule(manifest, "call_symbols").rowsOut())
        .isEqualTo(rule(vanilla, "call_symbols").rowsOut());
  }

  @Test
  void aNullInAColumnDeclaredNonNullIsTheSameClearErrorAndTheRuleStaysNative() throws IOException {
    Path data = dir.resolve("data");
    CometTestSession.vanilla(
        () -> {
          spark()
              .sql(
                  "SELECT * FROM VALUES (CAST(NULL AS BIGINT), 7L, DATE'2024-01-02', 'open',"
                      + " CAST(1.50 AS DECIMAL(12,2))) AS t(order_id, customer_id, order_date,"
                      + " status, amount)")
              .write()
              .parquet(data.resolve("analytics/orders").toString());
          return null;
        });
    Path out = dir.resolve("out");
    ValidatedBundle bundle = validate(NATIVE_BUNDLE);
    assertThatThrownBy(
            () ->
                new SparkRunner(spark(), new PrintStream(progress, true))
                    .failOnFallback(FailOnFallback.rules(Set.of("status_totals")))
                    .run(bundle, data, out, Map.of()))
        .isInstanceOf(RelspecException.class)
        .hasMessageStartingWith("Cannot read dataset 'orders' from ")
        .hasMessageContaining(".parquet")
        .hasMessageEndingWith(
            ": column 'order_id' is declared non-null but holds null values. Fix the data or the"
                + " dataset's schema.")
        .satisfies(
            e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
    try (Stream<Path> left = Files.list(out)) {
      assertThat(left).as("nothing committed, no staging left").isEmpty();
    }
  }

  @Test
  void filterProjectAggregateOverParquetRunsFullyNatively() throws IOException {
    ValidatedBundle bundle = validate(NATIVE_BUNDLE);
    RunManifest manifest =
        runDataFusion(bundle, dir.resolve("df"), FailOnFallback.rules(Set.of("status_totals")));
    RunManifest.RuleReport rule = rule(manifest, "status_totals");

    assertThat(rule.acceleration().fallbackOperators()).isZero();
    assertThat(rule.acceleration().transitions()).isZero();
    assertThat(rule.execution()).allSatisfy(e -> assertThat(e.mode()).isEqualTo("native"));
    assertThat(rule.execution().stream().map(RunManifest.OpExecution::op).toList())
        .contains("CometHashAggregate", "CometFilter", "CometExchange")
        .anyMatch(op -> op.startsWith("CometScan"));
    // the same rows as vanilla Spark
    runVanilla(bundle, dir.resolve("spark"));
    assertThat(rows(dir.resolve("df/status_totals")))
        .isNotEmpty()
        .isEqualTo(rows(dir.resolve("spark/status_totals")));
  }

  /** order_items joined to orders, aggregated by status: the benchmark's join+aggregate rule. */
  private static final String JOIN_BUNDLE =
      """
      {"relspec": 1, "name": "join_only",
       "datasets": [
         {"name": "orders", "format": "parquet", "location": "analytics/orders",
          "schema": [{"name": "order_id", "type": "int64", "nullable": false}, {"name": "customer_id", "type": "int64"},
                     {"name": "order_date", "type": "date32"}, {"name": "status", "type": "string"},
                     {"name": "amount", "type": "decimal(12,2)"}]},
         {"name": "order_items", "format": "parquet", "location": "analytics/order_items",
          "schema": [{"name": "order_id", "type": "int64", "nullable": false}, {"name": "sku", "type": "string"},
                     {"name": "qty", "type": "int32"}, {"name": "unit_price", "type": "decimal(10,2)"}]}],
       "contracts": [
         {"name": "status_units_v1", "version": 1, "onViolation": "fail",
          "columns": [{"name": "status", "type": "string"}, {"name": "units", "type": "int64"},
                      {"name": "lines", "type": "int64", "nullable": false}],
          "canonicalSort": [{"col": "status"}]}],
       "rules": [
         {"name": "status_units", "output": "status_units", "contract": "status_units_v1",
          "ops": [{"op": "scan", "dataset": "order_items"},
                  {"op": "join", "type": "inner", "on": [{"left": "order_id", "right": "oid"}],
                   "right": {"ops": [{"op": "scan", "dataset": "orders"},
                                     {"op": "project", "columns": [{"name": "oid", "expr": {"col": "order_id"}}, "status"]}]}},
                  {"op": "aggregate", "groupBy": ["status"],
                   "aggregates": [{"name": "units", "fn": "sum", "args": [{"col": "qty"}]},
                                  {"name": "lines", "fn": "count", "args": []}]}]}]}
      """;

  @Test
  void aShuffledJoinRunsAsDataFusionsHashJoinWithVanillaSparksRows() throws IOException {
    ValidatedBundle bundle = validate(JOIN_BUNDLE);
    // no broadcast: Spark plans a sort-merge join, which Comet replaces by its hash join
    spark().conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
    try {
      RunManifest manifest =
          runDataFusion(bundle, dir.resolve("df"), FailOnFallback.rules(Set.of("status_units")));
      RunManifest.RuleReport rule = rule(manifest, "status_units");
      assertThat(rule.acceleration().fallbackOperators()).isZero();
      assertThat(rule.execution().stream().map(RunManifest.OpExecution::op).toList())
          .contains("CometHashJoin")
          .doesNotContain("CometSortMergeJoin", "SortMergeJoin", "CometSort");
      runVanilla(bundle, dir.resolve("spark"));
    } finally {
      spark().conf().unset("spark.sql.autoBroadcastJoinThreshold");
    }
    assertThat(rows(dir.resolve("df/status_units")))
        .isNotEmpty()
        .isEqualTo(rows(dir.resolve("spark/status_units")));
  }

  @Test
  void failOnFallbackRefusesTheRunListingTheFallbacksAndChangesNothing() throws IOException {
    ValidatedBundle bundle = BundleValidator.validate(ROOT.resolve("examples/cpg.json"));
    Path out = dir.resolve("out");
    runVanilla(bundle, out);
    Map<String, String> before = snapshot(out);

    assertThatThrownBy(
            () -> runDataFusion(bundle, out, FailOnFallback.rules(Set.of("call_symbols"))))
        .isInstanceOfSatisfying(
            RelspecException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED))
        .hasMessageStartingWith("Cannot run output 'symbol_links' natively on DataFusion: ")
        .hasMessageContaining("rule 'call_symbols':")
        .hasMessageContaining("Generate [Generate is not supported]")
        .hasMessageNotContaining("rule 'ref_symbols':")
        .hasMessageContaining("Nothing was written.");
    assertThat(snapshot(out)).isEqualTo(before);
  }

  @Test
  void failOnFallbackOfEveryRuleStopsAtTheFirstOutputWithAFallback() throws IOException {
    ValidatedBundle bundle = BundleValidator.validate(ROOT.resolve("examples/cpg.json"));
    Path out = dir.resolve("out");
    assertThatThrownBy(() -> runDataFusion(bundle, out, FailOnFallback.ALL))
        .hasMessageContaining("rule 'ref_symbols':")
        .hasMessageContaining("rule 'call_symbols':");
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void failOnFallbackNeedsEngineSparkDataFusionAndKnownRules() {
    ValidatedBundle bundle = BundleValidator.validate(ROOT.resolve("examples/cpg.json"));
    assertThatThrownBy(
            () ->
                CometTestSession.vanilla(
                    () ->
                        new SparkRunner(spark(), new PrintStream(progress, true))
                            .failOnFallback(FailOnFallback.ALL)
                            .run(bundle, DATA, dir.resolve("a"), Map.of())))
        .isInstanceOfSatisfying(
            RelspecException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageStartingWith(
            "Cannot apply fail-on-fallback on engine spark: only spark-datafusion runs operators"
                + " natively.");
    assertThatThrownBy(
            () -> runDataFusion(bundle, dir.resolve("b"), FailOnFallback.parse("call_symbol")))
        .hasMessage(
            "Cannot apply fail-on-fallback to rules [call_symbol]: the bundle has no such rules;"
                + " its rules are [ref_symbols, call_symbols, file_link_counts]. Use one of those"
                + " names.");
    assertThat(dir.resolve("a")).doesNotExist();
    assertThat(dir.resolve("b")).doesNotExist();
  }

  @Test
  void explainShowsWhichOperatorsRunOnDataFusion() {
    Relspec.Loaded loaded =
        Relspec.on(spark()).data(DATA).bundle(ROOT.resolve("examples/cpg.json"));
    String text = loaded.explain("call_symbols");
    assertThat(text)
        .contains("== relspec acceleration (spark-datafusion, as planned) ==")
        .contains("Generate [fallback, spark: Generate is not supported]")
        .containsPattern("CometScan \\[native_iceberg_compat\\] parquet \\[native, datafusion\\]");
    AccelerationReport report = loaded.acceleration("call_symbols");
    assertThat(report.fallbacks())
        .extracting(AccelerationReport.Operator::name)
        .contains("Generate");
    assertThat(report.count(AccelerationReport.Mode.NATIVE)).isPositive();
  }

  private static RunManifest.RuleReport rule(RunManifest manifest, String name) {
    return manifest.outputs().stream()
        .flatMap(o -> o.rules().stream())
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private ValidatedBundle validate(String json) throws IOException {
    Path file = dir.resolve("bundle.json");
    Files.writeString(file, json);
    return BundleValidator.validate(BundleReader.read(file), file.toString(), Map.of());
  }

  /** A written dataset's rows, part file by part file in name order, read with Comet off. */
  static List<List<Object>> rows(Path dataset) throws IOException {
    List<Path> parts;
    try (Stream<Path> files = Files.list(dataset)) {
      parts = files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
    }
    return CometTestSession.vanilla(
        () -> {
          List<List<Object>> rows = new ArrayList<>();
          for (Path part : parts) {
            for (Row row : spark().read().parquet(part.toString()).collectAsList()) {
              List<Object> values = new ArrayList<>();
              for (int i = 0; i < row.length(); i++) {
                values.add(row.get(i));
              }
              rows.add(values);
            }
          }
          return rows;
        });
  }

  private static Map<String, String> snapshot(Path out) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(out)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        files.put(
            out.relativize(p).toString(),
            java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(p)));
      }
    }
    return files;
  }
}
