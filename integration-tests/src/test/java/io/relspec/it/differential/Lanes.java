package io.relspec.it.differential;

import io.relspec.datafusion.DataFusionEngine;
import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.Fallback;
import io.relspec.datafusion.PlanReport;
import io.relspec.datafusion.QueryResult;
import io.relspec.datafusion.comet.CometEngine;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.DatasetSource;
import io.relspec.reference.ReferenceLane;
import io.relspec.reference.Relation;
import io.relspec.reference.Values;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.compile.SparkTypes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a {@link DiffCase} on every lane and compares: the JVM reference lane (in memory), the Spark
 * lane (PlanCompiler over DataFrames made from the same rows, one shared local session with ANSI on
 * and a non-UTC session time zone), and standalone DataFusion (datafusion-bridge over Comet's JNI)
 * when it runs the whole plan natively; otherwise it is recorded as not run with the ops it falls
 * back on.
 *
 * <p>Each lane reads the bundle from its own JSON text, as a lane reading the file would, and the
 * plan signatures must agree. Rows are compared as multisets with {@link Canonical}'s exact
 * equality, and, when the plan's ordering is explicit, the sequence of sort-key values too. The one
 * exception: an avg or float sum that reaches the output unchanged may differ within the rounding
 * of its additions, whose order the spec leaves open ({@link FloatSumBounds}).
 */
final class Lanes implements AutoCloseable {
  static final String REFERENCE = "reference";
  static final String SPARK = "spark";
  static final String DATAFUSION = "datafusion";

  /** Per lane: "ran", "failed", "not run" counts, and not-run reasons by op. */
  static final Map<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();

  /** Per lane: wall-clock milliseconds spent running cases (load-dependent; not a benchmark). */
  static final Map<String, AtomicLong> MILLIS = new ConcurrentHashMap<>();

  private static SparkSession spark;

  /** Spark's shuffle partitions: 2 as in spark-plugin's tests; the long run may use 1 (faster). */
  private static final String PARTITIONS = System.getProperty("differential.sparkPartitions", "2");

  private final BufferAllocator inputs = new RootAllocator();
  private final ReferenceLane reference = new ReferenceLane();
  // the translations of dedupe and interval_align stay under test (the default engine runs them
  // on the reference lane's kernels, which the reference lane checks)
  private final DataFusionEngine datafusion = CometEngine.nativeFirst();

  /** The one local SparkSession of the test JVM, configured like spark-plugin's test session. */
  static synchronized SparkSession spark() {
    if (spark == null) {
      SparkSession.Builder builder = SparkSession.builder();
      if (Boolean.getBoolean("differential.sparkInterpreted")) {
        // long mode on a busy machine: no Janino compile per query (interpreted expressions);
        // the default run keeps Spark's whole-stage code generation
        builder
            .config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.codegen.factoryMode", "NO_CODEGEN");
      }
      spark =
          builder
              .master("local[2]")
              .appName("relspec-differential")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", PARTITIONS)
              .config("spark.default.parallelism", PARTITIONS)
              .config("spark.sql.session.timeZone", "America/Los_Angeles")
              .config("spark.sql.ansi.enabled", "true")
              .config("spark.sql.datetime.java8API.enabled", "true")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .getOrCreate();
    }
    return spark;
  }

  /** What every lane did with one case, and how they disagree. */
  record Result(
      DiffCase diffCase, RelPlan plan, Map<String, Outcome> outcomes, List<String> discrepancies) {
    boolean agrees() {
      return discrepancies.isEmpty();
    }

    String describe() {
      StringBuilder text = new StringBuilder();
      text.append("rule ops: ").append(plan.ops()).append('\n');
      text.append("plan signature: ").append(plan.planSignature()).append('\n');
      outcomes.forEach(
          (lane, outcome) -> text.append(lane).append(": ").append(summary(outcome)).append('\n'));
      discrepancies.forEach(d -> text.append("DISCREPANCY ").append(d).append('\n'));
      return text.toString();
    }

    private static String summary(Outcome outcome) {
      if (outcome instanceof Outcome.Rows rows) {
        List<String> rendered = rows.rows().stream().map(Canonical::renderRow).toList();
        return rows.rows().size() + " rows " + rows.types() + " " + rendered;
      }
      return outcome.toString();
    }
  }

  Result run(DiffCase diffCase) {
    String json = diffCase.bundleJson();
    ValidatedBundle built = BundleValidator.validate(diffCase.bundle(), "<generated>", Map.of());
    RelPlan plan = built.plans().get(0);
    List<String> discrepancies = new ArrayList<>();
    Map<String, Outcome> outcomes = new LinkedHashMap<>();

    Map<String, List<VectorSchemaRoot>> batches = new HashMap<>();
    try {
      for (DatasetSpec dataset : built.bundle().datasets()) {
        batches.put(
            dataset.name(), toBatches(dataset.schema(), diffCase.data().get(dataset.name())));
      }
      Map<String, RelPlan> plans = new LinkedHashMap<>();
      for (String lane : List.of(REFERENCE, SPARK, DATAFUSION)) {
        // each lane reads the bundle's JSON text itself
        ValidatedBundle read =
            BundleValidator.validate(BundleReader.read(json, lane + ".json"), lane, Map.of());
        plans.put(lane, read.plans().get(0));
      }
      plans.forEach(
          (lane, lanePlan) -> {
            if (!lanePlan.planSignature().equals(plan.planSignature())) {
              discrepancies.add(
                  lane
                      + " plan signature "
                      + lanePlan.planSignature()
                      + " != built "
                      + plan.planSignature());
            }
          });
      long t0 = System.nanoTime();
      outcomes.put(REFERENCE, runReference(plans.get(REFERENCE), built, batches));
      long t1 = System.nanoTime();
      outcomes.put(SPARK, runSpark(plans.get(SPARK), diffCase));
      long t2 = System.nanoTime();
      outcomes.put(DATAFUSION, runDataFusion(plans.get(DATAFUSION), batches));
      long t3 = System.nanoTime();
      MILLIS.computeIfAbsent(REFERENCE, k -> new AtomicLong()).addAndGet((t1 - t0) / 1_000_000);
      MILLIS.computeIfAbsent(SPARK, k -> new AtomicLong()).addAndGet((t2 - t1) / 1_000_000);
      MILLIS.computeIfAbsent(DATAFUSION, k -> new AtomicLong()).addAndGet((t3 - t2) / 1_000_000);
      outcomes.forEach((lane, outcome) -> count(lane, outcome));
      compare(plan, outcomes, discrepancies, () -> floatSumTolerances(built, plan, batches));
    } finally {
      batches.values().forEach(list -> list.forEach(VectorSchemaRoot::close));
    }
    return new Result(diffCase, plan, outcomes, discrepancies);
  }

  /**
   * The output columns that carry an avg or a float sum, which lanes may add in different orders,
   * with how far they may differ ({@link FloatSumBounds}), measured on the reference lane; empty
   * when none reaches the output unchanged.
   */
  private Map<Integer, Double> floatSumTolerances(
      ValidatedBundle built, RelPlan plan, Map<String, List<VectorSchemaRoot>> batches) {
    Optional<FloatSumBounds.Found> found = FloatSumBounds.find(built.bundle(), plan);
    if (found.isEmpty()) {
      return Map.of();
    }
    ValidatedBundle query =
        BundleValidator.validate(
            FloatSumBounds.toleranceQuery(built.bundle(), found.get()),
            "<float sum bounds>",
            Map.of());
    try (Relation measured =
        reference.runPlan(query.plans().get(0), query, DatasetSource.inMemory(batches), Map.of())) {
      return FloatSumBounds.tolerances(found.get(), measured.rows().get(0));
    }
  }

  private static void count(String lane, Outcome outcome) {
    String kind =
        outcome instanceof Outcome.Rows
            ? "ran"
            : outcome instanceof Outcome.Failed ? "ran (error)" : "not run";
    COUNTS.computeIfAbsent(lane + " " + kind, k -> new AtomicLong()).incrementAndGet();
    if (outcome instanceof Outcome.NotRun notRun) {
      COUNTS.computeIfAbsent(lane + " " + notRun.reason(), k -> new AtomicLong()).incrementAndGet();
    }
  }

  private List<VectorSchemaRoot> toBatches(List<Field> fields, List<List<Object>> rows) {
    RelSchema schema = new RelSchema(fields);
    List<VectorSchemaRoot> out = new ArrayList<>();
    int batchRows = 4;
    int start = 0;
    do {
      VectorSchemaRoot root = VectorSchemaRoot.create(schema.toArrow(), inputs);
      root.allocateNew();
      int end = Math.min(rows.size(), start + batchRows);
      for (int r = start; r < end; r++) {
        for (int c = 0; c < fields.size(); c++) {
          FieldVector vector = root.getVector(c);
          Values.write(vector, r - start, rows.get(r).get(c));
        }
      }
      for (FieldVector vector : root.getFieldVectors()) {
        vector.setValueCount(end - start);
      }
      root.setRowCount(end - start);
      out.add(root);
      start = end;
    } while (start < rows.size());
    return out;
  }

  private Outcome runReference(
      RelPlan plan, ValidatedBundle bundle, Map<String, List<VectorSchemaRoot>> batches) {
    try (Relation result =
        reference.runPlan(plan, bundle, DatasetSource.inMemory(batches), Map.of())) {
      return new Outcome.Rows(
          result.schema().fields().stream().map(Field::type).toList(), result.rows());
    } catch (RuntimeException e) {
      return new Outcome.Failed(errorText(e));
    }
  }

  private Outcome runSpark(RelPlan plan, DiffCase diffCase) {
    try {
      SparkSession session = spark();
      Map<String, Dataset<Row>> frames = new HashMap<>();
      for (DatasetSpec dataset : diffCase.bundle().datasets()) {
        List<Row> rows = new ArrayList<>();
        for (List<Object> values : diffCase.data().get(dataset.name())) {
          Object[] row = new Object[values.size()];
          for (int c = 0; c < row.length; c++) {
            row[c] = Canonical.toSpark(values.get(c), dataset.schema().get(c).type());
          }
          rows.add(RowFactory.create(row));
        }
        frames.put(
            dataset.name(), session.createDataFrame(rows, SparkTypes.toSpark(dataset.schema())));
      }
      Dataset<Row> result =
          new PlanCompiler(DatasetResolver.of(frames))
              .compile(plan.name(), plan.ops(), plan.params());
      List<DataType> types =
          SparkTypes.fromSpark(result.schema()).stream().map(Field::type).toList();
      List<List<Object>> rows = new ArrayList<>();
      for (Row row : result.collectAsList()) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < row.length(); i++) {
          values.add(Canonical.fromSpark(row.get(i)));
        }
        rows.add(Collections.unmodifiableList(values));
      }
      return new Outcome.Rows(types, rows);
    } catch (Exception e) {
      return new Outcome.Failed(errorText(e));
    }
  }

  private Outcome runDataFusion(RelPlan plan, Map<String, List<VectorSchemaRoot>> batches) {
    try (EngineSession session = datafusion.openSession(RuntimeProfile.DEFAULT, inputs)) {
      for (Map.Entry<String, List<VectorSchemaRoot>> entry : batches.entrySet()) {
        session.registerBatches(
            entry.getKey(), entry.getValue().get(0).getSchema(), entry.getValue());
      }
      PlanReport report = session.explain(plan);
      if (!report.fullyNative()) {
        List<String> ops =
            report.fallbacks().stream().map(Fallback::op).distinct().sorted().toList();
        return new Outcome.NotRun("fallback " + String.join(",", ops));
      }
      try (QueryResult result = session.execute(plan)) {
        List<List<Object>> rows = new ArrayList<>();
        for (VectorSchemaRoot batch : result.batches()) {
          for (int r = 0; r < batch.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector vector : batch.getFieldVectors()) {
              row.add(Values.read(vector, r));
            }
            rows.add(Collections.unmodifiableList(row));
          }
        }
        return new Outcome.Rows(plan.schema().fields().stream().map(Field::type).toList(), rows);
      }
    } catch (RuntimeException e) {
      return new Outcome.Failed(errorText(e));
    }
  }

  private static String errorText(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(e.getMessage());
    if (message.length() > 300) {
      message = message.substring(0, 300) + "...";
    }
    return e.getClass().getSimpleName()
        + ": "
        + message
        + (root != e ? " (cause " + root.getClass().getSimpleName() + ")" : "");
  }

  /** Compares each lane with the reference lane and with the plan's schema. */
  private static void compare(
      RelPlan plan,
      Map<String, Outcome> outcomes,
      List<String> discrepancies,
      Supplier<Map<Integer, Double>> floatSumTolerances) {
    Map<Integer, Double> tolerances = null;
    List<DataType> planTypes = plan.schema().fields().stream().map(Field::type).toList();
    Outcome reference = outcomes.get(REFERENCE);
    if (reference instanceof Outcome.Rows rows && !rows.types().equals(planTypes)) {
      discrepancies.add("reference types " + rows.types() + " != plan schema " + planTypes);
    }
    for (String lane : List.of(SPARK, DATAFUSION)) {
      Outcome other = outcomes.get(lane);
      if (other instanceof Outcome.NotRun) {
        continue;
      }
      if (other instanceof Outcome.Failed failed && reference instanceof Outcome.Rows) {
        String known = KnownIssues.explainFailure(lane, failed.error());
        if (known != null) {
          COUNTS
              .computeIfAbsent(lane + " known issue: " + known, k -> new AtomicLong())
              .incrementAndGet();
          continue;
        }
      }
      if (reference instanceof Outcome.Failed || other instanceof Outcome.Failed) {
        if (!(reference instanceof Outcome.Failed && other instanceof Outcome.Failed)) {
          discrepancies.add(lane + " " + describe(other) + " but reference " + describe(reference));
        }
        continue;
      }
      Outcome.Rows expected = (Outcome.Rows) reference;
      Outcome.Rows actual = (Outcome.Rows) other;
      if (!actual.types().equals(planTypes)) {
        discrepancies.add(lane + " types " + actual.types() + " != plan schema " + planTypes);
      }
      List<String> want = sortedRows(expected.rows());
      List<String> got = sortedRows(actual.rows());
      if (!want.equals(got)) {
        if (tolerances == null) {
          tolerances = floatSumTolerances.get();
        }
        if (!tolerances.isEmpty()
            && FloatSumBounds.equalWithin(expected.rows(), actual.rows(), tolerances)) {
          // equal but for the order of float additions, which the spec leaves open
          COUNTS
              .computeIfAbsent(
                  lane + " rows equal within the rounding of float sums", k -> new AtomicLong())
              .incrementAndGet();
          checkOrder(plan, lane, expected, actual, discrepancies);
          continue;
        }
        String known = KnownIssues.explain(lane, plan, expected.rows(), actual.rows());
        if (known != null) {
          COUNTS
              .computeIfAbsent(lane + " known issue: " + known, k -> new AtomicLong())
              .incrementAndGet();
          continue;
        }
        discrepancies.add(
            lane
                + " rows differ from reference: "
                + difference(want, got, lane)
                + (tolerances.isEmpty() ? "" : "; float sum tolerances by column " + tolerances));
      } else {
        checkOrder(plan, lane, expected, actual, discrepancies);
      }
    }
  }

  /** When the plan's ordering is explicit, the sequence of sort-key values must be the same. */
  private static void checkOrder(
      RelPlan plan,
      String lane,
      Outcome.Rows expected,
      Outcome.Rows actual,
      List<String> discrepancies) {
    if (!plan.ordering().isExplicit()) {
      return;
    }
    List<String> wantKeys = keySequence(plan, expected.rows());
    List<String> gotKeys = keySequence(plan, actual.rows());
    if (!wantKeys.equals(gotKeys)) {
      discrepancies.add(
          lane
              + " order of "
              + plan.ordering().describe()
              + " differs: reference "
              + wantKeys
              + ", "
              + lane
              + " "
              + gotKeys);
    }
  }

  private static String describe(Outcome outcome) {
    if (outcome instanceof Outcome.Rows rows) {
      return "returned " + rows.rows().size() + " rows";
    }
    if (outcome instanceof Outcome.Failed failed) {
      return "failed (" + failed.error() + ")";
    }
    return outcome.toString();
  }

  static List<String> sortedRows(List<List<Object>> rows) {
    List<String> rendered = new ArrayList<>();
    for (List<Object> row : rows) {
      rendered.add(Canonical.renderRow(row));
    }
    Collections.sort(rendered);
    return rendered;
  }

  private static String difference(List<String> want, List<String> got, String lane) {
    List<String> missing = new ArrayList<>(want);
    got.forEach(missing::remove);
    List<String> extra = new ArrayList<>(got);
    want.forEach(extra::remove);
    return "reference has "
        + want.size()
        + " rows, "
        + lane
        + " "
        + got.size()
        + "; only in reference "
        + limit(missing)
        + "; only in "
        + lane
        + " "
        + limit(extra);
  }

  private static List<String> limit(List<String> rows) {
    return rows.size() <= 8 ? rows : rows.subList(0, 8);
  }

  private static List<String> keySequence(RelPlan plan, List<List<Object>> rows) {
    List<Integer> indexes = new ArrayList<>();
    for (SortKey key : plan.ordering().keys()) {
      indexes.add(plan.schema().indexOf(key.column()));
    }
    List<String> keys = new ArrayList<>();
    for (List<Object> row : rows) {
      List<String> parts = new ArrayList<>();
      for (int index : indexes) {
        parts.add(Canonical.renderKey(row.get(index)));
      }
      keys.add(String.join("|", parts));
    }
    return keys;
  }

  @Override
  public void close() {
    reference.close();
    inputs.close();
  }
}
