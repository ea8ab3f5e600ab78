package io.relspec.bench.datafusion;

import io.relspec.bench.harness.RuleLane;
import io.relspec.bench.harness.SideBySide;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.run.StagedOutputs;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.datagen.AnalyticsGenerator;
import io.relspec.spark.datagen.CpgGenerator;
import io.relspec.spark.delegation.DelegationPolicy;
import io.relspec.spark.delegation.PartitionDelegate;
import io.relspec.spark.engine.SparkEngine;
import io.relspec.spark.run.InputReader;
import io.relspec.spark.run.RuleDelegate;
import io.relspec.spark.run.SparkRunner;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;

/**
 * Vanilla Spark against Spark with DataFusion (Comet 0.12.0) on the same generated data, side by
 * side in one JVM and one SparkSession (Comet is switched per run with {@code
 * spark.comet.enabled}): filter + aggregate and join + aggregate rules over the analytics tables,
 * and a CPG-style bundle (interval_align + dedupe, contract finalization and Parquet write). Extra
 * lanes (the standalone DataFusion engine) join through {@link RuleLane#discovered()}; lane {@code
 * spark-delegated} is vanilla Spark with per-partition delegation (spark-delegation), lane {@code
 * spark-datafusion-delegated} the same with Comet on for the rest of the plan: in the CPG case the
 * whole {@code interval_align, project, dedupe} runs per pair of partitions of both sides,
 * co-partitioned by {@code path}. Each such task holds its two partitions as Arrow (about 1/8 of
 * each side with the 8 shuffle partitions here) plus DataFusion's join and sort state outside the
 * heap.
 *
 * <p>Arguments: {@code [orders (default 10000000)] [data dir (default bench/target/data)]}. System
 * properties: {@code relspec.bench.iterations} (5), {@code relspec.bench.warmups} (1), {@code
 * relspec.bench.cpgRows} (name references, default orders / 5), {@code relspec.bench.offHeap}
 * (Comet's off-heap bytes, default 2 GiB), {@code relspec.bench.name} (results file name, default
 * {@code datafusion-lanes}), {@code relspec.bench.lanes} (comma-separated lane names to run besides
 * the baseline {@code spark}; default all) and {@code relspec.bench.cases} (comma-separated words
 * of {@code filter}, {@code join}, {@code interval}; default all).
 */
public final class DataFusionLanesBenchmark {
  static final String VANILLA = "spark";
  static final String COMET = "spark-datafusion";
  static final String DELEGATED = "spark-delegated";
  static final String COMET_DELEGATED = "spark-datafusion-delegated";

  private DataFusionLanesBenchmark() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    Path dataRoot = Path.of(args.length > 1 ? args[1] : "bench/target/data").toAbsolutePath();
    long cpgRows = Long.getLong("relspec.bench.cpgRows", Math.max(1, rows / 5));
    int iterations = Integer.getInteger("relspec.bench.iterations", 5);
    int warmups = Integer.getInteger("relspec.bench.warmups", 1);
    long offHeap = Long.getLong("relspec.bench.offHeap", 2L << 30);

    SparkSession.Builder builder =
        SparkSession.builder()
            .master(System.getProperty("relspec.bench.master", "local[2]"))
            .appName("relspec-bench-datafusion")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1");
    SparkSession spark = SparkEngine.SPARK_DATAFUSION.configure(builder, offHeap).getOrCreate();
    spark.sparkContext().setLogLevel("WARN");

    Path data = dataRoot.resolve("lanes-" + rows + "-" + cpgRows);
    if (!Files.exists(data.resolve("_GENERATED"))) {
      SparkLane.set(spark, false);
      AnalyticsGenerator.write(spark, rows, 42, data.resolve("analytics"));
      CpgGenerator.write(spark, cpgRows, 42, data.resolve("cpg"));
      Files.writeString(data.resolve("_GENERATED"), "orders=" + rows + " cpg=" + cpgRows + "\n");
    }
    ValidatedBundle analytics = bundle(data, "datafusion-lanes.json");
    ValidatedBundle cpg = bundle(data, "datafusion-lanes-cpg.json");

    List<RuleLane> lanes = new ArrayList<>();
    lanes.add(new SparkLane(spark, false));
    lanes.add(new SparkLane(spark, true));
    lanes.add(new DelegatedLane(spark, false, RuntimeProfile.DEFAULT));
    lanes.add(new DelegatedLane(spark, true, RuntimeProfile.DEFAULT));
    lanes.addAll(RuleLane.discovered());
    // optional filters for a shorter run: lanes by name (the baseline spark always stays), cases by
    // a word of their name (filter, join, interval)
    List<String> onlyLanes = listProperty("relspec.bench.lanes");
    List<String> onlyCases = listProperty("relspec.bench.cases");
    if (!onlyLanes.isEmpty()) {
      lanes.removeIf(lane -> !lane.name().equals(VANILLA) && !onlyLanes.contains(lane.name()));
    }

    SideBySide bench =
        new SideBySide(
                System.getProperty("relspec.bench.name", "datafusion-lanes"), warmups, iterations)
            .note("orders", rows)
            .note("order_items", rows * 2)
            .note("name_refs", cpgRows)
            .note("master", spark.sparkContext().master())
            .note("comet", SparkEngine.COMET_VERSION + ", off-heap " + offHeap + " bytes")
            .note(
                "setup",
                "one SparkSession started with Comet's plugin, extensions and shuffle manager;"
                    + " lanes spark and spark-delegated run with spark.comet.enabled=false;"
                    + " spark-delegated runs the partition-local ops of every rule on the"
                    + " standalone DataFusion engine inside the Spark tasks (spark-delegation);"
                    + " spark-datafusion-delegated does the same with Comet on for the rest of"
                    + " the Spark plan;"
                    + " in the cpg case interval_align, project and dedupe are one delegated"
                    + " segment over name_refs and symbol_occurrences co-partitioned by path"
                    + " (spark.sql.shuffle.partitions pairs, one native execution each);"
                    + " the generated orders and order_items are written in order_id order, so in"
                    + " the join case the standalone engine splits its plans by ranges of"
                    + " order_id and the delegated lanes read both tables per key range in the"
                    + " Spark tasks, one task per core (KeyRangeSplit)")
            .note("lanes", lanes.stream().map(RuleLane::name).toList());
    Path out = Path.of("bench", "target", "out").toAbsolutePath();
    if (wanted(onlyCases, "filter")) {
      bench.addCase(
          "filter+aggregate (orders)",
          VANILLA,
          perLane(lanes, lane -> () -> lane.runRule(analytics, "filter_aggregate", data)));
    }
    if (wanted(onlyCases, "join")) {
      bench.addCase(
          "join+aggregate (order_items x orders)",
          VANILLA,
          perLane(lanes, lane -> () -> lane.runRule(analytics, "join_aggregate", data)));
    }
    if (wanted(onlyCases, "interval")) {
      bench.addCase(
          "interval_align+dedupe bundle (cpg, finalized + written)",
          VANILLA,
          perLane(lanes, lane -> () -> lane.runBundle(cpg, data, out.resolve(lane.name()))));
    }

    for (SideBySide.CaseResult result : bench.run(Path.of("bench", "results"))) {
      StringBuilder line = new StringBuilder(result.name()).append(':');
      for (String lane : result.millis().keySet()) {
        line.append(
            String.format(
                Locale.ROOT,
                " %s %.0f ms (%.2fx faster than spark)",
                lane,
                result.median(lane),
                1 / result.ratio(lane)));
      }
      System.out.println(line);
    }
    for (RuleLane lane : lanes) {
      lane.close();
    }
    spark.stop();
  }

  private static List<String> listProperty(String name) {
    String value = System.getProperty(name, "").trim();
    return value.isEmpty() ? List.of() : List.of(value.split("\\s*,\\s*"));
  }

  private static boolean wanted(List<String> cases, String word) {
    return cases.isEmpty() || cases.contains(word);
  }

  private interface LaneWork {
    Callable<Long> of(RuleLane lane);
  }

  private static Map<String, Callable<Long>> perLane(List<RuleLane> lanes, LaneWork work) {
    Map<String, Callable<Long>> byLane = new LinkedHashMap<>();
    lanes.forEach(lane -> byLane.put(lane.name(), work.of(lane)));
    return byLane;
  }

  /** A bundle from the bench's resources, validated as if it sat in the data directory. */
  private static ValidatedBundle bundle(Path data, String name) throws Exception {
    Path file = data.resolve(name);
    try (InputStream in =
            DataFusionLanesBenchmark.class.getResourceAsStream("/io/relspec/bench/" + name);
        OutputStream copy = Files.newOutputStream(file)) {
      in.transferTo(copy);
    }
    return BundleValidator.validate(BundleReader.read(file), file.toString(), Map.of());
  }

  /**
   * Spark with every rule's partition-local ops delegated per partition to the standalone
   * DataFusion engine (module spark-delegation): on vanilla Spark (Comet off), or with Comet on for
   * the rest of the Spark plan.
   */
  static final class DelegatedLane implements RuleLane {
    private final SparkSession spark;
    private final boolean comet;
    private final RuntimeProfile profile;

    DelegatedLane(SparkSession spark, boolean comet, RuntimeProfile profile) {
      this.spark = spark;
      this.comet = comet;
      this.profile = profile;
    }

    @Override
    public String name() {
      return comet ? COMET_DELEGATED : DELEGATED;
    }

    @Override
    public long runRule(ValidatedBundle bundle, String rule, Path data) {
      SparkLane.set(spark, comet);
      RelPlan plan = bundle.plan(rule).orElseThrow();
      DatasetResolver resolver =
          (dataset, where) ->
              InputReader.read(spark, bundle.bundle().dataset(dataset).orElseThrow(), data, where);
      PlanCompiler compiler = new PlanCompiler(resolver);
      return new PartitionDelegate(spark, DelegationPolicy.ALL, profile)
          .compile(bundle, plan, compiler, resolver)
          .map(RuleDelegate.Delegated::rows)
          .orElseGet(() -> compiler.compile(plan))
          .collectAsList()
          .size();
    }

    @Override
    public long runBundle(ValidatedBundle bundle, Path data, Path out) {
      SparkLane.set(spark, comet);
      StagedOutputs.deleteRecursively(out);
      RunManifest manifest =
          new SparkRunner(spark, new PrintStream(OutputStream.nullOutputStream()))
              .delegate(new PartitionDelegate(spark, DelegationPolicy.ALL, profile))
              .run(bundle, data, out, Map.of(), profile);
      return manifest.outputs().stream().mapToLong(RunManifest.OutputReport::rowsOut).sum();
    }
  }

  /** A Spark lane: the same session with Comet switched on or off for each run. */
  static final class SparkLane implements RuleLane {
    private final SparkSession spark;
    private final boolean comet;

    SparkLane(SparkSession spark, boolean comet) {
      this.spark = spark;
      this.comet = comet;
    }

    static void set(SparkSession spark, boolean comet) {
      spark.conf().set("spark.comet.enabled", String.valueOf(comet));
      spark
          .conf()
          .set(
              SparkEngine.CONF,
              (comet ? SparkEngine.SPARK_DATAFUSION : SparkEngine.SPARK).jsonName());
    }

    @Override
    public String name() {
      return comet ? COMET : VANILLA;
    }

    @Override
    public long runRule(ValidatedBundle bundle, String rule, Path data) {
      set(spark, comet);
      RelPlan plan = bundle.plan(rule).orElseThrow();
      DatasetResolver resolver =
          (dataset, where) ->
              InputReader.read(spark, bundle.bundle().dataset(dataset).orElseThrow(), data, where);
      return new PlanCompiler(resolver)
          .compile(plan.name(), plan.ops(), plan.params())
          .collectAsList()
          .size();
    }

    @Override
    public long runBundle(ValidatedBundle bundle, Path data, Path out) {
      set(spark, comet);
      StagedOutputs.deleteRecursively(out);
      RunManifest manifest =
          new SparkRunner(spark, new PrintStream(OutputStream.nullOutputStream()))
              .run(bundle, data, out, Map.of());
      return manifest.outputs().stream().mapToLong(RunManifest.OutputReport::rowsOut).sum();
    }
  }
}
