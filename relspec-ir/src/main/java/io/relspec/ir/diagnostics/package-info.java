/**
 * Diagnostics over validated bundles, built on Apache Calcite (1.42): none of this runs a rule.
 *
 * <ul>
 *   <li>{@link io.relspec.ir.diagnostics.RelCompiler}: a {@code RelPlan} as a Calcite {@code
 *       RelNode} through {@code RelBuilder}; the catalog is the bundle (datasets by their schema,
 *       rule outputs by their contract's columns). Kernels: explode as a correlated {@code UNNEST},
 *       dedupe and interval_align as {@code ROW_NUMBER()} ranking with the spec's tie rules.
 *   <li>{@link io.relspec.ir.diagnostics.SqlRenderer}: SQL per dialect (Spark, PostgreSQL, ANSI)
 *       through {@code RelToSqlConverter}, after lowering relspec's own functions per dialect.
 *   <li>{@link io.relspec.ir.diagnostics.PlanOptimizer}: the optimized form (a {@code HepPlanner}
 *       with a fixed rule set, never Volcano) and its digest.
 *   <li>{@link io.relspec.ir.diagnostics.LineageAnalyzer}: column lineage, copy or derived,
 *       transitively through the rule graph.
 *   <li>{@link io.relspec.ir.diagnostics.BundleChecker}: diagnostics with severity, rule, JSON path
 *       and fix, and gates that stop a failing rule and what depends on it.
 *   <li>{@link io.relspec.ir.diagnostics.SemanticDiff}: rule-by-rule comparison of two bundle
 *       versions on optimized plans, with edit kinds and change categories.
 * </ul>
 */
package io.relspec.ir.diagnostics;
