package io.relspec.spark.engine;

import io.relspec.spark.SparkErrors;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The engines a relspec run can use inside Spark.
 *
 * <ul>
 *   <li>{@code spark}: vanilla Spark, the Catalyst plans run on Spark's JVM operators.
 *   <li>{@code spark-datafusion}: the same Catalyst plans on a SparkSession with Apache DataFusion
 *       Comet 0.12.0 enabled, so each partition's supported operators run natively in DataFusion
 *       and the rest stays on Spark (reported per rule, see {@link PlanWalker}).
 * </ul>
 *
 * <p>{@code datafusion} (no Spark at all) is the standalone engine of {@code datafusion-bridge},
 * not one of these. Comet is not a dependency of the plugin jar: it must be on the classpath of the
 * session ({@code --jars comet-spark-spark3.5_2.12-0.12.0.jar}, or the relspec command's own
 * classpath).
 */
public enum SparkEngine {
  SPARK("spark"),
  SPARK_DATAFUSION("spark-datafusion");

  /** The Spark conf that selects the engine ({@code spark} when absent). */
  public static final String CONF = "spark.relspec.engine";

  /** The Comet release this lane is built and tested against. */
  public static final String COMET_VERSION = "0.12.0";

  public static final String COMET_PLUGIN = "org.apache.spark.CometPlugin";
  public static final String COMET_EXTENSIONS = "org.apache.comet.CometSparkSessionExtensions";
  public static final String COMET_SHUFFLE_MANAGER =
      "org.apache.spark.sql.comet.execution.shuffle.CometShuffleManager";
  public static final String RELSPEC_EXTENSIONS = "io.relspec.spark.sql.RelspecExtensions";

  /** Off-heap memory Comet gets when the runtime profile sets no memory limit. */
  public static final long DEFAULT_OFF_HEAP_BYTES = 1L << 30;

  private final String jsonName;

  SparkEngine(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name on the command line, in {@code spark.relspec.engine} and in the manifest. */
  public String jsonName() {
    return jsonName;
  }

  @Override
  public String toString() {
    return jsonName;
  }

  public static SparkEngine parse(String name, String where) {
    for (SparkEngine engine : values()) {
      if (engine.jsonName.equals(name.trim().toLowerCase(Locale.ROOT))) {
        return engine;
      }
    }
    throw SparkErrors.unknownEngine(
        where, name, Arrays.stream(values()).map(SparkEngine::jsonName).toList());
  }

  /**
   * The confs a new session needs for this engine ({@code spark.plugins}, {@code
   * spark.sql.extensions}, Comet's switches, off-heap memory and Comet's native shuffle). They take
   * effect only when the SparkContext is created.
   *
   * @param offHeapBytes off-heap memory for Comet's native operators
   */
  public Map<String, String> sessionConfs(long offHeapBytes) {
    Map<String, String> confs = new LinkedHashMap<>();
    confs.put(CONF, jsonName);
    if (this == SPARK) {
      return confs;
    }
    confs.put("spark.plugins", COMET_PLUGIN);
    confs.put("spark.sql.extensions", COMET_EXTENSIONS + "," + RELSPEC_EXTENSIONS);
    confs.put("spark.comet.enabled", "true");
    confs.put("spark.comet.exec.enabled", "true");
    // relspec compares and sorts -0.0 equal to 0.0, as Spark does; Comet's native sort orders
    // floats by total order (-0.0 first): with this, Comet leaves such operators to Spark
    confs.put("spark.comet.exec.strictFloatingPoint", "true");
    confs.put("spark.memory.offHeap.enabled", "true");
    confs.put("spark.memory.offHeap.size", String.valueOf(offHeapBytes));
    confs.put("spark.shuffle.manager", COMET_SHUFFLE_MANAGER);
    confs.put("spark.comet.exec.shuffle.enabled", "true");
    // shuffled joins as DataFusion's hash join instead of a sort-merge join: 10M x 20M rows
    // join+aggregate 4.8 -> 3.6 s on local[2]. Comet's hash join does not spill: with a build side
    // larger than the off-heap memory, set it to false (a JVM system property wins, see configure)
    confs.put(REPLACE_SORT_MERGE_JOIN, "true");
    return confs;
  }

  /** Comet's switch that plans a shuffled hash join where Spark chose a sort-merge join. */
  public static final String REPLACE_SORT_MERGE_JOIN = "spark.comet.exec.replaceSortMergeJoin";

  /**
   * The {@link #sessionConfs} a builder gets: those the user has not set as a JVM system property
   * ({@code -Dspark.comet.exec.replaceSortMergeJoin=false}), which SparkConf reads itself and which
   * then win over relspec's defaults.
   */
  Map<String, String> confsToSet(long offHeapBytes) {
    Map<String, String> confs = new LinkedHashMap<>(sessionConfs(offHeapBytes));
    confs.keySet().removeIf(key -> !key.equals(CONF) && System.getProperty(key) != null);
    return confs;
  }

  /**
   * Sets {@link #sessionConfs} on a builder (but not those set as JVM system properties), after
   * checking Comet is on the classpath.
   */
  public SparkSession.Builder configure(SparkSession.Builder builder, long offHeapBytes) {
    if (this == SPARK_DATAFUSION) {
      requireComet();
    }
    confsToSet(offHeapBytes).forEach(builder::config);
    return builder;
  }

  /**
   * The engine a session runs: {@code spark.relspec.engine} when set, else {@code spark-datafusion}
   * when the session was started with Comet's plugin and Comet is enabled.
   */
  public static SparkEngine of(SparkSession spark) {
    String configured = spark.conf().get(CONF, "");
    SparkEngine engine =
        configured.isBlank() ? cometActive(spark) : parse(configured, "Spark conf " + CONF);
    if (engine == SPARK_DATAFUSION && cometActive(spark) != SPARK_DATAFUSION) {
      throw SparkErrors.cometNotActive(spark.sparkContext().getConf().get("spark.plugins", ""));
    }
    return engine;
  }

  private static SparkEngine cometActive(SparkSession spark) {
    boolean plugin =
        Arrays.asList(spark.sparkContext().getConf().get("spark.plugins", "").split(","))
            .contains(COMET_PLUGIN);
    boolean enabled = Boolean.parseBoolean(spark.conf().get("spark.comet.enabled", "false"));
    return plugin && enabled ? SPARK_DATAFUSION : SPARK;
  }

  /** Fails with a clear error when Comet is not on the classpath. */
  public static void requireComet() {
    try {
      Class.forName(COMET_PLUGIN, false, SparkEngine.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw SparkErrors.cometMissing(e);
    }
  }
}
