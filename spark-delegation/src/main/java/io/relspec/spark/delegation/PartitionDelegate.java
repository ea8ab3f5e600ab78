package io.relspec.spark.delegation;

import io.relspec.datafusion.DataFusionEngine;
import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.PlanReport;
import io.relspec.datafusion.comet.CometEngine;
import io.relspec.datafusion.comet.KeyRangeSplit;
import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.SparkErrors;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.compile.SparkTypes;
import io.relspec.spark.run.RuleDelegate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.AliasIdentifier;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.optimizer.NormalizeNaNAndZero;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias$;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * Per-partition delegation inside Spark ({@link RuleDelegate} of {@code SparkRunner}): for the
 * rules the policy names, each {@link Segment} of partition-local ops runs in the Spark tasks on
 * the standalone DataFusion engine of datafusion-bridge (Comet 0.12.0 JNI, per-op fallback to the
 * reference lane). Spark compiles and runs everything else (scans, joins, aggregates, sorts,
 * limits) and the contract finalization, so ordering, signatures and contract handling are those of
 * the Spark lane. That holds on both Spark engines: on spark-datafusion, Comet runs what it
 * supports of the Spark plan around the delegated segments (scans, exchanges, joins) and the
 * manifest reports both.
 *
 * <p>Each delegated segment is visible in the rule's parsed and analyzed plans as {@code
 * SubqueryAlias relspec_delegated.<rule>.plan_<plan signature>.ops_<from>_<to>_<op names>}, as the
 * Spark UI's RDD name {@code relspec delegated rule ... plan ... ops[...]}, and in the manifest:
 * each delegated op with lane {@value #LANE} (native, translated) or {@value #FALLBACK_LANE}
 * (fallback inside the task, with the bridge's reason), plus one {@code delegate} transition entry
 * per segment with what its tasks counted.
 *
 * <p>One join is delegated too, where the files allow it: a rule that starts with an inner or semi
 * join of two Parquet inputs stored clustered by the join key runs its scans, the row-local ops
 * before the join and the join in one Spark task per key range, the engine reading the files itself
 * ({@link FileJoin}); Spark then runs the rest of the rule over those rows.
 *
 * <p>A segment that ends its rule and can hand its rows over in the output contract's canonical
 * sort (see {@link #canonicalOrder}) is range-partitioned instead of hash-partitioned, sorts its
 * rows in the task and states that partitioning and ordering on its plan leaf, so that Spark writes
 * the output without sampling, shuffling or sorting it again.
 */
public final class PartitionDelegate implements RuleDelegate {
  public static final String LANE = "datafusion-delegated";
  public static final String FALLBACK_LANE = "reference-delegated";
  public static final String MARKER = "relspec_delegated";
  private static final String SCAN_PREFIX = "__relspec_delegated_";
  private static final Pattern OP_PATH = Pattern.compile("^ops\\[(\\d+)\\]");

  private final SparkSession spark;
  private final DelegationPolicy policy;
  private final RuntimeProfile profile;
  private final DataFusionEngine engine = new CometEngine();
  private final Map<String, List<Accumulated>> byRule = new LinkedHashMap<>();

  public PartitionDelegate(SparkSession spark, DelegationPolicy policy, RuntimeProfile profile) {
    this.spark = spark;
    this.policy = policy;
    this.profile = profile;
  }

  /** The policy of the session's conf {@value DelegationPolicy#CONF} (none when unset). */
  public static PartitionDelegate fromConf(SparkSession spark, RuntimeProfile profile) {
    return new PartitionDelegate(
        spark, DelegationPolicy.parse(spark.conf().get(DelegationPolicy.CONF, "none")), profile);
  }

  /** Which rules this delegate serves. */
  public DelegationPolicy policy() {
    return policy;
  }

  @Override
  public void check(ValidatedBundle bundle, String engineName) {
    if (policy.none()) {
      return;
    }
    List<String> known = bundle.plans().stream().map(RelPlan::name).toList();
    List<String> unknown =
        policy.rules().stream().filter(r -> !known.contains(r)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw DelegationErrors.unknownRules(unknown, known);
    }
  }

  @Override
  public Map<String, String> versions() {
    if (policy.none()) {
      return Map.of();
    }
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("delegation", engine.name() + " per partition");
    versions.put("comet", "0.12.0");
    return versions;
  }

  /** What the tasks of a rule's delegated segments counted so far (zeros before the job ran). */
  public DelegationMetrics metrics(String rule) {
    DelegationMetrics total = DelegationMetrics.NONE;
    for (Accumulated segment : byRule.getOrDefault(rule, List.of())) {
      total = total.plus(segment.accumulators().read());
    }
    return total;
  }

  @Override
  public Optional<Delegated> compile(
      ValidatedBundle bundle, RelPlan plan, PlanCompiler compiler, DatasetResolver resolver) {
    if (!policy.applies(plan.name())) {
      return Optional.empty();
    }
    List<Op> ops = plan.ops();
    Optional<FileJoin> fileJoin = fileJoin(bundle, plan, resolver);
    List<Segment> segments = new ArrayList<>(Segment.split(ops));
    fileJoin.ifPresent(join -> segments.removeIf(segment -> segment.from() < join.end()));
    List<RunManifest.OpExecution> keptOnSpark = keptOnSpark(ops);
    if (segments.isEmpty() && fileJoin.isEmpty()) {
      if (keptOnSpark.isEmpty()) {
        return Optional.empty();
      }
      byRule.put(plan.name(), List.of());
      return Optional.of(new Delegated(compiler.compile(plan), () -> keptOnSpark));
    }
    Map<String, Dataset<Row>> delegated = new LinkedHashMap<>();
    DatasetResolver withDelegated =
        (dataset, where) -> {
          Dataset<Row> rows = delegated.get(dataset);
          return rows != null ? rows : resolver.resolve(dataset, where);
        };
    PlanCompiler local = new PlanCompiler(withDelegated);
    List<Accumulated> reports = new ArrayList<>();
    List<Op> pending = new ArrayList<>();
    int cursor = 0;
    if (fileJoin.isPresent()) {
      String name = SCAN_PREFIX + plan.name() + "_0";
      delegated.put(name, delegateFileJoin(plan, fileJoin.get(), reports));
      pending.add(Scan.of(name));
      cursor = fileJoin.get().end();
    }
    for (Segment segment : segments) {
      pending.addAll(ops.subList(cursor, segment.from()));
      Dataset<Row> before = local.compile(plan.name(), pending, plan.params());
      Dataset<Row> after = delegate(bundle, plan, segment, before, local, reports);
      String name = SCAN_PREFIX + plan.name() + "_" + segment.from();
      delegated.put(name, after);
      pending = new ArrayList<>(List.of(Scan.of(name)));
      cursor = segment.to();
    }
    pending.addAll(ops.subList(cursor, ops.size()));
    Dataset<Row> rows = local.compile(plan, pending);
    byRule.put(plan.name(), reports);
    return Optional.of(
        new Delegated(
            rows,
            () -> {
              List<RunManifest.OpExecution> all = new ArrayList<>(executions(reports));
              all.addAll(keptOnSpark);
              return all;
            }));
  }

  /** Manifest entries for the ops that could start a segment but stay on Spark, with why. */
  private static List<RunManifest.OpExecution> keptOnSpark(List<Op> ops) {
    List<RunManifest.OpExecution> out = new ArrayList<>();
    for (int i = 1; i < ops.size(); i++) {
      int index = i;
      Segment.notDelegated(ops.get(i))
          .ifPresent(
              why ->
                  out.add(
                      new RunManifest.OpExecution(
                          "ops[" + index + "]", ops.get(index).opName(), "native", "spark", why)));
    }
    return out;
  }

  /** A segment as compiled: the bridge's plan report and the tasks' counters. */
  private record Accumulated(
      Segment segment,
      String label,
      PlanReport report,
      DelegationMetrics.Accumulators accumulators,
      String sparkBelow,
      String partitioning,
      boolean aligned,
      boolean readsFiles) {}

  /**
   * The delegated segments of a compiled rule, top down: each segment's ops, what DataFusion runs
   * natively (the bridge's report and native plan) and the analyzed Spark plan whose rows feed it
   * (its leaf is the segment below, if any). Spark's own explain shows only the topmost segment as
   * {@code SubqueryAlias relspec_delegated...} over a {@code LogicalRDD}: the rows below it reach
   * the tasks through the RDD, whose name ({@code relspec delegated rule ...}) the UI shows.
   */
  public String explain(String rule) {
    List<Accumulated> segments = byRule.getOrDefault(rule, List.of());
    if (segments.isEmpty()) {
      return "rule " + rule + ": no delegated ops";
    }
    StringBuilder text = new StringBuilder();
    for (int i = segments.size() - 1; i >= 0; i--) {
      Accumulated segment = segments.get(i);
      text.append("== relspec delegated: rule ")
          .append(rule)
          .append(' ')
          .append(segment.label())
          .append(" (")
          .append(segment.partitioning())
          .append(")")
          .append(" ==\n")
          .append("DataFusion: ")
          .append(segment.report().summary())
          .append('\n');
      if (!segment.report().nativePlan().isEmpty()) {
        text.append(segment.report().nativePlan().strip()).append('\n');
      }
      text.append(segment.sparkBelow());
    }
    return text.toString();
  }

  private Dataset<Row> delegate(
      ValidatedBundle bundle,
      RelPlan plan,
      Segment segment,
      Dataset<Row> below,
      PlanCompiler compiler,
      List<Accumulated> reports) {
    List<Op> ops = plan.ops();
    String path = "rules[" + plan.name() + "].ops";
    RelSchema resolved =
        BundleValidator.resolvePipeline(bundle.bundle(), ops.subList(0, segment.from()), path);
    RelSchema output =
        BundleValidator.resolvePipeline(bundle.bundle(), ops.subList(0, segment.to()), path);
    List<String> columns = Arrays.asList(below.columns());
    if (!columns.equals(resolved.names())) {
      throw DelegationErrors.schemaMismatch(
          plan.name(), "ops[" + segment.from() + "]", resolved.names(), columns);
    }
    Optional<IntervalAlign> align = segment.align(ops);
    // an interval_align segment's left columns that no op of it reads and a project in it drops
    // (the CPG bundle's name_refs.name) are neither shuffled nor turned into Arrow, as Spark's
    // optimizer prunes them
    Optional<Set<String>> used =
        align.isPresent()
            ? KeyRangeSplit.columnsUsedBy(ops.subList(segment.from(), segment.to()))
            : Optional.empty();
    List<Field> kept = used.map(u -> readFields(resolved, u)).orElse(resolved.fields());
    RelSchema input = kept.size() < resolved.fields().size() ? new RelSchema(kept) : resolved;
    Dataset<Row> before =
        input == resolved
            ? below
            : below.select(kept.stream().map(f -> below.col(f.name())).toArray(Column[]::new));
    Dataset<Row> rows = before;
    int partitions = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions"));
    RelSchema rightSchema = null;
    Dataset<Row> right = null;
    String partitioning = "row-local";
    // the output contract's canonical sort when the segment can hand its rows over in that order
    Optional<List<SortKey>> sorted = Optional.empty();
    RangeBuckets buckets = null;
    if (align.isPresent()) {
      // both sides hash-partitioned by the on keys (cast to their common type, floats normalized)
      // into the same number of partitions: equal keys meet in partitions of the same index; or,
      // when the rows can leave in the output contract's canonical sort, partitioned by ranges of
      // its first key (also an on key) with bounds both sides share (RangeBuckets)
      IntervalAlign alignment = align.get();
      sorted = canonicalOrder(bundle, plan, segment, output);
      String rightPath = path + "[" + segment.from() + "].right.ops";
      rightSchema =
          BundleValidator.resolvePipeline(bundle.bundle(), alignment.right().ops(), rightPath);
      right = compiler.compile(plan.name(), alignment.right().ops(), plan.params());
      List<String> rightColumns = Arrays.asList(right.columns());
      if (!rightColumns.equals(rightSchema.names())) {
        throw DelegationErrors.schemaMismatch(
            plan.name(), "ops[" + segment.from() + "].right", rightSchema.names(), rightColumns);
      }
      List<Column> leftKeys = new ArrayList<>();
      List<Column> rightKeys = new ArrayList<>();
      // the on key the rows are range-partitioned by, if any (an index into on)
      int rangeKey = -1;
      for (EquiKey key : alignment.on()) {
        DataType lt = input.field(key.left()).orElseThrow().type();
        DataType rt = rightSchema.field(key.right()).orElseThrow().type();
        DataType common =
            TypeRules.commonType(lt, rt)
                .orElseThrow(
                    () ->
                        DelegationErrors.schemaMismatch(
                            plan.name(),
                            "ops[" + segment.from() + "].on",
                            List.of(key.left() + ": " + lt),
                            List.of(key.right() + ": " + rt)));
        leftKeys.add(partitionKey(before.col(key.left()), lt, common));
        rightKeys.add(partitionKey(right.col(key.right()), rt, common));
        if (sorted.isPresent()
            && sorted.get().get(0).column().equals(key.left())
            && rangeable(common)) {
          rangeKey = alignment.on().indexOf(key);
        }
      }
      if (rangeKey >= 0) {
        EquiKey key = alignment.on().get(rangeKey);
        Column leftKey = leftKeys.get(rangeKey);
        Column rightKey = rightKeys.get(rangeKey);
        buckets =
            RangeBuckets.sample(before.select(leftKey.as("key")), sorted.get().get(0), partitions);
        rows = before.repartition(partitions, buckets.bucket(leftKey));
        right = right.repartition(partitions, buckets.bucket(rightKey));
        partitioning =
            "left and right co-partitioned by ranges of "
                + key.left()
                + "="
                + key.right()
                + " into "
                + partitions
                + " partitions ("
                + buckets.ranges()
                + " ranges, bounds sampled from the left), whole partition pairs, each sorted by"
                + " the canonical sort of contract '"
                + bundle.output(plan.output()).orElseThrow().contract().name()
                + "' ("
                + io.relspec.ir.plan.Ordering.explicit(sorted.get()).describe()
                + "), which Spark's finalization then keeps without an exchange or a sort";
      } else {
        rows = before.repartition(partitions, leftKeys.toArray(Column[]::new));
        right = right.repartition(partitions, rightKeys.toArray(Column[]::new));
        partitioning =
            "left and right co-partitioned by on keys "
                + alignment.on().stream().map(k -> k.left() + "=" + k.right()).toList()
                + " into "
                + partitions
                + " partitions, whole partition pairs";
      }
    } else if (segment.keyed()) {
      Column[] keys =
          segment.keys().stream()
              .map(
                  k -> {
                    DataType type = input.field(k).orElseThrow().type();
                    return partitionKey(before.col(k), type, type);
                  })
              .toArray(Column[]::new);
      rows = before.repartition(partitions, keys);
      partitioning =
          "hash-partitioned by "
              + segment.keys()
              + " into "
              + partitions
              + " partitions, whole partitions";
    }
    List<Op> pipeline = new ArrayList<>();
    pipeline.add(Scan.of(Fragment.INPUT));
    pipeline.addAll(segment.of(ops));
    if (buckets != null) {
      pipeline.add(new Sort(sorted.get()));
    }
    if (align.isPresent()) {
      IntervalAlign a = align.get();
      pipeline.set(
          1,
          new IntervalAlign(
              new Pipeline(List.of(Scan.of(Fragment.RIGHT))),
              a.on(),
              a.leftSpan(),
              a.rightSpan(),
              a.mode(),
              a.how(),
              a.selectRight(),
              a.tieBreakers(),
              a.matchMeta()));
    }
    Fragment fragment =
        new Fragment(
            new Pipeline(pipeline),
            plan.params(),
            input,
            output,
            rightSchema,
            // one native plan and one thread per task: Spark runs a task per core already
            profile.withTargetPartitions(1));
    PlanReport report = explain(fragment);
    String label = "plan " + plan.planSignature() + " " + segment.describe(ops);
    DelegationMetrics.Accumulators accumulators =
        DelegationMetrics.Accumulators.register(
            spark.sparkContext(), "relspec.delegated." + plan.name() + ".ops" + segment.from());
    String sparkBelow =
        (right == null ? "Spark rows in:\n" : "Spark rows in (left):\n")
            + rows.queryExecution().analyzed()
            + (right == null ? "" : "Spark rows in (right):\n" + right.queryExecution().analyzed());
    reports.add(
        new Accumulated(
            segment, label, report, accumulators, sparkBelow, partitioning, right != null, false));
    StructType outputType = nullable(SparkTypes.toSpark(output.fields()));
    PartitionRunner runner =
        new PartitionRunner(
            fragment.toBytes(),
            "'" + plan.name() + "' (plan " + plan.planSignature().substring(0, 12) + ")",
            segment.describe(ops),
            segment.keyed(),
            accumulators);
    RDD<InternalRow> delegated =
        right == null
            ? lazyRdd(rows).toJavaRDD().mapPartitions(runner).rdd()
            : lazyRdd(rows).toJavaRDD().zipPartitions(lazyRdd(right).toJavaRDD(), runner).rdd();
    delegated.setName("relspec delegated rule " + plan.name() + " " + label);
    Dataset<Row> frame = spark.internalCreateDataFrame(delegated, outputType, false);
    if (buckets != null) {
      frame = rangeSorted(frame, buckets, sorted.get());
    }
    return marked(plan, segment, frame);
  }

  /**
   * A rule's ops from its first scan through its first join, when the join's two sides are Parquet
   * datasets stored clustered by the join key: each Spark task runs one key range of them natively,
   * the engine reading the files itself ({@link KeyRangeSplit}).
   *
   * @param end one past the join's index
   * @param split the pipelines of the ranges
   * @param explained the bridge's report of the ops (unsplit)
   * @param output the columns the ranges hand to Spark
   * @param files the two datasets
   * @param locations their directories
   */
  private record FileJoin(
      int end,
      KeyRangeSplit split,
      PlanReport explained,
      RelSchema output,
      Map<String, DatasetSpec> files,
      Map<String, String> locations) {}

  /**
   * The rule's {@link FileJoin}, if its ops start with a scan, row-local ops (filter, project,
   * derive, param) and an inner or semi join whose right side is a scan and such ops, both scans
   * read declared Parquet inputs that Spark lists from one local directory each, the key ranges pay
   * ({@link KeyRangeSplit#of}), and every one of those ops runs natively.
   */
  private Optional<FileJoin> fileJoin(
      ValidatedBundle bundle, RelPlan plan, DatasetResolver resolver) {
    List<Op> ops = plan.ops();
    int join = 1;
    while (join < ops.size()
        && !(ops.get(join) instanceof Join)
        && Segment.rowLocal(ops.get(join))
        && !(ops.get(join) instanceof io.relspec.ir.op.Explode)) {
      join++;
    }
    if (join >= ops.size()
        || !(ops.get(0) instanceof Scan left)
        || !(ops.get(join) instanceof Join joined)
        || joined.right().ops().isEmpty()
        || !(joined.right().ops().get(0) instanceof Scan right)) {
      return Optional.empty();
    }
    Map<String, DatasetSpec> specs = new LinkedHashMap<>();
    Map<String, java.nio.file.Path> paths = new LinkedHashMap<>();
    List<Scan> scans = List.of(left, right);
    // where as the compiler says it, for the resolver's errors (a missing input)
    List<String> scanPaths = List.of("ops[0]", "ops[" + join + "].right.ops[0]");
    for (int s = 0; s < scans.size(); s++) {
      Scan scan = scans.get(s);
      Optional<DatasetSpec> spec = bundle.bundle().dataset(scan.dataset());
      if (spec.isEmpty()) {
        return Optional.empty(); // another rule's output
      }
      Optional<java.nio.file.Path> location =
          localDirectory(
              resolver.resolve(scan.dataset(), SparkErrors.at(plan.name(), scanPaths.get(s))));
      if (location.isEmpty()) {
        return Optional.empty();
      }
      specs.put(scan.dataset(), spec.get());
      paths.put(scan.dataset(), location.get());
    }
    // one session registers both inputs (their footers read once), splits the join and
    // reports which ops run natively
    try (BufferAllocator allocator = new RootAllocator();
        EngineSession session = engine.openSession(profile, allocator)) {
      for (Map.Entry<String, DatasetSpec> spec : specs.entrySet()) {
        session.registerParquet(spec.getValue(), paths.get(spec.getKey()), List::of);
      }
      int partitions = spark.sparkContext().defaultParallelism();
      Optional<KeyRangeSplit> split = KeyRangeSplit.of(session, ops, join, partitions);
      if (split.isEmpty()) {
        return Optional.empty();
      }
      // only the columns the rest of the rule reads leave the tasks
      String path = "rules[" + plan.name() + "].ops";
      RelSchema joinedSchema =
          BundleValidator.resolvePipeline(bundle.bundle(), ops.subList(0, join + 1), path);
      Optional<Set<String>> used = KeyRangeSplit.columnsUsedBy(ops.subList(join + 1, ops.size()));
      Optional<Project> pruned = Optional.empty();
      RelSchema output = joinedSchema;
      if (used.isPresent()) {
        List<Field> kept = readFields(joinedSchema, used.get());
        if (kept.size() < joinedSchema.fields().size()) {
          pruned =
              Optional.of(
                  new Project(
                      kept.stream()
                          .map(f -> new Project.Column(f.name(), new ColumnRef(f.name())))
                          .toList()));
          output = new RelSchema(kept);
        }
      }
      List<Pipeline> pipelines = new ArrayList<>();
      for (Pipeline range : split.get().pipelines()) {
        List<Op> rangeOps = new ArrayList<>(range.ops());
        pruned.ifPresent(rangeOps::add);
        pipelines.add(new Pipeline(rangeOps));
      }
      List<Op> unsplit = new ArrayList<>(ops.subList(0, join + 1));
      pruned.ifPresent(unsplit::add);
      PlanReport explained = session.explain(new Pipeline(unsplit), plan.params());
      if (!explained.fullyNative()) {
        return Optional.empty();
      }
      Map<String, String> locations = new LinkedHashMap<>();
      paths.forEach((name, dir) -> locations.put(name, dir.toString()));
      return Optional.of(
          new FileJoin(
              join + 1,
              new KeyRangeSplit(pipelines, split.get().description()),
              explained,
              output,
              specs,
              locations));
    }
  }

  /**
   * The fields of {@code schema} that {@code used} names, in order; the first alone when it names
   * none (rows are still counted: one column carries them).
   */
  private static List<Field> readFields(RelSchema schema, Set<String> used) {
    List<Field> kept = schema.fields().stream().filter(f -> used.contains(f.name())).toList();
    return kept.isEmpty() ? schema.fields().subList(0, 1) : kept;
  }

  /**
   * The one local directory Spark lists a dataset's files from: the root path of the file index of
   * the rows' only relation.
   */
  private static Optional<java.nio.file.Path> localDirectory(Dataset<Row> rows) {
    List<LogicalPlan> leaves =
        JavaConverters.seqAsJavaList(rows.queryExecution().analyzed().collectLeaves());
    if (leaves.size() != 1
        || !(leaves.get(0) instanceof LogicalRelation relation)
        || !(relation.relation() instanceof HadoopFsRelation files)) {
      return Optional.empty();
    }
    List<org.apache.hadoop.fs.Path> roots =
        JavaConverters.seqAsJavaList(files.location().rootPaths());
    if (roots.size() != 1) {
      return Optional.empty();
    }
    java.net.URI uri = roots.get(0).toUri();
    if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
      return Optional.empty();
    }
    return Optional.of(java.nio.file.Path.of(uri.getPath()));
  }

  /** The rows of a {@link FileJoin}: one Spark task per key range, no Spark rows in. */
  private Dataset<Row> delegateFileJoin(RelPlan plan, FileJoin join, List<Accumulated> reports) {
    Segment segment = new Segment(0, join.end(), List.of());
    List<Op> ops = plan.ops();
    Fragment fragment =
        new Fragment(
            join.split().pipelines().get(0),
            plan.params(),
            null,
            join.output(),
            null,
            // each task runs its range as one native plan: the tasks are the parallelism
            profile.withTargetPartitions(1),
            join.split().pipelines(),
            join.files(),
            join.locations());
    String label = "plan " + plan.planSignature() + " " + segment.describe(ops);
    DelegationMetrics.Accumulators accumulators =
        DelegationMetrics.Accumulators.register(
            spark.sparkContext(), "relspec.delegated." + plan.name() + ".ops0");
    int ranges = join.split().pipelines().size();
    String partitioning =
        join.split().description()
            + "; one Spark task per range, each a native execution that reads the Parquet files"
            + " itself (no Spark rows in)";
    reports.add(
        new Accumulated(
            segment,
            label,
            join.explained(),
            accumulators,
            "Spark rows in: none; the tasks read " + join.locations() + "\n",
            partitioning,
            false,
            true));
    PartitionRunner runner =
        new PartitionRunner(
            fragment.toBytes(),
            "'" + plan.name() + "' (plan " + plan.planSignature().substring(0, 12) + ")",
            segment.describe(ops),
            true,
            accumulators);
    List<Integer> indexes = new ArrayList<>();
    for (int p = 0; p < ranges; p++) {
      indexes.add(p);
    }
    RDD<InternalRow> rows =
        new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
            .parallelize(indexes, ranges)
            .mapPartitions(runner.overRanges())
            .rdd();
    rows.setName("relspec delegated rule " + plan.name() + " " + label);
    Dataset<Row> frame =
        spark.internalCreateDataFrame(
            rows, nullable(SparkTypes.toSpark(join.output().fields())), false);
    return marked(plan, segment, frame);
  }

  /**
   * The canonical sort of the rule's output contract when a paired segment can hand its rows over
   * in that order, so that Spark's finalization needs no exchange or sort of its own: the segment
   * ends the rule, the rule is its output's only one (rules' rows are unioned), the first sort
   * column is an {@code on} key that reaches the segment's end unchanged, and every sort column
   * leaves the segment in the contract's type (finalization then passes it on uncast). The caller
   * ranges by that key only when both sides compare it in a type whose ranges Spark and the engines
   * agree on ({@link #rangeable}).
   */
  private static Optional<List<SortKey>> canonicalOrder(
      ValidatedBundle bundle, RelPlan plan, Segment segment, RelSchema output) {
    if (segment.to() != plan.ops().size()) {
      return Optional.empty();
    }
    Optional<OutputPlan> out = bundle.output(plan.output());
    if (out.isEmpty() || out.get().rules().size() != 1) {
      return Optional.empty();
    }
    ContractSpec contract = out.get().contract();
    List<SortKey> keys = contract.canonicalSort();
    if (keys.isEmpty() || !segment.intactKeys(plan.ops()).contains(keys.get(0).column())) {
      return Optional.empty();
    }
    for (SortKey key : keys) {
      Optional<Field> produced = output.field(key.column());
      Optional<Field> wanted = contract.column(key.column());
      if (produced.isEmpty()
          || wanted.isEmpty()
          || !produced.get().type().equals(wanted.get().type())) {
        return Optional.empty();
      }
    }
    return Optional.of(keys);
  }

  /** Strings, integers, dates and timestamps: no float, whose -0.0 and NaN Spark ranges apart. */
  private static boolean rangeable(DataType type) {
    return type == PrimitiveType.STRING
        || type == PrimitiveType.INT8
        || type == PrimitiveType.INT16
        || type == PrimitiveType.INT32
        || type == PrimitiveType.INT64
        || type == PrimitiveType.DATE32
        || type == PrimitiveType.TIMESTAMP_US;
  }

  /**
   * The delegated rows as Spark may rely on them: range-partitioned by the first sort column and
   * sorted by every one within each partition (the segment's own sort), stated on the plan's leaf
   * so that a later sort by the same keys plans no exchange and no sort.
   */
  private Dataset<Row> rangeSorted(Dataset<Row> frame, RangeBuckets buckets, List<SortKey> keys) {
    LogicalRDD rows = (LogicalRDD) frame.logicalPlan();
    List<Attribute> output = JavaConverters.seqAsJavaList(rows.output());
    List<SortOrder> ordering = new ArrayList<>();
    for (SortKey key : keys) {
      ordering.add(RangeBuckets.sortOrder(attribute(output, key.column()), key));
    }
    LogicalRDD declared =
        new LogicalRDD(
            rows.output(),
            rows.rdd(),
            buckets.partitioning(attribute(output, keys.get(0).column())),
            JavaConverters.asScalaBuffer(ordering).toList(),
            false,
            spark,
            scala.Option.empty(),
            scala.Option.empty());
    return Dataset.ofRows(spark, declared);
  }

  private static Attribute attribute(List<Attribute> output, String name) {
    return output.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
  }

  /**
   * The rows' RDD without running anything: adaptive execution, when on, runs a plan's shuffle
   * stages as soon as its RDD is asked for (to re-plan with their statistics), which would run the
   * rows below a keyed segment at compile time. Their plan is made with it off; the plans above the
   * delegated segment still run adaptively.
   */
  private RDD<InternalRow> lazyRdd(Dataset<Row> rows) {
    String key = "spark.sql.adaptive.enabled";
    String before = spark.conf().get(key, null);
    spark.conf().set(key, "false");
    try {
      return rows.queryExecution().toRdd();
    } finally {
      if (before == null) {
        spark.conf().unset(key);
      } else {
        spark.conf().set(key, before);
      }
    }
  }

  /**
   * A key as Spark hashes it to pick a partition: cast to the type both sides compare in (an int32
   * and an int64 of equal value hash differently), floats normalized (-0.0 as 0.0, every NaN one
   * value) as the engines compare them.
   */
  private static Column partitionKey(Column column, DataType type, DataType common) {
    Column key = type.equals(common) ? column : column.cast(SparkTypes.toSpark(common));
    if (common == PrimitiveType.FLOAT32 || common == PrimitiveType.FLOAT64) {
      key = new Column(new NormalizeNaNAndZero(key.expr()));
    }
    return key;
  }

  /**
   * The delegated rows under the segment's marker: {@code SubqueryAlias
   * relspec_delegated.<rule>.plan_<signature>.ops_<from>_<to>_<op names>}.
   */
  private Dataset<Row> marked(RelPlan plan, Segment segment, Dataset<Row> frame) {
    return Dataset.ofRows(
        spark,
        SubqueryAlias$.MODULE$.apply(
            new AliasIdentifier(
                aliasName(segment, plan.ops()),
                JavaConverters.asScalaBuffer(
                        List.of(MARKER, plan.name(), "plan_" + plan.planSignature()))
                    .toList()),
            frame.logicalPlan()));
  }

  /** {@code ops_3_4_dedupe_project}. */
  private static String aliasName(Segment segment, List<Op> ops) {
    StringBuilder name =
        new StringBuilder("ops_").append(segment.from()).append('_').append(segment.to() - 1);
    for (Op op : segment.of(ops)) {
      name.append('_').append(op.opName());
    }
    return name.toString();
  }

  /** Which ops run natively, from the bridge's own planner (nothing is executed). */
  private PlanReport explain(Fragment fragment) {
    try (BufferAllocator allocator = new RootAllocator();
        EngineSession session = engine.openSession(profile, allocator)) {
      session.registerBatches(Fragment.INPUT, fragment.input().toArrow(), List.of());
      if (fragment.paired()) {
        session.registerBatches(Fragment.RIGHT, fragment.right().toArrow(), List.of());
      }
      return session.explain(fragment.pipeline(), fragment.params());
    }
  }

  /** Rows from the engine may hold nulls wherever Arrow has a validity buffer. */
  private static StructType nullable(StructType type) {
    StructField[] fields = type.fields();
    StructField[] out = new StructField[fields.length];
    for (int i = 0; i < fields.length; i++) {
      out[i] = new StructField(fields[i].name(), fields[i].dataType(), true, fields[i].metadata());
    }
    return new StructType(out);
  }

  /** The manifest entries of a rule's delegated segments, read after the output was written. */
  private static List<RunManifest.OpExecution> executions(List<Accumulated> segments) {
    List<RunManifest.OpExecution> out = new ArrayList<>();
    for (Accumulated accumulated : segments) {
      Segment segment = accumulated.segment();
      out.add(
          new RunManifest.OpExecution(
              "ops[" + segment.from() + ".." + (segment.to() - 1) + "]",
              "delegate",
              "transition",
              "spark->" + LANE,
              (segment.keyed() || accumulated.readsFiles()
                      ? accumulated.partitioning() + "; "
                      : "row-local, chunks of up to "
                          + PartitionRunner.CHUNK_BATCHES
                          + " batches; ")
                  + accumulated.accumulators().read().describe()));
      for (RunManifest.OpExecution op : accumulated.report().executions()) {
        Matcher m = OP_PATH.matcher(op.path());
        if (!m.find()) {
          continue;
        }
        int index = Integer.parseInt(m.group(1));
        boolean fallback = op.mode().equals("fallback");
        if (accumulated.readsFiles()) {
          // the rule's own ops from its first scan; the project after them keeps the columns
          // the rest of the rule reads
          if (index < segment.to()) {
            out.add(
                new RunManifest.OpExecution(
                    op.path(),
                    op.op(),
                    op.mode(),
                    fallback ? FALLBACK_LANE : LANE,
                    "inside the Spark task of each key range: " + op.reason()));
          }
          continue;
        }
        if (index == 0) {
          continue; // the scan of the partition's rows
        }
        if (index == 1 && accumulated.aligned() && !op.path().substring(m.end()).isEmpty()) {
          continue; // the scan of the right partition's rows (the right pipeline ran on Spark)
        }
        if (segment.from() + index - 1 >= segment.to()) {
          // the sort appended for the contract's canonical sort (rangeSorted)
          out.add(
              new RunManifest.OpExecution(
                  "canonicalSort",
                  op.op(),
                  op.mode(),
                  fallback ? FALLBACK_LANE : LANE,
                  "the output contract's canonical sort, per range partition inside the Spark"
                      + " task"
                      + (fallback ? ": " + op.reason() : "")));
          continue;
        }
        String path = "ops[" + (segment.from() + index - 1) + "]" + op.path().substring(m.end());
        out.add(
            new RunManifest.OpExecution(
                path,
                op.op(),
                op.mode(),
                fallback ? FALLBACK_LANE : LANE,
                fallback ? "inside the Spark task: " + op.reason() : op.reason()));
      }
    }
    return out;
  }
}
