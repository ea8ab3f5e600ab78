package io.relspec.spark.engine.comet;

import io.relspec.spark.engine.SparkEngine;
import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession of the Comet test JVM (surefire execution {@code comet}): started with
 * Comet 0.12.0's plugin, extensions and native shuffle, local[2]. The vanilla Spark runs of the
 * parity tests use the same session with {@code spark.comet.enabled=false}.
 */
final class CometTestSession {
  private static SparkSession spark;

  private CometTestSession() {}

  static synchronized SparkSession spark() {
    if (spark == null) {
      SparkSession.Builder builder =
          SparkSession.builder()
              .master("local[2]")
              .appName("relspec-comet-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.sql.session.timeZone", "UTC")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1");
      spark = SparkEngine.SPARK_DATAFUSION.configure(builder, 512L << 20).getOrCreate();
    }
    return spark;
  }

  /** Runs {@code body} with Comet switched off (vanilla Spark) and restores it. */
  static <T> T vanilla(java.util.function.Supplier<T> body) {
    SparkSession session = spark();
    session.conf().set("spark.comet.enabled", "false");
    session.conf().set(SparkEngine.CONF, SparkEngine.SPARK.jsonName());
    try {
      return body.get();
    } finally {
      session.conf().set("spark.comet.enabled", "true");
      session.conf().set(SparkEngine.CONF, SparkEngine.SPARK_DATAFUSION.jsonName());
    }
  }
}
