package io.relspec.it.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The fixed seed set of the default test run: small random bundles (every op and kernel, random
 * expressions over the function registry, nulls and edge values, empty inputs, duplicate keys,
 * equal span scores) run on the reference lane, Spark and standalone DataFusion, which must agree.
 * A failing case is shrunk by jqwik and written under {@code target/differential-failures/<id>/}
 * with the command that reruns it. The long mode is {@link DifferentialLongRun}.
 */
class DifferentialTest {
  @Provide
  Arbitrary<List<Integer>> choices() {
    return Differential.choices(300);
  }

  @Provide
  Arbitrary<List<Integer>> rowChoices() {
    return Differential.choices(600);
  }

  @Property(tries = 50, seed = "20261124")
  void everyLaneAgrees(
      @ForAll("choices") List<Integer> choices, @ForAll("rowChoices") List<Integer> rows) {
    DiffCase diffCase =
        CaseGenerator.generate(choices, rows, Differential.SMALL_ROWS, Differential.SMALL_OPS);
    Lanes.Result result = Differential.lanes().run(diffCase);
    if (!result.agrees()) {
      Path dir = Differential.writeFailure(result);
      assertThat(result.discrepancies())
          .as("lanes disagree; case written to %s%n%s", dir, result.describe())
          .isEmpty();
    }
    assertThat(result.outcomes().get(Lanes.REFERENCE))
        .as("the reference lane runs every generated case")
        .isInstanceOf(Outcome.Rows.class);
  }

  @AfterContainer
  static void printStats() {
    System.out.println("[differential] default run\n" + Differential.stats());
  }
}
