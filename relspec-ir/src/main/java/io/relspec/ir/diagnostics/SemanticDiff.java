package io.relspec.ir.diagnostics;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.Union;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.Correlate;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.logical.LogicalSort;
import org.apache.calcite.rex.RexNode;

/**
 * Compares two versions of a bundle rule by rule, on optimized plans (see {@link PlanOptimizer}),
 * so rewrites with the same meaning count as unchanged.
 *
 * <p>Categories: {@code metadata} when only description or tags changed; {@code non_breaking} when
 * every edit is proven not to change what anyone reads: columns added, removed, renamed or retyped
 * that the output contract does not declare (finalization drops them, so no downstream rule can
 * read them), a nullable column added to the contract, a priority change, or filters added that
 * only remove rows every downstream rule already filters out (each downstream rule filters right
 * after scanning the output with a predicate that implies the added one, the filter commutes with
 * the ops after it, and the contract has no dedupe or keys the filter could interact with); {@code
 * breaking} otherwise, with the downstream rules affected.
 *
 * <p>A changed dataset schema is judged column by column ({@link EditKind#DATASET_CHANGED}) for
 * each rule that scans the dataset, by what the rule reads of it: the columns it references
 * anywhere (predicates, keys, join conditions, aggregates, sort keys, kernel options, computed
 * columns) and the columns copied into the columns its contract declares, in either version ({@link
 * LineageAnalyzer}). A column added, removed or retyped that the rule does not read is {@code
 * non_breaking}, unless the rule scans every column of the dataset and has a {@code dedupe}, an
 * {@code interval_align} or a distinct {@code union}, whose tie-breaks and row comparisons involve
 * every column. A read column removed or retyped is {@code breaking} for the rule and its
 * downstream rules. Nullability: a column made non-null is {@code non_breaking} (the rows are the
 * same, or a null in the data now stops the run); a read column made nullable is {@code breaking}
 * unless the rule only copies it into nullable contract columns the contract does not require
 * non-null (the contract already allows the nulls that may now appear).
 */
public final class SemanticDiff {
  private final ValidatedBundle oldBundle;
  private final ValidatedBundle newBundle;
  private final RelCompiler oldCompiler;
  private final RelCompiler newCompiler;
  private Reads oldReads;
  private Reads newReads;

  private SemanticDiff(ValidatedBundle oldBundle, ValidatedBundle newBundle) {
    this.oldBundle = oldBundle;
    this.newBundle = newBundle;
    this.oldCompiler = new RelCompiler(oldBundle);
    this.newCompiler = new RelCompiler(newBundle);
  }

  /** Every rule of either bundle: the new bundle's rules in order, then removed ones. */
  public static List<RuleChange> diff(ValidatedBundle oldBundle, ValidatedBundle newBundle) {
    return new SemanticDiff(oldBundle, newBundle).run();
  }

  private List<RuleChange> run() {
    List<RuleChange> changes = new ArrayList<>();
    for (RelPlan plan : newBundle.plans()) {
      Optional<RelPlan> old = oldBundle.plan(plan.name());
      changes.add(old.isPresent() ? compare(old.get(), plan) : added(plan));
    }
    for (RelPlan plan : oldBundle.plans()) {
      if (newBundle.plan(plan.name()).isEmpty()) {
        changes.add(removed(plan));
      }
    }
    return changes;
  }

  private RuleChange added(RelPlan plan) {
    String digest = PlanOptimizer.digest(PlanOptimizer.optimize(newCompiler.rule(plan)));
    boolean newOutput = oldBundle.output(plan.output()).isEmpty();
    return new RuleChange(
        plan.name(),
        RuleChange.ADDED,
        Optional.of(newOutput ? RuleChange.NON_BREAKING : RuleChange.BREAKING),
        newOutput
            ? "new rule producing new output '" + plan.output() + "'"
            : "adds rows to existing output '" + plan.output() + "'",
        List.of(),
        newOutput ? List.of() : downstream(newBundle, plan.output()),
        Optional.empty(),
        Optional.of(digest));
  }

  private RuleChange removed(RelPlan plan) {
    String digest = PlanOptimizer.digest(PlanOptimizer.optimize(oldCompiler.rule(plan)));
    boolean outputGone = newBundle.output(plan.output()).isEmpty();
    return new RuleChange(
        plan.name(),
        RuleChange.REMOVED,
        Optional.of(RuleChange.BREAKING),
        outputGone
            ? "output '" + plan.output() + "' is no longer produced"
            : "output '" + plan.output() + "' loses the rows of this rule",
        List.of(),
        downstream(newBundle, plan.output()),
        Optional.of(digest),
        Optional.empty());
  }

  private RuleChange compare(RelPlan oldPlan, RelPlan newPlan) {
    RelNode oldRel = PlanOptimizer.optimize(oldCompiler.rule(oldPlan));
    RelNode newRel = PlanOptimizer.optimize(newCompiler.rule(newPlan));
    String oldDigest = PlanOptimizer.digest(oldRel);
    String newDigest = PlanOptimizer.digest(newRel);
    ContractSpec oldContract = oldBundle.output(oldPlan.output()).orElseThrow().contract();
    ContractSpec newContract = newBundle.output(newPlan.output()).orElseThrow().contract();
    RuleDefinition oldRule = oldPlan.rule();
    RuleDefinition newRule = newPlan.rule();
    Map<EditKind, List<String>> edits = new EnumMap<>(EditKind.class);
    if (!oldRule.output().equals(newRule.output())) {
      edit(edits, EditKind.OUTPUT_CHANGED, oldRule.output() + " -> " + newRule.output());
    }
    if (oldRule.priority() != newRule.priority()) {
      edit(edits, EditKind.PRIORITY_CHANGED, oldRule.priority() + " -> " + newRule.priority());
    }
    if (!oldPlan.contractSignature().equals(newPlan.contractSignature())) {
      contractEdits(oldContract, newContract, edits);
    }
    boolean samePlan = oldDigest.equals(newDigest);
    Map<String, Optional<String>> datasetVerdicts = new java.util.LinkedHashMap<>();
    if (!samePlan) {
      List<DatasetEdit> datasetEdits = datasetEdits(oldPlan, newPlan);
      for (DatasetEdit edit : datasetEdits) {
        edit(edits, EditKind.DATASET_CHANGED, edit.detail());
        datasetVerdicts.put(edit.detail(), verdict(edit, oldPlan, newPlan, newContract));
      }
      schemaEdits(oldPlan, newPlan, edits);
      Set<String> changedDatasets = new TreeSet<>();
      datasetEdits.forEach(e -> changedDatasets.add(e.dataset()));
      boolean onlyDatasetsChanged =
          !datasetEdits.isEmpty()
              && oldRule.ops().equals(newRule.ops())
              && oldPlan.params().equals(newPlan.params())
              && oldPlan.contractSignature().equals(newPlan.contractSignature());
      if (!onlyDatasetsChanged) {
        // When only dataset schemas changed, the plans differ in column indices alone.
        planEdits(oldRel, newRel, edits, changedDatasets);
      }
      if (!kernels(oldRule.ops()).equals(kernels(newRule.ops()))) {
        edit(edits, EditKind.KERNEL_OPTIONS_CHANGED, kernelNames(newRule.ops()));
      }
      if (!oldPlan.params().equals(newPlan.params())) {
        edit(edits, EditKind.PARAMS_CHANGED, oldPlan.params() + " -> " + newPlan.params());
      }
      if (edits.isEmpty()) {
        edit(edits, EditKind.PLAN_CHANGED, "the optimized plans differ");
      }
    }
    boolean metadata =
        !oldRule.description().equals(newRule.description())
            || !oldRule.tags().equals(newRule.tags());
    if (edits.isEmpty()) {
      if (metadata) {
        edit(edits, EditKind.METADATA_CHANGED, "description or tags");
        return change(
            newPlan,
            RuleChange.CHANGED,
            RuleChange.METADATA,
            "only description or tags changed; the optimized plans are identical",
            edits,
            List.of(),
            oldDigest,
            newDigest);
      }
      String reason =
          oldPlan.planSignature().equals(newPlan.planSignature())
              ? "identical"
              : "equivalent rewrite: the ops differ but the optimized plans are identical";
      return new RuleChange(
          newPlan.name(),
          RuleChange.UNCHANGED,
          Optional.empty(),
          reason,
          List.of(),
          List.of(),
          Optional.of(oldDigest),
          Optional.of(newDigest));
    }
    if (metadata) {
      edit(edits, EditKind.METADATA_CHANGED, "description or tags");
    }
    Optional<String> safe =
        proveSafe(oldPlan, newPlan, oldContract, newContract, edits, datasetVerdicts);
    if (safe.isPresent()) {
      return change(
          newPlan,
          RuleChange.CHANGED,
          RuleChange.NON_BREAKING,
          safe.get(),
          edits,
          List.of(),
          oldDigest,
          newDigest);
    }
    List<String> breaking = new ArrayList<>();
    for (Map.Entry<EditKind, List<String>> edit : edits.entrySet()) {
      if (edit.getKey() != EditKind.METADATA_CHANGED) {
        breaking.add(edit.getKey().jsonName());
      }
    }
    List<String> downstream = downstream(newBundle, newPlan.output());
    return change(
        newPlan,
        RuleChange.CHANGED,
        RuleChange.BREAKING,
        "rows or schema of output '"
            + newPlan.output()
            + "' change ("
            + String.join(", ", breaking)
            + ")"
            + (downstream.isEmpty() ? "" : "; downstream rules read it"),
        edits,
        downstream,
        oldDigest,
        newDigest);
  }

  private static RuleChange change(
      RelPlan plan,
      String status,
      String category,
      String reason,
      Map<EditKind, List<String>> edits,
      List<String> downstream,
      String oldDigest,
      String newDigest) {
    List<RuleChange.Edit> list = new ArrayList<>();
    edits.forEach((kind, details) -> details.forEach(d -> list.add(new RuleChange.Edit(kind, d))));
    return new RuleChange(
        plan.name(),
        status,
        Optional.of(category),
        reason,
        list,
        downstream,
        Optional.of(oldDigest),
        Optional.of(newDigest));
  }

  private static void edit(Map<EditKind, List<String>> edits, EditKind kind, String detail) {
    edits.computeIfAbsent(kind, k -> new ArrayList<>()).add(detail);
  }

  // ------------------------------------------------------------------ edits

  private static void contractEdits(
      ContractSpec oldContract, ContractSpec newContract, Map<EditKind, List<String>> edits) {
    List<String> details = new ArrayList<>();
    for (Field column : newContract.columns()) {
      Optional<Field> old = oldContract.column(column.name());
      if (old.isEmpty()) {
        details.add("adds " + (column.nullable() ? "nullable " : "") + "column " + column.name());
      } else if (!old.get().equals(column)) {
        details.add("changes column " + column.name());
      }
    }
    for (Field column : oldContract.columns()) {
      if (newContract.column(column.name()).isEmpty()) {
        details.add("removes column " + column.name());
      }
    }
    if (!oldContract.keyFields().equals(newContract.keyFields())
        || !oldContract.requiredNonNull().equals(newContract.requiredNonNull())
        || !oldContract.dedupe().equals(newContract.dedupe())
        || !oldContract.canonicalSort().equals(newContract.canonicalSort())
        || oldContract.onViolation() != newContract.onViolation()
        || !oldContract.name().equals(newContract.name())) {
      details.add("changes keys, dedupe, sort or violation handling");
    }
    if (details.isEmpty()) {
      details.add("version " + oldContract.version() + " -> " + newContract.version());
    }
    details.forEach(d -> edit(edits, EditKind.CONTRACT_CHANGED, d));
  }

  private static void schemaEdits(
      RelPlan oldPlan, RelPlan newPlan, Map<EditKind, List<String>> edits) {
    List<Field> removed = new ArrayList<>();
    List<Field> added = new ArrayList<>();
    for (Field field : oldPlan.schema().fields()) {
      Optional<Field> now = newPlan.schema().field(field.name());
      if (now.isEmpty()) {
        removed.add(field);
      } else if (!now.get().type().equals(field.type())) {
        edit(
            edits,
            EditKind.COLUMN_RETYPED,
            field.name()
                + ": "
                + field.type().typeString()
                + " -> "
                + now.get().type().typeString());
      }
    }
    for (Field field : newPlan.schema().fields()) {
      if (oldPlan.schema().field(field.name()).isEmpty()) {
        added.add(field);
      }
    }
    if (removed.size() == 1
        && added.size() == 1
        && removed.get(0).type().equals(added.get(0).type())
        && oldPlan.schema().indexOf(removed.get(0).name())
            == newPlan.schema().indexOf(added.get(0).name())) {
      edit(edits, EditKind.COLUMN_RENAMED, removed.get(0).name() + " -> " + added.get(0).name());
      return;
    }
    removed.forEach(f -> edit(edits, EditKind.COLUMN_REMOVED, f.name()));
    added.forEach(f -> edit(edits, EditKind.COLUMN_ADDED, f.name()));
  }

  /** Structural differences of the optimized plans. */
  private static void planEdits(
      RelNode oldRel,
      RelNode newRel,
      Map<EditKind, List<String>> edits,
      Set<String> changedDatasets) {
    Features oldFeatures = Features.of(oldRel);
    Features newFeatures = Features.of(newRel);
    if (!oldFeatures.predicates.equals(newFeatures.predicates)) {
      edit(
          edits,
          EditKind.PREDICATE_CHANGED,
          describe(oldFeatures.predicates, newFeatures.predicates));
    }
    if (!oldFeatures.joins.equals(newFeatures.joins)) {
      edit(edits, EditKind.JOIN_CHANGED, describe(oldFeatures.joins, newFeatures.joins));
    }
    if (!oldFeatures.aggregates.equals(newFeatures.aggregates)) {
      edit(
          edits,
          EditKind.AGGREGATE_CHANGED,
          describe(oldFeatures.aggregates, newFeatures.aggregates));
    }
    if (!oldFeatures.sorts.equals(newFeatures.sorts)) {
      edit(edits, EditKind.ORDER_CHANGED, describe(oldFeatures.sorts, newFeatures.sorts));
    }
    if (!oldFeatures.tables.equals(newFeatures.tables)) {
      edit(edits, EditKind.SOURCE_CHANGED, oldFeatures.tables + " -> " + newFeatures.tables);
    } else {
      Set<String> oldTables = PlanOptimizer.tables(oldRel);
      Set<String> newTables = PlanOptimizer.tables(newRel);
      if (!oldTables.equals(newTables)) {
        List<String> changed = new ArrayList<>();
        for (String table : newTables) {
          String name = table.substring(0, table.indexOf(' '));
          if (!oldTables.contains(table) && !changedDatasets.contains(name)) {
            changed.add(name);
          }
        }
        if (!changed.isEmpty()) {
          edit(
              edits,
              EditKind.SOURCE_CHANGED,
              "schema of " + String.join(", ", changed) + " changed");
        }
      }
    }
    if (oldRel instanceof LogicalProject oldTop && newRel instanceof LogicalProject newTop) {
      List<String> changed = new ArrayList<>();
      List<String> oldNames = oldTop.getRowType().getFieldNames();
      List<String> newNames = newTop.getRowType().getFieldNames();
      for (int i = 0; i < newNames.size(); i++) {
        int j = oldNames.indexOf(newNames.get(i));
        if (j >= 0
            && !oldTop
                .getProjects()
                .get(j)
                .toString()
                .equals(newTop.getProjects().get(i).toString())
            && oldTop.getInput().getRowType().equals(newTop.getInput().getRowType())) {
          changed.add(newNames.get(i));
        }
      }
      if (!changed.isEmpty()) {
        edit(edits, EditKind.EXPRESSION_CHANGED, String.join(", ", changed));
      }
    }
  }

  private static String describe(List<String> before, List<String> after) {
    List<String> gone = new ArrayList<>(before);
    after.forEach(gone::remove);
    List<String> come = new ArrayList<>(after);
    before.forEach(come::remove);
    StringBuilder text = new StringBuilder();
    if (!gone.isEmpty()) {
      text.append("removed ").append(String.join(" | ", gone));
    }
    if (!come.isEmpty()) {
      text.append(text.length() > 0 ? "; " : "").append("added ").append(String.join(" | ", come));
    }
    return text.length() == 0 ? "reordered" : text.toString();
  }

  /** Filters, joins, aggregates, sorts and tables of a plan, as digests. */
  private static final class Features {
    final List<String> predicates = new ArrayList<>();
    final List<String> joins = new ArrayList<>();
    final List<String> aggregates = new ArrayList<>();
    final List<String> sorts = new ArrayList<>();
    final Set<String> tables = new TreeSet<>();

    static Features of(RelNode rel) {
      Features features = new Features();
      Deque<RelNode> work = new ArrayDeque<>(List.of(rel));
      while (!work.isEmpty()) {
        RelNode node = work.pop();
        if (node instanceof LogicalFilter filter) {
          features.predicates.add(filter.getCondition().toString());
        } else if (node instanceof LogicalJoin join) {
          features.joins.add(join.getJoinType().lowerName + " on " + join.getCondition());
        } else if (node instanceof Correlate correlate) {
          features.joins.add("correlate " + correlate.getJoinType().lowerName);
        } else if (node instanceof Aggregate aggregate) {
          features.aggregates.add(
              "group " + aggregate.getGroupSet() + " " + aggregate.getAggCallList());
        } else if (node instanceof LogicalSort sort) {
          features.sorts.add(
              sort.getCollation() + " offset " + sort.offset + " fetch " + sort.fetch);
        } else if (node instanceof TableScan scan) {
          features.tables.add(String.join(".", scan.getTable().getQualifiedName()));
        }
        work.addAll(node.getInputs());
      }
      return features;
    }
  }

  private static List<Op> kernels(List<Op> ops) {
    List<Op> kernels = new ArrayList<>();
    for (Op op : ops) {
      if (op instanceof Explode || op instanceof Dedupe) {
        kernels.add(op);
      } else if (op instanceof IntervalAlign align) {
        kernels.add(
            new IntervalAlign(
                Pipeline.of(),
                align.on(),
                align.leftSpan(),
                align.rightSpan(),
                align.mode(),
                align.how(),
                align.selectRight(),
                align.tieBreakers(),
                align.matchMeta()));
        kernels.addAll(kernels(align.right().ops()));
      } else if (op instanceof Join join) {
        kernels.addAll(kernels(join.right().ops()));
      } else if (op instanceof Union union) {
        union.inputs().forEach(i -> kernels.addAll(kernels(i.ops())));
      }
    }
    return kernels;
  }

  private static String kernelNames(List<Op> ops) {
    Set<String> names = new LinkedHashSet<>();
    kernels(ops).forEach(k -> names.add(k.opName()));
    return names.isEmpty() ? "kernel ops removed" : String.join(", ", names);
  }

  // ------------------------------------------------------------------ dataset schemas

  /**
   * One column of a dataset a rule scans whose declaration changed.
   *
   * @param change {@code added}, {@code removed}, {@code retyped}, {@code made non-null} or {@code
   *     made nullable}
   */
  private record DatasetEdit(String dataset, Field column, String change, String detail) {
    String ref() {
      return dataset + "." + column.name();
    }
  }

  /** The column edits of every declared dataset either version of the rule scans. */
  private List<DatasetEdit> datasetEdits(RelPlan oldPlan, RelPlan newPlan) {
    Set<String> scanned = new LinkedHashSet<>(BundleChecker.scans(oldPlan.ops()));
    scanned.addAll(BundleChecker.scans(newPlan.ops()));
    List<DatasetEdit> edits = new ArrayList<>();
    for (String name : scanned) {
      Optional<io.relspec.ir.bundle.DatasetSpec> before = oldBundle.bundle().dataset(name);
      Optional<io.relspec.ir.bundle.DatasetSpec> after = newBundle.bundle().dataset(name);
      if (before.isEmpty() || after.isEmpty()) {
        continue;
      }
      List<Field> was = before.get().schema();
      List<Field> now = after.get().schema();
      for (Field column : now) {
        Optional<Field> old = was.stream().filter(f -> f.name().equals(column.name())).findFirst();
        if (old.isEmpty()) {
          edits.add(datasetEdit(name, column, "added", "adds column " + column.name()));
        } else if (!old.get().type().equals(column.type())) {
          edits.add(
              datasetEdit(
                  name,
                  column,
                  "retyped",
                  "retypes column "
                      + column.name()
                      + " "
                      + old.get().type().typeString()
                      + " -> "
                      + column.type().typeString()));
        } else if (old.get().nullable() != column.nullable()) {
          String change = column.nullable() ? "made nullable" : "made non-null";
          edits.add(datasetEdit(name, column, change, change + " column " + column.name()));
        }
      }
      for (Field column : was) {
        if (now.stream().noneMatch(f -> f.name().equals(column.name()))) {
          edits.add(datasetEdit(name, column, "removed", "removes column " + column.name()));
        }
      }
    }
    return edits;
  }

  private static DatasetEdit datasetEdit(String dataset, Field column, String change, String what) {
    return new DatasetEdit(dataset, column, change, "dataset " + dataset + " " + what);
  }

  /** Why a dataset column edit cannot change the rule's output, or empty when it may. */
  private Optional<String> verdict(
      DatasetEdit edit, RelPlan oldPlan, RelPlan newPlan, ContractSpec newContract) {
    String ref = edit.ref();
    Reads before = reads(oldBundle);
    Reads after = reads(newBundle);
    boolean referenced =
        before.referenced().getOrDefault(oldPlan.name(), Set.of()).contains(ref)
            || after.referenced().getOrDefault(newPlan.name(), Set.of()).contains(ref);
    boolean copied =
        before.feeding().getOrDefault(oldPlan.name(), Set.of()).contains(ref)
            || after.feeding().getOrDefault(newPlan.name(), Set.of()).contains(ref);
    if (!referenced && !copied) {
      if (!edit.change().startsWith("made ")
          && (scansEveryColumn(oldPlan.ops(), edit.dataset())
              || scansEveryColumn(newPlan.ops(), edit.dataset()))
          && (comparesWholeRows(oldPlan.ops()) || comparesWholeRows(newPlan.ops()))) {
        return Optional.empty();
      }
      return Optional.of(edit.detail() + ": the rule does not read it");
    }
    return switch (edit.change()) {
      case "made non-null" ->
          Optional.of(
              edit.detail()
                  + ": the rule reads it, but its rows stay the same (a null in the data now"
                  + " stops the run)");
      case "made nullable" -> {
        if (referenced) {
          yield Optional.empty();
        }
        // Only copied into contract columns: fine when each of them already allows nulls.
        for (ColumnLineage column : after.lineage().getOrDefault(newPlan.name(), List.of())) {
          if (!column.inputs().contains(ref)) {
            continue;
          }
          Optional<Field> declared = newContract.column(column.column());
          if (declared.isPresent()
              && (!declared.get().nullable()
                  || newContract.requiredNonNull().contains(column.column())
                  || newContract.keyFields().contains(column.column()))) {
            yield Optional.empty();
          }
        }
        yield Optional.of(
            edit.detail()
                + ": the rule only copies it into contract columns that already allow nulls");
      }
      default -> Optional.empty();
    };
  }

  /**
   * What the rules of one bundle read: per rule, the {@code dataset.column}s it references
   * anywhere, the ones that feed a column its contract declares, and its column lineage.
   */
  private record Reads(
      Map<String, Set<String>> referenced,
      Map<String, Set<String>> feeding,
      Map<String, List<ColumnLineage>> lineage) {
    static Reads of(ValidatedBundle bundle) {
      Map<String, Set<String>> referenced = new java.util.HashMap<>();
      LineageAnalyzer.references(bundle)
          .forEach((rule, refs) -> referenced.put(rule, Set.copyOf(refs)));
      Map<String, List<ColumnLineage>> lineage = LineageAnalyzer.analyze(bundle);
      Map<String, Set<String>> feeding = new java.util.HashMap<>();
      for (OutputPlan output : bundle.outputs()) {
        for (RelPlan plan : output.rules()) {
          Set<String> refs = new TreeSet<>();
          for (ColumnLineage column : lineage.getOrDefault(plan.name(), List.of())) {
            if (output.contract().column(column.column()).isPresent()) {
              refs.addAll(column.inputs());
            }
          }
          feeding.put(plan.name(), refs);
        }
      }
      return new Reads(referenced, feeding, lineage);
    }
  }

  private Reads reads(ValidatedBundle bundle) {
    if (bundle == oldBundle) {
      if (oldReads == null) {
        oldReads = Reads.of(bundle);
      }
      return oldReads;
    }
    if (newReads == null) {
      newReads = Reads.of(bundle);
    }
    return newReads;
  }

  /**
   * Whether some scan of {@code dataset} in a pipeline (nested ones included) reads all columns.
   */
  private static boolean scansEveryColumn(List<Op> ops, String dataset) {
    for (Op op : ops) {
      if (op instanceof Scan scan && scan.dataset().equals(dataset) && scan.columns().isEmpty()) {
        return true;
      }
      for (Pipeline nested : nested(op)) {
        if (scansEveryColumn(nested.ops(), dataset)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether a pipeline has an op whose result depends on every column of its rows. */
  private static boolean comparesWholeRows(List<Op> ops) {
    for (Op op : ops) {
      if (op instanceof Dedupe
          || op instanceof IntervalAlign
          || (op instanceof Union union && union.distinct())) {
        return true;
      }
      for (Pipeline nested : nested(op)) {
        if (comparesWholeRows(nested.ops())) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<Pipeline> nested(Op op) {
    if (op instanceof Join join) {
      return List.of(join.right());
    } else if (op instanceof Union union) {
      return union.inputs();
    } else if (op instanceof IntervalAlign align) {
      return List.of(align.right());
    }
    return List.of();
  }

  // ------------------------------------------------------------------ proofs

  private Optional<String> proveSafe(
      RelPlan oldPlan,
      RelPlan newPlan,
      ContractSpec oldContract,
      ContractSpec newContract,
      Map<EditKind, List<String>> edits,
      Map<String, Optional<String>> datasetVerdicts) {
    List<String> reasons = new ArrayList<>();
    for (Map.Entry<EditKind, List<String>> entry : edits.entrySet()) {
      EditKind kind = entry.getKey();
      for (String detail : entry.getValue()) {
        switch (kind) {
          case METADATA_CHANGED -> {}
          case PRIORITY_CHANGED -> reasons.add("priority only orders rules of one output");
          case DATASET_CHANGED -> {
            Optional<String> verdict = datasetVerdicts.getOrDefault(detail, Optional.empty());
            if (verdict.isEmpty()) {
              return Optional.empty();
            }
            reasons.add(verdict.get());
          }
          case COLUMN_ADDED, COLUMN_REMOVED, COLUMN_RETYPED -> {
            String column = detail.split(":")[0];
            if (oldContract.column(column).isPresent() || newContract.column(column).isPresent()) {
              if (kind == EditKind.COLUMN_ADDED
                  && oldContract.column(column).isEmpty()
                  && newContract.column(column).map(Field::nullable).orElse(false)) {
                reasons.add("adds column " + column + " (also added to the contract)");
                continue;
              }
              return Optional.empty();
            }
            reasons.add(
                kind.jsonName()
                    + " "
                    + column
                    + ": the contract does not declare it, so no one reads it");
          }
          case COLUMN_RENAMED -> {
            String[] names = detail.split(" -> ");
            if (oldContract.column(names[0]).isPresent()
                || newContract.column(names[1]).isPresent()) {
              return Optional.empty();
            }
            reasons.add(
                "renames " + detail + ": the contract declares neither, so no one reads it");
          }
          case CONTRACT_CHANGED -> {
            if (!detail.startsWith("adds nullable column ")) {
              return Optional.empty();
            }
            reasons.add("the contract " + detail);
          }
          case EXPRESSION_CHANGED -> {
            for (String column : detail.split(", ")) {
              if (newContract.column(column).isPresent()) {
                return Optional.empty();
              }
            }
            reasons.add("expressions of columns the contract drops changed: " + detail);
          }
          case PREDICATE_CHANGED -> {
            Optional<String> proof = filterOnlyRemovesIgnoredRows(oldPlan, newPlan, newContract);
            if (proof.isEmpty()) {
              return Optional.empty();
            }
            reasons.add(proof.get());
          }
          default -> {
            return Optional.empty();
          }
        }
      }
    }
    return Optional.of(String.join("; ", new LinkedHashSet<>(reasons)));
  }

  /**
   * Proves that the filters the new rule adds only remove rows every downstream rule removes
   * itself.
   */
  private Optional<String> filterOnlyRemovesIgnoredRows(
      RelPlan oldPlan, RelPlan newPlan, ContractSpec contract) {
    if (contract.dedupe().isPresent()) {
      return Optional.empty();
    }
    List<Op> oldOps = oldPlan.ops();
    List<Op> newOps = newPlan.ops();
    List<Integer> inserted = new ArrayList<>();
    int o = 0;
    Map<Integer, Expr> strengthened = new java.util.HashMap<>();
    for (int n = 0; n < newOps.size(); n++) {
      if (o < oldOps.size() && Objects.equals(oldOps.get(o), newOps.get(n))) {
        o++;
      } else if (o < oldOps.size()
          && oldOps.get(o) instanceof Filter before
          && newOps.get(n) instanceof Filter after
          && extraConjuncts(before.predicate(), after.predicate()).isPresent()) {
        strengthened.put(n, extraConjuncts(before.predicate(), after.predicate()).get());
        inserted.add(n);
        o++;
      } else if (newOps.get(n) instanceof Filter) {
        inserted.add(n);
      } else {
        return Optional.empty();
      }
    }
    if (o != oldOps.size() || inserted.isEmpty()) {
      return Optional.empty();
    }
    List<Expr> added = new ArrayList<>();
    for (int index : inserted) {
      Filter filter =
          strengthened.containsKey(index)
              ? new Filter(strengthened.get(index))
              : (Filter) newOps.get(index);
      Set<String> columns = new TreeSet<>();
      Expr.addColumns(filter.predicate(), columns);
      if (!contract.keyFields().isEmpty() && !contract.keyFields().containsAll(columns)) {
        return Optional.empty();
      }
      for (String column : columns) {
        if (contract.column(column).isEmpty() || newPlan.schema().field(column).isEmpty()) {
          return Optional.empty();
        }
      }
      for (Op after : newOps.subList(index + 1, newOps.size())) {
        if (!commutesWithFilterOn(after, columns)) {
          return Optional.empty();
        }
      }
      added.add(filter.predicate());
    }
    List<String> readers = new ArrayList<>();
    for (RelPlan reader : newBundle.plans()) {
      if (!BundleChecker.scans(reader.ops()).contains(newPlan.output())) {
        continue;
      }
      List<Expr> premises = leadingFilters(reader.ops(), newPlan.output());
      if (premises == null || premises.isEmpty()) {
        return Optional.empty();
      }
      List<RexNode> conjuncts = new ArrayList<>();
      for (Expr expr : premises) {
        conjuncts.add(newCompiler.predicateOver(newPlan.output(), expr, reader.params()));
      }
      RexNode premise = newCompiler.conjunction(conjuncts);
      for (Expr conclusion : added) {
        RexNode rex = newCompiler.predicateOver(newPlan.output(), conclusion, newPlan.params());
        if (!newCompiler.implies(premise, rex)) {
          return Optional.empty();
        }
      }
      readers.add(reader.name());
    }
    if (readers.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "the added filter only removes rows that downstream rule(s) "
            + readers
            + " already filter out (their predicates imply it); output '"
            + newPlan.output()
            + "' itself loses those rows");
  }

  /**
   * The conjuncts {@code after} adds to {@code before} when {@code after} is {@code and(...)} of
   * every conjunct of {@code before} and more.
   */
  private static Optional<Expr> extraConjuncts(Expr before, Expr after) {
    List<Expr> was = conjuncts(before);
    List<Expr> now = conjuncts(after);
    if (!now.containsAll(was) || now.size() == was.size()) {
      return Optional.empty();
    }
    List<Expr> extra = new ArrayList<>(now);
    extra.removeAll(was);
    return Optional.of(extra.size() == 1 ? extra.get(0) : new Call("and", extra));
  }

  private static List<Expr> conjuncts(Expr expr) {
    if (expr instanceof Call call && call.fn().equals("and")) {
      List<Expr> all = new ArrayList<>();
      call.args().forEach(a -> all.addAll(conjuncts(a)));
      return all;
    }
    return List.of(expr);
  }

  /**
   * The predicates of the filters right after every scan of {@code output} in a pipeline (nested
   * ones included), combined: null if some scan of it is not followed by a filter.
   */
  private static List<Expr> leadingFilters(List<Op> ops, String output) {
    List<Expr> all = new ArrayList<>();
    if (!ops.isEmpty() && ops.get(0) instanceof Scan scan && scan.dataset().equals(output)) {
      for (Op op : ops.subList(1, ops.size())) {
        if (op instanceof Filter filter) {
          all.add(filter.predicate());
        } else if (!(op instanceof Param)) {
          break;
        }
      }
      if (all.isEmpty()) {
        return null;
      }
    }
    for (Op op : ops) {
      List<Pipeline> nested = new ArrayList<>();
      if (op instanceof Join join) {
        nested.add(join.right());
      } else if (op instanceof Union union) {
        nested.addAll(union.inputs());
      } else if (op instanceof IntervalAlign align) {
        nested.add(align.right());
      }
      for (Pipeline pipeline : nested) {
        if (BundleChecker.scans(pipeline.ops()).contains(output)) {
          List<Expr> inner = leadingFilters(pipeline.ops(), output);
          if (inner == null) {
            return null;
          }
          all.addAll(inner);
        }
      }
    }
    return all;
  }

  /** Whether a filter on {@code columns} gives the same rows before or after {@code op}. */
  private static boolean commutesWithFilterOn(Op op, Set<String> columns) {
    if (op instanceof Filter || op instanceof Param || op instanceof Sort) {
      return true;
    }
    if (op instanceof Derive derive) {
      return !columns.contains(derive.name());
    }
    if (op instanceof Project project) {
      for (Project.Column column : project.columns()) {
        if (columns.contains(column.name()) && !column.isPassThrough()) {
          return false;
        }
      }
      return true;
    }
    if (op instanceof Join join) {
      return join.type() == JoinType.INNER
          || join.type() == JoinType.LEFT
          || join.type() == JoinType.SEMI
          || join.type() == JoinType.ANTI;
    }
    if (op instanceof Explode explode) {
      return !columns.contains(explode.column());
    }
    return op instanceof IntervalAlign;
  }

  /** Rules of a bundle that read {@code output}, directly or through other rules, in order. */
  static List<String> downstream(ValidatedBundle bundle, String output) {
    Set<String> outputs = new LinkedHashSet<>(List.of(output));
    Set<String> rules = new LinkedHashSet<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      for (OutputPlan candidate : bundle.outputs()) {
        for (RelPlan plan : candidate.rules()) {
          Set<String> scanned = BundleChecker.scans(plan.ops());
          if (!rules.contains(plan.name()) && scanned.stream().anyMatch(outputs::contains)) {
            rules.add(plan.name());
            outputs.add(plan.output());
            grew = true;
          }
        }
      }
    }
    return List.copyOf(rules);
  }
}
