package io.relspec.bench;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Parse + validate + sign a whole bundle of N rules, from JSON text to signatures. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParseValidateSignBenchmark {
  @Param({"1000"})
  public int rules;

  private String json;

  @Setup
  public void setUp() {
    json = SyntheticBundles.bundle(rules);
    ValidatedBundle check =
        BundleValidator.validate(BundleReader.read(json, "synthetic"), "synthetic", Map.of());
    if (check.plans().size() != rules) {
      throw new IllegalStateException("synthetic bundle has " + check.plans().size() + " rules");
    }
  }

  @Benchmark
  public String parseValidateSign() {
    Bundle bundle = BundleReader.read(json, "synthetic");
    return BundleValidator.validate(bundle, "synthetic", Map.of()).signature();
  }

  @Benchmark
  public Bundle parseOnly() {
    return BundleReader.read(json, "synthetic");
  }
}
