package io.relspec.it;

import io.relspec.spark.kryo.RelspecKryoRegistrator;
import io.relspec.spark.plugin.RelspecSparkPlugin;
import io.relspec.spark.sql.RelspecExtensions;
import java.nio.file.Path;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of a test JVM, configured the way users configure relspec: extensions,
 * plugin and Kryo registrator, the plugin's bundle set. Surefire forks a JVM per test class (see
 * the pom), so each class chooses whether Kryo registration is required. The registrator also
 * registers the Spark SQL classes a run serializes that Spark leaves unregistered (e.g. {@code
 * ArrayType}), so a full run works with registration required (PluginSurfacesTest).
 */
final class PluginSession {
  static final Path CPG = Path.of("..", "examples", "cpg.json").toAbsolutePath().normalize();

  private static SparkSession spark;

  private PluginSession() {}

  static synchronized SparkSession spark() {
    return spark(true);
  }

  static synchronized SparkSession spark(boolean kryoRegistrationRequired) {
    if (spark == null) {
      spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("relspec-integration-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.extensions", RelspecExtensions.class.getName())
              .config("spark.plugins", RelspecSparkPlugin.class.getName())
              .config(RelspecSparkPlugin.BUNDLE_CONF, CPG.toString())
              .config("spark.serializer", KryoSerializer.class.getName())
              .config("spark.kryo.registrator", RelspecKryoRegistrator.class.getName())
              .config("spark.kryo.registrationRequired", String.valueOf(kryoRegistrationRequired))
              .getOrCreate();
    }
    return spark;
  }
}
