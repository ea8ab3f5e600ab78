package io.relspec.spark.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.TypeParser;
import io.relspec.spark.SparkTestSession;
import io.relspec.spark.compile.SparkTypes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** Contract finalization: align, checks, routing, dedupe, key uniqueness, canonical sort. */
class ContractFinalizerTest {
  private static ContractSpec contract(String json) {
    return BundleReader.read(
            "{\"relspec\": 1, \"name\": \"t\", \"contracts\": [" + json + "]}", "test.json")
        .contracts()
        .get(0);
  }

  private static Dataset<Row> table(String schema, Object[]... rows) {
    List<Field> fields = new ArrayList<>();
    for (String column : schema.split(",(?![^<(]*[>)])")) {
      String[] parts = column.trim().split(" ", 2);
      fields.add(Field.nullable(parts[0], TypeParser.of(parts[1].trim())));
    }
    List<Row> list = new ArrayList<>();
    for (Object[] row : rows) {
      list.add(RowFactory.create(row));
    }
    return SparkTestSession.spark().createDataFrame(list, SparkTypes.toSpark(fields));
  }

  private static Object[] row(Object... values) {
    return values;
  }

  private static List<List<Object>> rows(Dataset<Row> rows) {
    List<List<Object>> result = new ArrayList<>();
    for (Row row : rows.collectAsList()) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < row.length(); i++) {
        values.add(row.get(i));
      }
      result.add(values);
    }
    return result;
  }

  private static List<Object> r(Object... values) {
    return Arrays.asList(values);
  }

  private static final ContractSpec PEOPLE =
      contract(
          """
          {"name": "people", "version": 2, "onViolation": "quarantine",
           "columns": [{"name": "id", "type": "int64", "nullable": false},
                       {"name": "name", "type": "string"},
                       {"name": "score", "type": "float64"},
                       {"name": "tag", "type": "string"}],
           "requiredNonNull": ["name"],
           "canonicalSort": [{"col": "id"}]}
          """);

  @Test
  void alignsChecksAndQuarantinesWithErrorColumns() {
    Dataset<Row> r1 =
        table(
            "id int32, name string, score int32, extra string",
            row(1, "a", 10, "x"),
            row(null, "b", 1, "x"),
            row(2, null, null, "x"));
    Dataset<Row> r2 =
        table("id string, name string", row("3", "c"), row("zz", "d"), row("zz", null));
    Finalization done =
        ContractFinalizer.finalize(
            "out",
            PEOPLE,
            List.of(
                new ContractFinalizer.RuleRows("r1", r1),
                new ContractFinalizer.RuleRows("r2", r2)));
    Dataset<Row> out = done.rows();
    assertThat(out.columns()).containsExactly("id", "name", "score", "tag");
    assertThat(out.schema().apply("id").nullable()).isFalse();
    assertThat(out.schema().apply("score").dataType().simpleString()).isEqualTo("double");
    assertThat(rows(out)).containsExactly(r(1L, "a", 10.0, null), r(3L, "c", null, null));

    Dataset<Row> errors = done.errors().orderBy("rule_name", "error_column", "name");
    assertThat(errors.columns())
        .containsExactly(
            "id",
            "name",
            "score",
            "tag",
            "error_code",
            "error_column",
            "error_message",
            "rule_name");
    List<List<Object>> errorRows = rows(errors);
    assertThat(errorRows)
        .extracting(row -> row.subList(0, 6))
        .containsExactly(
            r(null, "b", 1.0, null, "null_violation", "id"),
            r(2L, null, null, null, "null_violation", "name"),
            r(null, null, null, null, "cast_failure", "id"),
            r(null, "d", null, null, "cast_failure", "id"));
    assertThat(errorRows.get(1).get(6))
        .isEqualTo("column 'name' is null but contract 'people' requires a value");
    assertThat(errorRows.get(3).get(6))
        .isEqualTo(
            "column 'id' has a value that cannot be cast to int64 as contract 'people' requires");
    assertThat(errorRows).extracting(row -> row.get(7)).containsExactly("r1", "r1", "r2", "r2");

    Finalization.Counts counts = done.counts();
    assertThat(counts.in()).isEqualTo(6);
    assertThat(counts.out()).isEqualTo(2);
    assertThat(counts.violations()).isEqualTo(4);
    assertThat(counts.in()).isEqualTo(counts.out() + counts.violations() + counts.deduplicated());
    assertThat(counts.rule("r2")).containsEntry("ok", 1L).containsEntry("cast_failure", 2L);
  }

  @Test
  void dedupeThenKeyUniquenessThenCanonicalSort() {
    ContractSpec contract =
        contract(
            """
            {"name": "c", "version": 1, "onViolation": "drop",
             "columns": [{"name": "k", "type": "string", "nullable": false},
                         {"name": "v", "type": "int32"}, {"name": "t", "type": "string"}],
             "keyFields": ["k"],
             "dedupe": {"keys": ["t"], "orderBy": [{"col": "v", "dir": "desc"}]},
             "canonicalSort": [{"col": "k", "dir": "desc"}]}
            """);
    Dataset<Row> rows =
        table(
            "k string, v int32, t string",
            row("k1", 5, "x"),
            row("k2", 7, "x"),
            row("k3", 1, "y"),
            row("k3", 2, "z"),
            row("k5", null, "w"),
            row("k4", null, "w"));
    Finalization done =
        ContractFinalizer.finalize(
            "o", contract, List.of(new ContractFinalizer.RuleRows("r", rows)));
    // t=x: v desc keeps k2; t=w: v ties (null), remaining column k ascending keeps k4;
    // k3 survives dedupe twice (t differs) and so violates key uniqueness.
    assertThat(rows(done.rows())).containsExactly(r("k4", null, "w"), r("k2", 7, "x"));
    assertThat(rows(done.errors().orderBy("v")))
        .extracting(row -> row.subList(0, 5))
        .containsExactly(
            r("k3", 1, "y", "duplicate_key", "k"), r("k3", 2, "z", "duplicate_key", "k"));
    assertThat(rows(done.errors()).get(0).get(5))
        .isEqualTo("key (k) is not unique: 2 rows of contract 'c' have it");
    Finalization.Counts counts = done.counts();
    assertThat(counts.in()).isEqualTo(6);
    assertThat(counts.out()).isEqualTo(2);
    assertThat(counts.deduplicated()).isEqualTo(2);
    assertThat(counts.of("duplicate_key")).isEqualTo(2);
    done.failOnViolations(counts); // drop: no exception
  }

  private static final ContractSpec KEYED =
      contract(
          """
          {"name": "keyed", "version": 1, "onViolation": "quarantine",
           "columns": [{"name": "k", "type": "string"}, {"name": "v", "type": "int32"}],
           "keyFields": ["k"]}
          """);

  /** Statuses by (k, v) of every row: how the key check marked them. */
  private static List<List<Object>> statuses(Dataset<Row> tagged) {
    return rows(
        tagged
            .select(tagged.col("k"), tagged.col("v"), tagged.col(ContractFinalizer.STATUS))
            .orderBy("k", "v"));
  }

  /**
   * The key check over persisted rows (counting keys, joining the duplicates back) marks the same
   * rows as the window count, null keys included, and with more duplicate keys than it broadcasts
   * it is the window count.
   */
  @Test
  void keyCheckByCountMarksWhatTheWindowMarks() {
    Dataset<Row> rows =
        table(
            "k string, v int32",
            row("a", 1),
            row("b", 2),
            row("b", 3),
            row(null, 4),
            row(null, 5),
            row("c", 6));
    Dataset<Row> checked =
        ContractFinalizer.finalize("o", KEYED, List.of(new ContractFinalizer.RuleRows("r", rows)))
            .persisted();
    List<List<Object>> byWindow = statuses(ContractFinalizer.checkKeysByWindow(checked, KEYED));
    assertThat(byWindow)
        .containsExactly(
            r(null, 4, "duplicate_key"),
            r(null, 5, "duplicate_key"),
            r("a", 1, "ok"),
            r("b", 2, "duplicate_key"),
            r("b", 3, "duplicate_key"),
            r("c", 6, "ok"));
    assertThat(statuses(ContractFinalizer.checkKeysByCount(checked, KEYED, 100)))
        .isEqualTo(byWindow);
    assertThat(statuses(ContractFinalizer.checkKeysByCount(checked, KEYED, 1)))
        .as("two duplicate keys, one broadcast at most: the window")
        .isEqualTo(byWindow);
    Dataset<Row> unique =
        ContractFinalizer.finalize(
                "o",
                KEYED,
                List.of(
                    new ContractFinalizer.RuleRows("r", table("k string, v int32", row("a", 1)))))
            .persisted();
    assertThat(ContractFinalizer.checkKeysByCount(unique, KEYED, 100))
        .as("no duplicate key: the rows as they are")
        .isSameAs(unique);

    Finalization persisted =
        ContractFinalizer.finalize("o", KEYED, List.of(new ContractFinalizer.RuleRows("r", rows)))
            .persist();
    try {
      assertThat(persisted.counts().of("duplicate_key")).isEqualTo(4);
      assertThat(rows(persisted.errors().filter("k = 'b'").select("error_message")))
          .containsOnly(r("key (k) is not unique: 2 rows of contract 'keyed' have it"));
    } finally {
      persisted.unpersist();
    }
  }

  /**
   * A single integral key is counted without an aggregate ({@link IntegralKeyCount}); the key check
   * marks the same rows as the window count for every integral width, null keys included.
   */
  @Test
  void keyCheckOfAnIntegralKeyMarksWhatTheWindowMarks() {
    for (String type : List.of("int8", "int16", "int32", "int64")) {
      ContractSpec keyed =
          contract(
              """
              {"name": "keyed", "version": 1, "onViolation": "quarantine",
               "columns": [{"name": "k", "type": "%s"}, {"name": "v", "type": "int32"}],
               "keyFields": ["k"]}
              """
                  .formatted(type));
      Object[][] values = {
        row(1, 1), row(2, 2), row(2, 3), row(null, 4), row(null, 5), row(-3, 6), row(2, 7)
      };
      for (Object[] value : values) {
        if (value[0] != null) {
          value[0] =
              switch (type) {
                case "int8" -> (byte) (int) (Integer) value[0];
                case "int16" -> (short) (int) (Integer) value[0];
                case "int32" -> value[0];
                default -> (long) (int) (Integer) value[0];
              };
        }
      }
      List<ContractFinalizer.RuleRows> input =
          List.of(new ContractFinalizer.RuleRows("r", table("k " + type + ", v int32", values)));
      Dataset<Row> checked = ContractFinalizer.finalize("o", keyed, input).persisted();
      List<List<Object>> byWindow = statuses(ContractFinalizer.checkKeysByWindow(checked, keyed));
      assertThat(byWindow)
          .as(type)
          .extracting(row -> row.get(2))
          .containsExactly(
              "duplicate_key",
              "duplicate_key",
              "ok",
              "ok",
              "duplicate_key",
              "duplicate_key",
              "duplicate_key");
      assertThat(statuses(ContractFinalizer.checkKeysByCount(checked, keyed, 100)))
          .as(type)
          .isEqualTo(byWindow);
      assertThat(statuses(ContractFinalizer.checkKeysByCount(checked, keyed, 1)))
          .as(type + ": two duplicate keys, one broadcast at most: the window")
          .isEqualTo(byWindow);
      Finalization persisted = ContractFinalizer.finalize("o", keyed, input).persist();
      try {
        assertThat(rows(persisted.errors().filter("k = 2").select("error_message")))
            .as(type)
            .containsOnly(r("key (k) is not unique: 3 rows of contract 'keyed' have it"));
      } finally {
        persisted.unpersist();
      }
    }
  }

  /**
   * A contract dedupe over one rule's rows already unique by a subset of its keys, of the
   * contract's types, removes nothing and is skipped; otherwise it runs.
   */
  @Test
  void contractDedupeIsSkippedOnlyWhereItCannotRemoveRows() {
    ContractSpec deduped =
        contract(
            """
            {"name": "d", "version": 1, "onViolation": "drop",
             "columns": [{"name": "k", "type": "string"}, {"name": "v", "type": "int64"}],
             "dedupe": {"keys": ["k", "v"], "orderBy": []}}
            """);
    Dataset<Row> rows = table("k string, v int64", row("a", 1L), row("a", 1L));
    Dataset<Row> narrow = table("k string, v int32", row("a", 1), row("a", 1));
    ContractFinalizer.RuleRows uniqueByK =
        new ContractFinalizer.RuleRows("r", rows, Optional.of(Set.of("k")));
    assertThat(ContractFinalizer.dedupeKeepsEveryRow(deduped, List.of(uniqueByK))).isTrue();
    assertThat(
            ContractFinalizer.dedupeKeepsEveryRow(
                deduped, List.of(new ContractFinalizer.RuleRows("r", rows))))
        .as("nothing known")
        .isFalse();
    assertThat(ContractFinalizer.dedupeKeepsEveryRow(deduped, List.of(uniqueByK, uniqueByK)))
        .as("two rules")
        .isFalse();
    assertThat(
            ContractFinalizer.dedupeKeepsEveryRow(
                deduped,
                List.of(new ContractFinalizer.RuleRows("r", rows, Optional.of(Set.of("k", "x"))))))
        .as("unique by a column the dedupe does not key on")
        .isFalse();
    assertThat(
            ContractFinalizer.dedupeKeepsEveryRow(
                deduped,
                List.of(new ContractFinalizer.RuleRows("r", narrow, Optional.of(Set.of("v"))))))
        .as("int32 widened to the contract's int64")
        .isFalse();
    // the claim is trusted (here it is false): the skipped dedupe leaves both rows
    Finalization skipped = ContractFinalizer.finalize("o", deduped, List.of(uniqueByK));
    assertThat(skipped.counts().deduplicated()).isZero();
    Finalization run =
        ContractFinalizer.finalize(
            "o", deduped, List.of(new ContractFinalizer.RuleRows("r", rows)));
    assertThat(run.counts().deduplicated()).isEqualTo(1);
  }

  /** The finalization's cache is not compressed; the session's setting is left as it was. */
  @Test
  void persistCachesUncompressedAndRestoresTheSessionConf() {
    Dataset<Row> rows = table("k string, v int32", row("a", 1));
    for (String setting : new String[] {null, "true"}) {
      if (setting == null) {
        SparkTestSession.spark().conf().unset(Finalization.CACHE_COMPRESSION);
      } else {
        SparkTestSession.spark().conf().set(Finalization.CACHE_COMPRESSION, setting);
      }
      Finalization done =
          ContractFinalizer.finalize("o", KEYED, List.of(new ContractFinalizer.RuleRows("r", rows)))
              .persist();
      try {
        assertThat(done.counts().out()).isEqualTo(1);
        org.apache.spark.sql.execution.SparkPlan cached =
            io.relspec.spark.engine.ExecutedPlans.cachedPlan(
                    SparkTestSession.spark(), done.persisted())
                .orElseThrow();
        assertThat(cached.conf().useCompression()).isFalse();
        assertThat(SparkTestSession.spark().conf().contains(Finalization.CACHE_COMPRESSION))
            .isEqualTo(setting != null);
        assertThat(SparkTestSession.spark().conf().get(Finalization.CACHE_COMPRESSION))
            .isEqualTo("true");
      } finally {
        done.unpersist();
      }
    }
    SparkTestSession.spark().conf().unset(Finalization.CACHE_COMPRESSION);
  }

  @Test
  void failStopsWithTheFirstViolation() {
    ContractSpec contract =
        contract(
            """
            {"name": "strict", "version": 1, "onViolation": "fail",
             "columns": [{"name": "id", "type": "int64", "nullable": false}]}
            """);
    Finalization done =
        ContractFinalizer.finalize(
            "o",
            contract,
            List.of(
                new ContractFinalizer.RuleRows(
                    "r", table("id int64", row(1L), row((Object) null)))));
    Finalization.Counts counts = done.counts();
    assertThat(counts.violations()).isEqualTo(1);
    assertThatThrownBy(() -> done.failOnViolations(counts))
        .isInstanceOf(RelspecException.class)
        .hasMessage(
            "Cannot finalize output 'o': 1 row(s) violate contract 'strict' (first: null_violation"
                + " in column 'id' from rule 'r': column 'id' is null but contract 'strict' requires"
                + " a value) and its onViolation is fail. Fix the rule or set onViolation to"
                + " quarantine or drop.")
        .satisfies(
            e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.CONTRACT_VIOLATION));
  }

  @Test
  void uncastableColumnIsABundleError() {
    assertThatThrownBy(
            () ->
                ContractFinalizer.finalize(
                    "o",
                    PEOPLE,
                    List.of(
                        new ContractFinalizer.RuleRows(
                            "r", table("id list<int32>, name string", row(List.of(1), "a"))))))
        .isInstanceOf(RelspecException.class)
        .hasMessageStartingWith(
            "Cannot align column 'id' of rule 'r' to output 'o': Spark type array<int> cannot be"
                + " cast to int64.");
  }
}
