package io.relspec.spark.engine;

import io.relspec.spark.engine.AccelerationReport.Mode;
import io.relspec.spark.engine.AccelerationReport.Operator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.trees.TreeNodeTag;
import org.apache.spark.sql.execution.InputAdapter;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.execution.adaptive.AQEShuffleReadExec;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.columnar.InMemoryTableScanExec;
import org.apache.spark.sql.execution.exchange.ReusedExchangeExec;
import scala.collection.JavaConverters;

/**
 * Walks an executed physical plan the way Comet 0.12.0's own {@code ExtendedExplainInfo} does
 * (adaptive plans, query stages, codegen stages and reused exchanges are unwrapped; every other
 * node is a Comet operator, a Spark operator or a transition) and reads the fallback reasons Comet
 * attached to Spark operators under the tree-node tag {@code CometExtensionInfo} ({@code
 * CometExplainInfo.EXTENSION_INFO}).
 *
 * <p>Nothing here links against Comet: operators are recognised through the {@code
 * org.apache.spark.sql.comet.CometPlan} trait when it is on the classpath, and the tag is looked up
 * by its name (tree-node tags are equal by name).
 */
public final class PlanWalker {
  /** Comet's tag with the reasons an operator or expression was not converted. */
  static final TreeNodeTag<scala.collection.immutable.Set<String>> COMET_INFO =
      new TreeNodeTag<>("CometExtensionInfo");

  static final String NO_REASON =
      "Comet " + SparkEngine.COMET_VERSION + " did not convert it and recorded no reason";

  private static final Optional<Class<?>> COMET_PLAN = cometPlanClass();

  private final String markerColumn;
  private final Predicate<String> finalizationColumn;
  private final Map<String, Set<Long>> ruleOutputs;

  private PlanWalker(
      String markerColumn,
      Predicate<String> finalizationColumn,
      Map<String, Set<Long>> ruleOutputs) {
    this.markerColumn = markerColumn;
    this.finalizationColumn = finalizationColumn;
    this.ruleOutputs = ruleOutputs;
  }

  /** Every operator of the plan (below a cached relation's scan, the cache is not entered). */
  public static AccelerationReport walk(SparkPlan plan) {
    return walkByRule(plan, "", name -> false, Map.of()).get("");
  }

  /**
   * Splits a plan by rule. Top down, the first operator whose output columns all come out of a
   * rule's own plan ({@code ruleOutputs}: the expression ids of each rule's output attributes) is
   * that rule's root, and its subtree belongs to the rule. Failing that (the optimizer merges the
   * finalizer's first projection into the rule's last operator): with several rules (below a
   * union), the operator that adds a rule's marker column (an alias named {@code markerColumn} of a
   * string literal, the rule's name) is that rule's root; with one rule, the lowest operator with a
   * finalization column ({@code finalizationColumn}) is. Every other operator belongs to the whole
   * plan ({@code ""} in the result).
   */
  public static Map<String, AccelerationReport> walkByRule(
      SparkPlan plan,
      String markerColumn,
      Predicate<String> finalizationColumn,
      Map<String, Set<Long>> ruleOutputs) {
    Map<String, List<Operator>> byRule = new LinkedHashMap<>();
    byRule.put("", new ArrayList<>());
    new PlanWalker(markerColumn, finalizationColumn, ruleOutputs).collect(plan, "plan", "", byRule);
    Map<String, AccelerationReport> reports = new LinkedHashMap<>();
    byRule.forEach((rule, ops) -> reports.put(rule, new AccelerationReport(ops)));
    return reports;
  }

  private void collect(
      SparkPlan node, String path, String rule, Map<String, List<Operator>> byRule) {
    SparkPlan actual = unwrap(node);
    String owner = rule;
    if (owner.isEmpty()) {
      owner = producedBy(actual).orElse("");
    }
    if (owner.isEmpty() && ruleOutputs.size() > 1) {
      // below a union the optimizer leaves each rule's marker where the finalizer put it
      owner = marker(actual).orElse("");
    }
    if (owner.isEmpty() && ruleOutputs.size() == 1 && isStageRoot(actual)) {
      owner = ruleOutputs.keySet().iterator().next();
    }
    byRule.computeIfAbsent(owner, r -> new ArrayList<>()).add(classify(actual, path));
    if (actual instanceof InMemoryTableScanExec) {
      return;
    }
    List<SparkPlan> children = children(actual);
    for (int i = 0; i < children.size(); i++) {
      collect(children.get(i), path + "/" + i, owner, byRule);
    }
  }

  /** The plan a wrapper stands for, as Comet's {@code CometExplainInfo.getActualPlan}. */
  public static SparkPlan unwrap(SparkPlan node) {
    SparkPlan current = node;
    while (true) {
      if (current instanceof AdaptiveSparkPlanExec adaptive) {
        current = adaptive.executedPlan();
      } else if (current instanceof InputAdapter adapter) {
        current = adapter.child();
      } else if (current instanceof QueryStageExec stage) {
        current = stage.plan();
      } else if (current instanceof WholeStageCodegenExec codegen) {
        current = codegen.child();
      } else if (current instanceof ReusedExchangeExec reused) {
        current = reused.child();
      } else if (current instanceof AQEShuffleReadExec read) {
        current = read.child();
      } else {
        return current;
      }
    }
  }

  static Operator classify(SparkPlan node, String path) {
    String name = node.nodeName().trim();
    String simple = node.getClass().getSimpleName();
    if (simple.endsWith("ColumnarToRowExec")) {
      boolean fromComet =
          children(node).stream().map(PlanWalker::unwrap).anyMatch(PlanWalker::isComet);
      return new Operator(
          path,
          name,
          Mode.TRANSITION,
          fromComet ? "datafusion->spark" : "spark",
          fromComet
              ? "DataFusion's Arrow batches become Spark rows"
              : "Spark's columnar batches become Spark rows");
    }
    if (simple.endsWith("ToColumnarExec")) {
      return new Operator(
          path, name, Mode.TRANSITION, "spark->datafusion", "Spark rows become columnar batches");
    }
    if (isComet(node)) {
      return new Operator(path, name, Mode.NATIVE, AccelerationReport.LANE_NATIVE, "");
    }
    return new Operator(
        path, name, Mode.FALLBACK, AccelerationReport.LANE_SPARK, reasons(node).orElse(NO_REASON));
  }

  static boolean isComet(SparkPlan node) {
    return COMET_PLAN.map(c -> c.isInstance(node)).orElse(false);
  }

  /** Comet's recorded reasons, sorted and joined; empty when it recorded none. */
  static Optional<String> reasons(SparkPlan node) {
    scala.Option<scala.collection.immutable.Set<String>> tag = node.getTagValue(COMET_INFO);
    if (tag.isEmpty() || tag.get().isEmpty()) {
      return Optional.empty();
    }
    TreeSet<String> sorted = new TreeSet<>(JavaConverters.setAsJavaSet(tag.get()));
    return Optional.of(String.join("; ", sorted));
  }

  /**
   * Whether the node is the lowest one carrying the finalization's own columns: the finalizer's
   * first projection, which the optimizer merges into the rule's last operator.
   */
  private boolean isStageRoot(SparkPlan node) {
    if (!hasFinalizationColumn(node)) {
      return false;
    }
    return children(node).stream().map(PlanWalker::unwrap).noneMatch(this::hasFinalizationColumn);
  }

  private boolean hasFinalizationColumn(SparkPlan node) {
    return JavaConverters.seqAsJavaList(node.output()).stream()
        .anyMatch(a -> finalizationColumn.test(a.name()));
  }

  private Optional<String> producedBy(SparkPlan node) {
    List<Attribute> output = JavaConverters.seqAsJavaList(node.output());
    if (output.isEmpty()) {
      return Optional.empty();
    }
    for (Map.Entry<String, Set<Long>> rule : ruleOutputs.entrySet()) {
      if (output.stream().allMatch(a -> rule.getValue().contains(a.exprId().id()))) {
        return Optional.of(rule.getKey());
      }
    }
    return Optional.empty();
  }

  private Optional<String> marker(SparkPlan node) {
    if (markerColumn.isEmpty()) {
      return Optional.empty();
    }
    for (Expression expression : JavaConverters.seqAsJavaList(node.expressions())) {
      if (expression instanceof Alias alias
          && alias.name().equals(markerColumn)
          && alias.child() instanceof Literal literal
          && literal.value() != null) {
        return Optional.of(literal.value().toString());
      }
    }
    return Optional.empty();
  }

  private static List<SparkPlan> children(SparkPlan node) {
    return JavaConverters.seqAsJavaList(node.children());
  }

  private static Optional<Class<?>> cometPlanClass() {
    try {
      return Optional.of(
          Class.forName(
              "org.apache.spark.sql.comet.CometPlan", false, PlanWalker.class.getClassLoader()));
    } catch (ClassNotFoundException e) {
      return Optional.empty();
    }
  }
}
