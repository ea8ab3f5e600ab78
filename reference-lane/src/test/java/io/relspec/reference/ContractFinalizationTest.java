package io.relspec.reference;

import static io.relspec.reference.Fixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Contract finalization (format v1, section 5) with row accounting. */
class ContractFinalizationTest {
  private static final String BUNDLE =
      """
      {"relspec":1,"name":"c","datasets":[%s],
       "contracts":[{"name":"k","version":1,
         "columns":[{"name":"id","type":"int64","nullable":false},{"name":"k","type":"string"},
                    {"name":"v","type":"float64"},{"name":"s","type":"string"},{"name":"note","type":"string"}],
         "keyFields":["id"],"requiredNonNull":["s"],
         "dedupe":{"keys":["k"],"orderBy":[{"col":"v","dir":"desc"}]},
         "canonicalSort":[{"col":"id"}],"onViolation":"%s"}],
       "rules":[{"name":"r","output":"out","contract":"k","ops":[{"op":"scan","dataset":"t"}]}]}
      """;

  private static Fixture fixture() {
    return new Fixture()
        .dataset("t", "id:int32", "k:string", "v:float64", "s:string")
        .rows(
            "t",
            row(1, "a", 1.0, "x"),
            row(2, "a", 3.0, "y"),
            row(null, "b", 1.0, "z"),
            row(4, "c", 1.0, null),
            row(5, "d", 1.0, "p"),
            row(5, "e", 2.0, "q"),
            row(6, null, 1.0, "r"));
  }

  private static RunResult run(Fixture f, String onViolation) {
    ValidatedBundle bundle =
        Fixture.validate(BUNDLE.formatted(f.datasetsJson(), onViolation), Map.of());
    return f.lane().run(bundle, f.source(bundle));
  }

  @Test
  void quarantineRoutesViolationsDedupesAndSortsCanonically() {
    try (Fixture f = fixture();
        RunResult result = run(f, "quarantine")) {
      OutputResult out = result.output("out").orElseThrow();
      assertThat(out.rows().rows())
          .containsExactly(row(2L, "a", 3.0, "y", null), row(6L, null, 1.0, "r", null));
      assertThat(out.errors().orElseThrow().rows())
          .extracting(r -> r.subList(0, 1).get(0), r -> r.get(5), r -> r.get(6), r -> r.get(8))
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(null, "null_violation", "id", "r"),
              org.assertj.core.groups.Tuple.tuple(4L, "null_violation", "s", "r"),
              org.assertj.core.groups.Tuple.tuple(5L, "duplicate_key", "id", "r"),
              org.assertj.core.groups.Tuple.tuple(5L, "duplicate_key", "id", "r"));
      assertThat(out.errors().orElseThrow().schema().names())
          .containsExactly(
              "id",
              "k",
              "v",
              "s",
              "note",
              "error_code",
              "error_column",
              "error_message",
              "rule_name");
      Accounting accounting = out.accounting();
      assertThat(accounting).isEqualTo(new Accounting(7, 2, 4, 0, 1, 2, 0, 2));
      assertThat(accounting.balanced()).isTrue();
      assertThat(out.rules()).containsExactly(new RuleAccounting("r", 7, 2, 4, 1));
    }
  }

  @Test
  void dropCountsViolationsWithoutErrorRows() {
    try (Fixture f = fixture();
        RunResult result = run(f, "drop")) {
      OutputResult out = result.output("out").orElseThrow();
      assertThat(out.rows().rowCount()).isEqualTo(2);
      assertThat(out.errors()).isEmpty();
      assertThat(out.accounting().dropped()).isEqualTo(4);
      assertThat(out.accounting().balanced()).isTrue();
    }
  }

  @Test
  void failStopsTheRunWithAContractViolation() {
    try (Fixture f = fixture()) {
      assertThatThrownBy(() -> run(f, "fail"))
          .isInstanceOf(RelspecException.class)
          .hasMessage(
              "Cannot finalize output 'out': 4 row(s) violate contract 'k', which says"
                  + " onViolation=fail; the first, from rule 'r': null_violation in column 'id':"
                  + " column 'id' is null but contract 'k' requires a value. Fix the rule or set"
                  + " onViolation to quarantine or drop")
          .extracting(e -> ((RelspecException) e).code())
          .isEqualTo(ErrorCode.CONTRACT_VIOLATION);
    }
  }

  @Test
  void aCleanOutputIsUnchangedButSorted() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "id:int32", "k:string", "v:float64", "s:string")
          .rows("t", row(3, "c", 1.0, "x"), row(1, "a", 1.0, "y"));
      try (RunResult result = run(f, "fail")) {
        OutputResult out = result.output("out").orElseThrow();
        assertThat(out.rows().rows())
            .containsExactly(row(1L, "a", 1.0, "y", null), row(3L, "c", 1.0, "x", null));
        assertThat(out.accounting()).isEqualTo(new Accounting(2, 2, 0, 0, 0, 0, 0, 0));
        assertThat(result.bundleSignature()).hasSize(64);
      }
    }
  }

  @Test
  void missingInputIsAnInvalidInputError() {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "id:int32", "k:string", "v:float64", "s:string");
      ValidatedBundle bundle =
          Fixture.validate(BUNDLE.formatted(f.datasetsJson(), "fail"), Map.of());
      DatasetSource none = DatasetSource.inMemory(Map.of());
      assertThatThrownBy(() -> f.lane().run(bundle, none))
          .isInstanceOf(RelspecException.class)
          .hasMessageStartingWith("Cannot scan dataset 't'")
          .extracting(e -> ((RelspecException) e).code())
          .isEqualTo(ErrorCode.INVALID_INPUT);
      assertThat(List.of()).isEmpty();
    }
  }

  /**
   * A contract dedupe over the rows of one rule that ends with a dedupe by some of its keys removes
   * nothing and is skipped (as in Spark's finalizer); the rows are those of the rule's dedupe.
   */
  @Test
  void contractDedupeIsSkippedOnlyWhereItCannotRemoveRows() {
    String dedupedRule =
        BUNDLE.replace(
            "\"ops\":[{\"op\":\"scan\",\"dataset\":\"t\"}]",
            "\"ops\":[{\"op\":\"scan\",\"dataset\":\"t\"},"
                + "{\"op\":\"dedupe\",\"keys\":[\"k\"],\"orderBy\":[{\"col\":\"v\",\"dir\":\"desc\"}]}]");
    try (Fixture f = fixture()) {
      ValidatedBundle plain =
          Fixture.validate(BUNDLE.formatted(f.datasetsJson(), "quarantine"), Map.of());
      ValidatedBundle deduped =
          Fixture.validate(dedupedRule.formatted(f.datasetsJson(), "quarantine"), Map.of());
      io.relspec.ir.plan.OutputPlan once = deduped.outputs().get(0);
      assertThat(ContractFinalizer.dedupeKeepsEveryRow(once, c -> true)).isTrue();
      assertThat(ContractFinalizer.dedupeKeepsEveryRow(once, c -> false))
          .as("the key column is cast on its way to the contract")
          .isFalse();
      assertThat(ContractFinalizer.dedupeKeepsEveryRow(plain.outputs().get(0), c -> true))
          .as("the rule's rows are not known to be unique")
          .isFalse();
      try (RunResult skipped = f.lane().run(deduped, f.source(deduped));
          RunResult full = f.lane().run(plain, f.source(plain))) {
        OutputResult out = skipped.output("out").orElseThrow();
        // the rule's dedupe kept the same rows the contract's dedupe keeps in the plain bundle
        assertThat(out.rows().rows())
            .containsExactlyElementsOf(full.output("out").orElseThrow().rows().rows());
        assertThat(out.accounting().deduplicated()).isZero();
      }
    }
  }
}
