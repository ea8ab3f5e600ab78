package io.relspec.datafusion.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ContractFinalizer;
import io.relspec.reference.ExampleData;
import io.relspec.reference.ParquetDatasetSource;
import io.relspec.reference.ReferenceExecutor;
import io.relspec.reference.Relation;
import io.relspec.reference.run.ArrowLaneRunner;
import io.relspec.reference.run.PlanExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.SparkContext$;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole bundles on the standalone DataFusion engine through {@link ArrowLaneRunner}: the same
 * outputs, accounting and signatures as the reference lane's run, a manifest that says which ops
 * ran natively, no Spark anywhere in the JVM, and bad input that fails cleanly.
 */
class StandaloneRunTest {
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final Path DATA = EXAMPLES.resolve("data");

  private static RunManifest run(
      PlanExecutor executor, ValidatedBundle bundle, Path data, Path out, RuntimeProfile p) {
    return new ArrowLaneRunner(
            executor, p, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .run(bundle, data, out, Map.of());
  }

  private static RunManifest runDataFusion(
      ValidatedBundle bundle, Path data, Path out, RuntimeProfile p) {
    return run(new DataFusionExecutor(p), bundle, data, out, p);
  }

  /** Every row of a written dataset, read back with the reference lane's Parquet reader. */
  static List<List<Object>> readBack(Path out, String name, RelSchema schema, DatasetSpec like) {
    DatasetSpec asWritten =
        new DatasetSpec(name, like.format(), name, schema.fields(), like.ordering(), like.scan());
    try (BufferAllocator allocator = new RootAllocator();
        ParquetDatasetSource source = new ParquetDatasetSource(out, allocator, 100)) {
      return new Relation(schema, List.copyOf(source.batches(asWritten))).rows();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpg", "analytics"})
  void anExampleBundleGivesTheReferenceLanesOutputsWithoutSpark(String name, @TempDir Path tmp) {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve(name + ".json"));
    RuntimeProfile profile = RuntimeProfile.DEFAULT;
    Path refOut = tmp.resolve("reference");
    Path dfOut = tmp.resolve("datafusion");
    RunManifest reference =
        run(
            new ReferenceExecutor(profile.batchSize(), Long.MAX_VALUE),
            bundle,
            DATA,
            refOut,
            profile);
    RunManifest manifest = runDataFusion(bundle, DATA, dfOut, profile);

    assertThat(manifest.engine()).isEqualTo("datafusion");
    assertThat(manifest.versions()).containsEntry("comet", "0.12.0");
    assertThat(manifest.bundleSignature()).isEqualTo(reference.bundleSignature());
    assertThat(manifest.outputs()).hasSameSizeAs(reference.outputs());
    DatasetSpec like = bundle.bundle().datasets().get(0);
    for (int i = 0; i < manifest.outputs().size(); i++) {
      RunManifest.OutputReport df = manifest.outputs().get(i);
      RunManifest.OutputReport ref = reference.outputs().get(i);
      assertThat(df.name()).isEqualTo(ref.name());
      assertThat(df.contractSignature()).isEqualTo(ref.contractSignature());
      assertThat(List.of(df.rowsIn(), df.rowsOut(), df.quarantined(), df.dropped()))
          .as(df.name() + " accounting")
          .isEqualTo(List.of(ref.rowsIn(), ref.rowsOut(), ref.quarantined(), ref.dropped()));
      assertThat(df.rules())
          .extracting(RunManifest.RuleReport::planSignature)
          .isEqualTo(ref.rules().stream().map(RunManifest.RuleReport::planSignature).toList());
      assertThat(df.rules())
          .extracting(RunManifest.RuleReport::ruleSignature)
          .isEqualTo(ref.rules().stream().map(RunManifest.RuleReport::ruleSignature).toList());
      OutputPlan output = bundle.output(df.name()).orElseThrow();
      List<List<Object>> expected = readBack(refOut, output.name(), output.schema(), like);
      assertThat(expected).as(output.name()).isNotEmpty();
      // The finalizer writes outputs in their canonical order: row order must match too.
      assertThat(readBack(dfOut, output.name(), output.schema(), like))
          .as(output.name())
          .containsExactlyElementsOf(expected);
      if (Files.isDirectory(refOut.resolve(output.errorsName()))) {
        RelSchema errors = errorsSchema(output);
        assertThat(readBack(dfOut, output.errorsName(), errors, like))
            .containsExactlyInAnyOrderElementsOf(
                readBack(refOut, output.errorsName(), errors, like));
      }
    }
    List<RunManifest.OpExecution> executions =
        manifest.outputs().stream()
            .flatMap(o -> o.rules().stream())
            .flatMap(r -> r.execution().stream())
            .toList();
    assertThat(executions)
        .anyMatch(e -> e.mode().equals("native") && e.lane().equals("datafusion"));
    assertThat(executions)
        .allMatch(e -> e.path().startsWith("rules["))
        .allMatch(
            e ->
                e.mode().equals("fallback") == e.lane().equals("reference")
                    // a native scan of a declared dataset says how it read its Parquet files, a
                    // join how it ran (broadcast or in one plan), a stage its plans; other native
                    // ops (and scans of earlier outputs) say nothing
                    && (e.op().equals("scan")
                        || e.op().equals("join")
                        || e.op().equals("stage")
                        || e.mode().equals("native") == e.reason().isEmpty()));
    assertThat(executions)
        .filteredOn(e -> e.op().equals("stage"))
        .isNotEmpty()
        .allMatch(e -> e.path().matches("rules\\[\\d+\\]\\.stages\\[\\d+\\]"))
        .allMatch(e -> e.reason().matches(".*: (1 native plan|\\d+ native plans in parallel).*"));
    assertThat(executions)
        .filteredOn(e -> e.op().equals("join") && e.mode().equals("native"))
        .allMatch(e -> e.reason().startsWith("HashJoin (build right)"));
    assertThat(executions)
        .filteredOn(e -> e.op().equals("scan") && e.mode().equals("native"))
        .isNotEmpty()
        .allMatch(
            e ->
                e.reason().isEmpty()
                    || e.reason().startsWith("Parquet read natively (NativeScan")
                    || e.reason().startsWith("read into Arrow by the JVM Parquet reader"));
    if (name.equals("analytics")) {
      assertThat(executions)
          .filteredOn(e -> e.op().equals("scan") && e.mode().equals("native"))
          .as("every analytics dataset holds exactly its declared types")
          .allMatch(e -> e.reason().startsWith("Parquet read natively (NativeScan, 1 files"));
    } else {
      assertThat(executions)
          .filteredOn(e -> e.op().equals("scan") && e.reason().contains("JVM"))
          .as("a list column is read by the JVM reader")
          .extracting(RunManifest.OpExecution::reason)
          .anyMatch(r -> r.contains("is list<string>"));
    }
    if (name.equals("cpg")) {
      assertThat(executions)
          .filteredOn(e -> e.mode().equals("fallback"))
          .extracting(RunManifest.OpExecution::op)
          .contains("explode", "interval_align");
      assertThat(executions)
          .filteredOn(e -> e.op().equals("interval_align"))
          .extracting(RunManifest.OpExecution::reason)
          // the reference lane's sort-based kernel, as the capability registry says
          .isNotEmpty()
          .allMatch(r -> r.startsWith("runs on the reference lane's sort-based kernel"));
    }

    assertThat(SparkContext$.MODULE$.getActive().isEmpty()).as("no active SparkContext").isTrue();
    assertThat(SparkSession.getActiveSession().isEmpty()).as("no active SparkSession").isTrue();
    assertThat(SparkSession.getDefaultSession().isEmpty()).as("no default SparkSession").isTrue();
    assertThat(SparkEnv.get()).as("no SparkEnv").isNull();
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  /** A copy of the example data whose {@code dataset} directory is replaced by {@code files}. */
  /** Runs cpg on {@code data} into an OUT with a previous run's file; OUT must stay unchanged. */
  private static RelspecException failsCleanly(Path data, Path out, RuntimeProfile profile)
      throws IOException {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve("cpg.json"));
    Files.createDirectories(out.resolve("symbol_links"));
    Files.writeString(out.resolve("symbol_links/previous.txt"), "a previous run");
    List<String> before = listing(out);
    RelspecException thrown = null;
    try {
      runDataFusion(bundle, data, out, profile);
    } catch (RelspecException e) {
      thrown = e;
    }
    assertThat(thrown).as("the run fails").isNotNull();
    assertThat(listing(out)).as("no partial output").isEqualTo(before);
    assertThat(Files.readString(out.resolve("symbol_links/previous.txt")))
        .isEqualTo("a previous run");
    return thrown;
  }

  @Test
  void aMissingInputFailsWithoutPartialOutput(@TempDir Path tmp) throws IOException {
    Path data = ExampleData.copyWith(tmp.resolve("data"), "cpg/files", dir -> {});
    RelspecException e = failsCleanly(data, tmp.resolve("out"), RuntimeProfile.DEFAULT);
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
    assertThat(e)
        .hasMessageContaining("Cannot read dataset 'files': ")
        .hasMessageContaining(
            "does not exist. Check the dataset's location and the base directory");
  }

  @Test
  void aCorruptParquetFileFailsWithoutPartialOutput(@TempDir Path tmp) throws IOException {
    Path data =
        ExampleData.copyWith(
            tmp.resolve("data"),
            "cpg/files",
            dir -> {
              Files.createDirectories(dir);
              Files.writeString(dir.resolve("part-0.parquet"), "this is not parquet");
            });
    RelspecException e = failsCleanly(data, tmp.resolve("out"), RuntimeProfile.DEFAULT);
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
    assertThat(e)
        .hasMessageContaining("Cannot read dataset 'files' file ")
        .hasMessageContaining("Check that it is a Parquet file");
  }

  /**
   * A limit too small for the rule: whichever side reaches it first (the Arrow buffers of inputs,
   * results and fallbacks, or the native pool the same limit bounds, e.g. a sort that cannot
   * spill), the run fails with {@code INSUFFICIENT_RESOURCES} and a message saying to raise the
   * limit, and writes nothing. {@code NativeMemoryTest} covers the native pool alone.
   */
  @Test
  void aMemoryLimitTooSmallFailsWithoutPartialOutput(@TempDir Path tmp) throws IOException {
    for (long limit : new long[] {400_000L}) {
      RuntimeProfile small =
          new RuntimeProfile(
              RuntimeProfile.DEFAULT.targetPartitions(),
              RuntimeProfile.DEFAULT.batchSize(),
              RuntimeProfile.DEFAULT.spillDir(),
              RuntimeProfile.DEFAULT.memoryPool(),
              Optional.of(limit));
      RelspecException e = failsCleanly(DATA, tmp.resolve("out" + limit), small);
      assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
      assertThat(e.getMessage())
          .startsWith("Cannot ")
          .contains("datafusion-comet 0.12.0")
          .satisfiesAnyOf(
              m -> assertThat(m).contains("reached the memory limit of " + limit + " bytes"),
              m -> assertThat(m).contains("Resources exhausted"))
          .containsAnyOf(
              "Raise memoryLimitBytes in the runtime profile",
              "Raise RuntimeProfile.memoryLimitBytes or lower batchSize");
    }
  }

  /** The schema of {@code <output>__errors}: the contract's columns (nullable) and the reasons. */
  private static RelSchema errorsSchema(OutputPlan output) {
    List<Field> fields = new ArrayList<>();
    for (Field field : output.contract().columns()) {
      fields.add(field.withNullable(true));
    }
    fields.add(Field.notNull(ContractFinalizer.ERROR_CODE, PrimitiveType.STRING));
    fields.add(Field.nullable(ContractFinalizer.ERROR_COLUMN, PrimitiveType.STRING));
    fields.add(Field.notNull(ContractFinalizer.ERROR_MESSAGE, PrimitiveType.STRING));
    fields.add(Field.notNull(ContractFinalizer.RULE_NAME, PrimitiveType.STRING));
    return new RelSchema(fields);
  }
}
