package io.relspec.spark.run;

import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.spark.SparkErrors;
import java.util.Iterator;
import java.util.Optional;
import java.util.ServiceLoader;
import org.apache.spark.sql.SparkSession;

/**
 * Finds a {@link RuleDelegate} for the Spark conf {@value #CONF} without a compile-time dependency
 * on the module that implements it: {@code spark-delegation} registers its provider in {@code
 * META-INF/services/io.relspec.spark.run.RuleDelegateProvider}, and entry points that only know the
 * Spark lane ({@link SparkRunMain}, the spark-submit job) look it up with {@link #fromSession}.
 */
public interface RuleDelegateProvider {
  /** {@code none}, {@code all} or {@code rule1,rule2}: which rules delegate ops per partition. */
  String CONF = "spark.relspec.delegate";

  /** The Maven module (and jar) whose provider serves {@value #CONF}. */
  String MODULE = "io.relspec:spark-delegation";

  /**
   * The delegate the session's conf {@value #CONF} asks for, or empty when it asks for none.
   *
   * @param profile the runtime profile of the run (batch size, native memory limit)
   */
  Optional<RuleDelegate> fromConf(SparkSession spark, RuntimeProfile profile);

  /** Whether a value of {@value #CONF} asks for delegation (anything but empty, none, false). */
  static boolean requested(String value) {
    String text = value == null ? "" : value.trim();
    return !(text.isEmpty() || text.equals("none") || text.equals("false"));
  }

  /**
   * The delegate the session's conf asks for: {@link RuleDelegate#NONE} when {@value #CONF} is
   * unset or none, else the first provider on the classpath's answer.
   *
   * @throws io.relspec.ir.error.RelspecException INVALID_ARGUMENT when the conf asks for delegation
   *     and no provider is on the classpath
   */
  static RuleDelegate fromSession(SparkSession spark, RuntimeProfile profile) {
    return fromSession(spark, profile, Thread.currentThread().getContextClassLoader());
  }

  /** {@link #fromSession(SparkSession, RuntimeProfile)} with providers from {@code loader}. */
  static RuleDelegate fromSession(SparkSession spark, RuntimeProfile profile, ClassLoader loader) {
    String value = spark.conf().get(CONF, "none");
    if (!requested(value)) {
      return RuleDelegate.NONE;
    }
    Iterator<RuleDelegateProvider> providers =
        ServiceLoader.load(RuleDelegateProvider.class, loader).iterator();
    if (!providers.hasNext()) {
      throw SparkErrors.delegationMissing(CONF, value, MODULE);
    }
    return providers.next().fromConf(spark, profile).orElse(RuleDelegate.NONE);
  }
}
