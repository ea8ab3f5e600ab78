package io.relspec.datafusion.comet;

import io.relspec.datafusion.DataFusionErrors;
import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.Fallback;
import io.relspec.datafusion.PlanReport;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Scan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.reference.ReferenceLane;
import io.relspec.reference.Relation;
import io.relspec.reference.SourceBatches;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;
import org.apache.comet.CometBatchIterator;
import org.apache.comet.Native;
import org.apache.comet.RelspecBatchIterator;
import org.apache.comet.serde.OperatorOuterClass;

/** A session of {@link CometEngine}: registered datasets and one native plan per execution. */
final class CometSession implements EngineSession {
  private static final AtomicLong PLAN_IDS = new AtomicLong();

  /**
   * A registered dataset: Arrow batches, or Parquet files read natively ({@code files}) with the
   * JVM's batches read only when needed ({@code jvm}, memoized).
   */
  private static final class Dataset {
    private final Schema arrow;
    private final RelSchema schema;
    private final Optional<ParquetFiles> files;
    private final String note;
    private Supplier<List<VectorSchemaRoot>> jvm;
    private List<VectorSchemaRoot> batches;

    Dataset(Schema arrow, RelSchema schema, List<VectorSchemaRoot> batches) {
      this.arrow = arrow;
      this.schema = schema;
      this.files = Optional.empty();
      this.note = "";
      this.batches = batches;
    }

    Dataset(
        RelSchema schema,
        Optional<ParquetFiles> files,
        String note,
        Supplier<List<VectorSchemaRoot>> jvm) {
      this.arrow = schema.toArrow();
      this.schema = schema;
      this.files = files;
      this.note = note;
      this.jvm = jvm;
    }

    Schema arrow() {
      return arrow;
    }

    RelSchema schema() {
      return schema;
    }

    List<VectorSchemaRoot> batches() {
      if (batches == null) {
        batches = List.copyOf(jvm.get());
        jvm = null;
      }
      return batches;
    }
  }

  private final Native jni;
  private final RuntimeProfile profile;
  private final BufferAllocator allocator;
  private final BufferAllocator exportAllocator;
  private final boolean fallbackToReference;
  private final Set<String> referenceOps;
  private final Map<String, Dataset> datasets = new LinkedHashMap<>();
  private ReferenceLane reference;
  private boolean closed;

  /**
   * @param fallbackToReference run the ops Comet cannot run on the JVM reference lane (one op at a
   *     time, between native plans); otherwise refuse such pipelines with {@code UNSUPPORTED}
   * @param referenceOps ops run on the reference lane though they have a translation (only with
   *     {@code fallbackToReference})
   */
  CometSession(
      Native jni,
      RuntimeProfile profile,
      BufferAllocator allocator,
      boolean fallbackToReference,
      Set<String> referenceOps) {
    this.jni = jni;
    this.profile = profile;
    this.allocator = allocator;
    this.fallbackToReference = fallbackToReference;
    this.referenceOps = fallbackToReference ? Set.copyOf(referenceOps) : Set.of();
    this.exportAllocator = allocator.newChildAllocator("comet-export", 0, Long.MAX_VALUE);
  }

  @Override
  public void registerBatches(String dataset, Schema schema, List<VectorSchemaRoot> batches) {
    checkOpen();
    if (datasets.containsKey(dataset)) {
      throw DataFusionErrors.duplicateDataset(dataset);
    }
    List<Field> fields = new ArrayList<>();
    for (org.apache.arrow.vector.types.pojo.Field field : schema.getFields()) {
      DataType type =
          CometTypes.fromArrow(field)
              .orElseThrow(
                  () ->
                      DataFusionErrors.unsupportedArrowType(
                          dataset, field.getName(), field.getType().toString()));
      fields.add(new Field(field.getName(), type, field.isNullable()));
    }
    for (int i = 0; i < batches.size(); i++) {
      Schema found = batches.get(i).getSchema();
      if (!sameColumns(schema, found)) {
        throw DataFusionErrors.batchSchemaMismatch(dataset, i, schema.toString(), found.toString());
      }
    }
    datasets.put(dataset, new Dataset(schema, new RelSchema(fields), List.copyOf(batches)));
  }

  private static boolean sameColumns(Schema expected, Schema found) {
    if (expected.getFields().size() != found.getFields().size()) {
      return false;
    }
    for (int i = 0; i < expected.getFields().size(); i++) {
      if (!expected.getFields().get(i).getType().equals(found.getFields().get(i).getType())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void registerParquet(
      DatasetSpec dataset, Path location, Supplier<List<VectorSchemaRoot>> jvmBatches) {
    checkOpen();
    if (datasets.containsKey(dataset.name())) {
      throw DataFusionErrors.duplicateDataset(dataset.name());
    }
    RelSchema schema = new RelSchema(dataset.schema());
    ParquetFiles.Check check =
        dataset.format() == DatasetFormat.PARQUET
            ? ParquetFiles.check(dataset.name(), location, schema, dataset.scan())
            : new ParquetFiles.Check(
                Optional.empty(), "format " + dataset.format().jsonName() + " is not Parquet");
    String note =
        check.files().isPresent()
            ? "Parquet read natively (NativeScan, "
                + check.files().get().files().size()
                + " files"
                + (dataset.scan().parquetPruning()
                    ? ", filters pushed where row-group statistics rule row groups out"
                    : "")
                + ")"
            : "read into Arrow by the JVM Parquet reader, then Scan: " + check.reason();
    Supplier<List<VectorSchemaRoot>> batches = jvmBatches;
    if (check.files().isEmpty() && !dataset.scan().partitionCols().isEmpty()) {
      // the JVM reader has no partition columns: say why NativeScan could not read them instead
      String reason = check.reason();
      batches =
          () -> {
            throw DataFusionErrors.partitionedNotNative(dataset.name(), reason);
          };
    }
    datasets.put(dataset.name(), new Dataset(schema, check.files(), note, batches));
  }

  /** How each scan of the pipeline reads its dataset, by path (Parquet datasets only). */
  private Map<String, String> scanNotes(List<Op> ops, String path, Map<String, String> out) {
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      String opPath = path + "[" + i + "]";
      if (op instanceof Scan scan) {
        Dataset dataset = datasets.get(scan.dataset());
        if (dataset != null && !dataset.note.isEmpty()) {
          out.put(opPath, dataset.note);
        }
      } else if (op instanceof io.relspec.ir.op.Join join) {
        scanNotes(join.right().ops(), opPath + ".right.ops", out);
      } else if (op instanceof io.relspec.ir.op.IntervalAlign align) {
        scanNotes(align.right().ops(), opPath + ".right.ops", out);
      } else if (op instanceof io.relspec.ir.op.Union union) {
        for (int n = 0; n < union.inputs().size(); n++) {
          scanNotes(union.inputs().get(n).ops(), opPath + ".inputs[" + n + "].ops", out);
        }
      }
    }
    return out;
  }

  /** The files NativeScan reads for a registered dataset (empty for batches or the JVM reader). */
  Optional<ParquetFiles> nativeFiles(String name) {
    Dataset dataset = datasets.get(name);
    return dataset == null ? Optional.empty() : dataset.files;
  }

  private PlanTranslator translator(Map<String, Literal> params) {
    return new PlanTranslator(this::datasetSchema, this::nativeFiles, params)
        .onReference(referenceOps);
  }

  @Override
  public PlanReport explain(Pipeline pipeline, Map<String, Literal> params) {
    checkOpen();
    PlanTranslator.Translation translation = translate(pipeline, params);
    PlanReport report =
        report(translation).withNotes(scanNotes(pipeline.ops(), "ops", new LinkedHashMap<>()));
    if (translation.fallbacks().isEmpty()) {
      Planned planned =
          plan(
              pipeline,
              effectiveParams(pipeline.ops(), params),
              Paths.TOP,
              partitionsFor(pipeline));
      return report
          .withPartitions(planned.partitions())
          .withStages(planned.stages(), planned.notes());
    }
    if (!fallbackToReference) {
      return report;
    }
    try (QueryResult dryRun = executeMixed(pipeline, params, true)) {
      return dryRun.report();
    }
  }

  private PlanTranslator.Translation translate(Pipeline pipeline, Map<String, Literal> params) {
    return translator(params).translate(pipeline);
  }

  private static PlanReport report(PlanTranslator.Translation translation) {
    return new PlanReport(
        CometEngine.NAME,
        translation.nativeOps(),
        translation.fallbacks(),
        translation.root().map(PlanTranslator::describe).orElse(""),
        1);
  }

  /** A registered dataset's declared schema. */
  RelSchema datasetSchema(String name) {
    Dataset dataset = datasets.get(name);
    if (dataset == null) {
      throw DataFusionErrors.unknownDataset(name, List.copyOf(datasets.keySet()));
    }
    return dataset.schema();
  }

  @Override
  public QueryResult execute(Pipeline pipeline, Map<String, Literal> params) {
    checkOpen();
    PlanTranslator.Translation translation = translate(pipeline, params);
    PlanReport report =
        report(translation).withNotes(scanNotes(pipeline.ops(), "ops", new LinkedHashMap<>()));
    if (!translation.fallbacks().isEmpty()) {
      if (!fallbackToReference) {
        throw DataFusionErrors.unsupportedPlan(CometEngine.NAME, translation.fallbacks());
      }
      return executeMixed(pipeline, params, false);
    }
    // the same ops at the same paths, scans narrowed to the columns used
    Ran ran =
        runNative(
            ColumnPruning.prune(pipeline, this::datasetSchema),
            effectiveParams(pipeline.ops(), params),
            Paths.TOP);
    return new QueryResult(
        translation.schema().toArrow(),
        detach(ran.batches()),
        report.withPartitions(ran.partitions()).withStages(ran.stages(), ran.notes()));
  }

  /**
   * Results that outlive the session. DataFusion passes input arrays through where it can (a
   * projection of a scanned column), so an output batch may still point into an input batch the JVM
   * exported; the export is released only when that output is. When any export is still held, the
   * outputs are copied into fresh vectors of the session's allocator (bulk copies, no per-row work)
   * and the originals released, so the caller may close the session first.
   */
  private List<VectorSchemaRoot> detach(List<VectorSchemaRoot> batches) {
    if (exportAllocator.getAllocatedMemory() == 0) {
      return batches;
    }
    List<VectorSchemaRoot> copies = new ArrayList<>();
    try {
      for (VectorSchemaRoot batch : batches) {
        VectorSchemaRoot copy = VectorSchemaRoot.create(batch.getSchema(), allocator);
        copies.add(copy);
        // VectorAppender reads the target's first offset: it needs allocated buffers.
        copy.allocateNew();
        for (int c = 0; c < batch.getFieldVectors().size(); c++) {
          org.apache.arrow.vector.util.VectorBatchAppender.batchAppend(
              copy.getVector(c), batch.getVector(c));
        }
        copy.setRowCount(batch.getRowCount());
      }
    } catch (RuntimeException e) {
      copies.forEach(VectorSchemaRoot::close);
      batches.forEach(VectorSchemaRoot::close);
      throw e;
    }
    batches.forEach(VectorSchemaRoot::close);
    return copies;
  }

  /** Rows between the stages of a mixed execution, owned here until handed on. */
  private record Stage(RelSchema schema, List<VectorSchemaRoot> batches) {}

  /**
   * Runs a pipeline some of whose ops Comet cannot run: each maximal run of translatable ops is one
   * native plan, and each op in between runs alone on the JVM reference lane over the previous
   * stage's batches; the next native plan scans that op's output. Row order is kept at every hand
   * over, so the result equals the reference lane's. A dry run ({@code dryRun}) executes nothing
   * natively and sends no rows through the JVM ops: it only works out the stages and schemas.
   */
  private QueryResult executeMixed(Pipeline pipeline, Map<String, Literal> given, boolean dryRun) {
    List<Op> ops = pipeline.ops();
    Map<String, Literal> params = effectiveParams(ops, given);
    List<String> nativeOps = new ArrayList<>();
    List<Fallback> fallbacks = new ArrayList<>();
    StringBuilder plans = new StringBuilder();
    Stage current = null;
    String registered = null;
    List<PlanReport.Stage> stages = new ArrayList<>();
    Map<String, String> notes = new LinkedHashMap<>();
    int partitions = 0;
    int i = 0;
    try {
      while (i < ops.size()) {
        PlanTranslator.Prefix prefix =
            translator(params).translatePrefix(ops, i, Optional.ofNullable(registered));
        if (prefix.root().isPresent()) {
          nativeOps.addAll(prefix.nativeOps());
          plans.append(PlanTranslator.describe(prefix.root().get()));
          List<VectorSchemaRoot> batches = List.of();
          // The segment as a pipeline of its own: a scan of the previous stage's rows (or the
          // rule's scan), the param ops bound so far, the segment's ops; it runs in
          // targetPartitions plans where it can, as a fully native pipeline does.
          List<Op> segmentOps = new ArrayList<>();
          Paths paths = Paths.TOP;
          if (registered == null) {
            segmentOps.addAll(ops.subList(0, prefix.end()));
          } else {
            segmentOps.add(Scan.of(registered));
            List<Op> bound = ops.subList(0, i).stream().filter(op -> op instanceof Param).toList();
            segmentOps.addAll(bound);
            segmentOps.addAll(ops.subList(i, prefix.end()));
            paths = new Paths("ops", i, bound.size() + 1);
          }
          Pipeline segment = new Pipeline(segmentOps);
          if (!dryRun) {
            Ran ran = runNative(segment, params, paths);
            batches = ran.batches();
            stages.addAll(ran.stages());
            notes.putAll(ran.notes());
            partitions = partitions == 0 ? ran.partitions() : partitions;
          } else {
            // the rows of a JVM op are not there yet: planned as targetPartitions plans
            Planned planned =
                plan(
                    segment,
                    params,
                    paths,
                    registered == null ? partitionsFor(segment) : profile.effectivePartitions());
            stages.addAll(planned.stages());
            notes.putAll(planned.notes());
            partitions = partitions == 0 ? planned.partitions() : partitions;
          }
          current = replace(current, new Stage(prefix.schema(), batches));
          i = prefix.end();
        }
        if (i < ops.size()) {
          Fallback fallback = prefix.stop().orElseThrow();
          fallbacks.add(fallback);
          nestedFallbacks(ops.get(i), fallback.path(), fallbacks);
          current = replace(current, runOnReference(ops.get(i), current, params, dryRun));
          i++;
        }
        if (registered != null) {
          datasets.remove(registered);
        }
        // Named after the op that reads it next, so reports are the same on every run.
        registered = "__input_of_ops[" + i + "]";
        datasets.put(
            registered,
            new Dataset(current.schema().toArrow(), current.schema(), current.batches()));
      }
      Stage done = current;
      current = null;
      PlanReport report =
          new PlanReport(
                  CometEngine.NAME, nativeOps, fallbacks, plans.toString(), Math.max(1, partitions))
              .withNotes(scanNotes(ops, "ops", new LinkedHashMap<>()))
              .withStages(stages, notes);
      return new QueryResult(done.schema().toArrow(), detach(done.batches()), report);
    } catch (RuntimeException e) {
      if (current != null) {
        current.batches().forEach(VectorSchemaRoot::close);
      }
      throw e;
    } finally {
      if (registered != null) {
        datasets.remove(registered);
      }
    }
  }

  /** The ops of pipelines nested in a fallback op: they run on the reference lane with it. */
  private static void nestedFallbacks(Op op, String path, List<Fallback> out) {
    List<Map.Entry<String, Pipeline>> nested = new ArrayList<>();
    if (op instanceof io.relspec.ir.op.Join join) {
      nested.add(Map.entry(path + ".right", join.right()));
    } else if (op instanceof io.relspec.ir.op.IntervalAlign align) {
      nested.add(Map.entry(path + ".right", align.right()));
    } else if (op instanceof io.relspec.ir.op.Union union) {
      for (int n = 0; n < union.inputs().size(); n++) {
        nested.add(Map.entry(path + ".inputs[" + n + "]", union.inputs().get(n)));
      }
    }
    for (Map.Entry<String, Pipeline> entry : nested) {
      List<Op> inner = entry.getValue().ops();
      for (int j = 0; j < inner.size(); j++) {
        String innerPath = entry.getKey() + ".ops[" + j + "]";
        out.add(
            new Fallback(
                innerPath,
                inner.get(j).opName(),
                "inside " + path + " (" + op.opName() + "), which runs on the reference lane"));
        nestedFallbacks(inner.get(j), innerPath, out);
      }
    }
  }

  private static Stage replace(Stage previous, Stage next) {
    if (previous != null) {
      previous.batches().forEach(VectorSchemaRoot::close);
    }
    return next;
  }

  /**
   * One op on the reference lane over {@code input}'s batches (borrowed); its output moves into the
   * session's allocator. Nested pipelines (join right sides, union inputs) scan the registered
   * datasets.
   */
  private Stage runOnReference(Op op, Stage input, Map<String, Literal> params, boolean dryRun) {
    Map<String, SourceBatches> sources = new LinkedHashMap<>();
    java.util.Set<String> nestedScans = scanned(nestedOps(op), new java.util.LinkedHashSet<>());
    for (Map.Entry<String, Dataset> entry : datasets.entrySet()) {
      Dataset dataset = entry.getValue();
      if (!nestedScans.contains(entry.getKey())) {
        // not read by this op; a Parquet dataset is not read into the JVM for nothing
        continue;
      }
      sources.put(
          entry.getKey(),
          new SourceBatches(dataset.schema(), dryRun ? List.of() : dataset.batches()));
    }
    try (Relation out =
        reference()
            .runOps(
                "datafusion fallback",
                input.schema(),
                dryRun ? List.of() : input.batches(),
                List.of(op),
                params,
                sources)) {
      return new Stage(out.schema(), moveToSession(out.batches()));
    }
  }

  /** Every dataset the ops scan, nested pipelines included. */
  private static java.util.Set<String> scanned(List<Op> ops, java.util.Set<String> out) {
    for (Op op : ops) {
      if (op instanceof Scan scan) {
        out.add(scan.dataset());
      }
      scanned(nestedOps(op), out);
    }
    return out;
  }

  /** The ops of the pipelines nested in {@code op} (a join's right side, union inputs). */
  private static List<Op> nestedOps(Op op) {
    List<Op> out = new ArrayList<>();
    if (op instanceof io.relspec.ir.op.Join join) {
      out.addAll(join.right().ops());
    } else if (op instanceof io.relspec.ir.op.IntervalAlign align) {
      out.addAll(align.right().ops());
    } else if (op instanceof io.relspec.ir.op.Union union) {
      union.inputs().forEach(input -> out.addAll(input.ops()));
    }
    return out;
  }

  /** Takes ownership of batches of the reference lane (same root allocator), without a copy. */
  private List<VectorSchemaRoot> moveToSession(List<VectorSchemaRoot> batches) {
    List<VectorSchemaRoot> moved = new ArrayList<>();
    for (VectorSchemaRoot batch : batches) {
      List<FieldVector> vectors = new ArrayList<>();
      for (FieldVector vector : batch.getFieldVectors()) {
        TransferPair pair = vector.getTransferPair(allocator);
        pair.transfer();
        vectors.add((FieldVector) pair.getTo());
      }
      VectorSchemaRoot root = new VectorSchemaRoot(vectors);
      root.setRowCount(batch.getRowCount());
      moved.add(root);
    }
    return moved;
  }

  private ReferenceLane reference() {
    if (reference == null) {
      reference = new ReferenceLane(profile, allocator);
    }
    return reference;
  }

  /** Given values, else the defaults of the pipeline's (top-level) param ops. */
  private static Map<String, Literal> effectiveParams(List<Op> ops, Map<String, Literal> given) {
    Map<String, Literal> params = new LinkedHashMap<>(given);
    for (Op op : ops) {
      if (op instanceof Param param && !params.containsKey(param.name())) {
        param
            .defaultValue()
            .ifPresentOrElse(
                value -> params.put(param.name(), value),
                () -> {
                  throw DataFusionErrors.unboundParam(param.name());
                });
      }
    }
    return params;
  }

  /**
   * How many native plans the first stage of {@code pipeline} runs in parallel: the profile's
   * {@code targetPartitions}, at most one per input batch of the dataset it scans first.
   */
  private int partitionsFor(Pipeline pipeline) {
    int target = profile.effectivePartitions();
    if (target <= 1 || !(pipeline.ops().get(0) instanceof Scan scan)) {
      return 1;
    }
    Dataset dataset = datasets.get(scan.dataset());
    if (dataset == null) {
      return 1;
    }
    if (dataset.files.isPresent()) {
      // byte ranges of the files, one per native plan
      return target;
    }
    return Math.min(target, dataset.batches().size());
  }

  /**
   * Maps the op indexes of a pipeline run here to the paths of the rule's ops: index k is {@code
   * base[max(first, first + k - drop)]}. A rule's pipeline is {@link #TOP}; a join's right side run
   * on its own has the rule's param ops copied in after its scan ({@code drop} = their number); a
   * native segment after a JVM op starts with a scan of that op's rows and the param ops ({@code
   * first} = the segment's first op, {@code drop} = their number + 1).
   */
  private record Paths(String base, int first, int drop) {
    static final Paths TOP = new Paths("ops", 0, 0);

    /** Index 0 of a segment after a JVM op (and the param ops copied in) scans that op's rows. */
    private boolean input(int k) {
      return first > 0 && k < drop;
    }

    String op(int k) {
      return input(k)
          ? "the rows of " + base + "[" + (first - 1) + "]"
          : base + "[" + Math.max(first, first + k - drop) + "]";
    }

    String range(int from, int to) {
      if (input(from)) {
        return op(from) + (input(to) ? "" : " and " + range(drop, to));
      }
      int a = Math.max(first, first + from - drop);
      int b = Math.max(first, first + to - drop);
      return base + "[" + a + (b > a ? ".." + b : "") + "]";
    }
  }

  /** A fully native pipeline's output (not yet detached), the stages that ran, join notes. */
  private record Ran(
      List<VectorSchemaRoot> batches,
      List<PlanReport.Stage> stages,
      Map<String, String> notes,
      int partitions) {}

  /** The stages {@link #runNative} would run, and the notes it would give. */
  private record Planned(
      List<PlanReport.Stage> stages, Map<String, String> notes, int partitions) {}

  /**
   * Runs a fully native pipeline: in {@code targetPartitions} plans where its first input can be
   * split (see {@link #executePartitioned}), else in one plan.
   *
   * @param params the given params and the defaults of the rule's param ops
   */
  private Ran runNative(Pipeline pipeline, Map<String, Literal> params, Paths paths) {
    int partitions = partitionsFor(pipeline);
    if (partitions > 1) {
      Ran staged = executePartitioned(pipeline, params, partitions, paths);
      if (staged != null) {
        return staged;
      }
    }
    PlanTranslator.Translation translation = translator(params).translate(pipeline);
    Schema output = translation.schema().toArrow();
    List<List<VectorSchemaRoot>> inputs = new ArrayList<>();
    for (String scan : translation.scans()) {
      inputs.add(datasets.get(scan).batches());
    }
    List<VectorSchemaRoot> batches =
        run(translation.root().orElseThrow(), inputs, output, output.getFields().size());
    Planned single = singlePlan(pipeline, paths, partitions);
    return new Ran(batches, single.stages(), single.notes(), 1);
  }

  /** The stages of {@link #runNative} without running anything ({@code explain}). */
  private Planned plan(
      Pipeline pipeline, Map<String, Literal> params, Paths paths, int partitions) {
    if (partitions <= 1) {
      return singlePlan(pipeline, paths, partitions);
    }
    PlanTranslator.Staging staging = PlanTranslator.Staging.of(pipeline);
    Optional<KeyRanges> ranges = keyRanges(pipeline, staging, partitions);
    if (ranges.isPresent()) {
      return new Planned(
          keyRangeStages(pipeline, staging, paths, ranges.get()),
          keyRangeNotes(paths, ranges.get()),
          ranges.get().partitions());
    }
    List<PlanReport.Stage> stages = new ArrayList<>();
    Map<String, String> notes = new LinkedHashMap<>();
    for (int j : staging.broadcastJoins()) {
      RightSide right = rightSide(pipeline, j);
      Planned built =
          plan(right.pipeline(), params, right.paths(paths, j), partitionsFor(right.pipeline()));
      stages.addAll(built.stages());
      notes.putAll(built.notes());
    }
    boolean nativeFirst = nativeFiles(((Scan) pipeline.ops().get(0)).dataset()).isPresent();
    stages.addAll(splitStages(pipeline, staging, paths, partitions, nativeFirst));
    notes.putAll(joinNotes(pipeline, staging, paths, partitions));
    return new Planned(stages, notes, partitions);
  }

  /** One plan for the whole pipeline: the stage and the notes of its joins. */
  private Planned singlePlan(Pipeline pipeline, Paths paths, int partitions) {
    String why;
    if (profile.effectivePartitions() <= 1) {
      why = "targetPartitions is 1";
    } else if (partitions <= 1) {
      why = "its first input has fewer than 2 batches to split";
    } else {
      why = "the " + partitions + " partitions produced no rows; run again as one plan";
    }
    int last = pipeline.ops().size() - 1;
    Map<String, String> notes = new LinkedHashMap<>();
    for (int k = 0; k <= last; k++) {
      if (pipeline.ops().get(k) instanceof io.relspec.ir.op.Join) {
        notes.put(paths.op(k), "HashJoin (build right) in one native plan with the ops around it");
      }
    }
    return new Planned(List.of(new PlanReport.Stage(paths.range(0, last), 1, why)), notes, 1);
  }

  /** A join's right side as a pipeline of its own, with the rule's param ops bound before it. */
  private record RightSide(Pipeline pipeline, int bound) {
    Paths paths(Paths outer, int join) {
      return new Paths(outer.op(join) + ".right.ops", 0, bound);
    }
  }

  private static RightSide rightSide(Pipeline pipeline, int join) {
    List<Op> right = ((io.relspec.ir.op.Join) pipeline.ops().get(join)).right().ops();
    List<Op> ops = new ArrayList<>();
    ops.add(right.get(0));
    List<Op> bound =
        pipeline.ops().subList(0, join).stream().filter(op -> op instanceof Param).toList();
    ops.addAll(bound);
    ops.addAll(right.subList(1, right.size()));
    return new RightSide(new Pipeline(ops), bound.size());
  }

  /** The split of a partitioned execution by ranges of its join's key, where it applies. */
  private Optional<KeyRanges> keyRanges(
      Pipeline pipeline, PlanTranslator.Staging staging, int partitions) {
    return KeyRanges.of(pipeline, staging, partitions, this::nativeFiles, this::datasetSchema);
  }

  /** The split stage (and the merge stage) of a split by key ranges. */
  private static List<PlanReport.Stage> keyRangeStages(
      Pipeline pipeline, PlanTranslator.Staging staging, Paths paths, KeyRanges ranges) {
    String how =
        ranges.describe(pipeline.ops())
            + "; one native plan per range, each building its hash table from its range of the"
            + " right side";
    List<PlanReport.Stage> stages = new ArrayList<>();
    int last = pipeline.ops().size() - 1;
    stages.add(
        new PlanReport.Stage(
            paths.range(0, staging.splitAt() - 1)
                + (staging.aggregate()
                    ? " and the Partial half of " + paths.op(staging.splitAt())
                    : ""),
            ranges.partitions(),
            how));
    if (staging.hasMerge(pipeline)) {
      stages.add(
          new PlanReport.Stage(
              (staging.aggregate() ? "the Final half of " : "")
                  + paths.range(staging.splitAt(), last),
              1,
              "over the concatenated outputs of the " + ranges.partitions() + " plans"));
    }
    return stages;
  }

  /** How the join of a split by key ranges runs. */
  private static Map<String, String> keyRangeNotes(Paths paths, KeyRanges ranges) {
    return Map.of(
        paths.op(ranges.join()),
        "HashJoin (build right), co-partitioned by key ranges: each of the "
            + ranges.partitions()
            + " native plans joins the rows of both sides in its range of the key, its hash"
            + " table built from that range of the right side only");
  }

  /** The split stage (and the merge stage) of a partitioned execution. */
  private List<PlanReport.Stage> splitStages(
      Pipeline pipeline,
      PlanTranslator.Staging staging,
      Paths paths,
      int partitions,
      boolean nativeFirst) {
    List<PlanReport.Stage> stages = new ArrayList<>();
    int last = pipeline.ops().size() - 1;
    String ops =
        paths.range(0, staging.splitAt() - 1)
            + (staging.aggregate()
                ? " and the Partial half of " + paths.op(staging.splitAt())
                : "");
    String how =
        nativeFirst
            ? "the first scan's Parquet files in " + partitions + " byte ranges, one per plan"
            : "the first input's batches in " + partitions + " contiguous slices, one per plan";
    if (!staging.broadcastJoins().isEmpty()) {
      how +=
          "; "
              + staging.broadcastJoins().stream().map(paths::op).toList()
              + " broadcast: every plan joins its left rows with the whole right side";
    }
    stages.add(new PlanReport.Stage(ops, partitions, how));
    if (staging.hasMerge(pipeline)) {
      stages.add(
          new PlanReport.Stage(
              (staging.aggregate() ? "the Final half of " : "")
                  + paths.range(staging.splitAt(), last),
              1,
              "over the concatenated outputs of the " + partitions + " plans"));
    }
    return stages;
  }

  /** How each join of a partitioned execution runs: broadcast, or in the single merge plan. */
  private static Map<String, String> joinNotes(
      Pipeline pipeline, PlanTranslator.Staging staging, Paths paths, int partitions) {
    Map<String, String> notes = new LinkedHashMap<>();
    for (int k = 0; k < pipeline.ops().size(); k++) {
      if (!(pipeline.ops().get(k) instanceof io.relspec.ir.op.Join join)) {
        continue;
      }
      if (staging.broadcastJoins().contains(k)) {
        notes.put(
            paths.op(k),
            "HashJoin (build right), broadcast: the right side ran once and each of the "
                + partitions
                + " native plans builds its hash table from those batches and probes its share"
                + " of the left rows");
      } else if (!PlanTranslator.Staging.broadcastable(join)) {
        notes.put(
            paths.op(k),
            "HashJoin (build right) in the single merge plan: a "
                + join.type().name().toLowerCase(java.util.Locale.ROOT)
                + " join keeps unmatched right rows, which every partition would repeat, and"
                + " Comet 0.12 has no operator to hash-partition both sides within one process");
      } else {
        notes.put(
            paths.op(k),
            "HashJoin (build right) in the single merge plan, after "
                + paths.op(staging.splitAt() - 1 + (staging.aggregate() ? 1 : 0))
                + " ended the split");
      }
    }
    return notes;
  }

  /**
   * Runs the row-local prefix (and the Partial aggregate) once per contiguous range of the first
   * dataset's batches (or byte range of its Parquet files), in parallel, then the rest once over
   * their concatenated outputs. Inner, left, semi and anti joins in the prefix are broadcast: their
   * right side runs first (itself in parallel where it can), and every plan scans its batches whole
   * as the join's build side (exported to each plan without a copy). Returns null when the
   * partitions produced nothing to merge (the caller then runs one plan).
   */
  private Ran executePartitioned(
      Pipeline pipeline, Map<String, Literal> params, int partitions, Paths paths) {
    PlanTranslator.Staging staging = PlanTranslator.Staging.of(pipeline);
    Optional<KeyRanges> ranges = keyRanges(pipeline, staging, partitions);
    if (ranges.isPresent()) {
      List<VectorSchemaRoot> out = executeKeyRanges(pipeline, staging, params, ranges.get());
      if (out == null) {
        return null;
      }
      return new Ran(
          out,
          keyRangeStages(pipeline, staging, paths, ranges.get()),
          keyRangeNotes(paths, ranges.get()),
          ranges.get().partitions());
    }
    List<Op> ops = new ArrayList<>(pipeline.ops());
    List<String> builds = new ArrayList<>();
    List<PlanReport.Stage> stages = new ArrayList<>();
    Map<String, String> notes = new LinkedHashMap<>();
    try {
      for (int j : staging.broadcastJoins()) {
        io.relspec.ir.op.Join join = (io.relspec.ir.op.Join) ops.get(j);
        RightSide right = rightSide(pipeline, j);
        RelSchema rightSchema = translator(params).translate(right.pipeline()).schema();
        Ran built = runNative(right.pipeline(), params, right.paths(paths, j));
        String name = "__build_of_" + paths.op(j);
        datasets.put(name, new Dataset(rightSchema.toArrow(), rightSchema, built.batches()));
        builds.add(name);
        stages.addAll(built.stages());
        notes.putAll(built.notes());
        ops.set(
            j,
            new io.relspec.ir.op.Join(
                join.type(),
                Pipeline.of(Scan.of(name)),
                join.on(),
                join.condition(),
                join.rightSuffix()));
      }
      Pipeline split = new Pipeline(ops);
      Scan firstScan = (Scan) ops.get(0);
      boolean nativeFirst = nativeFiles(firstScan.dataset()).isPresent();
      List<VectorSchemaRoot> out = executeSplit(split, staging, params, partitions, nativeFirst);
      if (out == null) {
        return null;
      }
      stages.addAll(splitStages(pipeline, staging, paths, partitions, nativeFirst));
      notes.putAll(joinNotes(pipeline, staging, paths, partitions));
      return new Ran(out, stages, notes, partitions);
    } finally {
      for (String name : builds) {
        Dataset build = datasets.remove(name);
        // the plans hold their own references to what they still use
        build.batches().forEach(VectorSchemaRoot::close);
      }
    }
  }

  /**
   * A NativeScan split into file partitions keeps only partition {@code p}: each plan is executed
   * as partition 0, so that a join's build side (one partition, a scan of JVM batches) pairs with
   * it (DataFusion's partitioned hash join requires equal partition counts on both sides).
   */
  private static OperatorOuterClass.Operator onlyFilePartition(
      OperatorOuterClass.Operator op, int p) {
    OperatorOuterClass.Operator.Builder builder = op.toBuilder().clearChildren();
    if (op.hasNativeScan() && op.getNativeScan().getFilePartitionsCount() > 1) {
      builder.setNativeScan(
          op.getNativeScan().toBuilder()
              .clearFilePartitions()
              .addFilePartitions(op.getNativeScan().getFilePartitions(p)));
    }
    for (OperatorOuterClass.Operator child : op.getChildrenList()) {
      builder.addChildren(onlyFilePartition(child, p));
    }
    return builder.build();
  }

  /** The split and merge stages of {@link #executePartitioned}, its broadcast sides registered. */
  private List<VectorSchemaRoot> executeSplit(
      Pipeline pipeline,
      PlanTranslator.Staging staging,
      Map<String, Literal> params,
      int partitions,
      boolean nativeFirst) {
    PlanTranslator translator = translator(params);
    if (nativeFirst) {
      translator.splitFirstNativeScan(partitions);
    }
    PlanTranslator.Translation local = translator.translateLocal(pipeline, staging);
    OperatorOuterClass.Operator localRoot = local.root().orElseThrow();
    List<SplitPlan> plans = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      // Scans in translation order: the first input (sliced, unless read by NativeScan, which
      // keeps its p-th byte range), then the broadcast right sides, whole in every plan.
      List<List<VectorSchemaRoot>> inputs = new ArrayList<>();
      for (int s = 0; s < local.scans().size(); s++) {
        List<VectorSchemaRoot> batches = datasets.get(local.scans().get(s)).batches();
        if (s == 0 && !nativeFirst) {
          batches =
              batches.subList(
                  batches.size() * p / partitions, batches.size() * (p + 1) / partitions);
        }
        inputs.add(batches);
      }
      plans.add(new SplitPlan(nativeFirst ? onlyFilePartition(localRoot, p) : localRoot, inputs));
    }
    return runSplit(pipeline, staging, translator, local, plans);
  }

  /**
   * The split and merge stages of a split by key ranges: plan p is the row-local prefix (and the
   * Partial aggregate) with both scans of the join filtered to range p.
   */
  private List<VectorSchemaRoot> executeKeyRanges(
      Pipeline pipeline,
      PlanTranslator.Staging staging,
      Map<String, Literal> params,
      KeyRanges ranges) {
    PlanTranslator first = null;
    PlanTranslator.Translation firstLocal = null;
    List<SplitPlan> plans = new ArrayList<>();
    for (int p = 0; p < ranges.partitions(); p++) {
      PlanTranslator translator = translator(params).filterScans(ranges.scanFilters(p));
      PlanTranslator.Translation local = translator.translateLocal(pipeline, staging);
      List<List<VectorSchemaRoot>> inputs = new ArrayList<>();
      for (String scan : local.scans()) {
        inputs.add(datasets.get(scan).batches());
      }
      plans.add(new SplitPlan(local.root().orElseThrow(), inputs));
      if (p == 0) {
        first = translator;
        firstLocal = local;
      }
    }
    return runSplit(pipeline, staging, first, firstLocal, plans);
  }

  /** One native plan of a split stage and its inputs in scan order. */
  private record SplitPlan(OperatorOuterClass.Operator root, List<List<VectorSchemaRoot>> inputs) {}

  /**
   * Runs the plans of a split stage in parallel, then the merge stage (translated by {@code
   * translator}, which translated {@code local}, the first plan) over their concatenated outputs;
   * null when the merge stage has no rows to run over.
   */
  private List<VectorSchemaRoot> runSplit(
      Pipeline pipeline,
      PlanTranslator.Staging staging,
      PlanTranslator translator,
      PlanTranslator.Translation local,
      List<SplitPlan> plans) {
    int localColumns = local.schema().fields().size();
    // Row-local outputs are imported under the local stage's relspec schema (names and types
    // checked); a partial aggregate's state is imported as the native side produced it.
    Schema localSchema = staging.aggregate() ? null : local.schema().toArrow();
    int partitions = plans.size();
    List<Future<List<VectorSchemaRoot>>> futures = new ArrayList<>();
    List<List<VectorSchemaRoot>> outputs = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(partitions);
    try {
      for (SplitPlan plan : plans) {
        futures.add(pool.submit(() -> run(plan.root(), plan.inputs(), localSchema, localColumns)));
      }
      RuntimeException failure = null;
      for (Future<List<VectorSchemaRoot>> future : futures) {
        try {
          outputs.add(future.get());
        } catch (ExecutionException e) {
          RuntimeException cause =
              e.getCause() instanceof RuntimeException runtime
                  ? runtime
                  : new IllegalStateException(e.getCause());
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = new IllegalStateException("interrupted", e);
        }
      }
      if (failure != null) {
        outputs.forEach(batches -> batches.forEach(VectorSchemaRoot::close));
        throw failure;
      }
    } finally {
      pool.shutdown();
    }
    List<VectorSchemaRoot> merged = new ArrayList<>();
    outputs.forEach(merged::addAll);
    if (!staging.hasMerge(pipeline)) {
      return merged;
    }
    try {
      if (merged.isEmpty()) {
        return null;
      }
      // Row-local outputs keep the local stage's relspec schema; a partial aggregate's state
      // columns take their types from the batches.
      List<Field> stageFields = new ArrayList<>();
      if (!staging.aggregate()) {
        stageFields.addAll(local.schema().fields());
      } else {
        for (org.apache.arrow.vector.types.pojo.Field field :
            merged.get(0).getSchema().getFields()) {
          DataType type =
              CometTypes.fromArrow(field)
                  .orElseThrow(
                      () ->
                          DataFusionErrors.unexpectedOutput(
                              CometEngine.NAME,
                              stageFields.size(),
                              String.valueOf(field.getName()),
                              "a relspec type",
                              field.getType().toString()));
          stageFields.add(new Field("__c" + stageFields.size(), type, true));
        }
      }
      PlanTranslator.Translation merge =
          translator.translateMerge(pipeline, staging, STAGE_INPUT, stageFields);
      List<List<VectorSchemaRoot>> inputs = new ArrayList<>();
      for (String scan : merge.scans()) {
        inputs.add(scan.equals(STAGE_INPUT) ? merged : datasets.get(scan).batches());
      }
      Schema output = merge.schema().toArrow();
      return run(merge.root().orElseThrow(), inputs, output, output.getFields().size());
    } finally {
      merged.forEach(VectorSchemaRoot::close);
    }
  }

  private static final String STAGE_INPUT = "__partitions";

  /**
   * Runs one native plan to completion (as partition 0): inputs in scan order, output batches
   * imported with the {@code expected} schema (or as produced when null) and {@code columns}
   * columns.
   */
  private List<VectorSchemaRoot> run(
      OperatorOuterClass.Operator root,
      List<List<VectorSchemaRoot>> inputBatches,
      Schema expected,
      int columns) {
    CometBatchIterator[] inputs = new CometBatchIterator[inputBatches.size()];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] =
          new RelspecBatchIterator(
              new ArrowExchange.BatchSource(exportAllocator, inputBatches.get(i)));
    }
    List<VectorSchemaRoot> batches = new ArrayList<>();
    long planId = PLAN_IDS.incrementAndGet();
    long context;
    try {
      context =
          jni.createPlan(
              planId,
              inputs,
              root.toByteArray(),
              CometJni.emptyConfig(),
              1,
              null,
              -1L,
              null,
              new String[] {spillDir()},
              profile.batchSize(),
              false,
              poolType(),
              poolSize(),
              poolSize(),
              planId,
              null);
    } catch (RuntimeException e) {
      throw DataFusionErrors.nativeFailure(CometEngine.NAME, "create the native plan", e);
    }
    try {
      while (true) {
        try (ArrowExchange.OutputStructs structs =
            new ArrowExchange.OutputStructs(allocator, columns)) {
          long rows;
          try {
            rows =
                jni.executePlan(0, 0, context, structs.arrayAddresses(), structs.schemaAddresses());
          } catch (RuntimeException e) {
            throw DataFusionErrors.nativeFailure(CometEngine.NAME, "execute the plan", e);
          }
          if (rows < 0) {
            break;
          }
          batches.add(structs.importBatch(allocator, expected, (int) rows, CometEngine.NAME));
        }
      }
    } catch (RuntimeException e) {
      batches.forEach(VectorSchemaRoot::close);
      throw e;
    } finally {
      try {
        jni.releasePlan(context);
      } catch (RuntimeException e) {
        batches.forEach(VectorSchemaRoot::close);
        throw DataFusionErrors.nativeFailure(CometEngine.NAME, "release the native plan", e);
      }
    }
    return batches;
  }

  private String spillDir() {
    return profile.spillDir().orElse(System.getProperty("java.io.tmpdir"));
  }

  private String poolType() {
    return switch (profile.memoryPool()) {
      case GREEDY -> "greedy";
      case FAIR -> "fair_spill";
      case UNBOUNDED -> "unbounded";
    };
  }

  private long poolSize() {
    return profile.memoryLimitBytes().orElse(Long.MAX_VALUE);
  }

  private void checkOpen() {
    if (closed) {
      throw DataFusionErrors.sessionClosed();
    }
  }

  /** Forgets the registered datasets (the caller still owns their batches). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    datasets.clear();
    if (reference != null) {
      reference.close();
    }
    try {
      exportAllocator.close();
    } catch (IllegalStateException e) {
      throw new RelspecException(
          io.relspec.ir.error.ErrorCode.INTERNAL,
          "Cannot close engine session: the native engine still holds exported input buffers ("
              + e.getMessage()
              + "). This is a leak in the bridge; report it",
          e);
    }
  }
}
