package io.relspec.reference;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The files of a file-based dataset and the values of its hive-style partition columns, and the
 * stream that reads them file by file. A dataset is every file under {@code baseDir / location}
 * ending with its {@code scan.fileExtension} (not hidden: no leading {@code .} or {@code _}), in
 * path order; {@code location} may also name one file.
 *
 * <p>Partition columns ({@code scan.partitionCols}) come from {@code name=value} directories
 * between the location and the file, one level per column in any order, read as the declared type
 * (never inferred, as the Spark lane reads them): {@code __HIVE_DEFAULT_PARTITION__} is null, a
 * value is unescaped ({@code %XX}) and cast from text, and a value that does not parse or a file
 * without such a directory is {@code INVALID_INPUT} naming the dataset, the directory and the
 * column. A partition column is an ordinary column of the dataset: the declared schema places it.
 */
public final class DatasetFiles {
  /** Hive's directory name for a null partition value. */
  public static final String DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";

  /**
   * One file of a dataset and its partition values (in {@code scan.partitionCols} order).
   *
   * @param directory the directory that holds it, for messages
   */
  public record DataFile(Path path, Path directory, List<Object> partitionValues) {}

  /** Reads one file's data columns (the declared columns that are not partition columns). */
  interface FileReader extends AutoCloseable {
    /** The next batch, owned by the caller, or null at the end of the file. */
    VectorSchemaRoot next();

    @Override
    void close();
  }

  private DatasetFiles() {}

  /** The dataset's files with their partition values, in path order. */
  public static List<DataFile> list(DatasetSpec dataset, Path baseDir) {
    Path dir = baseDir.resolve(dataset.location()).normalize();
    String extension = dataset.scan().fileExtension();
    List<Path> paths;
    if (Files.isRegularFile(dir)) {
      paths = List.of(dir);
    } else if (!Files.isDirectory(dir)) {
      throw LaneErrors.missingLocation(dataset.name(), dir.toString());
    } else {
      try (Stream<Path> walk = Files.walk(dir)) {
        paths =
            walk.filter(Files::isRegularFile)
                .filter(p -> p.getFileName().toString().endsWith(extension))
                .filter(p -> !p.getFileName().toString().startsWith("."))
                .filter(p -> !p.getFileName().toString().startsWith("_"))
                .sorted()
                .toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<DataFile> files = new ArrayList<>();
    for (Path path : paths) {
      Path parent = path.getParent();
      files.add(new DataFile(path, parent, partitionValues(dataset, dir, parent)));
    }
    return files;
  }

  /** The declared columns read from the files: every declared column but the partition columns. */
  public static RelSchema dataColumns(DatasetSpec dataset) {
    List<String> partitions =
        dataset.scan().partitionCols().stream().map(ScanOptions.PartitionColumn::name).toList();
    return new RelSchema(
        dataset.schema().stream().filter(f -> !partitions.contains(f.name())).toList());
  }

  private static List<Object> partitionValues(DatasetSpec dataset, Path root, Path dir) {
    List<ScanOptions.PartitionColumn> columns = dataset.scan().partitionCols();
    if (columns.isEmpty()) {
      return List.of();
    }
    List<String[]> levels = new ArrayList<>();
    if (dir.startsWith(root)) {
      for (Path name : root.relativize(dir)) {
        String text = name.toString();
        int eq = text.indexOf('=');
        if (eq > 0) {
          levels.add(new String[] {unescape(text.substring(0, eq)), text.substring(eq + 1)});
        }
      }
    }
    List<Object> values = new ArrayList<>();
    for (ScanOptions.PartitionColumn column : columns) {
      String raw = null;
      for (String[] level : levels) {
        if (level[0].equals(column.name())) {
          raw = level[1];
        }
      }
      if (raw == null) {
        throw LaneErrors.missingPartitionDirectory(
            dataset.name(), dir.toString(), column.name(), levels.stream().map(l -> l[0]).toList());
      }
      values.add(parse(dataset, dir, column, raw));
    }
    return java.util.Collections.unmodifiableList(values);
  }

  private static Object parse(
      DatasetSpec dataset, Path dir, ScanOptions.PartitionColumn column, String raw) {
    if (raw.equals(DEFAULT_PARTITION)) {
      boolean required =
          dataset.schema().stream().anyMatch(f -> f.name().equals(column.name()) && !f.nullable());
      if (required) {
        throw LaneErrors.badPartitionValue(
            dataset.name(),
            dir.toString(),
            column.name(),
            raw,
            column.type().typeString()
                + " (the column is declared non-null and "
                + raw
                + " is null)");
      }
      return null;
    }
    String text = unescape(raw);
    boolean scalar =
        column.type() instanceof PrimitiveType
            || column.type() instanceof io.relspec.ir.type.DecimalType;
    Object value = scalar ? Casts.cast(text, PrimitiveType.STRING, column.type()) : null;
    if (value == null) {
      throw LaneErrors.badPartitionValue(
          dataset.name(), dir.toString(), column.name(), text, column.type().typeString());
    }
    return value;
  }

  /** Hive's path escaping undone: {@code %XX} is the character with hex code XX. */
  static String unescape(String name) {
    if (name.indexOf('%') < 0) {
      return name;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '%' && i + 2 < bytes.length) {
        int hi = Character.digit(bytes[i + 1], 16);
        int lo = Character.digit(bytes[i + 2], 16);
        if (hi >= 0 && lo >= 0) {
          out.write(hi * 16 + lo);
          i += 2;
          continue;
        }
      }
      out.write(bytes[i]);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * A stream over every file's batches in the declared schema: {@code reader} reads a file's data
   * columns, and the partition columns are added as constant columns of each batch.
   */
  static BatchStream stream(
      DatasetSpec dataset,
      List<DataFile> files,
      BufferAllocator allocator,
      Function<DataFile, FileReader> reader) {
    return new FilesStream(dataset, files, allocator, reader);
  }

  private static final class FilesStream implements BatchStream {
    private final RelSchema declared;
    private final List<ScanOptions.PartitionColumn> partitions;
    private final List<DataFile> files;
    private final BufferAllocator allocator;
    private final Function<DataFile, FileReader> open;
    private int next;
    private FileReader file;
    private DataFile current;
    private VectorSchemaRoot batch;

    FilesStream(
        DatasetSpec dataset,
        List<DataFile> files,
        BufferAllocator allocator,
        Function<DataFile, FileReader> open) {
      this.declared = new RelSchema(dataset.schema());
      this.partitions = dataset.scan().partitionCols();
      this.files = files;
      this.allocator = allocator;
      this.open = open;
    }

    @Override
    public VectorSchemaRoot next() {
      closeBatch();
      while (true) {
        if (file == null) {
          if (next == files.size()) {
            return null;
          }
          current = files.get(next++);
          file = open.apply(current);
        }
        VectorSchemaRoot read = file.next();
        if (read == null) {
          file.close();
          file = null;
          continue;
        }
        batch = partitions.isEmpty() ? read : withPartitions(read);
        return batch;
      }
    }

    /** The declared columns: the file's data columns moved over, partition columns constant. */
    private VectorSchemaRoot withPartitions(VectorSchemaRoot read) {
      List<FieldVector> vectors = new ArrayList<>();
      int rows = read.getRowCount();
      try {
        List<org.apache.arrow.vector.types.pojo.Field> arrow = declared.toArrow().getFields();
        for (int c = 0; c < declared.fields().size(); c++) {
          Field field = declared.fields().get(c);
          int p = partitionIndex(field.name());
          if (p < 0) {
            FieldVector source = read.getVector(field.name());
            org.apache.arrow.vector.util.TransferPair pair =
                source.getTransferPair(source.getAllocator());
            pair.transfer();
            vectors.add((FieldVector) pair.getTo());
            continue;
          }
          DataType type = partitions.get(p).type();
          Object value = Casts.cast(current.partitionValues().get(p), type, field.type());
          FieldVector vector = arrow.get(c).createVector(allocator);
          vectors.add(vector);
          vector.setInitialCapacity(rows);
          vector.allocateNew();
          for (int r = 0; r < rows; r++) {
            Values.write(vector, r, value);
          }
          vector.setValueCount(rows);
        }
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      } finally {
        read.close();
      }
      VectorSchemaRoot root = new VectorSchemaRoot(vectors);
      root.setRowCount(rows);
      return root;
    }

    private int partitionIndex(String name) {
      for (int p = 0; p < partitions.size(); p++) {
        if (partitions.get(p).name().equals(name)) {
          return p;
        }
      }
      return -1;
    }

    private void closeBatch() {
      if (batch != null) {
        batch.close();
        batch = null;
      }
    }

    @Override
    public void close() {
      closeBatch();
      if (file != null) {
        file.close();
        file = null;
      }
    }
  }

  /** Every batch of {@code stream}, moved out of it (no copy), then closes the stream. */
  static List<VectorSchemaRoot> readAll(BatchStream stream) {
    List<VectorSchemaRoot> all = new ArrayList<>();
    try (stream) {
      VectorSchemaRoot batch;
      while ((batch = stream.next()) != null) {
        all.add(transfer(batch));
      }
      return all;
    } catch (RuntimeException e) {
      all.forEach(VectorSchemaRoot::close);
      throw e;
    }
  }

  /** A batch owning {@code batch}'s buffers (no copy); {@code batch} is left empty. */
  static VectorSchemaRoot transfer(VectorSchemaRoot batch) {
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
}
