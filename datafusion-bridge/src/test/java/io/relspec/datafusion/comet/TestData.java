package io.relspec.datafusion.comet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Generated rows for the native tests, kept as plain Java rows for independent expectations. */
final class TestData {
  /** One generated row; {@code amount} and {@code name} may be null. */
  record Row(long id, long v, int grp, Double amount, String name) {}

  static final Schema EVENTS =
      new Schema(
          List.of(
              new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
              new Field("v", FieldType.notNullable(new ArrowType.Int(64, true)), null),
              new Field("grp", FieldType.notNullable(new ArrowType.Int(32, true)), null),
              new Field(
                  "amount",
                  FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                  null),
              new Field("name", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));

  /** {@link #EVENTS} as the relspec schema. */
  static final io.relspec.ir.plan.RelSchema RELSPEC_EVENTS =
      new io.relspec.ir.plan.RelSchema(
          List.of(
              io.relspec.ir.type.Field.notNull("id", io.relspec.ir.type.PrimitiveType.INT64),
              io.relspec.ir.type.Field.notNull("v", io.relspec.ir.type.PrimitiveType.INT64),
              io.relspec.ir.type.Field.notNull("grp", io.relspec.ir.type.PrimitiveType.INT32),
              io.relspec.ir.type.Field.nullable("amount", io.relspec.ir.type.PrimitiveType.FLOAT64),
              io.relspec.ir.type.Field.nullable("name", io.relspec.ir.type.PrimitiveType.STRING)));

  private TestData() {}

  /** Deterministic rows: v runs negative and positive, every 11th amount and 13th name null. */
  static List<Row> rows(int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long v = (i * 7919L) % 2001 - 1000;
      int grp = i % 7;
      Double amount = i % 11 == 0 ? null : (i * 37 % 1000) / 10.0;
      String name = i % 13 == 0 ? null : "n" + (i % 50);
      rows.add(new Row(i, v, grp, amount, name));
    }
    return rows;
  }

  /** The rows as Arrow batches of at most {@code batchRows} rows. */
  static List<VectorSchemaRoot> batches(BufferAllocator allocator, List<Row> rows, int batchRows) {
    List<VectorSchemaRoot> batches = new ArrayList<>();
    for (int start = 0; start < rows.size(); start += batchRows) {
      List<Row> part = rows.subList(start, Math.min(rows.size(), start + batchRows));
      VectorSchemaRoot root = VectorSchemaRoot.create(EVENTS, allocator);
      root.allocateNew();
      BigIntVector id = (BigIntVector) root.getVector("id");
      BigIntVector v = (BigIntVector) root.getVector("v");
      IntVector grp = (IntVector) root.getVector("grp");
      Float8Vector amount = (Float8Vector) root.getVector("amount");
      VarCharVector name = (VarCharVector) root.getVector("name");
      for (int i = 0; i < part.size(); i++) {
        Row row = part.get(i);
        id.setSafe(i, row.id());
        v.setSafe(i, row.v());
        grp.setSafe(i, row.grp());
        if (row.amount() == null) {
          amount.setNull(i);
        } else {
          amount.setSafe(i, row.amount());
        }
        // Arrow fills skipped variable-width slots with valid empty strings, so every slot is
        // written first and the nulls are unset afterwards.
        name.setSafe(
            i, row.name() == null ? new byte[0] : row.name().getBytes(StandardCharsets.UTF_8));
      }
      root.setRowCount(part.size());
      for (int i = 0; i < part.size(); i++) {
        if (part.get(i).name() == null) {
          name.setNull(i);
        }
      }
      batches.add(root);
    }
    return batches;
  }

  /** Every row of a result as a list of column values (Arrow's Java objects, strings as String). */
  static List<List<Object>> read(List<VectorSchemaRoot> batches) {
    List<List<Object>> rows = new ArrayList<>();
    for (VectorSchemaRoot batch : batches) {
      for (int r = 0; r < batch.getRowCount(); r++) {
        List<Object> row = new ArrayList<>();
        for (FieldVector vector : batch.getFieldVectors()) {
          Object value = vector.getObject(r);
          row.add(value == null ? null : normalize(value));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static Object normalize(Object value) {
    Function<Object, Object> text = Object::toString;
    return value instanceof org.apache.arrow.vector.util.Text ? text.apply(value) : value;
  }
}
