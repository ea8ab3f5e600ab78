package io.relspec.spark;

import io.relspec.ir.json.BundleReader;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.contract.ContractFinalizer;
import io.relspec.spark.engine.AccelerationReport;
import io.relspec.spark.engine.PlanWalker;
import io.relspec.spark.engine.SparkEngine;
import io.relspec.spark.run.InputRelations;
import io.relspec.spark.run.RuleDelegate;
import io.relspec.spark.run.RuleDelegateProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Java/notebook entry point: {@code Relspec.on(spark).data(dir).bundle(file).output("x")}
 * returns the finalized rows of an output as a lazy Dataset, {@code rule("r")} a rule's rows before
 * its contract, and {@code explain("r")} the RelPlan, its signatures and the Catalyst plan (and, on
 * a session with engine {@code spark-datafusion}, which operators run natively on DataFusion).
 */
public final class Relspec {
  private final SparkSession spark;
  private Path data = Path.of(".");
  private final Map<String, String> params = new LinkedHashMap<>();

  private Relspec(SparkSession spark) {
    this.spark = spark;
  }

  public static Relspec on(SparkSession spark) {
    return new Relspec(spark);
  }

  /** The directory dataset locations are resolved against. */
  public Relspec data(Path dir) {
    this.data = dir;
    return this;
  }

  /** A run-time param value ({@code name} or {@code rule.name}), as {@code --param} gives it. */
  public Relspec param(String name, String value) {
    params.put(name, value);
    return this;
  }

  /** Reads, validates and signs a bundle file. */
  public Loaded bundle(Path file) {
    return new Loaded(
        BundleValidator.validate(BundleReader.read(file), file.toString(), Map.copyOf(params)));
  }

  /** A validated bundle whose rules compile lazily against the session. */
  public final class Loaded {
    private final ValidatedBundle bundle;
    private final Map<String, Dataset<Row>> outputs = new HashMap<>();
    private final PlanCompiler compiler;
    private final DatasetResolver resolver;
    private final RuleDelegate delegate;

    private Loaded(ValidatedBundle bundle) {
      this.bundle = bundle;
      InputRelations inputs = new InputRelations(spark, data);
      DatasetResolver resolver =
          (dataset, where) -> {
            if (bundle.output(dataset).isPresent()) {
              return output(dataset);
            }
            return bundle
                .bundle()
                .dataset(dataset)
                .map(spec -> inputs.read(spec, where))
                .orElseThrow(() -> SparkErrors.unknownDataset(where, dataset));
          };
      this.resolver = resolver;
      this.compiler = new PlanCompiler(resolver);
      // spark.relspec.delegate, served by module spark-delegation when it is on the classpath
      this.delegate = RuleDelegateProvider.fromSession(spark, RuntimeProfile.DEFAULT);
      delegate.check(bundle, SparkEngine.of(spark).jsonName());
    }

    public ValidatedBundle validated() {
      return bundle;
    }

    /** The rows of one rule, before its output's contract. */
    public Dataset<Row> rule(String name) {
      RelPlan plan = plan(name);
      return delegate
          .compile(bundle, plan, compiler, resolver)
          .map(RuleDelegate.Delegated::rows)
          .orElseGet(() -> compiler.compile(plan));
    }

    /**
     * The finalized rows of an output (violating rows removed, deduped, canonically sorted).
     * Counting, quarantine and {@code onViolation: fail} are the runner's job.
     */
    public Dataset<Row> output(String name) {
      Dataset<Row> done = outputs.get(name);
      if (done != null) {
        return done;
      }
      OutputPlan output =
          bundle
              .output(name)
              .orElseThrow(() -> SparkErrors.unknownDataset("bundle " + bundle.source(), name));
      List<ContractFinalizer.RuleRows> rows = new ArrayList<>();
      for (RelPlan plan : output.rules()) {
        rows.add(ContractFinalizer.RuleRows.of(plan, rule(plan.name())));
      }
      done = ContractFinalizer.finalize(name, output.contract(), rows).rows();
      outputs.put(name, done);
      return done;
    }

    /** The RelPlan (signatures, schema, ordering, params) and Spark's plans of one rule. */
    public String explain(String name) {
      RelPlan plan = plan(name);
      StringBuilder text = new StringBuilder();
      text.append("== relspec RelPlan ==\n")
          .append("rule: ")
          .append(plan.name())
          .append(" -> ")
          .append(plan.output())
          .append('\n')
          .append("plan signature: ")
          .append(plan.planSignature())
          .append('\n')
          .append("rule signature: ")
          .append(plan.ruleSignature())
          .append('\n')
          .append("contract signature: ")
          .append(plan.contractSignature())
          .append('\n')
          .append("schema: ")
          .append(plan.schema().describe())
          .append('\n')
          .append("ordering: ")
          .append(plan.ordering().describe())
          .append('\n');
      plan.params()
          .forEach(
              (param, value) ->
                  text.append("param ")
                      .append(param)
                      .append(" = ")
                      .append(value.value().orElse(null))
                      .append('\n'));
      Dataset<Row> rows = rule(name);
      text.append(rows.queryExecution().toString());
      if (SparkEngine.of(spark) == SparkEngine.SPARK_DATAFUSION) {
        text.append("\n== relspec acceleration (spark-datafusion, as planned) ==\n")
            .append(acceleration(rows).render())
            .append(
                "(the run manifest records the executed plan, which adaptive execution may"
                    + " change)\n");
      }
      return text.toString();
    }

    /**
     * Which operators of a rule's physical plan (as planned, before adaptive execution) run
     * natively on DataFusion, which fall back to Spark and why; all fall back on engine spark.
     */
    public AccelerationReport acceleration(String name) {
      return acceleration(rule(name));
    }

    private AccelerationReport acceleration(Dataset<Row> rows) {
      return PlanWalker.walk(rows.queryExecution().executedPlan());
    }

    private RelPlan plan(String name) {
      return bundle
          .plan(name)
          .orElseThrow(
              () ->
                  new io.relspec.ir.error.RelspecException(
                      io.relspec.ir.error.ErrorCode.INVALID_ARGUMENT,
                      "Cannot find rule '"
                          + name
                          + "' in bundle "
                          + bundle.source()
                          + ": its rules are "
                          + bundle.plans().stream().map(RelPlan::name).toList()
                          + ". Use one of those names."));
    }
  }
}
