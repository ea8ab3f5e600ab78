package io.relspec.datafusion.comet;

import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * A Parquet dataset that Comet's {@code NativeScan} reads itself: its files (the reference lane's
 * listing: every file under the location ending with {@code scan.fileExtension}, not hidden, in
 * path order) and their sizes, checked from the footers to hold every declared column with exactly
 * the declared type, so that the native reader gives the rows the JVM reader would. Anything else
 * (widening, timestamps, lists, partition columns, a missing or unreadable file) is left to the JVM
 * reader, with {@link #check}'s reason.
 *
 * @param files the files in the JVM reader's order
 * @param sizes their sizes in bytes
 * @param pruning the dataset's {@code scan.parquetPruning}: filters right after the scan are pushed
 *     into the reader (row groups and pages skipped by their statistics; the filter still runs)
 */
record ParquetFiles(List<Path> files, List<Long> sizes, boolean pruning) {
  ParquetFiles {
    files = List.copyOf(files);
    sizes = List.copyOf(sizes);
  }

  /** Either the files to read natively or why they cannot be. */
  record Check(Optional<ParquetFiles> files, String reason) {}

  static Check check(Path location, RelSchema schema, ScanOptions options) {
    if (!options.partitionCols().isEmpty()) {
      return no("hive-style partition columns are not read natively yet");
    }
    for (Field field : schema.fields()) {
      if (!nativeType(field.type())) {
        return no(
            "column '"
                + field.name()
                + "' is "
                + field.type().typeString()
                + "; NativeScan is used for boolean, int32, int64, float32, float64, string, date32"
                + " and decimal columns only");
      }
    }
    List<Path> files;
    try {
      files = list(location, options.fileExtension());
    } catch (RuntimeException e) {
      return no("the location cannot be listed (" + e.getMessage() + ")");
    }
    if (files.isEmpty()) {
      return no("no files to read natively");
    }
    List<Long> sizes = new ArrayList<>();
    Configuration conf = new Configuration(false);
    for (Path file : files) {
      try (ParquetFileReader footer =
          ParquetFileReader.open(
              HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), conf))) {
        MessageType fileSchema = footer.getFooter().getFileMetaData().getSchema();
        for (Field field : schema.fields()) {
          if (!fileSchema.containsField(field.name())) {
            return no(file.getFileName() + " has no column '" + field.name() + "'");
          }
          Type type = fileSchema.getType(field.name());
          if (!sameType(type, field.type())) {
            return no(
                file.getFileName()
                    + " stores column '"
                    + field.name()
                    + "' as "
                    + type.toString().trim()
                    + ", not exactly "
                    + field.type().typeString());
          }
        }
        sizes.add(Files.size(file));
      } catch (IOException | RuntimeException e) {
        return no(file.getFileName() + " cannot be opened (" + e.getMessage() + ")");
      }
    }
    return new Check(
        Optional.of(new ParquetFiles(files, sizes, options.parquetPruning())), "NativeScan");
  }

  private static Check no(String reason) {
    return new Check(Optional.empty(), reason);
  }

  private static boolean nativeType(DataType type) {
    if (type instanceof DecimalType) {
      return true;
    }
    return type == PrimitiveType.BOOLEAN
        || type == PrimitiveType.INT32
        || type == PrimitiveType.INT64
        || type == PrimitiveType.FLOAT32
        || type == PrimitiveType.FLOAT64
        || type == PrimitiveType.STRING
        || type == PrimitiveType.DATE32;
  }

  /** Whether Spark (and Comet) read the Parquet column as exactly {@code declared}. */
  private static boolean sameType(Type parquet, DataType declared) {
    if (!parquet.isPrimitive() || parquet.isRepetition(Type.Repetition.REPEATED)) {
      return false;
    }
    LogicalTypeAnnotation annotation = parquet.getLogicalTypeAnnotation();
    if (declared instanceof DecimalType decimal) {
      return annotation instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d
          && d.getPrecision() == decimal.precision()
          && d.getScale() == decimal.scale();
    }
    PrimitiveType primitive = (PrimitiveType) declared;
    org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName physical =
        parquet.asPrimitiveType().getPrimitiveTypeName();
    return switch (primitive) {
      case BOOLEAN -> physical == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN;
      case INT32 ->
          physical == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32
              && signedInt(annotation, 32);
      case INT64 ->
          physical == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64
              && signedInt(annotation, 64);
      case FLOAT32 -> physical == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.FLOAT;
      case FLOAT64 -> physical == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE;
      case STRING ->
          physical == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY
              && annotation instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
      case DATE32 ->
          physical == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32
              && annotation instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation;
      default -> false;
    };
  }

  private static boolean signedInt(LogicalTypeAnnotation annotation, int bits) {
    return annotation == null
        || annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
            && i.isSigned()
            && i.getBitWidth() == bits;
  }

  /** The reference lane's listing (ParquetDatasetSource): same files, same order. */
  private static List<Path> list(Path dir, String extension) {
    if (Files.isRegularFile(dir)) {
      return List.of(dir);
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + " is not a directory");
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
   * The files as {@code partitions} contiguous byte ranges of about equal size, in file order (the
   * native reader gives each row group to the range holding its start, so concatenating the
   * partitions' rows in order gives the files' rows in order).
   */
  List<List<Range>> split(int partitions) {
    long total = sizes.stream().mapToLong(Long::longValue).sum();
    List<List<Range>> out = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      out.add(new ArrayList<>());
    }
    long offset = 0;
    for (int f = 0; f < files.size(); f++) {
      long size = sizes.get(f);
      long start = 0;
      while (start < size) {
        long global = offset + start;
        int p = partitions == 1 ? 0 : (int) Math.min(partitions - 1, global * partitions / total);
        long partitionEnd = (total * (p + 1) + partitions - 1) / partitions;
        long end = p == partitions - 1 ? size : Math.min(size, partitionEnd - offset);
        if (end <= start) {
          end = size;
        }
        out.get(p).add(new Range(files.get(f), start, end - start, size));
        start = end;
      }
      offset += size;
    }
    return out;
  }

  /** A byte range of one file. */
  record Range(Path file, long start, long length, long fileSize) {}
}
