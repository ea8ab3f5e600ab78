package io.relspec.reference;

import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Scan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/** The reference lane as another lane's fallback: ops over batches the caller already holds. */
class FallbackTest {
  private static final RelSchema SCHEMA =
      new RelSchema(
          List.of(
              Field.notNull("id", PrimitiveType.INT64),
              Field.nullable("l", new ListType(PrimitiveType.STRING))));

  @Test
  void explodesBorrowedBatchesWithoutClosingThem() {
    try (Fixture f = new Fixture()) {
      List<VectorSchemaRoot> input =
          f.toBatches(SCHEMA, List.of(row(1L, List.of("a", "b")), row(2L, null)));
      try (Relation out =
          f.lane()
              .runOps(
                  "r",
                  SCHEMA,
                  input,
                  List.of(new Explode("l", "e", Optional.of("pos"), true)),
                  Map.of(),
                  Map.of())) {
        assertThat(out.rows())
            .containsExactly(row(1L, "a", 0L), row(1L, "b", 1L), row(2L, null, null));
      }
      assertThat(input.get(0).getRowCount()).isEqualTo(2);
      assertThat(Values.read(input.get(0).getVector("id"), 1)).isEqualTo(2L);
    }
  }

  @Test
  void nestedPipelinesScanOnlyTheGivenDatasets() {
    try (Fixture f = new Fixture()) {
      List<VectorSchemaRoot> input = f.toBatches(SCHEMA, List.of(row(1L, null)));
      Join join =
          new Join(
              JoinType.SEMI,
              Pipeline.of(Scan.of("other")),
              List.of(EquiKey.same("id")),
              Optional.empty(),
              Optional.empty());
      assertThatThrownBy(
              () -> f.lane().runOps("r", SCHEMA, input, List.of(join), Map.of(), Map.of()))
          .isInstanceOf(RelspecException.class)
          .hasMessageStartingWith("Cannot scan dataset 'other' in rule 'r'")
          .extracting(e -> ((RelspecException) e).code())
          .isEqualTo(ErrorCode.INVALID_INPUT);
      try (Relation out =
          f.lane()
              .runOps(
                  "r",
                  SCHEMA,
                  input,
                  List.of(join),
                  Map.of(),
                  Map.of("other", new SourceBatches(SCHEMA, input)))) {
        assertThat(out.rows()).containsExactly(row(1L, null));
      }
    }
  }
}
