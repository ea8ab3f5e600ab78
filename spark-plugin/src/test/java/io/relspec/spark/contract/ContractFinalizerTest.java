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
