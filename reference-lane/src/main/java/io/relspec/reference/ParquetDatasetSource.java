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
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Reads {@code parquet} datasets into Arrow batches with parquet-hadoop (Spark 3.5's Parquet 1.13.1
 * and Hadoop client 3.3.4, local file system). A dataset is every file under {@code baseDir /
 * location} ending with its {@code scan.fileExtension}, in path order; columns are matched by name
 * to the declared schema. Timestamps may be INT64 (millis, micros, nanos) or Spark's INT96;
 * decimals any physical type; lists 3-level or legacy 2-level.
 *
 * <p>Not yet: hive-style partition columns ({@code scan.partitionCols}), Delta and CSV datasets,
 * structs. Batches are read once per dataset and kept until {@link #close()}. Files whose declared
 * columns are all flat and of the file's own type are read column by column into the vectors;
 * others record by record.
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
    // files two at a time (the common pool and this thread); batches in file order
    return new Relation(
        schema,
        ParallelFiles.read(
            files,
            file -> {
              List<VectorSchemaRoot> batches = new ArrayList<>();
              try {
                readFile(dataset, file, schema, new Configuration(false), batches);
                return batches;
              } catch (RuntimeException e) {
                batches.forEach(VectorSchemaRoot::close);
                throw e;
              }
            }));
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

  /**
   * Appends the batches of one file: flat columns of the declared type are read column by column
   * straight into Arrow vectors (one batch list per row group); any other file (lists, decimals,
   * INT96 or non-micros timestamps, widened types) row by row through parquet's example {@link
   * Group} records.
   */
  private void readFile(
      DatasetSpec dataset,
      Path file,
      RelSchema schema,
      Configuration conf,
      List<VectorSchemaRoot> batches) {
    org.apache.hadoop.fs.Path hadoopPath = new org.apache.hadoop.fs.Path(file.toUri());
    DataType[] fileTypes = new DataType[schema.fields().size()];
    try (ParquetFileReader reader =
        ParquetFileReader.open(HadoopInputFile.fromPath(hadoopPath, conf))) {
      MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
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
      if (columnar(schema, fileSchema, fileTypes)) {
        readColumns(reader, schema, fileSchema, batches);
        return;
      }
    } catch (IOException | RuntimeException e) {
      throw readFailure(dataset, file, e);
    }
    readRows(dataset, hadoopPath, file, schema, fileTypes, conf, batches);
  }

  /** A relspec error, or Arrow's memory limit, as is; anything else as an unreadable file. */
  private static RuntimeException readFailure(DatasetSpec dataset, Path file, Exception e) {
    if (e instanceof io.relspec.ir.error.RelspecException relspec) {
      return relspec;
    }
    if (e instanceof OutOfMemoryException memory) {
      return memory;
    }
    return LaneErrors.unreadableFile(dataset.name(), file.toString(), e);
  }

  /**
   * Whether every declared column is a top-level primitive of the file holding exactly the declared
   * type in a physical type the column reader copies directly.
   */
  private static boolean columnar(RelSchema schema, MessageType fileSchema, DataType[] fileTypes) {
    for (int c = 0; c < fileTypes.length; c++) {
      Field field = schema.fields().get(c);
      Type parquet = fileSchema.getType(field.name());
      if (!parquet.isPrimitive()
          || parquet.isRepetition(Type.Repetition.REPEATED)
          || !fileTypes[c].equals(field.type())
          || !(field.type() instanceof PrimitiveType primitive)) {
        return false;
      }
      PrimitiveTypeName physical = parquet.asPrimitiveType().getPrimitiveTypeName();
      boolean direct =
          switch (primitive) {
            case BOOLEAN -> physical == PrimitiveTypeName.BOOLEAN;
            case INT8, INT16, INT32, DATE32 -> physical == PrimitiveTypeName.INT32;
            case INT64 -> physical == PrimitiveTypeName.INT64;
            case FLOAT32 -> physical == PrimitiveTypeName.FLOAT;
            case FLOAT64 -> physical == PrimitiveTypeName.DOUBLE;
            case STRING, BINARY -> physical == PrimitiveTypeName.BINARY;
            case TIMESTAMP_US ->
                physical == PrimitiveTypeName.INT64
                    && parquet.getLogicalTypeAnnotation()
                        instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
                    && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS;
          };
      if (!direct) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads the declared columns of every row group with parquet's column readers into batches of at
   * most {@code batchSize} rows, in file order.
   */
  private void readColumns(
      ParquetFileReader reader,
      RelSchema schema,
      MessageType fileSchema,
      List<VectorSchemaRoot> batches)
      throws IOException {
    List<Type> columns = new ArrayList<>();
    for (Field field : schema.fields()) {
      columns.add(fileSchema.getType(field.name()));
    }
    MessageType requested = new MessageType(fileSchema.getName(), columns);
    reader.setRequestedSchema(requested);
    String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
    org.apache.arrow.vector.types.pojo.Schema arrow = schema.toArrow();
    PageReadStore pages;
    while ((pages = reader.readNextRowGroup()) != null) {
      long rowCount = pages.getRowCount();
      if (rowCount == 0) {
        continue;
      }
      ColumnReadStoreImpl store =
          new ColumnReadStoreImpl(
              pages, new GroupRecordConverter(requested).getRootConverter(), requested, createdBy);
      int first = batches.size();
      int[] sizes = new int[(int) ((rowCount + batchSize - 1) / batchSize)];
      for (int b = 0; b < sizes.length; b++) {
        sizes[b] = (int) Math.min(batchSize, rowCount - (long) b * batchSize);
        VectorSchemaRoot batch = VectorSchemaRoot.create(arrow, allocator);
        batches.add(batch);
        for (FieldVector vector : batch.getFieldVectors()) {
          vector.setInitialCapacity(sizes[b]);
        }
        batch.allocateNew();
      }
      for (int c = 0; c < columns.size(); c++) {
        ColumnDescriptor descriptor =
            requested.getColumnDescription(new String[] {columns.get(c).getName()});
        if (ParquetColumnReader.supports(descriptor, reader, batches.get(first).getVector(c))) {
          ParquetColumnReader column =
              ParquetColumnReader.open(pages.getPageReader(descriptor), descriptor);
          for (int b = 0; b < sizes.length; b++) {
            column.read(batches.get(first + b).getVector(c), sizes[b]);
          }
          continue;
        }
        ColumnReader column = store.getColumnReader(descriptor);
        int defined = descriptor.getMaxDefinitionLevel();
        for (int b = 0; b < sizes.length; b++) {
          FieldVector vector = batches.get(first + b).getVector(c);
          read(column, defined, vector, sizes[b]);
        }
      }
      for (int b = 0; b < sizes.length; b++) {
        batches.get(first + b).setRowCount(sizes[b]);
      }
    }
  }

  /**
   * Copies the next {@code size} values of {@code column} into {@code vector} (one loop per vector
   * class, so no type test per value).
   */
  private static void read(ColumnReader column, int defined, FieldVector vector, int size) {
    if (vector instanceof BigIntVector v) {
      for (int row = 0; row < size; row++, column.consume()) {
        if (column.getCurrentDefinitionLevel() == defined) {
          v.set(row, column.getLong());
        } else {
          v.setNull(row);
        }
      }
    } else if (vector instanceof BaseVariableWidthVector v) {
      for (int row = 0; row < size; row++, column.consume()) {
        if (column.getCurrentDefinitionLevel() == defined) {
          org.apache.parquet.io.api.Binary binary = column.getBinary();
          byte[] bytes = binary.getBytesUnsafe();
          v.setSafe(row, bytes, 0, binary.length());
        } else {
          v.setNull(row);
        }
      }
    } else if (vector instanceof Float8Vector v) {
      for (int row = 0; row < size; row++, column.consume()) {
        if (column.getCurrentDefinitionLevel() == defined) {
          v.set(row, column.getDouble());
        } else {
          v.setNull(row);
        }
      }
    } else {
      for (int row = 0; row < size; row++, column.consume()) {
        if (column.getCurrentDefinitionLevel() == defined) {
          set(vector, row, column);
        } else {
          Values.setNull(vector, row);
        }
      }
    }
    vector.setValueCount(size);
  }

  /** Copies the column reader's current value into {@code vector} at {@code row}. */
  private static void set(FieldVector vector, int row, ColumnReader column) {
    if (vector instanceof IntVector v) {
      v.set(row, column.getInteger());
    } else if (vector instanceof DateDayVector v) {
      v.set(row, column.getInteger());
    } else if (vector instanceof TimeStampVector v) {
      v.set(row, column.getLong());
    } else if (vector instanceof SmallIntVector v) {
      v.set(row, (short) column.getInteger());
    } else if (vector instanceof TinyIntVector v) {
      v.set(row, (byte) column.getInteger());
    } else if (vector instanceof Float4Vector v) {
      v.set(row, column.getFloat());
    } else if (vector instanceof BitVector v) {
      v.set(row, column.getBoolean() ? 1 : 0);
    } else {
      throw new IllegalStateException(
          "Cannot read a Parquet column into Arrow vector " + vector.getClass().getSimpleName());
    }
  }

  /** Reads a file record by record through parquet's example {@link Group}s. */
  @SuppressWarnings("deprecation")
  private void readRows(
      DatasetSpec dataset,
      org.apache.hadoop.fs.Path hadoopPath,
      Path file,
      RelSchema schema,
      DataType[] fileTypes,
      Configuration conf,
      List<VectorSchemaRoot> batches) {
    try (BatchBuilder out = new BatchBuilder(schema, allocator, batchSize);
        ParquetReader<Group> reader =
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
      try (Relation rows = out.finish()) {
        for (VectorSchemaRoot batch : rows.batches()) {
          batches.add(transfer(batch));
        }
      }
    } catch (IOException | RuntimeException e) {
      throw readFailure(dataset, file, e);
    }
  }

  /** A batch owning {@code batch}'s buffers (no copy); {@code batch} is left empty. */
  private static VectorSchemaRoot transfer(VectorSchemaRoot batch) {
    List<FieldVector> vectors = new ArrayList<>();
    for (FieldVector vector : batch.getFieldVectors()) {
      org.apache.arrow.vector.util.TransferPair pair =
          vector.getTransferPair(vector.getAllocator());
      pair.transfer();
      vectors.add((FieldVector) pair.getTo());
    }
    VectorSchemaRoot moved = new VectorSchemaRoot(vectors);
    moved.setRowCount(batch.getRowCount());
    return moved;
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
