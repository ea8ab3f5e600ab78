package io.relspec.it;

import io.relspec.spark.kryo.RelspecKryoRegistrator;
import io.relspec.spark.plugin.RelspecSparkPlugin;
import io.relspec.spark.sql.RelspecExtensions;
import java.nio.file.Path;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of this test JVM, configured the way users configure relspec: extensions,
 * plugin and Kryo registrator (with registration required), the plugin's bundle set.
 */
final class PluginSession {
  static final Path CPG = Path.of("..", "examples", "cpg.json").toAbsolutePath().normalize();

  private static SparkSession spark;

  private PluginSession() {}

  static synchronized SparkSession spark() {
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
              .config("spark.kryo.registrationRequired", "true")
              .getOrCreate();
    }
    return spark;
  }
}
