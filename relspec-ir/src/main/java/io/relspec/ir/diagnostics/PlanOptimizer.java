package io.relspec.ir.diagnostics;

import io.relspec.ir.signature.Signatures;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.hep.HepMatchOrder;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.rel.RelHomogeneousShuttle;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlExplainLevel;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * The optimized form of a compiled rule: a {@link HepPlanner} (never Volcano) runs a fixed rule set
 * to a fixed point, bottom-up, then AND/OR operands are sorted by their digest. Two rules whose ops
 * say the same thing in different words (split or merged filters, a derive folded into a project, a
 * scan column list instead of a project, conjuncts in another order, a filter written after a
 * project) get the same optimized plan and digest.
 *
 * <p>The rule set, in this order, is {@link #RULES}: reduce expressions in filters, projects and
 * joins (RexSimplify; no constant folding of function calls), merge adjacent filters and adjacent
 * projects, remove identity projects, push filters through projects, into joins and join conditions
 * and below aggregates, merge projects into aggregates, and merge unions.
 */
public final class PlanOptimizer {
  /** The fixed rule set, applied in one Hep collection until nothing changes. */
  public static final List<RelOptRule> RULES =
      List.of(
          CoreRules.FILTER_REDUCE_EXPRESSIONS,
          CoreRules.PROJECT_REDUCE_EXPRESSIONS,
          CoreRules.JOIN_REDUCE_EXPRESSIONS,
          CoreRules.FILTER_MERGE,
          CoreRules.PROJECT_MERGE,
          CoreRules.PROJECT_REMOVE,
          CoreRules.FILTER_PROJECT_TRANSPOSE,
          CoreRules.FILTER_INTO_JOIN,
          CoreRules.JOIN_CONDITION_PUSH,
          CoreRules.FILTER_AGGREGATE_TRANSPOSE,
          CoreRules.AGGREGATE_PROJECT_MERGE,
          CoreRules.UNION_MERGE);

  private PlanOptimizer() {}

  public static RelNode optimize(RelNode rel) {
    HepProgram program =
        HepProgram.builder()
            .addMatchOrder(HepMatchOrder.BOTTOM_UP)
            .addRuleCollection(RULES)
            .build();
    HepPlanner planner = new HepPlanner(program);
    planner.setRoot(rel);
    RelNode optimized = planner.findBestExp();
    return canonicalize(optimized);
  }

  /** The plan as text (Calcite's EXPLAIN with attributes), correlation ids numbered from 0. */
  public static String explain(RelNode rel) {
    String text = RelOptUtil.toString(rel, SqlExplainLevel.EXPPLAN_ATTRIBUTES);
    return text.replaceAll("\\$cor\\d+", "\\$cor").strip();
  }

  /**
   * SHA-256 of {@link #explain} of the optimized plan followed by the row type of every table it
   * scans (so a changed dataset or contract schema changes the digest).
   */
  public static String digest(RelNode optimized) {
    StringBuilder text = new StringBuilder(explain(optimized));
    for (String table : tables(optimized)) {
      text.append('\n').append(table);
    }
    return Signatures.sha256(text.toString());
  }

  /** {@code name row-type} of every table a plan scans, sorted. */
  static java.util.SortedSet<String> tables(RelNode rel) {
    java.util.SortedSet<String> tables = new java.util.TreeSet<>();
    java.util.Deque<RelNode> work = new java.util.ArrayDeque<>(List.of(rel));
    while (!work.isEmpty()) {
      RelNode node = work.pop();
      if (node instanceof org.apache.calcite.rel.core.TableScan scan) {
        tables.add(
            String.join(".", scan.getTable().getQualifiedName())
                + " "
                + scan.getRowType().getFullTypeString());
      }
      work.addAll(node.getInputs());
    }
    return tables;
  }

  /**
   * Sorts the operands of every AND and OR by digest (after flattening), and the projection under
   * every aggregate: group columns first, then the aggregated expressions by digest, named by
   * position (so the order in which arguments were written does not matter).
   */
  static RelNode canonicalize(RelNode rel) {
    RexShuttle sorter = new OperandSorter(rel.getCluster().getRexBuilder());
    return rel.accept(
        new RelHomogeneousShuttle() {
          @Override
          public RelNode visit(RelNode other) {
            RelNode visited = super.visit(other).accept(sorter);
            if (visited instanceof LogicalAggregate aggregate
                && aggregate.getInput() instanceof LogicalProject project
                && aggregate.getGroupType() == Aggregate.Group.SIMPLE) {
              return sortAggregateInput(aggregate, project);
            }
            return visited;
          }
        });
  }

  private static RelNode sortAggregateInput(LogicalAggregate aggregate, LogicalProject project) {
    List<RexNode> exprs = project.getProjects();
    List<String> inputNames = project.getRowType().getFieldNames();
    List<Integer> order = new ArrayList<>(aggregate.getGroupSet().asList());
    List<Integer> others = new ArrayList<>();
    for (AggregateCall call : aggregate.getAggCallList()) {
      for (int arg : call.getArgList()) {
        if (!order.contains(arg) && !others.contains(arg)) {
          others.add(arg);
        }
      }
      if (call.filterArg >= 0
          && !order.contains(call.filterArg)
          && !others.contains(call.filterArg)) {
        others.add(call.filterArg);
      }
    }
    others.sort(Comparator.comparing(i -> exprs.get(i).toString()));
    order.addAll(others);
    Map<Integer, Integer> position = new HashMap<>();
    List<RexNode> newExprs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int groups = aggregate.getGroupSet().cardinality();
    for (int i = 0; i < order.size(); i++) {
      position.put(order.get(i), i);
      newExprs.add(exprs.get(order.get(i)));
      names.add(i < groups ? inputNames.get(order.get(i)) : "$f" + i);
    }
    LogicalProject newProject =
        LogicalProject.create(project.getInput(), project.getHints(), newExprs, names, Set.of());
    List<AggregateCall> calls = new ArrayList<>();
    for (AggregateCall call : aggregate.getAggCallList()) {
      List<Integer> args = new ArrayList<>();
      call.getArgList().forEach(a -> args.add(position.get(a)));
      calls.add(
          call.withArgList(args)
              .withFilter(call.filterArg < 0 ? -1 : position.get(call.filterArg)));
    }
    return LogicalAggregate.create(
        newProject, aggregate.getHints(), ImmutableBitSet.range(groups), null, calls);
  }

  private static final class OperandSorter extends RexShuttle {
    private final RexBuilder rex;

    OperandSorter(RexBuilder rex) {
      this.rex = rex;
    }

    @Override
    public RexNode visitCall(RexCall call) {
      RexCall visited = (RexCall) super.visitCall(call);
      if (visited.getKind() != SqlKind.AND && visited.getKind() != SqlKind.OR) {
        return visited;
      }
      RexNode flat = RexUtil.flatten(rex, visited);
      if (!(flat instanceof RexCall flatCall)) {
        return flat;
      }
      List<RexNode> operands = new ArrayList<>(flatCall.getOperands());
      operands.sort(Comparator.comparing(RexNode::toString));
      return rex.makeCall(flatCall.getType(), flatCall.getOperator(), operands);
    }
  }
}
