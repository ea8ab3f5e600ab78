package io.relspec.reference.conformance;

import static io.relspec.reference.conformance.CaseValues.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checker itself: what counts as conforming, and that no deviation passes unnoticed. */
class ConformanceCheckTest {
  private static final ConformanceCase SORTED =
      ConformanceCases.named("op/limit takes n after offset of the sorted rows");
  private static final ConformanceCase UNORDERED =
      ConformanceCases.named("op/join semi keeps matched left rows once");

  /** A hand-written lane that returns fixed rows with the plan's own names and types. */
  private static Lane returning(ConformanceCase c, List<List<Object>> rows) {
    List<Field> fields = c.plan().schema().fields();
    List<String> names = fields.stream().map(Field::name).toList();
    List<DataType> types = fields.stream().map(Field::type).toList();
    return new Lane() {
      @Override
      public String name() {
        return "fake";
      }

      @Override
      public LaneResult run(ConformanceCase conformanceCase) {
        return new LaneResult.Rows(names, types, rows, "fake");
      }
    };
  }

  @Test
  void orderMattersOnlyWhereTheCaseIsOrdered() {
    List<List<Object>> reversed = new ArrayList<>(SORTED.expected());
    Collections.reverse(reversed);
    assertThat(SORTED.ordered()).isTrue();
    assertThat(Conformance.problems(SORTED, returning(SORTED, reversed).run(SORTED)))
        .singleElement()
        .asString()
        .startsWith("rows in order");
    List<List<Object>> shuffled = new ArrayList<>(UNORDERED.expected());
    Collections.reverse(shuffled);
    assertThat(UNORDERED.ordered()).isFalse();
    assertThat(Conformance.problems(UNORDERED, returning(UNORDERED, shuffled).run(UNORDERED)))
        .isEmpty();
  }

  @Test
  void aMissingDuplicateOrAWrongTypeIsADeviation() {
    List<List<Object>> fewer = UNORDERED.expected().subList(0, 1);
    assertThat(Conformance.problems(UNORDERED, returning(UNORDERED, fewer).run(UNORDERED)))
        .singleElement()
        .asString()
        .contains("missing [(Long:1, \"d\")]");
    LaneResult wrongTypes =
        new LaneResult.Rows(List.of("k", "lv"), List.of(), UNORDERED.expected(), "fake");
    assertThat(Conformance.problems(UNORDERED, wrongTypes))
        .singleElement()
        .asString()
        .startsWith("column types []");
  }

  @Test
  void aLaneThatCannotRunOrFailsNeverPassesSilently() {
    assertThat(Conformance.problems(SORTED, new LaneResult.CannotRun("no sort here")))
        .containsExactly("cannot run: no sort here");
    assertThat(Conformance.problems(SORTED, new LaneResult.Failed("boom")))
        .containsExactly("failed: boom");
    Lane cannot =
        new Lane() {
          @Override
          public String name() {
            return "fake";
          }

          @Override
          public LaneResult run(ConformanceCase conformanceCase) {
            return new LaneResult.CannotRun("no sort here");
          }
        };
    assertThatThrownBy(() -> new Conformance(cannot, Map.of()).check(SORTED))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("cannot run: no sort here");
  }

  @Test
  void aKnownIssueThatIsFixedFailsUntilItIsTakenOffTheList() {
    Lane conforming = returning(SORTED, SORTED.expected());
    Conformance known = new Conformance(conforming, Map.of(SORTED.name(), "sorts backwards"));
    assertThatThrownBy(() -> known.check(SORTED))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("take it off the list");
    assertThatThrownBy(
            () ->
                new Conformance(conforming, Map.of("op/no such case", "?"))
                    .checkKnownIssuesNameCases())
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void floatsCompareBitForBitExceptNaNAndDecimalsByValue() {
    assertThat(CaseValues.render(-0.0)).isNotEqualTo(CaseValues.render(0.0));
    assertThat(CaseValues.render(Double.NaN))
        .isEqualTo(CaseValues.render(Double.longBitsToDouble(0x7ff8000000000001L)));
    assertThat(CaseValues.render(CaseValues.dec("1.50")))
        .isEqualTo(CaseValues.render(CaseValues.dec("1.5")));
    assertThat(CaseValues.renderRow(row(1L, null))).isEqualTo("(Long:1, null)");
  }

  @Test
  void aContractOutcomeMustMatchRowsErrorsCountsAndFailure() {
    ContractCase quarantine =
        ContractCases.named("contract/keyFields quarantines every row of a duplicated key");
    ContractConformance.Outcome exact =
        new ContractConformance.Outcome.Ran(
            quarantine.rows(), quarantine.errors(), quarantine.counts(), "fake");
    assertThat(ContractConformance.problems(quarantine, exact)).isEmpty();
    ContractConformance.Outcome noErrors =
        new ContractConformance.Outcome.Ran(
            quarantine.rows(), List.of(), new ContractCase.Counts(4, 2, 0, 2, 0), "fake");
    assertThat(ContractConformance.problems(quarantine, noErrors))
        .hasSize(2)
        .anySatisfy(p -> assertThat(p).startsWith("__errors rows (any order) []"))
        .anySatisfy(p -> assertThat(p).startsWith("accounting in=4 out=2 quarantined=0"));
    ContractCase fail =
        ContractCases.named(
            "contract/keyFields with fail writes nothing and reports CONTRACT_VIOLATION");
    assertThat(ContractConformance.problems(fail, exact))
        .containsExactly(
            "the run committed, the spec says it fails with Optional[CONTRACT_VIOLATION]");
    assertThat(
            ContractConformance.problems(
                fail, new ContractConformance.Outcome.Failed("CONTRACT_VIOLATION", "x", true)))
        .containsExactly("failed but wrote the output");
  }
}
