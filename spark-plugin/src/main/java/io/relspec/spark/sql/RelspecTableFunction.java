package io.relspec.spark.sql;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.contract.ContractFinalizer;
import io.relspec.spark.run.InputRelations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * {@code SELECT * FROM relspec('bundle.json', 'output_or_rule' [, 'data dir'])}: the Catalyst plan
 * of a rule (its rows before the output contract) or of an output (the finalized rows of all its
 * rules), built by the same compiler the runner uses. Dataset locations resolve against the third
 * argument, else {@code spark.relspec.data}, else the bundle's directory.
 */
public final class RelspecTableFunction {
  public static final String NAME = "relspec";
  public static final String DATA_CONF = "spark.relspec.data";

  private RelspecTableFunction() {}

  public static LogicalPlan build(Seq<Expression> arguments) {
    List<Expression> args = JavaConverters.seqAsJavaList(arguments);
    if (args.size() < 2 || args.size() > 3) {
      throw new RelspecException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot call relspec(...) with "
              + args.size()
              + " arguments: expected relspec('bundle.json', 'output_or_rule' [, 'data dir']).");
    }
    String bundlePath = text(args.get(0), "the bundle path");
    String name = text(args.get(1), "the output or rule name");
    SparkSession spark = SparkSession.active();
    Path bundleFile = Path.of(bundlePath).toAbsolutePath();
    Path data =
        args.size() == 3
            ? Path.of(text(args.get(2), "the data directory"))
            : Optional.ofNullable(spark.conf().get(DATA_CONF, null))
                .map(Path::of)
                .orElse(bundleFile.getParent());
    ValidatedBundle bundle = BundleValidator.validate(bundleFile);
    return new Resolver(spark, bundle, data)
        .resolve(name, "relspec('" + bundlePath + "', '" + name + "')")
        .logicalPlan();
  }

  private static String text(Expression expression, String what) {
    if (!expression.foldable()) {
      throw new RelspecException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot call relspec(...): "
              + what
              + " must be a constant string, found "
              + expression.sql()
              + ".");
    }
    Object value = expression.eval(null);
    if (value == null) {
      throw new RelspecException(
          ErrorCode.INVALID_ARGUMENT, "Cannot call relspec(...): " + what + " is null.");
    }
    return value.toString();
  }

  /** Resolves inputs from files and outputs by compiling and finalizing their rules, lazily. */
  private static final class Resolver implements DatasetResolver {
    private final SparkSession spark;
    private final ValidatedBundle bundle;
    private final Path data;
    private final Map<String, Dataset<Row>> outputs = new HashMap<>();
    private final PlanCompiler compiler = new PlanCompiler(this);
    private final InputRelations inputs;

    Resolver(SparkSession spark, ValidatedBundle bundle, Path data) {
      this.spark = spark;
      this.bundle = bundle;
      this.data = data;
      this.inputs = new InputRelations(spark, data);
    }

    @Override
    public Dataset<Row> resolve(String name, String where) {
      Optional<OutputPlan> output = bundle.output(name);
      if (output.isPresent()) {
        // not computeIfAbsent: finalizing an output resolves the outputs it reads, recursively
        Dataset<Row> rows = outputs.get(name);
        if (rows == null) {
          rows = finalized(output.get());
          outputs.put(name, rows);
        }
        return rows;
      }
      Optional<RelPlan> rule = bundle.plan(name);
      if (rule.isPresent()) {
        RelPlan plan = rule.get();
        return compiler.compile(plan);
      }
      return bundle
          .bundle()
          .dataset(name)
          .map(spec -> inputs.read(spec, where))
          .orElseThrow(
              () ->
                  new RelspecException(
                      ErrorCode.INVALID_ARGUMENT,
                      "Cannot resolve "
                          + where
                          + ": '"
                          + name
                          + "' is neither an output, a rule nor a dataset of bundle "
                          + bundle.source()
                          + ". Outputs: "
                          + bundle.outputs().stream().map(OutputPlan::name).toList()
                          + "; rules: "
                          + bundle.plans().stream().map(RelPlan::name).toList()
                          + "."));
    }

    private Dataset<Row> finalized(OutputPlan output) {
      List<ContractFinalizer.RuleRows> rows = new ArrayList<>();
      for (RelPlan plan : output.rules()) {
        rows.add(ContractFinalizer.RuleRows.of(plan, compiler.compile(plan)));
      }
      return ContractFinalizer.finalize(output.name(), output.contract(), rows).rows();
    }
  }
}
