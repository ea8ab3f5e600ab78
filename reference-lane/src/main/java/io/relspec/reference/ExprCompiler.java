package io.relspec.reference;

import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.ParamRef;
import io.relspec.ir.expr.Side;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.TypeRules;
import io.relspec.ir.validate.ExprType;
import io.relspec.ir.validate.FunctionRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compiles an expression against its scope (one input, or the two inputs of a join condition) to an
 * {@link Evaluator} and its type. Types come from {@link FunctionRegistry#resolve}; every argument
 * is widened to the type the registry names before the function applies.
 */
final class ExprCompiler {
  /** A compiled expression and its type. */
  record Compiled(Evaluator evaluator, ExprType type) {}

  private final RelSchema input;
  private final Optional<RelSchema> right;
  private final Map<String, Literal> params;
  private final String rule;
  private final String op;

  private ExprCompiler(
      RelSchema input,
      Optional<RelSchema> right,
      Map<String, Literal> params,
      String rule,
      String op) {
    this.input = input;
    this.right = right;
    this.params = params;
    this.rule = rule;
    this.op = op;
  }

  /** A compiler for expressions over one input. */
  static ExprCompiler over(RelSchema input, Map<String, Literal> params, String rule, String op) {
    return new ExprCompiler(input, Optional.empty(), params, rule, op);
  }

  /**
   * A compiler for a join condition: left columns are indices {@code 0..n-1}, right columns {@code
   * n..n+m-1} of the row.
   */
  static ExprCompiler join(
      RelSchema left, RelSchema right, Map<String, Literal> params, String rule, String op) {
    return new ExprCompiler(left, Optional.of(right), params, rule, op);
  }

  Compiled compile(Expr expr) {
    if (expr instanceof ColumnRef col) {
      return column(col);
    }
    if (expr instanceof Literal lit) {
      Object value = Values.fromLiteral(lit.value().orElse(null), lit.type());
      return new Compiled(row -> value, ExprType.of(lit.type(), lit.isNull()));
    }
    if (expr instanceof ParamRef ref) {
      Literal lit = params.get(ref.name());
      if (lit == null) {
        throw LaneErrors.cannotEvaluate(rule, op, "param '" + ref.name() + "' has no value");
      }
      Object value = Values.fromLiteral(lit.value().orElse(null), lit.type());
      return new Compiled(row -> value, ExprType.of(lit.type(), false));
    }
    if (expr instanceof Cast cast) {
      Compiled inner = compile(cast.expr());
      DataType from = inner.type().type();
      DataType to = cast.to();
      Evaluator e = inner.evaluator();
      boolean lossless = TypeRules.canWiden(from, to);
      return new Compiled(
          row -> Casts.cast(e.eval(row), from, to),
          ExprType.of(to, inner.type().nullable() || !lossless));
    }
    if (expr instanceof Case kase) {
      return caseWhen(kase);
    }
    if (expr instanceof Call call) {
      return call(call);
    }
    throw new AssertionError("unhandled expression " + expr);
  }

  private Compiled column(ColumnRef col) {
    if (right.isEmpty()) {
      int index = input.indexOf(col.name());
      if (index < 0) {
        throw LaneErrors.cannotEvaluate(
            rule, op, "unknown column '" + col.name() + "'; columns: " + input.names());
      }
      Field field = input.fields().get(index);
      return new Compiled(row -> row.get(index), ExprType.of(field.type(), field.nullable()));
    }
    RelSchema r = right.get();
    boolean useRight = col.side().map(s -> s == Side.RIGHT).orElse(input.indexOf(col.name()) < 0);
    RelSchema schema = useRight ? r : input;
    int local = schema.indexOf(col.name());
    if (local < 0) {
      throw LaneErrors.cannotEvaluate(rule, op, "unknown column '" + col.name() + "'");
    }
    int index = useRight ? input.fields().size() + local : local;
    Field field = schema.fields().get(local);
    return new Compiled(row -> row.get(index), ExprType.of(field.type(), field.nullable()));
  }

  private Compiled caseWhen(Case kase) {
    List<Evaluator> whens = new ArrayList<>();
    List<Compiled> values = new ArrayList<>();
    for (Case.When branch : kase.branches()) {
      whens.add(compile(branch.when()).evaluator());
      values.add(compile(branch.then()));
    }
    kase.otherwise().ifPresent(e -> values.add(compile(e)));
    DataType result = values.get(0).type().type();
    boolean nullable = kase.otherwise().isEmpty();
    for (Compiled value : values) {
      result = TypeRules.commonType(result, value.type().type()).orElseThrow();
      nullable |= value.type().nullable();
    }
    List<Evaluator> widened = new ArrayList<>();
    for (Compiled value : values) {
      widened.add(widen(value, result));
    }
    boolean hasElse = kase.otherwise().isPresent();
    int branches = whens.size();
    return new Compiled(
        row -> {
          for (int i = 0; i < branches; i++) {
            if (Boolean.TRUE.equals(whens.get(i).eval(row))) {
              return widened.get(i).eval(row);
            }
          }
          return hasElse ? widened.get(branches).eval(row) : null;
        },
        ExprType.of(result, nullable));
  }

  private Compiled call(Call call) {
    List<Compiled> args = new ArrayList<>();
    List<ExprType> argTypes = new ArrayList<>();
    for (Expr arg : call.args()) {
      Compiled compiled = compile(arg);
      args.add(compiled);
      argTypes.add(compiled.type());
    }
    FunctionRegistry.Resolution resolution;
    try {
      resolution = FunctionRegistry.resolve(call.fn(), argTypes);
    } catch (FunctionRegistry.TypeError e) {
      throw LaneErrors.cannotEvaluate(rule, op, e.getMessage());
    }
    List<Evaluator> widened = new ArrayList<>();
    List<Evaluator> raw = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      widened.add(widen(args.get(i), resolution.argumentTypes().get(i)));
      raw.add(args.get(i).evaluator());
    }
    Evaluator evaluator =
        Functions.scalar(
            call.fn(),
            widened,
            raw,
            resolution.argumentTypes(),
            argTypes.stream().map(ExprType::type).toList(),
            resolution.result().type());
    return new Compiled(evaluator, resolution.result());
  }

  /** The evaluator of {@code value} widened to {@code to} (itself when the types are equal). */
  static Evaluator widen(Compiled value, DataType to) {
    DataType from = value.type().type();
    Evaluator e = value.evaluator();
    if (from.equals(to)) {
      return e;
    }
    return row -> Casts.cast(e.eval(row), from, to);
  }
}
