package io.relspec.reference;

import io.relspec.ir.expr.Bytes;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.StructType;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Writes Arrow batches of one relspec schema as a Parquet dataset directory with the physical and
 * logical types Spark 3.5's lane writes (with {@code outputTimestampType=TIMESTAMP_MICROS}), so
 * every lane's outputs read back identically:
 *
 * <ul>
 *   <li>boolean BOOLEAN; int8/int16 INT32 with INTEGER(8|16, signed); int32 INT32; int64 INT64;
 *       float32 FLOAT; float64 DOUBLE; string BINARY (STRING); binary BINARY; date32 INT32 (DATE);
 *       timestamp_us INT64 TIMESTAMP(MICROS, UTC-adjusted)
 *   <li>decimal(p,s) DECIMAL(p,s) as INT32 for p &lt;= 9, INT64 for p &lt;= 18, else
 *       FIXED_LEN_BYTE_ARRAY of the minimal width (Spark's non-legacy layout)
 *   <li>list: the 3-level {@code group (LIST) { repeated group list { element } }}; struct: a group
 * </ul>
 *
 * <p>Nullable columns are OPTIONAL, not-nullable ones REQUIRED; list elements and struct fields are
 * OPTIONAL (the IR's nested values are nullable). The message is named {@code spark_schema} and the
 * file is Snappy-compressed, as Spark writes it. Extra key-value metadata (plan signatures, ...)
 * goes into the footer.
 */
public final class ParquetDatasetWriter {
  /** The file every dataset written here consists of. */
  public static final String PART_FILE = "part-00000.snappy.parquet";

  private ParquetDatasetWriter() {}

  /**
   * Writes {@code batches} (each holding {@code schema}'s columns in order) as {@code
   * dir/part-00000.snappy.parquet}; {@code dir} must not exist yet and is created. An empty list of
   * batches writes a file with the schema and no rows.
   *
   * @return the number of rows written
   */
  public static long write(
      Path dir, RelSchema schema, List<VectorSchemaRoot> batches, Map<String, String> metadata) {
    if (Files.exists(dir)) {
      throw LaneErrors.cannotWrite(dir.toString(), "it already exists", null);
    }
    Path file = dir.resolve(PART_FILE);
    long rows = 0;
    try {
      Files.createDirectories(dir);
      Configuration conf = new Configuration(false);
      OutputFile output =
          HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), conf);
      ArrowRowWriteSupport support = new ArrowRowWriteSupport(schema, metadata);
      try (ParquetWriter<Integer> writer =
          new Builder(output, support)
              .withConf(conf)
              .withWriteMode(ParquetFileWriter.Mode.CREATE)
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .build()) {
        for (VectorSchemaRoot batch : batches) {
          support.batch(batch);
          for (int r = 0; r < batch.getRowCount(); r++) {
            writer.write(r);
            rows++;
          }
        }
      }
    } catch (IOException e) {
      throw LaneErrors.cannotWrite(file.toString(), e.getMessage(), e);
    }
    return rows;
  }

  /** The Parquet schema Spark 3.5 writes for {@code schema}. */
  public static MessageType parquetSchema(RelSchema schema) {
    List<Type> fields = new ArrayList<>();
    for (Field field : schema.fields()) {
      fields.add(type(field.name(), field.type(), field.nullable()));
    }
    return new MessageType("spark_schema", fields);
  }

  private static Type type(String name, DataType type, boolean nullable) {
    Type.Repetition repetition = nullable ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
    if (type instanceof ListType list) {
      return Types.buildGroup(repetition)
          .as(LogicalTypeAnnotation.listType())
          .addField(
              Types.repeatedGroup().addField(type("element", list.element(), true)).named("list"))
          .named(name);
    }
    if (type instanceof StructType struct) {
      List<Type> children = new ArrayList<>();
      for (StructType.StructField child : struct.fields()) {
        children.add(type(child.name(), child.type(), true));
      }
      return new GroupType(repetition, name, children);
    }
    if (type instanceof DecimalType decimal) {
      LogicalTypeAnnotation annotation =
          LogicalTypeAnnotation.decimalType(decimal.scale(), decimal.precision());
      if (decimal.precision() <= 9) {
        return Types.primitive(PrimitiveTypeName.INT32, repetition).as(annotation).named(name);
      }
      if (decimal.precision() <= 18) {
        return Types.primitive(PrimitiveTypeName.INT64, repetition).as(annotation).named(name);
      }
      return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, repetition)
          .length(decimalBytes(decimal.precision()))
          .as(annotation)
          .named(name);
    }
    PrimitiveType primitive = (PrimitiveType) type;
    return switch (primitive) {
      case BOOLEAN -> Types.primitive(PrimitiveTypeName.BOOLEAN, repetition).named(name);
      case INT8 ->
          Types.primitive(PrimitiveTypeName.INT32, repetition)
              .as(LogicalTypeAnnotation.intType(8, true))
              .named(name);
      case INT16 ->
          Types.primitive(PrimitiveTypeName.INT32, repetition)
              .as(LogicalTypeAnnotation.intType(16, true))
              .named(name);
      case INT32 -> Types.primitive(PrimitiveTypeName.INT32, repetition).named(name);
      case INT64 -> Types.primitive(PrimitiveTypeName.INT64, repetition).named(name);
      case FLOAT32 -> Types.primitive(PrimitiveTypeName.FLOAT, repetition).named(name);
      case FLOAT64 -> Types.primitive(PrimitiveTypeName.DOUBLE, repetition).named(name);
      case STRING ->
          Types.primitive(PrimitiveTypeName.BINARY, repetition)
              .as(LogicalTypeAnnotation.stringType())
              .named(name);
      case BINARY -> Types.primitive(PrimitiveTypeName.BINARY, repetition).named(name);
      case DATE32 ->
          Types.primitive(PrimitiveTypeName.INT32, repetition)
              .as(LogicalTypeAnnotation.dateType())
              .named(name);
      case TIMESTAMP_US ->
          Types.primitive(PrimitiveTypeName.INT64, repetition)
              .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
              .named(name);
    };
  }

  /** The fewest bytes whose two's complement holds every unscaled value of {@code precision}. */
  static int decimalBytes(int precision) {
    int bytes = 1;
    while (Math.pow(2.0, 8 * bytes - 1) < Math.pow(10.0, precision)) {
      bytes++;
    }
    return bytes;
  }

  private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {
    private final ArrowRowWriteSupport support;

    Builder(OutputFile file, ArrowRowWriteSupport support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
      return support;
    }
  }

  /** Writes row {@code r} of the current batch: the record is the row index. */
  private static final class ArrowRowWriteSupport extends WriteSupport<Integer> {
    private final RelSchema schema;
    private final MessageType message;
    private final Map<String, String> metadata;
    private RecordConsumer consumer;
    private List<FieldVector> vectors = List.of();

    /** The Arrow type of each column as the schema says. */
    private final List<org.apache.arrow.vector.types.pojo.ArrowType> arrowTypes;

    /** Per column of the current batch: whether its vector is of the schema's Arrow type. */
    private final boolean[] direct;

    ArrowRowWriteSupport(RelSchema schema, Map<String, String> metadata) {
      this.schema = schema;
      this.message = parquetSchema(schema);
      this.arrowTypes =
          schema.toArrow().getFields().stream()
              .map(org.apache.arrow.vector.types.pojo.Field::getType)
              .toList();
      this.direct = new boolean[schema.fields().size()];
      this.metadata = new LinkedHashMap<>(metadata);
    }

    void batch(VectorSchemaRoot batch) {
      if (batch.getFieldVectors().size() != schema.fields().size()) {
        throw new IllegalArgumentException(
            "Cannot write a batch of "
                + batch.getSchema()
                + ": the dataset's schema has "
                + schema.names()
                + ". Pass batches of the schema the writer was given");
      }
      this.vectors = batch.getFieldVectors();
      for (int c = 0; c < direct.length; c++) {
        direct[c] = vectors.get(c).getField().getType().equals(arrowTypes.get(c));
      }
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(message, metadata);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.consumer = recordConsumer;
    }

    @Override
    public void write(Integer row) {
      consumer.startMessage();
      List<Field> fields = schema.fields();
      for (int c = 0; c < fields.size(); c++) {
        Field field = fields.get(c);
        FieldVector vector = vectors.get(c);
        if (vector.isNull(row)) {
          if (!field.nullable()) {
            throw LaneErrors.nullInRequiredColumn(field.name(), row);
          }
          continue;
        }
        consumer.startField(field.name(), c);
        if (!direct[c] || !primitive(vector, row)) {
          value(field.type(), Values.read(vector, row));
        }
        consumer.endField(field.name(), c);
      }
      consumer.endMessage();
    }

    /**
     * Writes the non-null value at {@code row} of a vector of a common flat type straight from the
     * vector (strings as their UTF-8 bytes, no Java value in between); false for other vectors.
     */
    private boolean primitive(FieldVector vector, int row) {
      if (vector instanceof BigIntVector v) {
        consumer.addLong(v.get(row));
      } else if (vector instanceof VarCharVector v) {
        consumer.addBinary(Binary.fromConstantByteArray(v.get(row)));
      } else if (vector instanceof Float8Vector v) {
        consumer.addDouble(v.get(row));
      } else if (vector instanceof IntVector v) {
        consumer.addInteger(v.get(row));
      } else if (vector instanceof TimeStampVector v) {
        consumer.addLong(v.get(row));
      } else if (vector instanceof DateDayVector v) {
        consumer.addInteger(v.get(row));
      } else {
        return false;
      }
      return true;
    }

    private void value(DataType type, Object value) {
      if (type instanceof ListType list) {
        List<?> elements = (List<?>) value;
        consumer.startGroup();
        if (!elements.isEmpty()) {
          consumer.startField("list", 0);
          for (Object element : elements) {
            consumer.startGroup();
            if (element != null) {
              consumer.startField("element", 0);
              value(list.element(), element);
              consumer.endField("element", 0);
            }
            consumer.endGroup();
          }
          consumer.endField("list", 0);
        }
        consumer.endGroup();
        return;
      }
      if (type instanceof StructType struct) {
        List<?> fields = (List<?>) value;
        consumer.startGroup();
        for (int i = 0; i < struct.fields().size(); i++) {
          Object child = fields.get(i);
          if (child != null) {
            StructType.StructField field = struct.fields().get(i);
            consumer.startField(field.name(), i);
            value(field.type(), child);
            consumer.endField(field.name(), i);
          }
        }
        consumer.endGroup();
        return;
      }
      if (type instanceof DecimalType decimal) {
        BigDecimal number = (BigDecimal) value;
        java.math.BigInteger unscaled = number.setScale(decimal.scale()).unscaledValue();
        if (decimal.precision() <= 9) {
          consumer.addInteger(unscaled.intValueExact());
        } else if (decimal.precision() <= 18) {
          consumer.addLong(unscaled.longValueExact());
        } else {
          consumer.addBinary(Binary.fromConstantByteArray(fixed(unscaled, decimal.precision())));
        }
        return;
      }
      PrimitiveType primitive = (PrimitiveType) type;
      switch (primitive) {
        case BOOLEAN -> consumer.addBoolean((Boolean) value);
        case INT8, INT16, INT32 -> consumer.addInteger((int) (long) (Long) value);
        case INT64, TIMESTAMP_US -> consumer.addLong((Long) value);
        case FLOAT32 -> consumer.addFloat((float) (double) (Double) value);
        case FLOAT64 -> consumer.addDouble((Double) value);
        case STRING -> consumer.addBinary(Binary.fromString((String) value));
        case BINARY ->
            consumer.addBinary(Binary.fromConstantByteArray(((Bytes) value).toByteArray()));
        case DATE32 -> consumer.addInteger((Integer) value);
      }
    }

    /** Big-endian two's complement, sign-extended to the column's fixed width. */
    private static byte[] fixed(java.math.BigInteger unscaled, int precision) {
      byte[] minimal = unscaled.toByteArray();
      int width = decimalBytes(precision);
      byte[] out = new byte[width];
      byte pad = (byte) (unscaled.signum() < 0 ? 0xFF : 0x00);
      int offset = width - minimal.length;
      for (int i = 0; i < offset; i++) {
        out[i] = pad;
      }
      System.arraycopy(minimal, 0, out, offset, minimal.length);
      return out;
    }
  }
}
