package io.relspec.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession of the test JVM: two threads, two shuffle partitions, no UI. Its
 * session time zone is deliberately not UTC and ANSI mode is on (Spark 3.5's default is off), so
 * that tests catch anything that depends on either.
 */
public final class SparkTestSession {
  public static final String SESSION_TIME_ZONE = "America/Los_Angeles";

  private static SparkSession spark;

  private SparkTestSession() {}

  public static synchronized SparkSession spark() {
    if (spark == null) {
      spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("relspec-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.sql.session.timeZone", SESSION_TIME_ZONE)
              .config("spark.sql.ansi.enabled", "true")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .getOrCreate();
    }
    return spark;
  }
}
