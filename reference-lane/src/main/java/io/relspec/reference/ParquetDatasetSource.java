package io.relspec.reference;

import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads {@code parquet} datasets into Arrow batches with parquet-hadoop (Spark 3.5's Parquet 1.13.1
 * and Hadoop client 3.3.4, local file system). A dataset is every file under {@code baseDir /
 * location} ending with its {@code scan.fileExtension}, in path order; columns are matched by name
 * to the declared schema. Timestamps may be INT64 (millis, micros, nanos) or Spark's INT96;
 * decimals any physical type; lists 3-level or legacy 2-level.
 *
 * <p>Not yet: hive-style partition columns ({@code scan.partitionCols}), Delta and CSV datasets,
 * structs. Batches are read once per dataset and kept until {@link #close()}.
 */
public final class ParquetDatasetSource implements DatasetSource, AutoCloseable {
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;

  private final Path baseDir;
  private final BufferAllocator allocator;
  private final int batchSize;
  private final Map<String, Relation> read = new HashMap<>();

  public ParquetDatasetSource(Path baseDir, BufferAllocator allocator, int batchSize) {
    this.baseDir = baseDir;
    this.allocator = allocator;
    this.batchSize = batchSize;
  }

  @Override
  public List<VectorSchemaRoot> batches(DatasetSpec dataset) {
    Relation relation = read.get(dataset.name());
    if (relation == null) {
      relation = read(dataset);
      read.put(dataset.name(), relation);
    }
    return relation.batches();
  }

  private Relation read(DatasetSpec dataset) {
    if (dataset.format() != DatasetFormat.PARQUET) {
      throw LaneErrors.unsupportedFormat(dataset.name(), dataset.format().jsonName());
    }
    Path dir = baseDir.resolve(dataset.location());
    List<Path> files = files(dataset, dir);
    RelSchema schema = new RelSchema(dataset.schema());
    Configuration conf = new Configuration(false);
    try (BatchBuilder out = new BatchBuilder(schema, allocator, batchSize)) {
      for (Path file : files) {
        readFile(dataset, file, schema, conf, out);
      }
      return out.finish();
    }
  }

  private static List<Path> files(DatasetSpec dataset, Path dir) {
    String extension = dataset.scan().fileExtension();
    if (Files.isRegularFile(dir)) {
      return List.of(dir);
    }
    if (!Files.isDirectory(dir)) {
      throw LaneErrors.missingLocation(dataset.name(), dir.toString());
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(extension))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> !p.getFileName().toString().startsWith("_"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("deprecation")
  private static void readFile(
      DatasetSpec dataset, Path file, RelSchema schema, Configuration conf, BatchBuilder out) {
    org.apache.hadoop.fs.Path hadoopPath = new org.apache.hadoop.fs.Path(file.toUri());
    DataType[] fileTypes = new DataType[schema.fields().size()];
    try (ParquetFileReader footer =
        ParquetFileReader.open(HadoopInputFile.fromPath(hadoopPath, conf))) {
      MessageType fileSchema = footer.getFooter().getFileMetaData().getSchema();
      for (int c = 0; c < schema.fields().size(); c++) {
        Field field = schema.fields().get(c);
        if (!fileSchema.containsField(field.name())) {
          throw LaneErrors.missingColumn(
              "<scan>",
              dataset.name(),
              field.name(),
              fileSchema.getFields().stream().map(Type::getName).toList());
        }
        DataType found = fileType(dataset, file, field.name(), fileSchema.getType(field.name()));
        if (!TypeRules.canWiden(found, field.type())) {
          throw LaneErrors.unreadableFileSchema(
              dataset.name(),
              file.toString(),
              field.name(),
              "is "
                  + found.typeString()
                  + " in the file but declared "
                  + field.type().typeString());
        }
        fileTypes[c] = found;
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof io.relspec.ir.error.RelspecException relspec) {
        throw relspec;
      }
      throw LaneErrors.unreadableFile(dataset.name(), file.toString(), e);
    }
    try (ParquetReader<Group> reader =
        ParquetReader.builder(new GroupReadSupport(), hadoopPath).withConf(conf).build()) {
      Group group;
      while ((group = reader.read()) != null) {
        out.startRow();
        for (int c = 0; c < schema.fields().size(); c++) {
          Field field = schema.fields().get(c);
          Object value = value(group, field.name(), fileTypes[c]);
          if (value != null && !fileTypes[c].equals(field.type())) {
            value = Casts.cast(value, fileTypes[c], field.type());
          }
          out.set(c, value);
        }
        out.endRow();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof io.relspec.ir.error.RelspecException relspec) {
        throw relspec;
      }
      throw LaneErrors.unreadableFile(dataset.name(), file.toString(), e);
    }
  }

  /** The relspec type a Parquet column holds, as Spark 3.5 reads it. */
  private static DataType fileType(DatasetSpec dataset, Path file, String column, Type parquet) {
    LogicalTypeAnnotation annotation = parquet.getLogicalTypeAnnotation();
    if (!parquet.isPrimitive()) {
      GroupType group = parquet.asGroupType();
      if (annotation instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation
          && group.getFieldCount() == 1
          && group.getType(0).isRepetition(Type.Repetition.REPEATED)) {
        Type repeated = group.getType(0);
        Type element =
            repeated.isPrimitive() || repeated.asGroupType().getFieldCount() != 1
                ? repeated
                : repeated.asGroupType().getType(0);
        if (element == repeated && !repeated.isPrimitive()) {
          throw unsupported(dataset, file, column, parquet);
        }
        return new ListType(fileType(dataset, file, column, element));
      }
      throw unsupported(dataset, file, column, parquet);
    }
    if (annotation instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal) {
      return new DecimalType(decimal.getPrecision(), decimal.getScale());
    }
    return switch (parquet.asPrimitiveType().getPrimitiveTypeName()) {
      case BOOLEAN -> PrimitiveType.BOOLEAN;
      case INT32 -> {
        if (annotation instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
          yield PrimitiveType.DATE32;
        }
        if (annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
            && i.isSigned()
            && i.getBitWidth() < 32) {
          yield i.getBitWidth() == 8 ? PrimitiveType.INT8 : PrimitiveType.INT16;
        }
        if (annotation == null
            || annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
                && i.isSigned()) {
          yield PrimitiveType.INT32;
        }
        throw unsupported(dataset, file, column, parquet);
      }
      case INT64 -> {
        if (annotation instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
          yield PrimitiveType.TIMESTAMP_US;
        }
        if (annotation == null
            || annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
                && i.isSigned()) {
          yield PrimitiveType.INT64;
        }
        throw unsupported(dataset, file, column, parquet);
      }
      case INT96 -> PrimitiveType.TIMESTAMP_US;
      case FLOAT -> PrimitiveType.FLOAT32;
      case DOUBLE -> PrimitiveType.FLOAT64;
      case BINARY ->
          annotation instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                  || annotation instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                  || annotation instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
              ? PrimitiveType.STRING
              : PrimitiveType.BINARY;
      case FIXED_LEN_BYTE_ARRAY -> PrimitiveType.BINARY;
    };
  }

  private static io.relspec.ir.error.RelspecException unsupported(
      DatasetSpec dataset, Path file, String column, Type parquet) {
    return LaneErrors.unreadableFileSchema(
        dataset.name(),
        file.toString(),
        column,
        "has Parquet type " + parquet.toString().trim() + ", which format v1 does not read");
  }

  private static Object value(Group group, String name, DataType type) {
    if (group.getFieldRepetitionCount(name) == 0) {
      return null;
    }
    int index = group.getType().getFieldIndex(name);
    return value(group, index, 0, type);
  }

  private static Object value(Group group, int field, int i, DataType type) {
    Type parquet = group.getType().getType(field);
    if (type instanceof ListType list) {
      return list(group.getGroup(field, i), list.element());
    }
    if (type instanceof DecimalType decimal) {
      int scale = decimal.scale();
      return switch (parquet.asPrimitiveType().getPrimitiveTypeName()) {
        case INT32 -> BigDecimal.valueOf(group.getInteger(field, i), scale);
        case INT64 -> BigDecimal.valueOf(group.getLong(field, i), scale);
        default -> new BigDecimal(new BigInteger(group.getBinary(field, i).getBytes()), scale);
      };
    }
    PrimitiveType primitive = (PrimitiveType) type;
    return switch (primitive) {
      case BOOLEAN -> group.getBoolean(field, i);
      case INT8, INT16, INT32 -> (long) group.getInteger(field, i);
      case INT64 -> group.getLong(field, i);
      case FLOAT32 -> (double) group.getFloat(field, i);
      case FLOAT64 -> group.getDouble(field, i);
      case STRING -> group.getString(field, i);
      case BINARY -> io.relspec.ir.expr.Bytes.copyOf(group.getBinary(field, i).getBytes());
      case DATE32 -> group.getInteger(field, i);
      case TIMESTAMP_US -> timestamp(group, field, i, parquet);
    };
  }

  private static Long timestamp(Group group, int field, int i, Type parquet) {
    if (parquet.asPrimitiveType().getPrimitiveTypeName()
        == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT96) {
      ByteBuffer bytes =
          ByteBuffer.wrap(group.getInt96(field, i).getBytes()).order(ByteOrder.LITTLE_ENDIAN);
      long nanosOfDay = bytes.getLong();
      long julianDay = bytes.getInt();
      return (julianDay - JULIAN_EPOCH_DAY) * Casts.MICROS_PER_DAY + nanosOfDay / 1000;
    }
    long raw = group.getLong(field, i);
    if (parquet.getLogicalTypeAnnotation()
        instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
      return switch (ts.getUnit()) {
        case MILLIS -> raw * 1000;
        case MICROS -> raw;
        case NANOS -> Math.floorDiv(raw, 1000L);
      };
    }
    return raw;
  }

  private static List<Object> list(Group list, DataType element) {
    GroupType type = list.getType();
    List<Object> out = new ArrayList<>();
    Type repeated = type.getType(0);
    int count = list.getFieldRepetitionCount(0);
    for (int i = 0; i < count; i++) {
      if (repeated.isPrimitive()) {
        out.add(value(list, 0, i, element));
      } else {
        Group wrapper = list.getGroup(0, i);
        out.add(wrapper.getFieldRepetitionCount(0) == 0 ? null : value(wrapper, 0, 0, element));
      }
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public void close() {
    read.values().forEach(Relation::close);
    read.clear();
  }
}
