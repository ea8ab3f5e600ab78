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
  private final Map<String, Dataset> datasets = new LinkedHashMap<>();
  private ReferenceLane reference;
  private boolean closed;

  /**
   * @param fallbackToReference run the ops Comet cannot run on the JVM reference lane (one op at a
   *     time, between native plans); otherwise refuse such pipelines with {@code UNSUPPORTED}
   */
  CometSession(
      Native jni, RuntimeProfile profile, BufferAllocator allocator, boolean fallbackToReference) {
    this.jni = jni;
    this.profile = profile;
    this.allocator = allocator;
    this.fallbackToReference = fallbackToReference;
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
                + (dataset.scan().parquetPruning() ? ", filters pushed for pruning" : "")
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

  private Optional<ParquetFiles> nativeFiles(String name) {
    Dataset dataset = datasets.get(name);
    return dataset == null ? Optional.empty() : dataset.files;
  }

  private PlanTranslator translator(Map<String, Literal> params) {
    return new PlanTranslator(this::datasetSchema, this::nativeFiles, params);
  }

  @Override
  public PlanReport explain(Pipeline pipeline, Map<String, Literal> params) {
    checkOpen();
    PlanTranslator.Translation translation = translate(pipeline, params);
    PlanReport report =
        report(translation).withNotes(scanNotes(pipeline.ops(), "ops", new LinkedHashMap<>()));
    if (translation.fallbacks().isEmpty()) {
      return report.withPartitions(partitionsFor(pipeline));
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

  private RelSchema datasetSchema(String name) {
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
    int partitions = partitionsFor(pipeline);
    if (partitions > 1) {
      List<VectorSchemaRoot> staged = executePartitioned(pipeline, params, partitions);
      if (staged != null) {
        return new QueryResult(
            translation.schema().toArrow(), detach(staged), report.withPartitions(partitions));
      }
    }
    Schema output = translation.schema().toArrow();
    List<List<VectorSchemaRoot>> inputs = new ArrayList<>();
    for (String scan : translation.scans()) {
      inputs.add(datasets.get(scan).batches());
    }
    List<VectorSchemaRoot> batches =
        run(translation.root().orElseThrow(), inputs, output, output.getFields().size());
    return new QueryResult(output, detach(batches), report);
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
    int i = 0;
    try {
      while (i < ops.size()) {
        PlanTranslator.Prefix prefix =
            translator(params).translatePrefix(ops, i, Optional.ofNullable(registered));
        if (prefix.root().isPresent()) {
          nativeOps.addAll(prefix.nativeOps());
          plans.append(PlanTranslator.describe(prefix.root().get()));
          Schema output = prefix.schema().toArrow();
          List<VectorSchemaRoot> batches = List.of();
          if (!dryRun) {
            List<List<VectorSchemaRoot>> inputs = new ArrayList<>();
            for (String scan : prefix.scans()) {
              inputs.add(datasets.get(scan).batches());
            }
            batches = run(prefix.root().get(), inputs, output, output.getFields().size());
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
          new PlanReport(CometEngine.NAME, nativeOps, fallbacks, plans.toString(), 1)
              .withNotes(scanNotes(ops, "ops", new LinkedHashMap<>()));
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
   * Runs the row-local prefix (and the Partial aggregate) once per contiguous range of the first
   * dataset's batches, in parallel, then the rest once over their concatenated outputs. Returns
   * null when the partitions produced nothing to merge (the caller then runs one plan).
   */
  private List<VectorSchemaRoot> executePartitioned(
      Pipeline pipeline, Map<String, Literal> params, int partitions) {
    PlanTranslator.Staging staging = PlanTranslator.Staging.of(pipeline);
    PlanTranslator translator = translator(params);
    Scan firstScan = (Scan) pipeline.ops().get(0);
    boolean nativeFirst = nativeFiles(firstScan.dataset()).isPresent();
    if (nativeFirst) {
      translator.splitFirstNativeScan(partitions);
    }
    PlanTranslator.Translation local = translator.translateLocal(pipeline, staging);
    OperatorOuterClass.Operator localRoot = local.root().orElseThrow();
    int localColumns = local.schema().fields().size();
    // Row-local outputs are imported under the local stage's relspec schema (names and types
    // checked); a partial aggregate's state is imported as the native side produced it.
    Schema localSchema = staging.aggregate() ? null : local.schema().toArrow();
    List<VectorSchemaRoot> first =
        nativeFirst ? List.of() : datasets.get(local.scans().get(0)).batches();
    List<Future<List<VectorSchemaRoot>>> futures = new ArrayList<>();
    List<List<VectorSchemaRoot>> outputs = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(partitions);
    try {
      for (int p = 0; p < partitions; p++) {
        int partition = p;
        if (nativeFirst) {
          // every plan holds all file partitions and reads the one of its partition index
          futures.add(
              pool.submit(() -> run(localRoot, List.of(), localSchema, localColumns, partition)));
          continue;
        }
        List<VectorSchemaRoot> slice =
            first.subList(first.size() * p / partitions, first.size() * (p + 1) / partitions);
        futures.add(pool.submit(() -> run(localRoot, List.of(slice), localSchema, localColumns)));
      }
      RuntimeException failure = null;
      for (Future<List<VectorSchemaRoot>> future : futures) {
        try {
          outputs.add(future.get());
        } catch (ExecutionException e) {
          failure =
              e.getCause() instanceof RuntimeException runtime
                  ? runtime
                  : new IllegalStateException(e.getCause());
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
   * Runs one native plan to completion: inputs in scan order, output batches imported with the
   * {@code expected} schema (or as produced when null) and {@code columns} columns.
   */
  private List<VectorSchemaRoot> run(
      OperatorOuterClass.Operator root,
      List<List<VectorSchemaRoot>> inputBatches,
      Schema expected,
      int columns) {
    return run(root, inputBatches, expected, columns, 0);
  }

  /**
   * As above, as partition {@code partition}: a NativeScan reads its file partition of that index
   * (Comet's planner takes the partition from the first {@code executePlan} call).
   */
  private List<VectorSchemaRoot> run(
      OperatorOuterClass.Operator root,
      List<List<VectorSchemaRoot>> inputBatches,
      Schema expected,
      int columns,
      int partition) {
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
                jni.executePlan(
                    0, partition, context, structs.arrayAddresses(), structs.schemaAddresses());
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
