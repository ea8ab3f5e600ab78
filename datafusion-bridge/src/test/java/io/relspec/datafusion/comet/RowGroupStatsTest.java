package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.ParamRef;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.reference.ParquetDatasetWriter;
import io.relspec.reference.Values;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RowGroupStats} on the footers of real Parquet files: two files (one row group each) with
 * ids 0-99 and 100-199, strings, decimals, dates, doubles, and a column null in the second file
 * only. A predicate rules out a row group exactly when its statistics show no row of it can pass.
 */
class RowGroupStatsTest {
  private static final RelSchema SCHEMA =
      new RelSchema(
          List.of(
              Field.notNull("id", PrimitiveType.INT64),
              Field.nullable("name", PrimitiveType.STRING),
              Field.nullable("amount", new DecimalType(12, 2)),
              Field.nullable("day", PrimitiveType.DATE32),
              Field.nullable("x", PrimitiveType.FLOAT64),
              Field.nullable("maybe", PrimitiveType.INT64)));

  @TempDir static Path dir;
  private static RowGroupStats stats;

  @BeforeAll
  static void write() throws IOException {
    RowGroupStats.Collector collector = new RowGroupStats.Collector();
    try (RootAllocator allocator = new RootAllocator()) {
      for (int file = 0; file < 2; file++) {
        int first = file * 100;
        VectorSchemaRoot batch = VectorSchemaRoot.create(SCHEMA.toArrow(), allocator);
        batch.allocateNew();
        for (int r = 0; r < 100; r++) {
          Object[] row = {
            (long) (first + r),
            // file 0: "a0".."a9"; file 1: "b0".."b9" and a supplementary character
            (first == 0 ? "a" : r == 0 ? "\uD83D\uDE00" : "b") + (r % 10),
            BigDecimal.valueOf(first * 100L + r, 2),
            (int) LocalDate.of(2024, 1, 1 + file).toEpochDay(),
            (double) (first + r),
            first == 0 ? (Object) 1L : null
          };
          for (int c = 0; c < row.length; c++) {
            Values.write(batch.getVector(c), r, row[c]);
          }
        }
        batch.setRowCount(100);
        List<VectorSchemaRoot> batches = List.of(batch);
        Path out = dir.resolve("f" + file);
        try {
          ParquetDatasetWriter.write(out, SCHEMA, batches, Map.of());
        } finally {
          batches.forEach(VectorSchemaRoot::close);
        }
        try (ParquetFileReader footer =
            ParquetFileReader.open(
                HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(
                        out.resolve(ParquetDatasetWriter.PART_FILE).toUri()),
                    new Configuration(false)))) {
          collector.add(footer.getFooter().getBlocks());
        }
      }
    }
    stats = collector.build();
  }

  private static boolean rulesOut(Expr predicate) {
    return stats.rulesOutARowGroup(predicate, Map.of());
  }

  private static Expr cmp(
      String op, String column, Object value, io.relspec.ir.type.DataType type) {
    return Call.of(op, new ColumnRef(column), Literal.of(value, type));
  }

  @Test
  void comparisonsRuleOutTheRowGroupsTheirRangeMisses() {
    // ids 0-99 and 100-199
    assertThat(rulesOut(cmp("gt", "id", 99L, PrimitiveType.INT64))).isTrue();
    assertThat(rulesOut(cmp("gt", "id", -1L, PrimitiveType.INT64))).isFalse();
    assertThat(rulesOut(cmp("ge", "id", 100L, PrimitiveType.INT64))).isTrue();
    assertThat(rulesOut(cmp("lt", "id", 100L, PrimitiveType.INT64))).isTrue();
    assertThat(rulesOut(cmp("lt", "id", 200L, PrimitiveType.INT64))).isFalse();
    assertThat(rulesOut(cmp("le", "id", 199L, PrimitiveType.INT64))).isFalse();
    assertThat(rulesOut(cmp("eq", "id", 150L, PrimitiveType.INT64))).isTrue();
    assertThat(rulesOut(cmp("eq", "id", 1_000L, PrimitiveType.INT64))).isTrue();
    // ne never rules a row group out by min and max
    assertThat(rulesOut(cmp("ne", "id", 5L, PrimitiveType.INT64))).isFalse();
    // literal first: 99 < id is id > 99
    assertThat(rulesOut(Call.of("lt", Literal.of(99L, PrimitiveType.INT64), new ColumnRef("id"))))
        .isTrue();
    // one conjunct that rules out a row group is enough; an or is not understood
    assertThat(
            rulesOut(
                Call.of(
                    "and",
                    cmp("ne", "id", 5L, PrimitiveType.INT64),
                    cmp("gt", "id", 150L, PrimitiveType.INT64))))
        .isTrue();
    assertThat(
            rulesOut(
                Call.of(
                    "or",
                    cmp("gt", "id", 150L, PrimitiveType.INT64),
                    cmp("lt", "id", 50L, PrimitiveType.INT64))))
        .isFalse();
  }

  @Test
  void stringsDecimalsDatesAndDoublesCompareAsTheFilterDoes() {
    // strings in code point order: file 1's max is the supplementary character, above "b9"
    assertThat(rulesOut(cmp("eq", "name", "a5", PrimitiveType.STRING))).isTrue();
    assertThat(rulesOut(cmp("ge", "name", "a", PrimitiveType.STRING))).isFalse();
    assertThat(rulesOut(cmp("gt", "name", "\uE000", PrimitiveType.STRING))).isTrue();
    assertThat(rulesOut(cmp("lt", "name", "\uE000", PrimitiveType.STRING))).isFalse();
    // decimals 0.00-0.99 and 100.00-100.99
    assertThat(rulesOut(cmp("gt", "amount", new BigDecimal("1.00"), new DecimalType(12, 2))))
        .isTrue();
    assertThat(rulesOut(cmp("gt", "amount", new BigDecimal("-1.00"), new DecimalType(12, 2))))
        .isFalse();
    // one day per file
    assertThat(rulesOut(cmp("eq", "day", LocalDate.of(2024, 1, 2), PrimitiveType.DATE32))).isTrue();
    assertThat(rulesOut(cmp("ge", "day", LocalDate.of(2024, 1, 1), PrimitiveType.DATE32)))
        .isFalse();
    // doubles 0-99 and 100-199
    assertThat(rulesOut(cmp("gt", "x", -1.0, PrimitiveType.FLOAT64))).isFalse();
    assertThat(rulesOut(cmp("gt", "x", 150.0, PrimitiveType.FLOAT64))).isTrue();
    assertThat(rulesOut(cmp("gt", "x", 99.0, PrimitiveType.FLOAT64))).isTrue();
    assertThat(rulesOut(cmp("ge", "x", -0.0, PrimitiveType.FLOAT64))).isFalse();
  }

  @Test
  void nullTestsUseTheNullCountsAndParamsTheirValues() {
    // maybe: 1 in every row of file 0, null in every row of file 1
    assertThat(rulesOut(Call.of("is_null", new ColumnRef("maybe")))).isTrue();
    assertThat(rulesOut(Call.of("is_not_null", new ColumnRef("maybe")))).isTrue();
    assertThat(rulesOut(Call.of("is_null", new ColumnRef("id")))).isTrue();
    assertThat(rulesOut(Call.of("is_not_null", new ColumnRef("id")))).isFalse();
    Expr byParam = Call.of("gt", new ColumnRef("id"), new ParamRef("min_id"));
    assertThat(rulesOut(byParam)).isFalse();
    assertThat(
            stats.rulesOutARowGroup(
                byParam, Map.of("min_id", Literal.of(120L, PrimitiveType.INT64))))
        .isTrue();
    // a column without statistics here rules nothing out
    assertThat(rulesOut(cmp("gt", "missing", 1L, PrimitiveType.INT64))).isFalse();
  }
}
