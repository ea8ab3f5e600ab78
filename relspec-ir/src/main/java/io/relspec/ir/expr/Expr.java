package io.relspec.ir.expr;

/**
 * A scalar expression (format v1, section 3). Every form is an immutable record; trees are kept
 * exactly as written (no reordering), since the signature is computed over them.
 */
public sealed interface Expr permits ColumnRef, Literal, ParamRef, Call, Cast, Case {}
