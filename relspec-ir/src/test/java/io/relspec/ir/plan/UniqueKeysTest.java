package io.relspec.ir.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Limit;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.type.PrimitiveType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UniqueKeysTest {
  private static final Dedupe DEDUPE =
      new Dedupe(List.of("path", "start"), List.of(SortKey.desc("score")));

  private static List<Op> ops(Op... after) {
    List<Op> ops = new ArrayList<>(List.of(Scan.of("t"), DEDUPE));
    ops.addAll(List.of(after));
    return ops;
  }

  @Test
  void theLastDedupesKeysWhileTheOpsAfterItKeepThem() {
    assertThat(UniqueKeys.of(ops())).contains(Set.of("path", "start"));
    assertThat(
            UniqueKeys.of(
                ops(
                    new Filter(Call.of("is_not_null", new ColumnRef("path"))),
                    new Sort(List.of(SortKey.asc("start"))),
                    new Limit(10, 0),
                    new Derive("other", Literal.of(1L, PrimitiveType.INT64)),
                    new Project(
                        List.of(
                            Project.Column.keep("start"),
                            Project.Column.keep("path"),
                            new Project.Column("x", new ColumnRef("score")))))))
        .contains(Set.of("path", "start"));
  }

  @Test
  void opsThatChangeAKeyOrAddRowsLoseIt() {
    assertThat(UniqueKeys.of(ops(new Derive("start", Literal.of(1L, PrimitiveType.INT64)))))
        .isEmpty();
    assertThat(UniqueKeys.of(ops(new Project(List.of(Project.Column.keep("path")))))).isEmpty();
    assertThat(
            UniqueKeys.of(
                ops(
                    new Project(
                        List.of(
                            Project.Column.keep("path"),
                            new Project.Column("start", new ColumnRef("score")))))))
        .isEmpty();
    assertThat(UniqueKeys.of(ops(new Explode("tags", "tag", Optional.empty(), false)))).isEmpty();
    assertThat(UniqueKeys.of(List.of(Scan.of("t")))).isEmpty();
    assertThat(
            UniqueKeys.of(
                List.of(Scan.of("t"), new Filter(Literal.of(true, PrimitiveType.BOOLEAN)))))
        .isEmpty();
  }

  @Test
  void anAggregateIsUniqueByItsGroupColumnsAndWithoutThemHasOneRow() {
    assertThat(
            UniqueKeys.of(
                List.of(
                    Scan.of("t"),
                    new Aggregate(
                        List.of("path"),
                        List.of(new Aggregate.AggregateCall("n", "count", List.of(), false))))))
        .contains(Set.of("path"));
    assertThat(
            UniqueKeys.of(
                List.of(
                    Scan.of("t"),
                    new Aggregate(
                        List.of(),
                        List.of(new Aggregate.AggregateCall("n", "count", List.of(), false))))))
        .contains(Set.of());
  }

  @Test
  void aContractDedupeKeepsEveryRowOnlyOfOneRuleUniqueByUncastDedupeKeys() {
    io.relspec.ir.bundle.ContractSpec contract =
        io.relspec.ir.build.RelspecBuilder.contract(
                "c",
                io.relspec.ir.build.RelspecBuilder.field("k", "string"),
                io.relspec.ir.build.RelspecBuilder.field("v", "int64"))
            .dedupe(List.of("k", "v"))
            .build();
    Optional<Set<String>> byK = Optional.of(Set.of("k"));
    assertThat(UniqueKeys.contractDedupeKeepsEveryRow(contract, 1, byK, c -> true)).isTrue();
    assertThat(UniqueKeys.contractDedupeKeepsEveryRow(contract, 2, byK, c -> true))
        .as("two rules")
        .isFalse();
    assertThat(UniqueKeys.contractDedupeKeepsEveryRow(contract, 1, Optional.empty(), c -> true))
        .as("nothing known")
        .isFalse();
    assertThat(
            UniqueKeys.contractDedupeKeepsEveryRow(
                contract, 1, Optional.of(Set.of("k", "x")), c -> true))
        .as("unique by a column the dedupe does not key on")
        .isFalse();
    assertThat(UniqueKeys.contractDedupeKeepsEveryRow(contract, 1, byK, c -> !c.equals("k")))
        .as("the key is cast on its way to the contract")
        .isFalse();
    io.relspec.ir.bundle.ContractSpec noDedupe =
        io.relspec.ir.build.RelspecBuilder.contract(
                "c", io.relspec.ir.build.RelspecBuilder.field("k", "string"))
            .build();
    assertThat(UniqueKeys.contractDedupeKeepsEveryRow(noDedupe, 1, byK, c -> true)).isFalse();
  }
}
