package io.relspec.ir.build;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.OnViolation;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Limit;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.op.Union;
import io.relspec.ir.plan.Ordering;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.TypeParser;
import io.relspec.ir.validate.BundleValidator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fluent builder for bundles, the way rules are written in notebooks and tests. Like Calcite's
 * {@code RelBuilder}, it checks each op as it is added and fails at once with the problem, e.g.
 * "unknown column 'x'; available columns: [...]". It produces the same records as the JSON reader.
 *
 * <pre>{@code
 * Bundle bundle = RelspecBuilder.bundle("shop")
 *     .dataset(RelspecBuilder.parquet("orders", "orders", field("id", "int64", false)))
 *     .contract(RelspecBuilder.contract("orders_v1", field("id", "int64", false)).build())
 *     .rule("big_orders").output("big_orders").contract("orders_v1")
 *         .scan("orders").filter(gt(col("id"), lit(10L))).add()
 *     .build();
 * }</pre>
 */
public final class RelspecBuilder {
  private final String name;
  private final List<DatasetSpec> datasets = new ArrayList<>();
  private final List<ContractSpec> contracts = new ArrayList<>();
  private final List<RuleDefinition> rules = new ArrayList<>();

  private RelspecBuilder(String name) {
    this.name = name;
  }

  public static RelspecBuilder bundle(String name) {
    return new RelspecBuilder(name);
  }

  /** A column of a schema or contract. */
  public static Field field(String name, String type, boolean nullable) {
    return new Field(name, TypeParser.of(type), nullable);
  }

  /** A nullable column. */
  public static Field field(String name, String type) {
    return field(name, type, true);
  }

  /** An unordered Parquet dataset with default scan options. */
  public static DatasetSpec parquet(String name, String location, Field... schema) {
    return new DatasetSpec(
        name,
        DatasetFormat.PARQUET,
        location,
        List.of(schema),
        Ordering.UNORDERED,
        ScanOptions.defaults(DatasetFormat.PARQUET));
  }

  public static ContractBuilder contract(String name, Field... columns) {
    return new ContractBuilder(name, List.of(columns));
  }

  public RelspecBuilder dataset(DatasetSpec dataset) {
    datasets.add(dataset);
    return this;
  }

  public RelspecBuilder contract(ContractSpec contract) {
    contracts.add(contract);
    return this;
  }

  /** Starts a rule; finish it with {@link RuleBuilder#add()}. */
  public RuleBuilder rule(String ruleName) {
    return new RuleBuilder(this, ruleName);
  }

  /** The bundle so far (not validated as a whole: use {@link BundleValidator}). */
  public Bundle build() {
    return new Bundle(Bundle.FORMAT_VERSION, name, datasets, contracts, rules);
  }

  /** Builds a contract. */
  public static final class ContractBuilder {
    private final String name;
    private final List<Field> columns;
    private int version = 1;
    private List<String> keyFields = List.of();
    private List<String> requiredNonNull = List.of();
    private Optional<ContractSpec.DedupeSpec> dedupe = Optional.empty();
    private List<SortKey> canonicalSort = List.of();
    private OnViolation onViolation = OnViolation.FAIL;

    private ContractBuilder(String name, List<Field> columns) {
      this.name = name;
      this.columns = columns;
    }

    public ContractBuilder version(int newVersion) {
      this.version = newVersion;
      return this;
    }

    public ContractBuilder keyFields(String... names) {
      this.keyFields = List.of(names);
      return this;
    }

    public ContractBuilder requiredNonNull(String... names) {
      this.requiredNonNull = List.of(names);
      return this;
    }

    public ContractBuilder dedupe(List<String> keys, SortKey... orderBy) {
      this.dedupe = Optional.of(new ContractSpec.DedupeSpec(keys, List.of(orderBy)));
      return this;
    }

    public ContractBuilder canonicalSort(SortKey... keys) {
      this.canonicalSort = List.of(keys);
      return this;
    }

    public ContractBuilder onViolation(OnViolation value) {
      this.onViolation = value;
      return this;
    }

    public ContractSpec build() {
      return new ContractSpec(
          name, version, columns, keyFields, requiredNonNull, dedupe, canonicalSort, onViolation);
    }
  }

  /** Builds a nested pipeline (a join's right side, a union input), checked when it is used. */
  public static PipelineBuilder pipeline(String dataset) {
    return new PipelineBuilder(dataset);
  }

  /** Ops of a nested pipeline. */
  public static final class PipelineBuilder extends Ops<PipelineBuilder> {
    private PipelineBuilder(String dataset) {
      ops.add(Scan.of(dataset));
    }

    @Override
    PipelineBuilder self() {
      return this;
    }

    @Override
    void check() {}

    public Pipeline build() {
      return new Pipeline(ops);
    }
  }

  /** Ops of a rule; each op is checked against the bundle as it is added. */
  public static final class RuleBuilder extends Ops<RuleBuilder> {
    private final RelspecBuilder bundle;
    private final String name;
    private String output;
    private String contract;
    private int priority = RuleDefinition.DEFAULT_PRIORITY;
    private final Map<String, Literal> params = new LinkedHashMap<>();
    private Optional<String> description = Optional.empty();
    private List<String> tags = List.of();

    private RuleBuilder(RelspecBuilder bundle, String name) {
      this.bundle = bundle;
      this.name = name;
      this.output = name;
    }

    @Override
    RuleBuilder self() {
      return this;
    }

    public RuleBuilder output(String value) {
      this.output = value;
      return this;
    }

    public RuleBuilder contract(String value) {
      this.contract = value;
      return this;
    }

    public RuleBuilder priority(int value) {
      this.priority = value;
      return this;
    }

    public RuleBuilder bind(String param, Literal value) {
      params.put(param, value);
      return this;
    }

    public RuleBuilder description(String text) {
      this.description = Optional.of(text);
      return this;
    }

    public RuleBuilder tags(String... values) {
      this.tags = List.of(values);
      return this;
    }

    /** Starts the pipeline: the first op of every rule is a scan. */
    public RuleBuilder scan(String dataset, String... columns) {
      ops.add(
          new Scan(
              dataset, columns.length == 0 ? Optional.empty() : Optional.of(List.of(columns))));
      check();
      return this;
    }

    /** The schema the ops so far produce. */
    public RelSchema schema() {
      return BundleValidator.resolvePipeline(bundle.build(), ops, path());
    }

    @Override
    void check() {
      schema();
    }

    private String path() {
      return "rules[" + bundle.rules.size() + "].ops";
    }

    /** Adds the rule to the bundle and returns the bundle builder. */
    public RelspecBuilder add() {
      if (contract == null) {
        throw new IllegalStateException(
            "Cannot add rule '" + name + "': it names no contract. Call contract(name) first.");
      }
      bundle.rules.add(
          new RuleDefinition(name, output, contract, priority, ops, params, description, tags));
      return bundle;
    }
  }

  /** The op methods shared by rules and nested pipelines. */
  abstract static class Ops<B extends Ops<B>> {
    final List<Op> ops = new ArrayList<>();

    abstract B self();

    abstract void check();

    private B append(Op op) {
      ops.add(op);
      try {
        check();
      } catch (RuntimeException e) {
        ops.remove(ops.size() - 1);
        throw e;
      }
      return self();
    }

    public B filter(Expr predicate) {
      return append(new Filter(predicate));
    }

    /** Keeps exactly these columns, in order. */
    public B project(String... columns) {
      return append(new Project(Arrays.stream(columns).map(Project.Column::keep).toList()));
    }

    public B project(List<Project.Column> columns) {
      return append(new Project(columns));
    }

    public B derive(String name, Expr expr) {
      return append(new Derive(name, expr));
    }

    public B join(JoinType type, Pipeline right, EquiKey... on) {
      return append(new Join(type, right, List.of(on), Optional.empty(), Optional.empty()));
    }

    public B join(Join join) {
      return append(join);
    }

    public B aggregate(List<String> groupBy, Aggregate.AggregateCall... aggregates) {
      return append(new Aggregate(groupBy, List.of(aggregates)));
    }

    public B union(boolean distinct, Pipeline... inputs) {
      return append(new Union(List.of(inputs), distinct));
    }

    public B param(String name, String type, Optional<Literal> defaultValue) {
      return append(new Param(name, TypeParser.of(type), defaultValue));
    }

    public B sort(SortKey... keys) {
      return append(new Sort(List.of(keys)));
    }

    public B limit(long n) {
      return append(new Limit(n, 0));
    }

    public B limit(long n, long offset) {
      return append(new Limit(n, offset));
    }

    public B explode(String column, String as, Optional<String> position, boolean outer) {
      return append(new Explode(column, as, position, outer));
    }

    public B dedupe(List<String> keys, SortKey... orderBy) {
      return append(new Dedupe(keys, List.of(orderBy)));
    }

    public B intervalAlign(IntervalAlign align) {
      return append(align);
    }
  }

  /** {@code {"name", "fn", "args", "distinct": false}}. */
  public static Aggregate.AggregateCall agg(String name, String fn, Expr... args) {
    return new Aggregate.AggregateCall(name, fn, List.of(args), false);
  }

  /** {@code {"name", "fn", "args", "distinct": true}}. */
  public static Aggregate.AggregateCall aggDistinct(String name, String fn, Expr... args) {
    return new Aggregate.AggregateCall(name, fn, List.of(args), true);
  }
}
