package io.relspec.reference.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.capability.KernelCapabilities;
import io.relspec.ir.capability.Lane;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ExampleData;
import io.relspec.reference.OutputResult;
import io.relspec.reference.ParquetDatasetSource;
import io.relspec.reference.ParquetDatasetWriter;
import io.relspec.reference.ReferenceExecutor;
import io.relspec.reference.ReferenceLane;
import io.relspec.reference.Relation;
import io.relspec.reference.RunResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Arrow lane runner on the example bundles and their data, and on bad input. */
class ArrowLaneRunnerTest {
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final Path DATA = EXAMPLES.resolve("data");

  private static RunManifest run(ValidatedBundle bundle, Path data, Path out, RuntimeProfile p) {
    ArrowLaneRunner runner =
        new ArrowLaneRunner(
            new ReferenceExecutor(p.batchSize(), p.memoryLimitBytes().orElse(Long.MAX_VALUE)),
            p,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    return runner.run(bundle, data, out, Map.of());
  }

  /** Every row of a written dataset, read back with the lane's own Parquet reader. */
  private static List<List<Object>> readBack(Path out, String name, RelSchema schema) {
    DatasetSpec spec =
        BundleValidator.validate(EXAMPLES.resolve("cpg.json")).bundle().datasets().get(0);
    DatasetSpec asWritten =
        new DatasetSpec(name, spec.format(), name, schema.fields(), spec.ordering(), spec.scan());
    try (BufferAllocator allocator = new RootAllocator();
        ParquetDatasetSource source = new ParquetDatasetSource(out, allocator, 100)) {
      return new Relation(schema, List.copyOf(source.batches(asWritten))).rows();
    }
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void bothExamplesWriteWhatTheLaneComputesWithAManifest(@TempDir Path out) {
    for (String example : List.of("cpg.json", "analytics.json")) {
      ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve(example));
      Path target = out.resolve(example);
      RunManifest manifest = run(bundle, DATA, target, RuntimeProfile.DEFAULT);

      assertThat(manifest.engine()).isEqualTo("reference");
      assertThat(manifest.bundleSignature()).isEqualTo(bundle.signature());
      assertThat(manifest.versions()).containsKeys("relspec", "arrow", "parquet");
      assertThat(manifest.outputs())
          .extracting(RunManifest.OutputReport::name)
          .containsExactlyElementsOf(bundle.outputs().stream().map(OutputPlan::name).toList());
      assertThat(target.resolve(RunManifest.FILE_NAME)).exists();
      try {
        assertThat(RunManifest.read(target.resolve(RunManifest.FILE_NAME))).isEqualTo(manifest);
        assertThat(listing(target)).noneMatch(p -> p.startsWith("_relspec_staging"));
      } catch (IOException e) {
        throw new AssertionError(e);
      }

      // the same rows as the in-memory lane, in the same (canonical) order
      try (ReferenceLane lane = new ReferenceLane();
          ParquetDatasetSource source = new ParquetDatasetSource(DATA, lane.allocator(), 8192);
          RunResult expected = lane.run(bundle, source)) {
        for (OutputPlan output : bundle.outputs()) {
          OutputResult want = expected.output(output.name()).orElseThrow();
          assertThat(readBack(target, output.name(), output.schema()))
              .as(example + " " + output.name())
              .isNotEmpty()
              .containsExactlyElementsOf(want.rows().rows());
          RunManifest.OutputReport report =
              manifest.outputs().stream()
                  .filter(o -> o.name().equals(output.name()))
                  .findFirst()
                  .orElseThrow();
          assertThat(report.rowsOut()).isEqualTo(want.accounting().rowsOut());
          assertThat(report.rowsIn())
              .isEqualTo(
                  report.rowsOut()
                      + report.quarantined()
                      + report.dropped()
                      + report.deduplicated());
          assertThat(report.rules().stream().mapToLong(RunManifest.RuleReport::rowsIn).sum())
              .isEqualTo(report.rowsIn());
          assertThat(report.rules().stream().mapToLong(RunManifest.RuleReport::rowsOut).sum())
              .isEqualTo(report.rowsOut());
          assertThat(report.contractSignature()).isEqualTo(output.contractSignature());
          if (want.errors().isPresent()) {
            Relation errors = want.errors().get();
            assertThat(report.quarantined()).isEqualTo(errors.rowCount());
            assertThat(readBack(target, output.errorsName(), errors.schema()))
                .containsExactlyElementsOf(errors.rows());
          } else {
            assertThat(target.resolve(output.errorsName())).doesNotExist();
          }
          for (RunManifest.RuleReport rule : report.rules()) {
            int ops = countOps(bundle, rule.name());
            assertThat(rule.execution()).hasSize(ops);
            assertThat(rule.execution())
                .allSatisfy(
                    e -> {
                      assertThat(e.mode()).isEqualTo("native");
                      assertThat(e.lane()).isEqualTo("reference");
                      assertThat(e.reason()).isEmpty();
                      assertThat(e.path()).matches("rules\\[\\d+\\]\\.ops\\[\\d+\\].*");
                      assertThat(KernelCapabilities.lookup(e.op(), Lane.REFERENCE)).isPresent();
                    });
            assertThat(rule.execution().get(0).op()).isEqualTo("scan");
          }
        }
      }
    }
  }

  private static int countOps(ValidatedBundle bundle, String rule) {
    return OpExecutions.fromRegistry(bundle.plan(rule).orElseThrow().ops(), Lane.REFERENCE).size();
  }

  @Test
  void nestedOpsGetPathsUnderTheirParentAndFallbacksNameTheReferenceLane() {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve("cpg.json"));
    var plan =
        bundle.plans().stream()
            .filter(p -> p.ops().stream().anyMatch(o -> o.opName().equals("interval_align")))
            .findFirst()
            .orElseThrow();
    // on the Spark lane interval_align falls back to the reference kernel
    List<RunManifest.OpExecution> spark = OpExecutions.fromRegistry(plan.ops(), Lane.SPARK);
    assertThat(spark)
        .extracting(RunManifest.OpExecution::path)
        .anyMatch(p -> p.contains(".right.ops[0]"));
    RunManifest.OpExecution align =
        spark.stream().filter(e -> e.op().equals("interval_align")).findFirst().orElseThrow();
    assertThat(align.mode()).isEqualTo("fallback");
    assertThat(align.lane()).isEqualTo("reference");
    assertThat(align.reason()).isNotEmpty();
  }

  /** A PlanExecutor around another one that records the batch sizes it sees. */
  private static final class Recording implements PlanExecutor {
    private final PlanExecutor inner;
    final List<Integer> batchRows = new ArrayList<>();
    final List<String> ruleOrder = new ArrayList<>();

    Recording(PlanExecutor inner) {
      this.inner = inner;
    }

    @Override
    public String lane() {
      return inner.lane();
    }

    @Override
    public Map<String, String> versions() {
      return inner.versions();
    }

    @Override
    public Execution execute(
        io.relspec.ir.plan.RelPlan plan, PlanInputs inputs, BufferAllocator allocator) {
      ruleOrder.add(plan.name());
      PlanInputs recording =
          new PlanInputs() {
            @Override
            public io.relspec.reference.SourceBatches batches(String rule, String dataset) {
              var found = inputs.batches(rule, dataset);
              found.batches().forEach(b -> batchRows.add(b.getRowCount()));
              return found;
            }

            @Override
            public Path files(String rule, String dataset) {
              return inputs.files(rule, dataset);
            }
          };
      Execution execution = inner.execute(plan, recording, allocator);
      execution.rows().batches().forEach(b -> batchRows.add(b.getRowCount()));
      return execution;
    }
  }

  @Test
  void aPluggedExecutorRunsInDependencyOrderWithTheProfilesBatchSize(@TempDir Path out) {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve("cpg.json"));
    RuntimeProfile small = profile(7, null);
    Recording recording = new Recording(new ReferenceExecutor(7, Long.MAX_VALUE));
    RunManifest manifest =
        new ArrowLaneRunner(
                recording,
                small,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
            .run(bundle, DATA, out, Map.of("unused", "1"));
    assertThat(manifest.runtimeProfile()).containsEntry("batchSize", 7);
    assertThat(manifest.runtimeParams()).containsEntry("unused", "1");
    assertThat(recording.batchRows).isNotEmpty().allMatch(rows -> rows <= 7);
    assertThat(recording.batchRows).contains(7);
    assertThat(recording.ruleOrder)
        .containsExactlyElementsOf(
            bundle.outputs().stream()
                .flatMap(o -> o.rules().stream())
                .map(io.relspec.ir.plan.RelPlan::name)
                .toList());
    // file_link_counts scans symbol_links, which must come first
    assertThat(recording.ruleOrder.indexOf("file_link_counts"))
        .isGreaterThan(recording.ruleOrder.indexOf("ref_symbols"));
  }

  private static RuntimeProfile profile(int batchSize, Long memoryLimit) {
    return new RuntimeProfile(
        RuntimeProfile.DEFAULT.targetPartitions(),
        batchSize,
        RuntimeProfile.DEFAULT.spillDir(),
        RuntimeProfile.DEFAULT.memoryPool(),
        java.util.Optional.ofNullable(memoryLimit));
  }

  @Test
  void aMemoryLimitFailsTheRunAndLeavesOutUnchanged(@TempDir Path out) throws IOException {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve("cpg.json"));
    Files.createDirectories(out.resolve("symbol_links"));
    Files.writeString(out.resolve("symbol_links/previous.txt"), "a previous run");
    List<String> before = listing(out);
    assertThatThrownBy(() -> run(bundle, DATA, out, profile(8192, 64_000L)))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("memory limit of 64000 bytes")
        .extracting(e -> ((RelspecException) e).code())
        .isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
    assertThat(listing(out)).isEqualTo(before);
  }

  /** A copy of the example data whose {@code cpg/files} dataset is replaced by {@code files}. */
  private static void assertFailsCleanly(Path data, Path out, String... messageParts)
      throws IOException {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve("cpg.json"));
    Files.createDirectories(out.resolve("symbol_links"));
    Files.writeString(out.resolve("symbol_links/previous.txt"), "a previous run");
    List<String> before = listing(out);
    var thrown =
        assertThatThrownBy(() -> run(bundle, data, out, RuntimeProfile.DEFAULT))
            .isInstanceOf(RelspecException.class);
    for (String part : messageParts) {
      thrown.hasMessageContaining(part);
    }
    thrown.extracting(e -> ((RelspecException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT);
    assertThat(listing(out)).isEqualTo(before);
    assertThat(Files.readString(out.resolve("symbol_links/previous.txt")))
        .isEqualTo("a previous run");
  }

  @Test
  void aMissingInputFailsAndLeavesOutUnchanged(@TempDir Path tmp) throws IOException {
    Path data = ExampleData.copyWith(tmp.resolve("data"), "cpg/files", dir -> {});
    assertFailsCleanly(
        data,
        tmp.resolve("out"),
        "Cannot read dataset 'files': ",
        "does not exist. Check the dataset's location and the base directory");
  }

  @Test
  void aCorruptParquetFileFailsAndLeavesOutUnchanged(@TempDir Path tmp) throws IOException {
    Path data =
        ExampleData.copyWith(
            tmp.resolve("data"),
            "cpg/files",
            dir -> {
              Files.createDirectories(dir);
              Files.writeString(dir.resolve("part-0.parquet"), "this is not parquet");
            });
    assertFailsCleanly(
        data,
        tmp.resolve("out"),
        "Cannot read dataset 'files' file ",
        "Check that it is a Parquet file");
  }

  @Test
  void aColumnOfTheWrongTypeFailsAndLeavesOutUnchanged(@TempDir Path tmp) throws IOException {
    ValidatedBundle bundle = BundleValidator.validate(EXAMPLES.resolve("cpg.json"));
    List<Field> declared = bundle.bundle().dataset("files").orElseThrow().schema();
    // file_id written as a string where int64 is declared
    List<Field> wrong = new ArrayList<>(declared);
    wrong.set(0, Field.notNull("file_id", io.relspec.ir.type.PrimitiveType.STRING));
    RelSchema schema = new RelSchema(wrong);
    Path data =
        ExampleData.copyWith(
            tmp.resolve("data"),
            "cpg/files",
            dir -> {
              try (BufferAllocator allocator = new RootAllocator();
                  VectorSchemaRoot root = VectorSchemaRoot.create(schema.toArrow(), allocator)) {
                root.allocateNew();
                ((VarCharVector) root.getVector(0))
                    .setSafe(0, "1".getBytes(StandardCharsets.UTF_8));
                ((VarCharVector) root.getVector(1))
                    .setSafe(0, "a.py".getBytes(StandardCharsets.UTF_8));
                root.getVector(2).setNull(0);
                root.setRowCount(1);
                ParquetDatasetWriter.write(dir, schema, List.of(root), Map.of());
              }
            });
    assertFailsCleanly(
        data,
        tmp.resolve("out"),
        "Cannot read dataset 'files' file ",
        "column 'file_id' is string in the file but declared int64",
        "Rewrite the file with the declared type or fix the dataset schema");
  }
}
