package io.relspec.spark.run;

import io.relspec.ir.bundle.DatasetSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import scala.Function1;
import scala.collection.JavaConverters;
import scala.runtime.AbstractPartialFunction;

/**
 * The input datasets of one run (or one loaded bundle), each listed and checked once: the first
 * scan of a dataset lists its files and reads their schema ({@link InputReader#resolve}) and
 * analyzes its rows once ({@link InputReader#rows}); every later scan gets a copy of that analyzed
 * plan with fresh column ids (so a dataset can be joined with itself), with no listing and no
 * analysis, so compiling a rule does not list directories again.
 *
 * <p>The cache lives as long as this object: a new run sees files added or removed since the last
 * one. Keyed by the whole {@link DatasetSpec} (location, schema and scan options).
 */
public final class InputRelations {
  private final SparkSession spark;
  private final Path dataDir;
  private final Map<DatasetSpec, LogicalPlan> analyzed = new HashMap<>();

  public InputRelations(SparkSession spark, Path dataDir) {
    this.spark = spark;
    this.dataDir = dataDir;
  }

  /**
   * The dataset's rows (declared columns, checked), over the files listed when it was first read.
   *
   * @param where who needs the dataset, e.g. {@code rule 'r1' ops[0]}, for error messages
   */
  public Dataset<Row> read(DatasetSpec spec, String where) {
    LogicalPlan template = analyzed.get(spec);
    if (template == null) {
      Dataset<Row> rows = InputReader.rows(spark, InputReader.resolve(spark, spec, dataDir, where));
      analyzed.put(spec, rows.queryExecution().analyzed());
      return rows;
    }
    return Dataset.ofRows(spark, fresh(template));
  }

  /** The datasets read so far. */
  public int size() {
    return analyzed.size();
  }

  /**
   * A copy of an analyzed {@code Project} over a {@code LogicalRelation} (what {@link
   * InputReader#rows} builds) with new ids for the relation's columns and the projected ones,
   * already marked analyzed; any other plan shape is returned as it is (Spark then deduplicates).
   */
  private static LogicalPlan fresh(LogicalPlan template) {
    if (!(template instanceof Project project)
        || !(project.child() instanceof LogicalRelation relation)) {
      return template;
    }
    LogicalRelation copy = relation.newInstance();
    Map<ExprId, Attribute> renamed = new HashMap<>();
    List<AttributeReference> before = JavaConverters.seqAsJavaList(relation.output());
    List<AttributeReference> after = JavaConverters.seqAsJavaList(copy.output());
    for (int i = 0; i < before.size(); i++) {
      renamed.put(before.get(i).exprId(), after.get(i));
    }
    AbstractPartialFunction<Expression, Expression> rename =
        new AbstractPartialFunction<>() {
          @Override
          public boolean isDefinedAt(Expression e) {
            return e instanceof AttributeReference a && renamed.containsKey(a.exprId());
          }

          @Override
          public <A1 extends Expression, B1> B1 applyOrElse(A1 e, Function1<A1, B1> otherwise) {
            if (isDefinedAt(e)) {
              @SuppressWarnings("unchecked")
              B1 mapped = (B1) renamed.get(((AttributeReference) e).exprId());
              return mapped;
            }
            return otherwise.apply(e);
          }
        };
    List<NamedExpression> columns = new ArrayList<>();
    for (NamedExpression column : JavaConverters.seqAsJavaList(project.projectList())) {
      if (!(column instanceof Alias alias)) {
        return template;
      }
      columns.add(
          new Alias(
              alias.child().transform(rename),
              alias.name(),
              NamedExpression.newExprId(),
              alias.qualifier(),
              alias.explicitMetadata(),
              alias.nonInheritableMetadataKeys()));
    }
    Project rows = new Project(JavaConverters.asScalaBuffer(columns).toList(), copy);
    rows.setAnalyzed();
    return rows;
  }
}
