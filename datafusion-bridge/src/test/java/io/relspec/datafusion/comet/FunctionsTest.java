package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.unsafe.Platform;
import org.junit.jupiter.api.Test;

/** The string, date and hash functions mapped to Comet, against independent Java expectations. */
class FunctionsTest {
  private static final List<String> NAMES =
      Arrays.asList("n12", null, "", "née", "日本", "abc本", "n1", "Straße");
  private static final List<LocalDate> DATES =
      Arrays.asList(
          LocalDate.of(1969, 12, 31),
          LocalDate.of(2024, 2, 29),
          null,
          LocalDate.of(1, 1, 1),
          LocalDate.of(2000, 1, 1),
          LocalDate.of(9999, 12, 31),
          LocalDate.of(1970, 1, 1),
          LocalDate.of(2023, 12, 31));
  private static final List<Instant> TIMES =
      Arrays.asList(
          Instant.parse("1999-12-31T23:59:59.999999Z"),
          Instant.parse("2000-01-01T00:00:00Z"),
          Instant.parse("1965-06-01T12:00:00Z"),
          null,
          Instant.parse("2024-12-31T23:00:00Z"),
          Instant.EPOCH,
          Instant.parse("1969-12-31T23:59:59.999999Z"),
          Instant.parse("2100-03-01T00:00:00Z"));

  private static final RelSchema SCHEMA =
      new RelSchema(
          List.of(
              Field.notNull("id", PrimitiveType.INT64),
              Field.nullable("name", PrimitiveType.STRING),
              Field.nullable("d", PrimitiveType.DATE32),
              Field.nullable("ts", PrimitiveType.TIMESTAMP_US)));

  private static Expr col(String name) {
    return new ColumnRef(name);
  }

  private static Expr str(String value) {
    return Literal.of(value, PrimitiveType.STRING);
  }

  @Test
  void stringDateAndHashFunctionsMatchJavaAndSpark() {
    Schema schema = SCHEMA.toArrow();
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      root.allocateNew();
      int n = NAMES.size();
      for (int i = 0; i < n; i++) {
        ((BigIntVector) root.getVector("id")).setSafe(i, i * 1_000_003L - 3);
        String name = NAMES.get(i);
        ((VarCharVector) root.getVector("name"))
            .setSafe(i, name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8));
        if (DATES.get(i) != null) {
          ((DateDayVector) root.getVector("d")).setSafe(i, (int) DATES.get(i).toEpochDay());
        }
        if (TIMES.get(i) != null) {
          ((TimeStampMicroTZVector) root.getVector("ts"))
              .setSafe(i, ChronoUnit.MICROS.between(Instant.EPOCH, TIMES.get(i)));
        }
      }
      root.setRowCount(n);
      for (int i = 0; i < n; i++) {
        if (NAMES.get(i) == null) {
          ((VarCharVector) root.getVector("name")).setNull(i);
        }
        if (DATES.get(i) == null) {
          ((DateDayVector) root.getVector("d")).setNull(i);
        }
        if (TIMES.get(i) == null) {
          ((TimeStampMicroTZVector) root.getVector("ts")).setNull(i);
        }
      }

      Pipeline pipeline =
          Pipeline.of(
              Scan.of("t"),
              new Project(
                  List.of(
                      new Project.Column("sw", Call.of("starts_with", col("name"), str("n1"))),
                      new Project.Column("ew", Call.of("ends_with", col("name"), str("本"))),
                      new Project.Column("ct", Call.of("contains", col("name"), str("é"))),
                      new Project.Column("len", Call.of("length", col("name"))),
                      new Project.Column("yd", Call.of("year", col("d"))),
                      new Project.Column("yt", Call.of("year", col("ts"))),
                      new Project.Column(
                          "h", Call.of("stable_hash64", col("id"), col("name"), col("d"))))));

      List<List<Object>> expected = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String name = NAMES.get(i);
        LocalDate d = DATES.get(i);
        Instant ts = TIMES.get(i);
        long hash = XXH64.hashLong(i * 1_000_003L - 3, 42L);
        if (name != null) {
          byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
          hash = XXH64.hashUnsafeBytes(bytes, Platform.BYTE_ARRAY_OFFSET, bytes.length, hash);
        }
        if (d != null) {
          hash = XXH64.hashInt((int) d.toEpochDay(), hash);
        }
        expected.add(
            Arrays.asList(
                name == null ? null : name.startsWith("n1"),
                name == null ? null : name.endsWith("本"),
                name == null ? null : name.contains("é"),
                name == null ? null : name.codePointCount(0, name.length()),
                d == null ? null : d.getYear(),
                ts == null ? null : ts.atZone(ZoneOffset.UTC).getYear(),
                hash));
      }

      try (EngineSession session =
          new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
        session.registerBatches("t", schema, List.of(root));
        try (QueryResult result = session.execute(pipeline, Map.of())) {
          assertThat(TestData.read(result.batches())).containsExactlyElementsOf(expected);
        }
      }
    }
  }
}
