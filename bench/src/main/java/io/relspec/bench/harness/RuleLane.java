package io.relspec.bench.harness;

import io.relspec.ir.validate.ValidatedBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * An engine lane that runs relspec rules, for benchmarks that put lanes side by side. Besides the
 * lanes a benchmark builds itself, lanes are discovered with {@link ServiceLoader}: a module on the
 * bench classpath adds one (for instance the standalone DataFusion engine of datafusion-bridge) by
 * implementing this interface and listing the class in {@code
 * META-INF/services/io.relspec.bench.harness.RuleLane}, without editing the benchmarks.
 */
public interface RuleLane extends AutoCloseable {
  /** The lane's name in the results, e.g. {@code datafusion-standalone}. */
  String name();

  /**
   * Runs one rule of the bundle (its ops only, no contract) over the datasets under {@code data}
   * and returns the number of rows it produced. Called several times per case: it must do the whole
   * work each time (no caching of results).
   */
  long runRule(ValidatedBundle bundle, String rule, Path data) throws Exception;

  /**
   * Runs every output of the bundle with its contract, writing them under {@code out} (replaced on
   * each call), and returns the number of rows written to the outputs.
   */
  long runBundle(ValidatedBundle bundle, Path data, Path out) throws Exception;

  @Override
  default void close() throws Exception {}

  /** The lanes found on the classpath, in a stable order (by name). */
  static List<RuleLane> discovered() {
    List<RuleLane> lanes = new ArrayList<>();
    ServiceLoader.load(RuleLane.class).forEach(lanes::add);
    lanes.sort(java.util.Comparator.comparing(RuleLane::name));
    return lanes;
  }
}
