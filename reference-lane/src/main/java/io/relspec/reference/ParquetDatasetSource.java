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
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * and Hadoop client 3.3.4, local file system), and {@code csv} datasets through {@link
 * CsvDatasetSource}. The files of a dataset and its hive-style partition columns ({@code
 * scan.partitionCols}) are {@link DatasetFiles}'; columns are matched by name to the declared
 * schema. Timestamps may be INT64 (millis, micros, nanos) or Spark's INT96; decimals any physical
 * type; lists 3-level or legacy 2-level.
 *
 * <p>{@link #open} streams a dataset: one batch at a time, file by file and row group by row group,
 * so only the batch being read is held. {@link #batches} reads the whole dataset once and keeps it
 * until {@link #close()} (for callers that need every batch at once). Files whose declared columns
 * are all flat and of the file's own type are read column by column into the vectors; others record
 * by record (lists; structs, plain groups whose members are read by name and must have the declared
 * types). Not read: Delta datasets ({@code UNSUPPORTED}).
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
      relation = new Relation(new RelSchema(dataset.schema()), readWhole(dataset));
      read.put(dataset.name(), relation);
    }
    return relation.batches();
  }

  /**
   * The whole dataset at once: its Parquet files two at a time ({@link ParallelFiles}), batches in
   * file order; a CSV dataset through its stream.
   */
  private List<VectorSchemaRoot> readWhole(DatasetSpec dataset) {
    if (dataset.format() != DatasetFormat.PARQUET) {
      return DatasetFiles.readAll(open(dataset));
    }
    List<DatasetFiles.DataFile> files = DatasetFiles.list(dataset, baseDir);
    RelSchema schema = DatasetFiles.dataColumns(dataset);
    return ParallelFiles.read(
        files,
        file ->
            DatasetFiles.readAll(
                DatasetFiles.stream(
                    dataset,
                    List.of(file),
                    allocator,
                    f -> openFile(dataset, f.path(), schema, new Configuration(false)))));
  }

  /**
   * Reads the dataset file by file, row group by row group, one batch of at most {@code batchSize}
   * rows at a time; partition columns come from the files' directories ({@link DatasetFiles}). The
   * files are listed (and partition directories parsed) now; each file's footer is checked when the
   * stream reaches it. {@code csv} datasets are read by {@link CsvDatasetSource}.
   */
  @Override
  public BatchStream open(DatasetSpec dataset) {
    if (dataset.format() == DatasetFormat.CSV) {
      return new CsvDatasetSource(baseDir, allocator, batchSize).open(dataset);
    }
    if (dataset.format() != DatasetFormat.PARQUET) {
      throw LaneErrors.unsupportedFormat(dataset.name(), dataset.format().jsonName());
    }
    List<DatasetFiles.DataFile> files = DatasetFiles.list(dataset, baseDir);
    RelSchema schema = DatasetFiles.dataColumns(dataset);
    Configuration conf = new Configuration(false);
    return DatasetFiles.stream(
        dataset, files, allocator, file -> openFile(dataset, file.path(), schema, conf));
  }

  /**
   * Opens one file after checking its footer against the declared data columns: flat columns of the
   * declared type are read column by column straight into Arrow vectors; any other file (lists,
   * decimals, INT96 or non-micros timestamps, widened types) row by row through parquet's example
   * {@link Group} records.
   */
  private DatasetFiles.FileReader openFile(
      DatasetSpec dataset, Path file, RelSchema schema, Configuration conf) {
    org.apache.hadoop.fs.Path hadoopPath = new org.apache.hadoop.fs.Path(file.toUri());
    DataType[] fileTypes = new DataType[schema.fields().size()];
    ParquetFileReader reader = null;
    try {
      reader = ParquetFileReader.open(HadoopInputFile.fromPath(hadoopPath, conf));
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
        ColumnarFile columns = new ColumnarFile(dataset, file, reader, schema, fileSchema);
        reader = null;
        return columns;
      }
    } catch (IOException | RuntimeException e) {
      throw readFailure(dataset, file, e);
    } finally {
      closeQuietly(reader);
    }
    return new RowFile(dataset, hadoopPath, file, schema, fileTypes, conf);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception e) {
        // reading already failed or is done; nothing more to say about this file
      }
    }
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
   * A file read with parquet's column readers, one row group at a time and within it one batch of
   * at most {@code batchSize} rows at a time (every column's reader advances by the batch).
   */
  private final class ColumnarFile implements DatasetFiles.FileReader {
    private final DatasetSpec dataset;
    private final Path file;
    private final ParquetFileReader reader;
    private final MessageType requested;
    private final String createdBy;
    private final org.apache.arrow.vector.types.pojo.Schema arrow;
    private final boolean[] decodable;
    private ColumnReader[] readers;
    private ParquetColumnReader[] decoders;
    private int[] defined;
    private long left;

    ColumnarFile(
        DatasetSpec dataset,
        Path file,
        ParquetFileReader reader,
        RelSchema schema,
        MessageType fileSchema) {
      this.dataset = dataset;
      this.file = file;
      this.reader = reader;
      List<Type> columns = new ArrayList<>();
      for (Field field : schema.fields()) {
        columns.add(fileSchema.getType(field.name()));
      }
      this.requested = new MessageType(fileSchema.getName(), columns);
      reader.setRequestedSchema(requested);
      this.createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      this.arrow = schema.toArrow();
      // columns whose pages ParquetColumnReader decodes itself (every row group's encodings)
      List<ColumnDescriptor> descriptors = requested.getColumns();
      this.decodable = new boolean[descriptors.size()];
      try (VectorSchemaRoot probe = VectorSchemaRoot.create(arrow, allocator)) {
        for (int c = 0; c < descriptors.size(); c++) {
          decodable[c] =
              ParquetColumnReader.supports(descriptors.get(c), reader, probe.getVector(c));
        }
      }
    }

    @Override
    public VectorSchemaRoot next() {
      try {
        while (left == 0) {
          PageReadStore pages = reader.readNextRowGroup();
          if (pages == null) {
            return null;
          }
          left = pages.getRowCount();
          ColumnReadStoreImpl store =
              new ColumnReadStoreImpl(
                  pages,
                  new GroupRecordConverter(requested).getRootConverter(),
                  requested,
                  createdBy);
          List<ColumnDescriptor> descriptors = requested.getColumns();
          readers = new ColumnReader[descriptors.size()];
          decoders = new ParquetColumnReader[descriptors.size()];
          defined = new int[descriptors.size()];
          for (int c = 0; c < descriptors.size(); c++) {
            ColumnDescriptor descriptor = descriptors.get(c);
            if (decodable[c]) {
              decoders[c] = ParquetColumnReader.open(pages.getPageReader(descriptor), descriptor);
            } else {
              readers[c] = store.getColumnReader(descriptor);
            }
            defined[c] = descriptor.getMaxDefinitionLevel();
          }
        }
        int size = (int) Math.min(batchSize, left);
        VectorSchemaRoot batch = VectorSchemaRoot.create(arrow, allocator);
        try {
          for (FieldVector vector : batch.getFieldVectors()) {
            vector.setInitialCapacity(size);
          }
          batch.allocateNew();
          for (int c = 0; c < readers.length; c++) {
            if (decoders[c] != null) {
              decoders[c].read(batch.getVector(c), size);
            } else {
              read(readers[c], defined[c], batch.getVector(c), size);
            }
          }
          batch.setRowCount(size);
        } catch (RuntimeException e) {
          batch.close();
          throw e;
        }
        left -= size;
        return batch;
      } catch (IOException | RuntimeException e) {
        throw readFailure(dataset, file, e);
      }
    }

    @Override
    public void close() {
      closeQuietly(reader);
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

  /** A file read record by record through parquet's example {@link Group}s. */
  private final class RowFile implements DatasetFiles.FileReader {
    private final DatasetSpec dataset;
    private final Path file;
    private final RelSchema schema;
    private final DataType[] fileTypes;
    private final ParquetReader<Group> reader;

    @SuppressWarnings("deprecation")
    RowFile(
        DatasetSpec dataset,
        org.apache.hadoop.fs.Path hadoopPath,
        Path file,
        RelSchema schema,
        DataType[] fileTypes,
        Configuration conf) {
      this.dataset = dataset;
      this.file = file;
      this.schema = schema;
      this.fileTypes = fileTypes;
      try {
        this.reader =
            ParquetReader.builder(new GroupReadSupport(), hadoopPath).withConf(conf).build();
      } catch (IOException | RuntimeException e) {
        throw readFailure(dataset, file, e);
      }
    }

    @Override
    public VectorSchemaRoot next() {
      try (BatchBuilder out = new BatchBuilder(schema, allocator, batchSize)) {
        int rows = 0;
        Group group;
        while (rows < batchSize && (group = reader.read()) != null) {
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
          rows++;
        }
        if (rows == 0) {
          return null;
        }
        try (Relation batch = out.finish()) {
          return DatasetFiles.transfer(batch.batches().get(0));
        }
      } catch (IOException | RuntimeException e) {
        throw readFailure(dataset, file, e);
      }
    }

    @Override
    public void close() {
      closeQuietly(reader);
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
      if (annotation == null
          && group.getFieldCount() > 0
          && !group.isRepetition(Type.Repetition.REPEATED)) {
        // a struct: a plain group, its members by name
        List<io.relspec.ir.type.StructType.StructField> members = new ArrayList<>();
        for (Type member : group.getFields()) {
          if (member.isRepetition(Type.Repetition.REPEATED)) {
            throw unsupported(dataset, file, column, parquet);
          }
          members.add(
              new io.relspec.ir.type.StructType.StructField(
                  member.getName(), fileType(dataset, file, column, member)));
        }
        return new io.relspec.ir.type.StructType(members);
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
    if (type instanceof io.relspec.ir.type.StructType struct) {
      Group members = group.getGroup(field, i);
      List<Object> out = new ArrayList<>();
      for (io.relspec.ir.type.StructType.StructField member : struct.fields()) {
        out.add(value(members, member.name(), member.type()));
      }
      return Collections.unmodifiableList(out);
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
