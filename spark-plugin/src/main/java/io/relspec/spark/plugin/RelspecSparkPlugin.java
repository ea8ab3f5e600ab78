package io.relspec.spark.plugin;

import com.codahale.metrics.Gauge;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.json.BundleWriter;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * {@code spark.plugins=io.relspec.spark.plugin.RelspecSparkPlugin}. On the driver it reads,
 * validates and signs the bundle named by {@code spark.relspec.bundle} once, and shares its
 * normalized JSON and signature with every executor; each executor reads it back (checking the
 * signature) so lanes that run inside tasks have it at hand. Both sides register metrics.
 */
public final class RelspecSparkPlugin implements SparkPlugin {
  /** The bundle file the driver validates at start-up. */
  public static final String BUNDLE_CONF = "spark.relspec.bundle";

  static final String SHARED_BUNDLE = "bundle.normalized";
  static final String SHARED_SIGNATURE = "bundle.signature";

  private static final AtomicReference<ValidatedBundle> DRIVER_BUNDLE = new AtomicReference<>();
  private static final AtomicReference<ValidatedBundle> EXECUTOR_BUNDLE = new AtomicReference<>();

  /** The bundle the driver validated, if {@code spark.relspec.bundle} was set. */
  public static Optional<ValidatedBundle> driverBundle() {
    return Optional.ofNullable(DRIVER_BUNDLE.get());
  }

  /** The bundle this executor received from the driver, if any. */
  public static Optional<ValidatedBundle> executorBundle() {
    return Optional.ofNullable(EXECUTOR_BUNDLE.get());
  }

  @Override
  public DriverPlugin driverPlugin() {
    return new Driver();
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new Executor();
  }

  private static final class Driver implements DriverPlugin {
    @Override
    public Map<String, String> init(SparkContext sc, PluginContext context) {
      Map<String, String> shared = new HashMap<>();
      if (!sc.conf().contains(BUNDLE_CONF)) {
        return shared;
      }
      String file = sc.conf().get(BUNDLE_CONF);
      ValidatedBundle validated = BundleValidator.validate(Path.of(file));
      DRIVER_BUNDLE.set(validated);
      shared.put(SHARED_BUNDLE, BundleWriter.toPrettyJson(BundleWriter.bundle(validated.bundle())));
      shared.put(SHARED_SIGNATURE, validated.signature());
      sc.setLocalProperty("relspec.bundle.signature", validated.signature());
      return shared;
    }

    @Override
    public void registerMetrics(String appId, PluginContext context) {
      context
          .metricRegistry()
          .register(
              "relspec.bundle.rules",
              (Gauge<Integer>) () -> driverBundle().map(b -> b.plans().size()).orElse(0));
    }
  }

  private static final class Executor implements ExecutorPlugin {
    @Override
    public void init(PluginContext context, Map<String, String> extraConf) {
      context
          .metricRegistry()
          .register(
              "relspec.bundle.loaded", (Gauge<Integer>) () -> executorBundle().isPresent() ? 1 : 0);
      String json = extraConf.get(SHARED_BUNDLE);
      if (json == null) {
        return;
      }
      ValidatedBundle validated =
          BundleValidator.validate(
              BundleReader.read(json, "<bundle shared by the driver>"),
              "<bundle shared by the driver>",
              Map.of());
      String expected = extraConf.get(SHARED_SIGNATURE);
      if (!validated.signature().equals(expected)) {
        throw new RelspecException(
            ErrorCode.INTERNAL,
            "Cannot load the bundle shared by the driver on executor "
                + context.executorID()
                + ": its signature is "
                + validated.signature()
                + " but the driver signed "
                + expected
                + ". Driver and executors must run the same relspec version.");
      }
      EXECUTOR_BUNDLE.set(validated);
    }
  }
}
