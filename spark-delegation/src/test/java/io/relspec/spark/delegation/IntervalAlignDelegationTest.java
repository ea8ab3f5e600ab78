package io.relspec.spark.delegation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Scan;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ParquetDatasetSource;
import io.relspec.reference.Relation;
import io.relspec.reference.run.RunOutputs;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.contract.ContractFinalizer;
import io.relspec.spark.contract.Finalization;
import io.relspec.spark.run.InputReader;
import io.relspec.spark.run.SparkRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * interval_align delegated per partition pair: both sides hash-partitioned by the {@code on} keys
 * into the same number of partitions, each pair aligned on DataFusion in its task. Rows, order and
 * signatures equal vanilla Spark's, with how=left unmatched rows, null keys (never matching, kept
 * under how=left), keys only one side has, empty partitions (8 partitions, 4 keys), float keys
 * (-0.0 meets 0.0, NaN meets NaN) and an unkeyed alignment that stays on Spark.
 */
class IntervalAlignDelegationTest {
  static final Path BUNDLE = Path.of("src", "test", "resources", "aligned-spans.json");

  static SparkSession spark;
  @TempDir static Path data;
  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkRunner.localSession("local[2]");
    writeInputs(spark, data);
  }

  /** The bundle's spans (400 rows, 3 files) and occs (600 rows, 2 files) under {@code data}. */
  static void writeInputs(SparkSession spark, Path data) {
    String[] paths = {"a", "b", "c", "only_left", null};
    Double[] weights = {0.0, -0.0, Double.NaN, 1.5, null};
    List<Row> spans = new ArrayList<>();
    for (long i = 0; i < 400; i++) {
      long start = (i * 7) % 100;
      spans.add(
          RowFactory.create(
              i,
              paths[(int) (i % 5)],
              i % 31 == 0 ? null : start,
              i % 37 == 0 ? null : start + 5 + i % 13,
              weights[(int) (i % 5 + i / 5) % 5]));
    }
    String[] rightPaths = {"a", "b", "c", "only_right", null};
    Double[] rightWeights = {-0.0, 0.0, Double.NaN, 2.5, null};
    List<Row> occs = new ArrayList<>();
    for (long j = 0; j < 600; j++) {
      long start = (j * 11) % 100;
      double confidence = j % 23 == 0 ? Double.NaN : j % 29 == 0 ? -0.0 : (j % 4) * 0.25;
      occs.add(
          RowFactory.create(
              j,
              rightPaths[(int) (j % 5)],
              j % 19 == 0 ? null : "s" + (j % 17),
              start,
              j % 41 == 0 ? null : start + j % 9,
              j % 43 == 0 ? null : confidence,
              rightWeights[(int) (j % 5 + j / 7) % 5]));
    }
    StructType spansType =
        new StructType()
            .add("ref_id", DataTypes.LongType)
            .add("path", DataTypes.StringType)
            .add("bstart", DataTypes.LongType)
            .add("bend", DataTypes.LongType)
            .add("weight", DataTypes.DoubleType);
    StructType occsType =
        new StructType()
            .add("occ_id", DataTypes.LongType)
            .add("path", DataTypes.StringType)
            .add("symbol", DataTypes.StringType)
            .add("bstart", DataTypes.LongType)
            .add("bend", DataTypes.LongType)
            .add("confidence", DataTypes.DoubleType)
            .add("weight", DataTypes.DoubleType);
    spark
        .createDataFrame(spans, spansType)
        .repartition(3)
        .write()
        .parquet(data.resolve("spans").toString());
    spark
        .createDataFrame(occs, occsType)
        .repartition(2)
        .write()
        .parquet(data.resolve("occs").toString());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void theAlignmentAndTheDedupeAfterItAreOneSegmentOverCoPartitionedSides() {
    ValidatedBundle bundle = BundleValidator.validate(BUNDLE);
    List<Op> spanLinks = bundle.plan("span_links").orElseThrow().ops();
    // the dedupe's keys include the alignment's key, which the project passes through
    assertThat(Segment.split(spanLinks)).containsExactly(new Segment(1, 4, List.of("path")));
    List<Op> weightLinks = bundle.plan("weight_links").orElseThrow().ops();
    assertThat(Segment.split(weightLinks)).containsExactly(new Segment(1, 3, List.of("weight")));
    // without on keys the alignment stays on Spark; the filter before it is delegated alone
    List<Op> unkeyed = bundle.plan("unkeyed_links").orElseThrow().ops();
    assertThat(Segment.split(unkeyed))
        .containsExactly(new Segment(1, 2, List.of()), new Segment(3, 4, List.of()));
    assertThat(Segment.notDelegated(unkeyed.get(2))).isPresent();
  }

  @Test
  void delegatedAlignmentEqualsVanillaSparkInEightPartitions() {
    ValidatedBundle bundle = BundleValidator.validate(BUNDLE);
    String before = spark.conf().get("spark.sql.shuffle.partitions");
    spark.conf().set("spark.sql.shuffle.partitions", "8");
    RunManifest vanilla;
    RunManifest delegated;
    PartitionDelegate delegate =
        new PartitionDelegate(spark, DelegationPolicy.ALL, RuntimeProfile.DEFAULT);
    try {
      vanilla =
          new SparkRunner(spark, DelegationParityTest.quiet())
              .run(bundle, data, tmp.resolve("vanilla"), Map.of());
      delegated =
          new SparkRunner(spark, DelegationParityTest.quiet())
              .delegate(delegate)
              .run(bundle, data, tmp.resolve("delegated"), Map.of(), RuntimeProfile.DEFAULT);
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", before);
    }
    assertThat(RunOutputs.summary(delegated)).isEqualTo(RunOutputs.summary(vanilla));
    for (OutputPlan output : bundle.outputs()) {
      List<List<Object>> expected = readBack(tmp.resolve("vanilla"), output);
      List<List<Object>> actual = readBack(tmp.resolve("delegated"), output);
      assertThat(actual).as(output.name()).isNotEmpty().containsExactlyElementsOf(expected);
    }
    List<List<Object>> links =
        readBack(tmp.resolve("delegated"), bundle.output("span_links").orElseThrow());
    // unmatched left rows, null keys among them, came out under how=left
    assertThat(links).anySatisfy(r -> assertThat(r.get(1)).isNull());
    assertThat(links)
        .filteredOn(r -> r.get(1) == null)
        .allSatisfy(r -> assertThat(r.get(5)).isEqualTo("NO_MATCH"));
    assertThat(links)
        .filteredOn(r -> "only_left".equals(r.get(1)))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.get(5)).isEqualTo("NO_MATCH"));
    assertThat(links).anySatisfy(r -> assertThat(r.get(5)).isEqualTo("contained"));
    // float keys: -0.0 met 0.0 and NaN met NaN in the same partition pair
    List<List<Object>> byWeight =
        readBack(tmp.resolve("delegated"), bundle.output("weight_links").orElseThrow());
    assertThat(byWeight).anySatisfy(r -> assertThat((Double) r.get(1)).isNaN());
    assertThat(byWeight).anySatisfy(r -> assertThat((Double) r.get(1)).isEqualTo(0.0));

    RunManifest.RuleReport spanLinks = rule(delegated, "span_links");
    assertThat(spanLinks.execution())
        .extracting(
            RunManifest.OpExecution::path,
            RunManifest.OpExecution::op,
            RunManifest.OpExecution::lane)
        .containsExactly(
            tuple("ops[1..3]", "delegate", "spark->" + PartitionDelegate.LANE),
            // the standalone engine's default: its reference kernels inside the Spark task
            tuple("ops[1]", "interval_align", PartitionDelegate.FALLBACK_LANE),
            tuple("ops[2]", "project", PartitionDelegate.LANE),
            tuple("ops[3]", "dedupe", PartitionDelegate.FALLBACK_LANE),
            // span_links is its output's only rule and its contract sorts by path first
            tuple("canonicalSort", "sort", PartitionDelegate.LANE));
    assertThat(spanLinks.execution().get(0).reason())
        .startsWith("left and right co-partitioned by ranges of path=path into 8 partitions (")
        .contains(
            "each sorted by the canonical sort of contract 'span_links_v1' (explicit(path asc"
                + " nulls last, ");
    // 4 keys and nulls on the left side of 8 partitions (ranges of keys, nulls in the last):
    // empty partitions ran nothing
    DelegationMetrics metrics = delegate.metrics("span_links");
    assertThat(metrics.executions()).isBetween(1L, 5L);
    // every execution mixes native plans (the project) and reference kernels
    assertThat(metrics.nativeExecutions()).isZero();
    // every left row; the right rows of a partition without left rows are never read (the 120
    // rows of key only_right may have a range of their own)
    assertThat(metrics.rowsIn()).isIn(400L + 600, 400L + 600 - 120);

    RunManifest.RuleReport unkeyed = rule(delegated, "unkeyed_links");
    assertThat(unkeyed.execution())
        .extracting(
            RunManifest.OpExecution::path,
            RunManifest.OpExecution::op,
            RunManifest.OpExecution::lane)
        .contains(
            tuple("ops[1]", "filter", PartitionDelegate.LANE),
            tuple("ops[2]", "interval_align", "spark"));
    assertThat(unkeyed.execution())
        .filteredOn(e -> e.op().equals("interval_align"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.reason())
                    .startsWith("not delegated, runs on Spark: interval_align without 'on' keys"));
  }

  @Test
  void aSegmentEndingTheRuleHandsItsRowsOverInTheContractsOrder() {
    ValidatedBundle bundle = BundleValidator.validate(BUNDLE);
    OutputPlan output = bundle.output("span_links").orElseThrow();
    RelPlan plan = output.rules().get(0);
    DatasetResolver resolver =
        (dataset, where) ->
            InputReader.read(spark, bundle.bundle().dataset(dataset).orElseThrow(), data, where);
    PlanCompiler compiler = new PlanCompiler(resolver);
    Finalized vanilla = finalized(output, compiler.compile(plan));
    Finalized delegated =
        finalized(
            output,
            new PartitionDelegate(spark, DelegationPolicy.ALL, RuntimeProfile.DEFAULT)
                .compile(bundle, plan, compiler, resolver)
                .orElseThrow()
                .rows());

    assertThat(delegated.rows()).isNotEmpty().containsExactly(vanilla.rows());
    // Spark sorts the vanilla rows itself; the delegated ones arrive range-partitioned and sorted
    assertThat(vanilla.plan()).contains("Exchange rangepartitioning").contains("Sort [");
    assertThat(delegated.plan()).doesNotContain("Exchange").doesNotContain("Sort [");
  }

  /** An output's rows as finalization writes them, and the plan that produced them. */
  private record Finalized(Row[] rows, String plan) {}

  private static Finalized finalized(OutputPlan output, Dataset<Row> rows) {
    Finalization done =
        ContractFinalizer.finalize(
                output.name(),
                output.contract(),
                List.of(ContractFinalizer.RuleRows.of(output.rules().get(0), rows)))
            .persist();
    try {
      done.counts();
      Dataset<Row> finalized = done.rows();
      Row[] out = (Row[]) finalized.collect();
      return new Finalized(out, finalized.queryExecution().executedPlan().toString());
    } finally {
      done.unpersist();
    }
  }

  @Test
  void explainShowsBothSidesOfTheAlignment() {
    ValidatedBundle bundle = BundleValidator.validate(BUNDLE);
    RelPlan plan = bundle.plan("span_links").orElseThrow();
    PartitionDelegate delegate =
        new PartitionDelegate(spark, DelegationPolicy.ALL, RuntimeProfile.DEFAULT);
    io.relspec.spark.compile.DatasetResolver resolver =
        (dataset, where) ->
            io.relspec.spark.run.InputReader.read(
                spark, bundle.bundle().dataset(dataset).orElseThrow(), data, where);
    String lineage =
        delegate
            .compile(bundle, plan, new io.relspec.spark.compile.PlanCompiler(resolver), resolver)
            .orElseThrow()
            .rows()
            .queryExecution()
            .toRdd()
            .toDebugString();
    assertThat(delegate.explain("span_links"))
        .contains(
            "ops[1..3] interval_align, project, dedupe (left and right co-partitioned by ranges of"
                + " path=path into 2 partitions (")
        // the scans of both partitions, the project and the canonical sort natively; the
        // alignment and the dedupe on the reference lane's kernels
        .contains("runs 3 out of 6 ops natively")
        .contains("Spark rows in (left):")
        .contains("Spark rows in (right):");
    assertThat(lineage)
        .contains("ZippedPartitionsRDD2")
        .contains("relspec delegated rule span_links");
    // no delegated execution at compile time (only the left keys were sampled for the ranges)
    assertThat(delegate.metrics("span_links").executions()).isZero();

    // weight_links aligns all of spans' columns and then projects path away: its left rows reach
    // the segment without path (the span_links scan already lists only the columns it reads)
    RelPlan weights = bundle.plan("weight_links").orElseThrow();
    delegate.compile(bundle, weights, new PlanCompiler(resolver), resolver).orElseThrow();
    String explained = delegate.explain("weight_links");
    String left =
        explained.substring(
            explained.indexOf("Spark rows in (left):"),
            explained.indexOf("Spark rows in (right):"));
    // the first project under the repartition: the pruning one
    assertThat(left.lines().filter(line -> line.contains("Project [")).findFirst().orElseThrow())
        .as(explained)
        .contains("Project [ref_id#")
        .contains("weight#")
        .doesNotContain("path#");
  }

  @Test
  void anEmptyRightPartitionStillAlignsTheLeftRowsAndAnEmptyLeftPartitionRunsNothing() {
    ValidatedBundle bundle = BundleValidator.validate(BUNDLE);
    RelPlan plan = bundle.plan("span_links").orElseThrow();
    IntervalAlign align = (IntervalAlign) plan.ops().get(1);
    RelSchema left =
        BundleValidator.resolvePipeline(bundle.bundle(), plan.ops().subList(0, 1), "l");
    RelSchema right = BundleValidator.resolvePipeline(bundle.bundle(), align.right().ops(), "r");
    RelSchema out = BundleValidator.resolvePipeline(bundle.bundle(), plan.ops().subList(0, 2), "o");
    Pipeline pipeline =
        Pipeline.of(
            Scan.of(Fragment.INPUT),
            new IntervalAlign(
                Pipeline.of(Scan.of(Fragment.RIGHT)),
                align.on(),
                align.leftSpan(),
                align.rightSpan(),
                align.mode(),
                align.how(),
                align.selectRight(),
                align.tieBreakers(),
                align.matchMeta()));
    Fragment fragment =
        new Fragment(pipeline, plan.params(), left, out, right, RuntimeProfile.DEFAULT);
    PartitionRunner runner =
        new PartitionRunner(
            fragment.toBytes(),
            "'span_links'",
            "ops[1] interval_align",
            true,
            DelegationMetrics.Accumulators.register(spark.sparkContext(), "test.emptyRight"));
    List<InternalRow> lefts =
        List.of(
            new GenericInternalRow(new Object[] {1L, UTF8String.fromString("a"), 10L, 20L}),
            new GenericInternalRow(new Object[] {2L, null, 10L, 20L}));
    Iterator<InternalRow> aligned = runner.call(lefts.iterator(), Collections.emptyIterator());
    int kind = out.names().indexOf("match_kind");
    List<String> kinds = new ArrayList<>();
    List<Long> ids = new ArrayList<>();
    aligned.forEachRemaining(
        row -> {
          kinds.add(row.getUTF8String(kind).toString());
          ids.add(row.getLong(0));
        });
    assertThat(ids).containsExactlyInAnyOrder(1L, 2L);
    assertThat(kinds).containsOnly(IntervalAlign.NO_MATCH);
    List<InternalRow> rights =
        List.of(
            new GenericInternalRow(
                new Object[] {
                  7L, UTF8String.fromString("a"), UTF8String.fromString("s"), 10L, 12L, 0.5
                }));
    assertThat(runner.call(Collections.emptyIterator(), rights.iterator()).hasNext()).isFalse();
  }

  /** The report of rule {@code name} in a run's manifest. */
  static RunManifest.RuleReport rule(RunManifest manifest, String name) {
    return manifest.outputs().stream()
        .flatMap(o -> o.rules().stream())
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static List<List<Object>> readBack(Path out, OutputPlan output) {
    ValidatedBundle bundle = BundleValidator.validate(BUNDLE);
    DatasetSpec like = bundle.bundle().datasets().get(0);
    DatasetSpec asWritten =
        new DatasetSpec(
            output.name(),
            like.format(),
            output.name(),
            output.schema().fields(),
            like.ordering(),
            like.scan());
    try (BufferAllocator allocator = new RootAllocator();
        ParquetDatasetSource source = new ParquetDatasetSource(out, allocator, 1000)) {
      return new Relation(output.schema(), List.copyOf(source.batches(asWritten))).rows();
    }
  }
}
