package io.relspec.spark.run;

import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A hook of {@link SparkRunner} that may compile a rule with some of its ops executed by another
 * engine inside the Spark job (per-partition delegation, module {@code spark-delegation}). The
 * Spark lane does not depend on any such engine: the runner only calls this interface. Ordering,
 * signatures and the contract finalization stay on Spark.
 */
public interface RuleDelegate {
  /** No delegation: every rule is compiled by the plan compiler alone. */
  RuleDelegate NONE =
      new RuleDelegate() {
        @Override
        public void check(ValidatedBundle bundle, String engine) {}

        @Override
        public Optional<Delegated> compile(
            ValidatedBundle bundle, RelPlan plan, PlanCompiler compiler, DatasetResolver resolver) {
          return Optional.empty();
        }

        @Override
        public Map<String, String> versions() {
          return Map.of();
        }
      };

  /**
   * Refuses a run the delegate cannot serve (unknown rule names), before anything runs.
   *
   * @param engine the run's engine name ({@code spark}, {@code spark-datafusion})
   */
  void check(ValidatedBundle bundle, String engine);

  /**
   * The rule's rows with some ops delegated, or empty to compile the rule on Spark alone.
   *
   * @param resolver resolves the datasets and earlier outputs the rule scans
   */
  Optional<Delegated> compile(
      ValidatedBundle bundle, RelPlan plan, PlanCompiler compiler, DatasetResolver resolver);

  /** Versions the manifest records for the delegate's engine (empty when none). */
  Map<String, String> versions();

  /**
   * A rule compiled with delegation.
   *
   * @param rows the rule's rows, with the rule's marker as {@link PlanCompiler#compile(RelPlan)}
   *     puts it
   * @param execution how each delegated op ran, read after the output was written (it may include
   *     what the executors counted)
   */
  record Delegated(Dataset<Row> rows, Supplier<List<RunManifest.OpExecution>> execution) {}
}
