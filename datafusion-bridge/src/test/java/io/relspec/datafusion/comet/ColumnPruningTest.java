package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Limit;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which columns each scan keeps after {@link ColumnPruning}, and what it leaves alone. */
class ColumnPruningTest {
  private static final Map<String, RelSchema> SCHEMAS =
      Map.of(
          "items", schema("order_id", "sku", "qty", "price"),
          "orders", schema("order_id", "customer", "status", "amount"),
          "shipments", schema("order_id", "status", "carrier"));

  private static RelSchema schema(String... names) {
    return new RelSchema(
        java.util.Arrays.stream(names)
            .map(name -> Field.nullable(name, PrimitiveType.INT64))
            .toList());
  }

  private static Pipeline prune(Op... ops) {
    return ColumnPruning.prune(Pipeline.of(ops), SCHEMAS::get);
  }

  private static Optional<List<String>> scanned(Pipeline pipeline) {
    return ((Scan) pipeline.ops().get(0)).columns();
  }

  private static Aggregate sumBy(String group, String column) {
    return new Aggregate(
        List.of(group),
        List.of(
            new Aggregate.AggregateCall("total", "sum", List.of(new ColumnRef(column)), false),
            new Aggregate.AggregateCall("rows", "count", List.of(), false)));
  }

  @Test
  void aJoinAndAggregateReadOnlyTheKeysAndTheAggregatedColumns() {
    Pipeline right =
        Pipeline.of(
            Scan.of("orders"),
            new Project(
                List.of(
                    new Project.Column("oid", new ColumnRef("order_id")),
                    Project.Column.keep("status"))));
    Pipeline pruned =
        prune(
            Scan.of("items"),
            new Join(
                JoinType.INNER,
                right,
                List.of(new EquiKey("order_id", "oid")),
                Optional.empty(),
                Optional.empty()),
            sumBy("status", "qty"));
    // status comes from the right side: on the left it matches nothing and is dropped
    assertThat(scanned(pruned)).contains(List.of("order_id", "qty"));
    Join join = (Join) pruned.ops().get(1);
    assertThat(scanned(join.right())).contains(List.of("order_id", "status"));
    assertThat(pruned.ops().get(2)).isEqualTo(sumBy("status", "qty"));
  }

  @Test
  void filtersDerivesAndSortsAddWhatTheyReadAboveAProject() {
    Pipeline pruned =
        prune(
            Scan.of("items"),
            new Filter(Call.of("gt", new ColumnRef("price"), Literal.of(1L, PrimitiveType.INT64))),
            new Derive("qty", Call.of("add", new ColumnRef("qty"), new ColumnRef("order_id"))),
            new Sort(List.of(SortKey.asc("qty"))),
            new Limit(10, 0),
            new Project(List.of(Project.Column.keep("qty"))));
    // sku is read by nothing; price by the filter; order_id and qty by the derive
    assertThat(scanned(pruned)).contains(List.of("order_id", "qty", "price"));
  }

  @Test
  void aCountOfRowsStillScansOneColumn() {
    Pipeline pruned =
        prune(
            Scan.of("items"),
            new Aggregate(
                List.of(),
                List.of(new Aggregate.AggregateCall("rows", "count", List.of(), false))));
    assertThat(scanned(pruned)).contains(List.of("order_id"));
  }

  @Test
  void withoutAProjectOrAggregateEveryColumnIsOutputAndNothingIsPruned() {
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("items"),
            new Filter(Call.of("gt", new ColumnRef("price"), Literal.of(1L, PrimitiveType.INT64))));
    assertThat(ColumnPruning.prune(pipeline, SCHEMAS::get)).isEqualTo(pipeline);
  }

  @Test
  void opsWhoseTiesReadEveryColumnKeepEveryColumnBeforeThem() {
    // dedupe breaks ties by every remaining column: the scan keeps all, though the project after
    // it reads one
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("items"),
            new Dedupe(List.of("order_id"), List.of()),
            new Project(List.of(Project.Column.keep("qty"))));
    assertThat(scanned(ColumnPruning.prune(pipeline, SCHEMAS::get))).isEmpty();
    // a join condition may read columns of either side by its own names
    Pipeline conditioned =
        Pipeline.of(
            Scan.of("items"),
            new Join(
                JoinType.INNER,
                Pipeline.of(Scan.of("orders")),
                List.of(EquiKey.same("order_id")),
                Optional.of(
                    Call.of("gt", new ColumnRef("price"), Literal.of(1L, PrimitiveType.INT64))),
                Optional.of("_r")),
            sumBy("status", "qty"));
    assertThat(scanned(ColumnPruning.prune(conditioned, SCHEMAS::get))).isEmpty();
  }

  /**
   * interval_align passes every left column through and ranks by right columns only: a project
   * after it narrows the left scan to what the project and the alignment read; the right side,
   * whose every column ranks the matches, keeps every column.
   */
  @Test
  void anIntervalAlignNarrowsItsLeftScanOnlyAndKeepsItsRightSide() {
    Pipeline right = Pipeline.of(Scan.of("shipments"));
    IntervalAlign align =
        new IntervalAlign(
            right,
            List.of(EquiKey.same("order_id")),
            new IntervalAlign.Span("qty", "price"),
            new IntervalAlign.Span("status", "carrier"),
            IntervalAlign.Mode.CONTAINED,
            IntervalAlign.How.LEFT,
            List.of("carrier"),
            List.of(),
            true);
    Pipeline pruned =
        prune(
            Scan.of("items"),
            align,
            new Project(List.of(Project.Column.keep("order_id"), Project.Column.keep("carrier"))));
    assertThat(scanned(pruned)).contains(List.of("order_id", "qty", "price"));
    assertThat(((IntervalAlign) pruned.ops().get(1)).right()).isEqualTo(right);
    assertThat(scanned(prune(Scan.of("items"), align)))
        .as("no project after it: every left column is output")
        .isEmpty();
  }

  @Test
  void aJoinThatRenamesRightColumnsKeepsEveryLeftColumn() {
    // the shipments' status is status_r because the orders have a status: pruning the orders'
    // status away (nothing reads it) would leave the right one unrenamed and status_r missing
    // (differential seeds 20261208 and 31337 found this as a failed run)
    Pipeline pipeline =
        Pipeline.of(
            Scan.of("orders"),
            new Join(
                JoinType.FULL,
                Pipeline.of(Scan.of("shipments")),
                List.of(EquiKey.same("order_id")),
                Optional.empty(),
                Optional.of("_r")),
            sumBy("status_r", "amount"));
    assertThat(scanned(ColumnPruning.prune(pipeline, SCHEMAS::get))).isEmpty();
  }

  @Test
  void aScanThatListsItsColumnsIsLeftAsWritten() {
    Pipeline pipeline =
        Pipeline.of(
            new Scan("items", Optional.of(List.of("sku", "qty"))),
            new Project(List.of(Project.Column.keep("qty"))));
    assertThat(ColumnPruning.prune(pipeline, SCHEMAS::get)).isEqualTo(pipeline);
  }
}
