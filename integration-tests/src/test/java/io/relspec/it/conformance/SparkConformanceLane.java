package io.relspec.it.conformance;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.it.differential.Canonical;
import io.relspec.reference.conformance.ConformanceCase;
import io.relspec.reference.conformance.Lane;
import io.relspec.reference.conformance.LaneResult;
import io.relspec.spark.compile.DatasetResolver;
import io.relspec.spark.compile.PlanCompiler;
import io.relspec.spark.compile.SparkTypes;
import io.relspec.spark.engine.AccelerationReport;
import io.relspec.spark.engine.PlanWalker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark lane as a conformance {@link Lane}: the case's rows as DataFrames, the rule compiled by
 * {@link PlanCompiler} (one Catalyst plan), collected. With {@code comet}, the session runs Comet
 * 0.12.0 (engine spark-datafusion) and the execution records how many operators ran natively, from
 * the executed plan ({@link PlanWalker}).
 */
final class SparkConformanceLane implements Lane {
  private final String name;
  private final SparkSession spark;
  private final boolean comet;

  SparkConformanceLane(String name, SparkSession spark, boolean comet) {
    this.name = name;
    this.spark = spark;
    this.comet = comet;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public LaneResult run(ConformanceCase conformanceCase) {
    try {
      ValidatedBundle bundle = conformanceCase.validated();
      RelPlan plan = bundle.plans().get(0);
      Map<String, Dataset<Row>> frames = new HashMap<>();
      for (DatasetSpec dataset : bundle.bundle().datasets()) {
        List<Row> rows = new ArrayList<>();
        for (List<Object> values : conformanceCase.rows(dataset.name())) {
          Object[] row = new Object[values.size()];
          for (int c = 0; c < row.length; c++) {
            row[c] = Canonical.toSpark(values.get(c), dataset.schema().get(c).type());
          }
          rows.add(RowFactory.create(row));
        }
        frames.put(
            dataset.name(), spark.createDataFrame(rows, SparkTypes.toSpark(dataset.schema())));
      }
      Dataset<Row> result =
          new PlanCompiler(DatasetResolver.of(frames))
              .compile(plan.name(), plan.ops(), plan.params());
      List<Field> fields = SparkTypes.fromSpark(result.schema());
      List<List<Object>> rows = new ArrayList<>();
      for (Row row : result.collectAsList()) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < row.length(); i++) {
          values.add(Canonical.fromSpark(row.get(i)));
        }
        rows.add(Collections.unmodifiableList(values));
      }
      String execution = "spark";
      if (comet) {
        AccelerationReport report = PlanWalker.walk(result.queryExecution().executedPlan());
        execution =
            report.fallbacks().isEmpty()
                ? "native: " + report.summary()
                : "fallback: "
                    + report.summary()
                    + "; on Spark: "
                    + report.fallbacks().stream()
                        .map(op -> op.name() + " (" + op.reason() + ")")
                        .distinct()
                        .toList();
      }
      return new LaneResult.Rows(
          fields.stream().map(Field::name).toList(),
          fields.stream().map(Field::type).toList(),
          rows,
          execution);
    } catch (Exception e) {
      return new LaneResult.Failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
