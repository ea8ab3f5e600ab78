package io.relspec.ir.expr;

/**
 * A scalar expression (format v1, section 3). Every form is an immutable record; trees are kept
 * exactly as written (no reordering), since the signature is computed over them.
 */
public sealed interface Expr permits ColumnRef, Literal, ParamRef, Call, Cast, Case {

  /** Adds the names of the columns {@code expr} reads (its {@link ColumnRef}s) to {@code into}. */
  static void addColumns(Expr expr, java.util.Set<String> into) {
    if (expr instanceof ColumnRef ref) {
      into.add(ref.name());
    } else if (expr instanceof Call call) {
      call.args().forEach(arg -> addColumns(arg, into));
    } else if (expr instanceof Cast cast) {
      addColumns(cast.expr(), into);
    } else if (expr instanceof Case kase) {
      for (Case.When when : kase.branches()) {
        addColumns(when.when(), into);
        addColumns(when.then(), into);
      }
      kase.otherwise().ifPresent(otherwise -> addColumns(otherwise, into));
    }
  }
}
