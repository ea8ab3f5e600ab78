package io.relspec.ir.diagnostics;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Side;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.Union;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Column lineage of every rule of a validated bundle, by a walk over the ops (each op's effect on
 * columns is known exactly from format v1), followed transitively through the rule graph: a column
 * read from a rule output comes from that output's column in every rule that produces it.
 */
public final class LineageAnalyzer {
  /** Where a column's value comes from, one level deep. */
  private record Origin(boolean derived, Set<String> refs) {
    static Origin copy(String ref) {
      return new Origin(false, new TreeSet<>(Set.of(ref)));
    }

    Origin asDerived() {
      return new Origin(true, refs);
    }

    Origin merge(Origin other) {
      Set<String> all = new TreeSet<>(refs);
      all.addAll(other.refs);
      return new Origin(true, all);
    }
  }

  private final ValidatedBundle bundle;
  private final Map<String, List<ColumnLineage>> byRule = new LinkedHashMap<>();
  private final Map<String, Map<String, Origin>> outputSources = new HashMap<>();
  private final Map<String, List<String>> readsByRule = new LinkedHashMap<>();
  private Set<String> reads = new TreeSet<>();

  private LineageAnalyzer(ValidatedBundle bundle) {
    this.bundle = bundle;
  }

  /** The lineage of every rule, in dependency order, each rule's columns in schema order. */
  public static Map<String, List<ColumnLineage>> analyze(ValidatedBundle bundle) {
    return run(bundle).byRule;
  }

  /**
   * The columns of datasets and rule outputs each rule references anywhere (predicates, keys, join
   * conditions, aggregates, sort keys, kernel options, computed columns), as {@code name.column},
   * sorted; in dependency order.
   */
  public static Map<String, List<String>> references(ValidatedBundle bundle) {
    return run(bundle).readsByRule;
  }

  private static LineageAnalyzer run(ValidatedBundle bundle) {
    LineageAnalyzer analyzer = new LineageAnalyzer(bundle);
    for (OutputPlan output : bundle.outputs()) {
      Map<String, Origin> finalized = new LinkedHashMap<>();
      for (RelPlan plan : output.rules()) {
        analyzer.reads = new TreeSet<>();
        Map<String, Origin> direct = analyzer.pipeline(plan.ops());
        analyzer.readsByRule.put(plan.name(), List.copyOf(analyzer.reads));
        List<ColumnLineage> columns = new ArrayList<>();
        for (String column : plan.schema().names()) {
          Origin origin = direct.get(column);
          Origin resolved = analyzer.resolve(origin);
          columns.add(
              new ColumnLineage(
                  plan.name(),
                  column,
                  resolved.derived(),
                  List.copyOf(origin.refs()),
                  List.copyOf(resolved.refs())));
          if (output.contract().column(column).isPresent()) {
            finalized.merge(column, resolved, LineageAnalyzer::mergeRules);
          }
        }
        analyzer.byRule.put(plan.name(), columns);
      }
      analyzer.outputSources.put(output.name(), finalized);
    }
    return analyzer;
  }

  private void use(Map<String, Origin> in, String column) {
    Origin origin = in.get(column);
    if (origin != null) {
      reads.addAll(origin.refs());
    }
  }

  private void use(Map<String, Origin> in, Expr expr) {
    collect(expr, in, reads);
  }

  private void useJoinCondition(Expr expr, Map<String, Origin> left, Map<String, Origin> right) {
    if (expr instanceof ColumnRef ref) {
      boolean inRight =
          ref.side().map(side -> side == Side.RIGHT).orElse(right.containsKey(ref.name()));
      use(inRight ? right : left, ref.name());
    } else if (expr instanceof Call call) {
      call.args().forEach(a -> useJoinCondition(a, left, right));
    } else if (expr instanceof Cast cast) {
      useJoinCondition(cast.expr(), left, right);
    } else if (expr instanceof Case kase) {
      for (Case.When when : kase.branches()) {
        useJoinCondition(when.when(), left, right);
        useJoinCondition(when.then(), left, right);
      }
      kase.otherwise().ifPresent(e -> useJoinCondition(e, left, right));
    }
  }

  private static Origin mergeRules(Origin a, Origin b) {
    Set<String> all = new TreeSet<>(a.refs());
    all.addAll(b.refs());
    return new Origin(a.derived() || b.derived(), all);
  }

  /** Follows refs to rule outputs down to declared datasets. */
  private Origin resolve(Origin origin) {
    boolean derived = origin.derived();
    Set<String> sources = new TreeSet<>();
    for (String ref : origin.refs()) {
      int dot = ref.indexOf('.');
      String table = ref.substring(0, dot);
      String column = ref.substring(dot + 1);
      Map<String, Origin> upstream = outputSources.get(table);
      if (upstream == null) {
        sources.add(ref);
      } else {
        Origin up = upstream.get(column);
        if (up != null) {
          derived |= up.derived();
          sources.addAll(up.refs());
        }
      }
    }
    return new Origin(derived || sources.size() > 1, sources);
  }

  private Map<String, Origin> pipeline(List<Op> ops) {
    Map<String, Origin> columns = new LinkedHashMap<>();
    for (Op op : ops) {
      columns = op(op, columns);
    }
    return columns;
  }

  private Map<String, Origin> op(Op op, Map<String, Origin> in) {
    if (op instanceof Scan scan) {
      List<String> names = scan.columns().orElseGet(() -> tableColumns(scan.dataset()));
      Map<String, Origin> out = new LinkedHashMap<>();
      for (String name : names) {
        out.put(name, Origin.copy(scan.dataset() + "." + name));
      }
      return out;
    }
    if (op instanceof Filter filter) {
      use(in, filter.predicate());
      return in;
    }
    if (op instanceof Sort sort) {
      sort.keys().forEach(k -> use(in, k.column()));
      return in;
    }
    if (op instanceof Dedupe dedupe) {
      dedupe.keys().forEach(k -> use(in, k));
      dedupe.orderBy().forEach(k -> use(in, k.column()));
      return in;
    }
    if (op instanceof Project project) {
      Map<String, Origin> out = new LinkedHashMap<>();
      for (Project.Column column : project.columns()) {
        use(in, column.expr());
        out.put(column.name(), expr(column.expr(), in));
      }
      return out;
    }
    if (op instanceof Derive derive) {
      Map<String, Origin> out = new LinkedHashMap<>(in);
      use(in, derive.expr());
      out.put(derive.name(), expr(derive.expr(), in));
      return out;
    }
    if (op instanceof Join join) {
      Map<String, Origin> out = new LinkedHashMap<>(in);
      Map<String, Origin> rightColumns = pipeline(join.right().ops());
      for (EquiKey key : join.on()) {
        use(in, key.left());
        use(rightColumns, key.right());
      }
      join.condition().ifPresent(c -> useJoinCondition(c, in, rightColumns));
      if (join.type().keepsRightColumns()) {
        for (Map.Entry<String, Origin> right : rightColumns.entrySet()) {
          String name =
              in.containsKey(right.getKey())
                  ? right.getKey() + join.rightSuffix().orElse("")
                  : right.getKey();
          out.put(name, right.getValue());
        }
      }
      return out;
    }
    if (op instanceof Aggregate aggregate) {
      Map<String, Origin> out = new LinkedHashMap<>();
      for (String group : aggregate.groupBy()) {
        use(in, group);
        out.put(group, in.get(group));
      }
      for (Aggregate.AggregateCall call : aggregate.aggregates()) {
        Set<String> refs = new TreeSet<>();
        for (Expr arg : call.args()) {
          use(in, arg);
          refs.addAll(expr(arg, in).refs());
        }
        out.put(call.name(), new Origin(true, refs));
      }
      return out;
    }
    if (op instanceof Union union) {
      Map<String, Origin> out = new LinkedHashMap<>(in);
      for (Pipeline input : union.inputs()) {
        for (Map.Entry<String, Origin> column : pipeline(input.ops()).entrySet()) {
          out.merge(column.getKey(), column.getValue(), LineageAnalyzer::mergeRules);
        }
      }
      return out;
    }
    if (op instanceof Explode explode) {
      use(in, explode.column());
      Map<String, Origin> out = new LinkedHashMap<>();
      for (Map.Entry<String, Origin> column : in.entrySet()) {
        if (column.getKey().equals(explode.column())) {
          out.put(explode.as(), column.getValue().asDerived());
          explode.position().ifPresent(p -> out.put(p, column.getValue().asDerived()));
        } else {
          out.put(column.getKey(), column.getValue());
        }
      }
      return out;
    }
    if (op instanceof IntervalAlign align) {
      Map<String, Origin> out = new LinkedHashMap<>(in);
      Map<String, Origin> right = pipeline(align.right().ops());
      for (EquiKey key : align.on()) {
        use(in, key.left());
        use(right, key.right());
      }
      use(in, align.leftSpan().start());
      use(in, align.leftSpan().end());
      use(right, align.rightSpan().start());
      use(right, align.rightSpan().end());
      align.tieBreakers().forEach(k -> use(right, k.column()));
      for (String column : align.selectRight()) {
        use(right, column);
        out.put(column, right.get(column));
      }
      if (align.matchMeta()) {
        Origin start = right.get(align.rightSpan().start());
        Origin end = right.get(align.rightSpan().end());
        out.put(IntervalAlign.MATCH_KIND, start.asDerived());
        out.put(IntervalAlign.MATCH_SCORE, start.merge(end));
      }
      return out;
    }
    // param, limit: columns pass unchanged.
    return in;
  }

  private List<String> tableColumns(String name) {
    Optional<DatasetSpec> dataset = bundle.bundle().dataset(name);
    if (dataset.isPresent()) {
      return dataset.get().schema().stream().map(Field::name).toList();
    }
    return bundle.output(name).orElseThrow().contract().columns().stream()
        .map(Field::name)
        .toList();
  }

  private static Origin expr(Expr expr, Map<String, Origin> in) {
    if (expr instanceof ColumnRef ref) {
      Origin origin = in.get(ref.name());
      return origin == null ? new Origin(true, new TreeSet<>()) : origin;
    }
    Set<String> refs = new TreeSet<>();
    collect(expr, in, refs);
    return new Origin(true, refs);
  }

  private static void collect(Expr expr, Map<String, Origin> in, Set<String> refs) {
    if (expr instanceof ColumnRef ref) {
      Origin origin = in.get(ref.name());
      if (origin != null) {
        refs.addAll(origin.refs());
      }
    } else if (expr instanceof Call call) {
      call.args().forEach(arg -> collect(arg, in, refs));
    } else if (expr instanceof Cast cast) {
      collect(cast.expr(), in, refs);
    } else if (expr instanceof Case kase) {
      for (Case.When when : kase.branches()) {
        collect(when.when(), in, refs);
        collect(when.then(), in, refs);
      }
      kase.otherwise().ifPresent(e -> collect(e, in, refs));
    }
  }
}
