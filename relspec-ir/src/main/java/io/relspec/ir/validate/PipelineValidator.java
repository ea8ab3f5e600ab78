package io.relspec.ir.validate;

import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.json.BundleReader;
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
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.op.Union;
import io.relspec.ir.plan.Ordering;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves the ops of one rule against dataset schemas and upstream outputs, computing each op's
 * output schema and ordering metadata (format v1, section 4). Problems are reported with their JSON
 * path; after a failed op the rest of its pipeline is not checked (to avoid follow-on noise).
 */
final class PipelineValidator {
  /** What a scan sees for a dataset name. */
  interface Inputs {
    /** The schema and ordering of a dataset or rule output, or empty if no such name exists. */
    Optional<Stage> lookup(String name);

    /** Names a scan may use, for error messages. */
    List<String> names();
  }

  /** An op's output: schema and ordering. */
  record Stage(RelSchema schema, Ordering ordering) {}

  private final Problems problems;
  private final Inputs inputs;
  private final ExprTyper typer;
  private final Set<String> scanned = new HashSet<>();

  PipelineValidator(Problems problems, Inputs inputs, Map<String, Param> params) {
    this.problems = problems;
    this.inputs = inputs;
    this.typer = new ExprTyper(problems, params);
  }

  /** Every dataset or output name the validated pipelines scan. */
  Set<String> scanned() {
    return scanned;
  }

  Stage pipeline(List<Op> ops, String path, int depth) {
    if (depth > BundleReader.MAX_PIPELINE_DEPTH) {
      problems.add(
          path,
          "pipelines nest deeper than "
              + BundleReader.MAX_PIPELINE_DEPTH
              + " levels; split the rule into several rules");
      return null;
    }
    if (ops.isEmpty()) {
      problems.add(path, "a pipeline needs at least one op, starting with scan");
      return null;
    }
    Stage stage = null;
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      String opPath = path + "[" + i + "]";
      if (i == 0 && !(op instanceof Scan)) {
        problems.add(
            opPath + ".op",
            "the first op of a pipeline must be scan, found "
                + op.opName()
                + ". Start with {\"op\": \"scan\", \"dataset\": ...}");
        return null;
      }
      if (i > 0 && op instanceof Scan) {
        problems.add(
            opPath + ".op",
            "scan can only be the first op of a pipeline; to combine datasets use join or union");
        return null;
      }
      stage = op(op, stage, opPath, depth);
      if (stage == null) {
        return null;
      }
    }
    return stage;
  }

  private Stage op(Op op, Stage in, String path, int depth) {
    if (op instanceof Scan scan) {
      return scan(scan, path);
    }
    if (op instanceof Filter filter) {
      ExprTyper.Scope scope = ExprTyper.Scope.of(in.schema());
      return typer.predicate(filter.predicate(), scope, path + ".predicate") == null ? null : in;
    }
    if (op instanceof Project project) {
      return project(project, in, path);
    }
    if (op instanceof Derive derive) {
      ExprType type = typer.type(derive.expr(), ExprTyper.Scope.of(in.schema()), path + ".expr");
      if (type == null) {
        return null;
      }
      List<Field> fields = new ArrayList<>(in.schema().fields());
      Field field = new Field(derive.name(), type.type(), type.nullable());
      int index = in.schema().indexOf(derive.name());
      if (index >= 0) {
        fields.set(index, field);
      } else {
        fields.add(field);
      }
      Map<String, String> same = new HashMap<>();
      in.schema().names().forEach(n -> same.put(n, n));
      Ordering ordering = keepKeys(in.ordering(), same, Set.of(derive.name()));
      return new Stage(new RelSchema(fields), ordering);
    }
    if (op instanceof Join join) {
      return join(join, in, path, depth);
    }
    if (op instanceof Aggregate aggregate) {
      return aggregate(aggregate, in, path);
    }
    if (op instanceof Union union) {
      return union(union, in, path, depth);
    }
    if (op instanceof Param) {
      return in;
    }
    if (op instanceof Sort sort) {
      if (!sortKeys(sort.keys(), in.schema(), path + ".keys")) {
        return null;
      }
      return new Stage(in.schema(), Ordering.explicit(sort.keys()));
    }
    if (op instanceof Limit) {
      if (!in.ordering().isExplicit()) {
        problems.add(
            path,
            "Cannot limit rows whose order is "
                + in.ordering().describe()
                + ": engines would return different rows. Add a sort op before the limit");
        return null;
      }
      return in;
    }
    if (op instanceof Explode explode) {
      return explode(explode, in, path);
    }
    if (op instanceof Dedupe dedupe) {
      return dedupe(dedupe, in, path);
    }
    if (op instanceof IntervalAlign align) {
      return intervalAlign(align, in, path, depth);
    }
    throw new AssertionError("unhandled op " + op);
  }

  private Stage scan(Scan scan, String path) {
    scanned.add(scan.dataset());
    Optional<Stage> found = inputs.lookup(scan.dataset());
    if (found.isEmpty()) {
      problems.add(
          path + ".dataset",
          "unknown dataset '"
              + scan.dataset()
              + "': it is neither a declared dataset nor a rule output; known names: "
              + inputs.names()
              + ". Declare it under \"datasets\" or add a rule that produces it");
      return null;
    }
    Stage stage = found.get();
    if (scan.columns().isEmpty()) {
      return stage;
    }
    List<Field> fields = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean ok = true;
    List<String> columns = scan.columns().get();
    for (int i = 0; i < columns.size(); i++) {
      String column = columns.get(i);
      Optional<Field> field = stage.schema().field(column);
      if (field.isEmpty()) {
        problems.add(
            path + ".columns[" + i + "]",
            "unknown column '"
                + column
                + "' in dataset '"
                + scan.dataset()
                + "'; available columns: "
                + stage.schema().names());
        ok = false;
      } else if (!seen.add(column)) {
        problems.add(path + ".columns[" + i + "]", "column '" + column + "' is listed twice");
        ok = false;
      } else {
        fields.add(field.get());
      }
    }
    if (!ok) {
      return null;
    }
    Map<String, String> renames = new HashMap<>();
    columns.forEach(c -> renames.put(c, c));
    return new Stage(new RelSchema(fields), keepKeys(stage.ordering(), renames, Set.of()));
  }

  private Stage project(Project project, Stage in, String path) {
    if (project.columns().isEmpty()) {
      problems.add(path + ".columns", "a project needs at least one column");
      return null;
    }
    List<Field> fields = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Map<String, String> renames = new HashMap<>();
    boolean ok = true;
    for (int i = 0; i < project.columns().size(); i++) {
      Project.Column column = project.columns().get(i);
      String columnPath = path + ".columns[" + i + "]";
      if (!seen.add(column.name())) {
        problems.add(
            columnPath + ".name",
            "column '" + column.name() + "' appears twice in the projection; rename one of them");
        ok = false;
        continue;
      }
      ExprType type =
          typer.type(column.expr(), ExprTyper.Scope.of(in.schema()), columnPath + ".expr");
      if (type == null) {
        ok = false;
        continue;
      }
      fields.add(new Field(column.name(), type.type(), type.nullable()));
      if (column.expr() instanceof ColumnRef ref && ref.side().isEmpty()) {
        renames.putIfAbsent(ref.name(), column.name());
      }
    }
    if (!ok) {
      return null;
    }
    return new Stage(new RelSchema(fields), keepKeys(in.ordering(), renames, Set.of()));
  }

  private Stage join(Join join, Stage left, String path, int depth) {
    Stage right = pipeline(join.right().ops(), path + ".right.ops", depth + 1);
    if (right == null) {
      return null;
    }
    boolean ok = equiKeys(join.on(), left.schema(), right.schema(), path + ".on");
    if (join.condition().isPresent()) {
      ExprTyper.Scope scope = ExprTyper.Scope.join(left.schema(), right.schema());
      ok &= typer.predicate(join.condition().get(), scope, path + ".condition") != null;
    }
    if (!ok) {
      return null;
    }
    if (!join.type().keepsRightColumns()) {
      return new Stage(left.schema(), Ordering.UNORDERED);
    }
    boolean leftNullable = join.type() == JoinType.RIGHT || join.type() == JoinType.FULL;
    boolean rightNullable = join.type() == JoinType.LEFT || join.type() == JoinType.FULL;
    List<Field> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Field field : left.schema().fields()) {
      fields.add(field.withNullable(field.nullable() || leftNullable));
      names.add(field.name());
    }
    for (Field field : right.schema().fields()) {
      String name = field.name();
      if (names.contains(name)) {
        if (join.rightSuffix().isEmpty()) {
          problems.add(
              path,
              "column '"
                  + name
                  + "' is on both sides of the join; set \"rightSuffix\" (e.g. \"_right\") to"
                  + " rename the right one, or project it away on one side");
          return null;
        }
        name = name + join.rightSuffix().get();
        if (names.contains(name)) {
          problems.add(
              path + ".rightSuffix",
              "renaming the right column '"
                  + field.name()
                  + "' to '"
                  + name
                  + "' collides with another column; pick another suffix");
          return null;
        }
      }
      names.add(name);
      fields.add(new Field(name, field.type(), field.nullable() || rightNullable));
    }
    return new Stage(new RelSchema(fields), Ordering.UNORDERED);
  }

  private boolean equiKeys(List<EquiKey> keys, RelSchema left, RelSchema right, String path) {
    boolean ok = true;
    for (int i = 0; i < keys.size(); i++) {
      EquiKey key = keys.get(i);
      String keyPath = path + "[" + i + "]";
      Optional<Field> l = left.field(key.left());
      Optional<Field> r = right.field(key.right());
      if (l.isEmpty()) {
        problems.add(
            keyPath + ".left",
            "unknown column '"
                + key.left()
                + "' on the left side; available columns: "
                + left.names());
        ok = false;
      }
      if (r.isEmpty()) {
        problems.add(
            keyPath + ".right",
            "unknown column '"
                + key.right()
                + "' on the right side; available columns: "
                + right.names());
        ok = false;
      }
      if (l.isPresent() && r.isPresent()) {
        DataType lt = l.get().type();
        DataType rt = r.get().type();
        if (TypeRules.commonType(lt, rt).filter(TypeRules::isOrderable).isEmpty()) {
          problems.add(
              keyPath,
              "cannot match "
                  + key.left()
                  + " ("
                  + lt.typeString()
                  + ") with "
                  + key.right()
                  + " ("
                  + rt.typeString()
                  + "): keys need comparable types; cast one side in a derive op first");
          ok = false;
        }
      }
    }
    return ok;
  }

  private Stage aggregate(Aggregate aggregate, Stage in, String path) {
    List<Field> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    boolean ok = true;
    for (int i = 0; i < aggregate.groupBy().size(); i++) {
      String column = aggregate.groupBy().get(i);
      Optional<Field> field = in.schema().field(column);
      if (field.isEmpty()) {
        problems.add(
            path + ".groupBy[" + i + "]",
            "unknown column '" + column + "'; available columns: " + in.schema().names());
        ok = false;
      } else if (!names.add(column)) {
        problems.add(path + ".groupBy[" + i + "]", "column '" + column + "' is grouped twice");
        ok = false;
      } else if (!TypeRules.isOrderable(field.get().type())) {
        problems.add(
            path + ".groupBy[" + i + "]",
            "cannot group by '"
                + column
                + "' of type "
                + field.get().type().typeString()
                + "; group by a scalar column");
        ok = false;
      } else {
        fields.add(field.get());
      }
    }
    for (int i = 0; i < aggregate.aggregates().size(); i++) {
      Aggregate.AggregateCall call = aggregate.aggregates().get(i);
      String callPath = path + ".aggregates[" + i + "]";
      if (!names.add(call.name())) {
        problems.add(
            callPath + ".name",
            "output column '" + call.name() + "' already exists in this aggregate; rename it");
        ok = false;
        continue;
      }
      if (!FunctionRegistry.isAggregate(call.fn())) {
        problems.add(
            callPath + ".fn",
            "unknown aggregate function '"
                + call.fn()
                + "'; expected one of "
                + FunctionRegistry.AGGREGATE_FUNCTIONS);
        ok = false;
        continue;
      }
      List<ExprType> args = new ArrayList<>();
      boolean argsOk = true;
      for (int a = 0; a < call.args().size(); a++) {
        ExprType arg =
            typer.type(
                call.args().get(a), ExprTyper.Scope.of(in.schema()), callPath + ".args[" + a + "]");
        argsOk &= arg != null;
        args.add(arg);
      }
      if (!argsOk) {
        ok = false;
        continue;
      }
      try {
        ExprType result = FunctionRegistry.resolveAggregate(call.fn(), args).result();
        fields.add(new Field(call.name(), result.type(), result.nullable()));
      } catch (FunctionRegistry.TypeError e) {
        problems.add(callPath, "Cannot type-check aggregate " + call.fn() + ": " + e.getMessage());
        ok = false;
      }
    }
    if (fields.isEmpty() && ok) {
      problems.add(path, "an aggregate needs groupBy columns or aggregates");
      return null;
    }
    return ok ? new Stage(new RelSchema(fields), Ordering.UNORDERED) : null;
  }

  private Stage union(Union union, Stage in, String path, int depth) {
    Map<String, Field> merged = new LinkedHashMap<>();
    Map<String, Integer> presence = new HashMap<>();
    for (Field field : in.schema().fields()) {
      merged.put(field.name(), field);
      presence.merge(field.name(), 1, Integer::sum);
    }
    boolean ok = true;
    for (int i = 0; i < union.inputs().size(); i++) {
      String inputPath = path + ".inputs[" + i + "]";
      Stage input = pipeline(union.inputs().get(i).ops(), inputPath + ".ops", depth + 1);
      if (input == null) {
        ok = false;
        continue;
      }
      for (Field field : input.schema().fields()) {
        presence.merge(field.name(), 1, Integer::sum);
        Field existing = merged.get(field.name());
        if (existing == null) {
          merged.put(field.name(), field);
          continue;
        }
        Optional<DataType> common = TypeRules.commonType(existing.type(), field.type());
        if (common.isEmpty()) {
          problems.add(
              inputPath,
              "column '"
                  + field.name()
                  + "' is "
                  + field.type().typeString()
                  + " here but "
                  + existing.type().typeString()
                  + " in the rows before the union; cast one of them so the types match");
          ok = false;
          continue;
        }
        merged.put(
            field.name(),
            new Field(field.name(), common.get(), existing.nullable() || field.nullable()));
      }
    }
    if (!ok) {
      return null;
    }
    int sides = union.inputs().size() + 1;
    List<Field> fields = new ArrayList<>();
    for (Field field : merged.values()) {
      boolean missingSomewhere = presence.get(field.name()) < sides;
      fields.add(field.withNullable(field.nullable() || missingSomewhere));
    }
    return new Stage(new RelSchema(fields), Ordering.UNORDERED);
  }

  private Stage explode(Explode explode, Stage in, String path) {
    Optional<Field> list = in.schema().field(explode.column());
    if (list.isEmpty()) {
      problems.add(
          path + ".column",
          "unknown column '" + explode.column() + "'; available columns: " + in.schema().names());
      return null;
    }
    if (!(list.get().type() instanceof ListType listType)) {
      problems.add(
          path + ".column",
          "explode needs a list column, but '"
              + explode.column()
              + "' is "
              + list.get().type().typeString());
      return null;
    }
    List<Field> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Field field : in.schema().fields()) {
      if (field.name().equals(explode.column())) {
        fields.add(new Field(explode.as(), listType.element(), true));
        names.add(explode.as());
        if (explode.position().isPresent()) {
          fields.add(new Field(explode.position().get(), PrimitiveType.INT32, explode.outer()));
          names.add(explode.position().get());
        }
      } else {
        fields.add(field);
      }
    }
    for (Field field : in.schema().fields()) {
      if (!field.name().equals(explode.column()) && names.contains(field.name())) {
        problems.add(
            path,
            "explode output column '"
                + field.name()
                + "' already exists; pick another name for \"as\" or \"position\"");
        return null;
      }
    }
    if (explode.position().isPresent() && explode.position().get().equals(explode.as())) {
      problems.add(path + ".position", "\"position\" and \"as\" must be different names");
      return null;
    }
    return new Stage(new RelSchema(fields), Ordering.UNORDERED);
  }

  private Stage dedupe(Dedupe dedupe, Stage in, String path) {
    if (dedupe.keys().isEmpty()) {
      problems.add(path + ".keys", "dedupe needs at least one key column");
      return null;
    }
    boolean ok = columns(dedupe.keys(), in.schema(), path + ".keys");
    ok &= sortKeys(dedupe.orderBy(), in.schema(), path + ".orderBy");
    if (ok) {
      ok = tieBreakable(in.schema(), path, "dedupe");
    }
    return ok ? new Stage(in.schema(), Ordering.UNORDERED) : null;
  }

  private Stage intervalAlign(IntervalAlign align, Stage left, String path, int depth) {
    Stage right = pipeline(align.right().ops(), path + ".right.ops", depth + 1);
    if (right == null) {
      return null;
    }
    boolean ok = equiKeys(align.on(), left.schema(), right.schema(), path + ".on");
    ok &= span(align.leftSpan(), left.schema(), path + ".leftSpan", "left");
    ok &= span(align.rightSpan(), right.schema(), path + ".rightSpan", "right");
    ok &= columns(align.selectRight(), right.schema(), path + ".selectRight");
    ok &= sortKeys(align.tieBreakers(), right.schema(), path + ".tieBreakers");
    if (ok) {
      ok = tieBreakable(right.schema(), path + ".right", "interval_align");
    }
    if (!ok) {
      return null;
    }
    boolean keepUnmatched = align.how() == IntervalAlign.How.LEFT;
    List<Field> fields = new ArrayList<>(left.schema().fields());
    Set<String> names = new HashSet<>(left.schema().names());
    List<Field> added = new ArrayList<>();
    for (String column : align.selectRight()) {
      Field field = right.schema().field(column).orElseThrow();
      added.add(field.withNullable(field.nullable() || keepUnmatched));
    }
    if (align.matchMeta()) {
      added.add(new Field(IntervalAlign.MATCH_KIND, PrimitiveType.STRING, false));
      added.add(new Field(IntervalAlign.MATCH_SCORE, PrimitiveType.FLOAT64, keepUnmatched));
    }
    for (int i = 0; i < added.size(); i++) {
      Field field = added.get(i);
      if (!names.add(field.name())) {
        String where = i < align.selectRight().size() ? ".selectRight[" + i + "]" : ".matchMeta";
        problems.add(
            path + where,
            "output column '"
                + field.name()
                + "' already exists on the left side; rename it in the right pipeline with a"
                + " project op");
        return null;
      }
      fields.add(field);
    }
    return new Stage(new RelSchema(fields), Ordering.UNORDERED);
  }

  private boolean span(IntervalAlign.Span span, RelSchema schema, String path, String side) {
    boolean ok = true;
    String[] columns = {span.start(), span.end()};
    for (int i = 0; i < 2; i++) {
      Optional<Field> field = schema.field(columns[i]);
      if (field.isEmpty()) {
        problems.add(
            path + "[" + i + "]",
            "unknown column '"
                + columns[i]
                + "' on the "
                + side
                + " side; available columns: "
                + schema.names());
        ok = false;
      } else if (!field.get().type().isInteger()) {
        problems.add(
            path + "[" + i + "]",
            "span column '"
                + columns[i]
                + "' must be an integer (byte offset), found "
                + field.get().type().typeString());
        ok = false;
      }
    }
    return ok;
  }

  /** Dedupe and interval_align break ties on every column: each must be orderable. */
  private boolean tieBreakable(RelSchema schema, String path, String op) {
    for (Field field : schema.fields()) {
      if (!TypeRules.isOrderable(field.type())) {
        problems.add(
            path,
            op
                + " breaks ties on every column, but '"
                + field.name()
                + "' is "
                + field.type().typeString()
                + ", which has no order; project it away or explode it first");
        return false;
      }
    }
    return true;
  }

  private boolean columns(List<String> columns, RelSchema schema, String path) {
    boolean ok = true;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < columns.size(); i++) {
      if (schema.field(columns.get(i)).isEmpty()) {
        problems.add(
            path + "[" + i + "]",
            "unknown column '" + columns.get(i) + "'; available columns: " + schema.names());
        ok = false;
      } else if (!seen.add(columns.get(i))) {
        problems.add(path + "[" + i + "]", "column '" + columns.get(i) + "' is listed twice");
        ok = false;
      }
    }
    return ok;
  }

  private boolean sortKeys(List<SortKey> keys, RelSchema schema, String path) {
    boolean ok = true;
    for (int i = 0; i < keys.size(); i++) {
      String column = keys.get(i).column();
      Optional<Field> field = schema.field(column);
      if (field.isEmpty()) {
        problems.add(
            path + "[" + i + "].col",
            "unknown column '" + column + "'; available columns: " + schema.names());
        ok = false;
      } else if (!TypeRules.isOrderable(field.get().type())) {
        problems.add(
            path + "[" + i + "].col",
            "cannot sort by '" + column + "' of type " + field.get().type().typeString());
        ok = false;
      }
    }
    return ok;
  }

  /**
   * Ordering after columns are renamed or replaced: keys are renamed; the first key whose column is
   * gone or replaced ends the ordering (later keys no longer describe an order).
   *
   * @param renames old name to new name for every column that passes through
   * @param replaced columns whose values changed
   */
  static Ordering keepKeys(Ordering ordering, Map<String, String> renames, Set<String> replaced) {
    if (ordering.kind() == Ordering.Kind.UNORDERED) {
      return ordering;
    }
    List<SortKey> kept = new ArrayList<>();
    for (SortKey key : ordering.keys()) {
      if (replaced.contains(key.column())) {
        break;
      }
      String renamed = renames.get(key.column());
      if (renamed == null) {
        break;
      }
      kept.add(key.withColumn(renamed));
    }
    return new Ordering(ordering.kind(), kept);
  }
}
