package io.relspec.ir.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RelCompilerTest {
  @ParameterizedTest
  @ValueSource(strings = {"cpg.json", "analytics.json"})
  void everyRuleCompilesToItsPlanSchema(String example) {
    ValidatedBundle bundle = Examples.validated(example);
    RelCompiler compiler = new RelCompiler(bundle);
    for (RelPlan plan : bundle.plans()) {
      RelNode rel = compiler.rule(plan);
      List<Field> fields = CalciteTypes.fields(rel.getRowType());
      assertThat(fields.stream().map(Field::name).toList())
          .as(plan.name())
          .isEqualTo(plan.schema().names());
      assertThat(fields.stream().map(f -> f.type()).toList())
          .as(plan.name())
          .isEqualTo(plan.schema().fields().stream().map(Field::type).toList());
      RelNode optimized = PlanOptimizer.optimize(rel);
      assertThat(CalciteTypes.fields(optimized.getRowType()).stream().map(Field::name).toList())
          .isEqualTo(plan.schema().names());
      for (SqlDialectName dialect : SqlDialectName.values()) {
        assertThat(SqlRenderer.render(rel, dialect)).startsWith("SELECT");
        assertThat(SqlRenderer.render(optimized, dialect)).startsWith("SELECT");
      }
    }
  }

  @Test
  void kernelsCompileToTheirRelationalEquivalents() {
    ValidatedBundle bundle = Examples.validated("cpg.json");
    RelCompiler compiler = new RelCompiler(bundle);
    String align = PlanOptimizer.explain(compiler.rule(bundle.plan("ref_symbols").orElseThrow()));
    assertThat(align)
        .contains("joinType=[left]")
        .contains(
            "ROW_NUMBER() OVER (PARTITION BY $5 ORDER BY CAST(-(-($10, $9))):DOUBLE DESC NULLS LAST,"
                + " $11 DESC NULLS FIRST, $6 NULLS LAST")
        .contains("CASE(IS NOT NULL($9), 'contained', 'NO_MATCH')");
    String explode =
        PlanOptimizer.explain(compiler.rule(bundle.plan("call_symbols").orElseThrow()));
    assertThat(explode)
        .contains("LogicalCorrelate(correlation=[$cor], joinType=[inner], requiredColumns=[{5}])")
        .contains("Uncollect(withOrdinality=[true])")
        .contains(
            "ROW_NUMBER() OVER (PARTITION BY $0 ORDER BY $8 DESC NULLS FIRST, $6 NULLS LAST, $1 NULLS LAST");
  }

  @Test
  void outputFinalizationAlignsUnionsDedupesAndSorts() {
    ValidatedBundle bundle = Examples.validated("cpg.json");
    RelCompiler compiler = new RelCompiler(bundle);
    String plan =
        PlanOptimizer.explain(compiler.output(bundle.output("symbol_links").orElseThrow()));
    assertThat(plan.lines().findFirst().orElseThrow())
        .isEqualTo(
            "LogicalSort(sort0=[$1], sort1=[$2], sort2=[$0], dir0=[ASC], dir1=[ASC], dir2=[ASC])");
    assertThat(plan).contains("LogicalUnion(all=[true])").contains("IS NOT NULL($4)");
  }

  @Test
  void relspecFunctionsAreLoweredPerDialect() {
    ValidatedBundle bundle =
        Examples.fromJson(
            "{\"relspec\": 1, \"name\": \"f\", \"datasets\": [{\"name\": \"t\", \"format\":"
                + " \"parquet\", \"location\": \"t\", \"schema\": [{\"name\": \"a\", \"type\":"
                + " \"int64\"}, {\"name\": \"b\", \"type\": \"int32\"}, {\"name\": \"d\","
                + " \"type\": \"date32\"}]}], \"contracts\": [{\"name\": \"c\", \"version\": 1,"
                + " \"columns\": [{\"name\": \"q\", \"type\": \"int64\"}]}], \"rules\":"
                + " [{\"name\": \"r\", \"output\": \"o\", \"contract\": \"c\", \"ops\":"
                + " [{\"op\": \"scan\", \"dataset\": \"t\"}, {\"op\": \"project\", \"columns\":"
                + " [{\"name\": \"q\", \"expr\": {\"fn\": \"div\", \"args\": [{\"col\":"
                + " \"a\"}, {\"col\": \"b\"}]}}, {\"name\": \"h\", \"expr\": {\"fn\":"
                + " \"stable_hash64\", \"args\": [{\"col\": \"a\"}]}}, {\"name\": \"s\","
                + " \"expr\": {\"fn\": \"span_len\", \"args\": [{\"col\": \"b\"}, {\"col\":"
                + " \"a\"}]}}, {\"name\": \"e\", \"expr\": {\"fn\": \"date_add_days\","
                + " \"args\": [{\"col\": \"d\"}, {\"col\": \"b\"}]}}]}]}]}");
    RelNode rel = new RelCompiler(bundle).rule(bundle.plan("r").orElseThrow());
    assertThat(SqlRenderer.render(rel, SqlDialectName.SPARK))
        .isEqualTo(
            "SELECT `a` DIV NULLIF(CAST(`b` AS BIGINT), 0) `q`, XXHASH64(`a`) `h`, `a` - CAST(`b`"
                + " AS BIGINT) `s`, DATE_ADD(`d`, `b`) `e`\nFROM `t`");
    assertThat(SqlRenderer.render(rel, SqlDialectName.POSTGRES))
        .isEqualTo(
            "SELECT \"a\" / NULLIF(CAST(\"b\" AS BIGINT), 0) AS \"q\", STABLE_HASH64(\"a\") AS"
                + " \"h\", \"a\" - CAST(\"b\" AS BIGINT) AS \"s\", \"d\" + \"b\" AS \"e\"\nFROM"
                + " \"t\"");
  }

  @Test
  void decimalDivisionIsCastToTheRelspecTypeOutsideSpark() {
    ValidatedBundle bundle =
        Examples.fromJson(
            "{\"relspec\": 1, \"name\": \"f\", \"datasets\": [{\"name\": \"t\", \"format\":"
                + " \"parquet\", \"location\": \"t\", \"schema\": [{\"name\": \"a\", \"type\":"
                + " \"decimal(12,2)\"}, {\"name\": \"b\", \"type\": \"decimal(10,2)\"}]}],"
                + " \"contracts\": [{\"name\": \"c\", \"version\": 1, \"columns\": [{\"name\":"
                + " \"q\", \"type\": \"decimal(38,13)\"}]}], \"rules\": [{\"name\": \"r\","
                + " \"output\": \"o\", \"contract\": \"c\", \"ops\": [{\"op\": \"scan\","
                + " \"dataset\": \"t\"}, {\"op\": \"project\", \"columns\": [{\"name\": \"q\","
                + " \"expr\": {\"fn\": \"div\", \"args\": [{\"col\": \"a\"}, {\"col\":"
                + " \"b\"}]}}]}]}]}");
    RelPlan plan = bundle.plan("r").orElseThrow();
    assertThat(plan.schema().describe()).isEqualTo("q decimal(25,13)");
    RelNode rel = new RelCompiler(bundle).rule(plan);
    assertThat(SqlRenderer.render(rel, SqlDialectName.POSTGRES))
        .isEqualTo(
            "SELECT CAST(\"a\" / NULLIF(\"b\", 0.00) AS DECIMAL(25, 13)) AS \"q\"\nFROM \"t\"");
    assertThat(SqlRenderer.render(rel, SqlDialectName.SPARK))
        .isEqualTo("SELECT `a` / NULLIF(`b`, 0.00) `q`\nFROM `t`");
  }

  @Test
  void ansiSqlAlwaysWritesWhereNullsSort() {
    ValidatedBundle bundle = Examples.validated("analytics.json");
    RelNode rel = new RelCompiler(bundle).rule(bundle.plan("region_revenue").orElseThrow());
    assertThat(SqlRenderer.render(rel, SqlDialectName.ANSI))
        .endsWith("ORDER BY 2 DESC NULLS FIRST, \"t0\".\"region\" NULLS LAST");
    assertThat(SqlRenderer.render(rel, SqlDialectName.POSTGRES))
        .endsWith("ORDER BY 2 DESC, \"t0\".\"region\"");
  }
}
