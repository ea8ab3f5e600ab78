package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The property loop of {@link LanePropertiesTest}: tries, reproducibility, row shrinking. */
class PropertyCheckTest {
  @Test
  void aFailureIsShrunkToTheRowsThatMatterAndNamesTheSeed() {
    assertThatThrownBy(
            () ->
                PropertyCheck.forAll(
                    "fewNullKeys",
                    99L,
                    200,
                    r ->
                        new PropertyCheck.Sample(
                            List.of(LanePropertiesTest.keyedRows(r)), List.of(r.nextBoolean())),
                    s ->
                        assertThat(s.rows(0).stream().filter(row -> row.get(0) == null).count())
                            .isLessThan(2)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("fewNullKeys failed with seed 99")
        .hasMessageContaining("-Dlane.properties.seed=99")
        .satisfies(
            e -> {
              // exactly the two null-key rows are left
              String rows = e.getMessage().substring(e.getMessage().indexOf("rows 0 ("));
              assertThat(rows).startsWith("rows 0 (2 of ");
              assertThat(rows.split("\n    \\[null,", -1)).hasSize(3);
            });
  }

  @Test
  void everyTryRunsWhenThePropertyHolds() {
    AtomicInteger runs = new AtomicInteger();
    PropertyCheck.forAll(
        "holds",
        5L,
        37,
        r -> new PropertyCheck.Sample(List.of(LanePropertiesTest.lefts(r)), List.of()),
        s -> {
          runs.incrementAndGet();
          for (int i = 0; i < s.rows(0).size(); i++) {
            assertThat(s.rows(0).get(i).get(0)).isEqualTo((long) i);
          }
        });
    assertThat(runs.get()).isEqualTo(37);
  }
}
