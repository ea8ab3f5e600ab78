package io.relspec.datafusion.comet;

import io.relspec.datafusion.DataFusionErrors;
import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.PlanReport;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.comet.CometBatchIterator;
import org.apache.comet.Native;
import org.apache.comet.RelspecBatchIterator;
import org.apache.comet.serde.OperatorOuterClass;

/** A session of {@link CometEngine}: registered datasets and one native plan per execution. */
final class CometSession implements EngineSession {
  private static final AtomicLong PLAN_IDS = new AtomicLong();

  private record Dataset(Schema arrow, RelSchema schema, List<VectorSchemaRoot> batches) {}

  private final Native jni;
  private final RuntimeProfile profile;
  private final BufferAllocator allocator;
  private final BufferAllocator exportAllocator;
  private final Map<String, Dataset> datasets = new LinkedHashMap<>();
  private boolean closed;

  CometSession(Native jni, RuntimeProfile profile, BufferAllocator allocator) {
    this.jni = jni;
    this.profile = profile;
    this.allocator = allocator;
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
  public PlanReport explain(Pipeline pipeline, Map<String, Literal> params) {
    checkOpen();
    PlanTranslator.Translation translation = translate(pipeline, params);
    return report(translation);
  }

  private PlanTranslator.Translation translate(Pipeline pipeline, Map<String, Literal> params) {
    return new PlanTranslator(this::datasetSchema, params).translate(pipeline);
  }

  private static PlanReport report(PlanTranslator.Translation translation) {
    return new PlanReport(
        CometEngine.NAME,
        translation.nativeOps(),
        translation.fallbacks(),
        translation.root().map(PlanTranslator::describe).orElse(""));
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
    PlanReport report = report(translation);
    if (!translation.fallbacks().isEmpty()) {
      throw DataFusionErrors.unsupportedPlan(CometEngine.NAME, translation.fallbacks());
    }
    OperatorOuterClass.Operator root = translation.root().orElseThrow();
    Schema output = translation.schema().toArrow();
    CometBatchIterator[] inputs = new CometBatchIterator[translation.scans().size()];
    for (int i = 0; i < inputs.length; i++) {
      Dataset dataset = datasets.get(translation.scans().get(i));
      inputs[i] =
          new RelspecBatchIterator(
              new ArrowExchange.BatchSource(exportAllocator, dataset.batches()));
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
      int columns = output.getFields().size();
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
          batches.add(structs.importBatch(allocator, output, (int) rows, CometEngine.NAME));
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
    return new QueryResult(output, batches, report);
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
