package io.relspec.datafusion.comet;

import io.relspec.datafusion.DataFusionErrors;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.TypeRules;
import io.relspec.reference.Casts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * path order) and their sizes, checked from the footers to hold every declared data column with the
 * declared type or a type that widens to it exactly (int8/int16/int32 to a wider integer, integers
 * and float32 to float64, integers to a wide enough decimal, a decimal to a wider one, a decimal of
 * precision up to 15 to float64: Comet's schema adapter casts them with Arrow, which gives the
 * spec's values there), so that the native reader gives the rows the JVM reader would. Hive-style
 * partition columns ({@code scan.partitionCols}) are read from the {@code name=value} directories
 * above each file as the declared type (the spec's text cast; {@code __HIVE_DEFAULT_PARTITION__} is
 * null) and given to NativeScan as per-file partition values. Anything else (timestamps, lists,
 * binary, a decimal of precision above 15 widened to float64, a missing or unreadable file) is left
 * to the JVM reader, with {@link #check}'s reason.
 *
 * @param files the files in the JVM reader's order
 * @param sizes their sizes in bytes
 * @param pruning the dataset's {@code scan.parquetPruning}: a filter right after the scan is pushed
 *     into the reader (row groups and pages skipped by their statistics; the filter still runs)
 *     when the statistics rule out a row group
 * @param partitionFields the partition columns, in {@code scan.partitionCols} order
 * @param partitionValues per file, the partition columns' values (canonical literal values, null
 *     for {@code __HIVE_DEFAULT_PARTITION__})
 * @param widened the data columns some file stores with a narrower type
 * @param stats the row groups' statistics when {@code pruning} (else none): a filter is pushed only
 *     if they rule out a row group ({@link RowGroupStats})
 * @param optional the data columns some file stores as OPTIONAL (may hold nulls)
 */
record ParquetFiles(
    List<Path> files,
    List<Long> sizes,
    boolean pruning,
    List<Field> partitionFields,
    List<List<Object>> partitionValues,
    Set<String> widened,
    RowGroupStats stats,
    Set<String> optional) {
  static final String DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";

  ParquetFiles {
    files = List.copyOf(files);
    sizes = List.copyOf(sizes);
    partitionFields = List.copyOf(partitionFields);
    partitionValues = List.copyOf(partitionValues);
    widened = Set.copyOf(widened);
    optional = Set.copyOf(optional);
  }

  /** Whether {@code column} is a partition column. */
  boolean isPartition(String column) {
    return partitionFields.stream().anyMatch(f -> f.name().equals(column));
  }

  /** Either the files to read natively or why they cannot be. */
  record Check(Optional<ParquetFiles> files, String reason) {}

  /**
   * Checks the dataset's files for NativeScan.
   *
   * @throws io.relspec.ir.error.RelspecException {@code INVALID_INPUT} when a partition directory's
   *     value does not parse as its column's declared type, or a file is not under a directory for
   *     every declared partition column (the input is wrong whatever reads it)
   */
  static Check check(String dataset, Path location, RelSchema schema, ScanOptions options) {
    Set<String> partitionNames = new LinkedHashSet<>();
    List<Field> partitionFields = new ArrayList<>();
    for (ScanOptions.PartitionColumn column : options.partitionCols()) {
      partitionNames.add(column.name());
      partitionFields.add(Field.nullable(column.name(), column.type()));
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
    List<List<Object>> partitionValues = new ArrayList<>();
    for (Path file : files) {
      partitionValues.add(partitionValues(dataset, location, file, partitionFields));
    }
    List<Long> sizes = new ArrayList<>();
    Set<String> widened = new LinkedHashSet<>();
    Set<String> optional = new LinkedHashSet<>();
    Configuration conf = new Configuration(false);
    RowGroupStats.Collector stats = new RowGroupStats.Collector();
    for (Path file : files) {
      try (ParquetFileReader footer =
          ParquetFileReader.open(
              HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), conf))) {
        MessageType fileSchema = footer.getFooter().getFileMetaData().getSchema();
        for (Field field : schema.fields()) {
          if (partitionNames.contains(field.name())) {
            continue;
          }
          if (!fileSchema.containsField(field.name())) {
            return no(file.getFileName() + " has no column '" + field.name() + "'");
          }
          Type type = fileSchema.getType(field.name());
          Optional<DataType> stored = fileType(type);
          if (stored.isEmpty() || !widensExactly(stored.get(), field.type())) {
            return no(
                file.getFileName()
                    + " stores column '"
                    + field.name()
                    + "' as "
                    + type.toString().trim()
                    + ", which NativeScan does not read as "
                    + field.type().typeString()
                    + " exactly");
          }
          if (!stored.get().equals(field.type())) {
            widened.add(field.name());
          }
          if (type.isRepetition(Type.Repetition.OPTIONAL)) {
            optional.add(field.name());
          }
        }
        if (options.parquetPruning()) {
          stats.add(footer.getFooter().getBlocks());
        }
        sizes.add(Files.size(file));
      } catch (IOException | RuntimeException e) {
        return no(file.getFileName() + " cannot be opened (" + e.getMessage() + ")");
      }
    }
    return new Check(
        Optional.of(
            new ParquetFiles(
                files,
                sizes,
                options.parquetPruning(),
                partitionFields,
                partitionValues,
                widened,
                stats.build(),
                optional)),
        "NativeScan");
  }

  private static Check no(String reason) {
    return new Check(Optional.empty(), reason);
  }

  /**
   * The values of the partition columns for one file, from the {@code name=value} directories
   * between the location and the file (names and values unescaped as Spark escapes them).
   */
  private static List<Object> partitionValues(
      String dataset, Path location, Path file, List<Field> partitionFields) {
    if (partitionFields.isEmpty()) {
      return List.of();
    }
    Map<String, String> found = new LinkedHashMap<>();
    Map<String, Path> dirs = new LinkedHashMap<>();
    Path parent = file.getParent();
    Path relative = parent == null ? Path.of("") : location.relativize(parent);
    Path dir = location;
    for (Path segment : relative) {
      dir = dir.resolve(segment);
      String name = segment.toString();
      int eq = name.indexOf('=');
      if (eq > 0) {
        String column = unescape(name.substring(0, eq));
        found.putIfAbsent(column, unescape(name.substring(eq + 1)));
        dirs.putIfAbsent(column, dir);
      }
    }
    List<Object> values = new ArrayList<>();
    for (Field field : partitionFields) {
      String raw = found.get(field.name());
      if (raw == null) {
        throw DataFusionErrors.missingPartitionDirectory(dataset, file.toString(), field.name());
      }
      if (raw.equals(DEFAULT_PARTITION)) {
        values.add(null);
        continue;
      }
      Object value = field.type() == PrimitiveType.STRING ? raw : Casts.fromText(raw, field.type());
      if (value == null) {
        throw DataFusionErrors.badPartitionValue(
            dataset,
            dirs.get(field.name()).toString(),
            field.name(),
            raw,
            field.type().typeString());
      }
      values.add(
          field.type() == PrimitiveType.DATE32 ? LocalDate.ofEpochDay((Integer) value) : value);
    }
    return values;
  }

  /** Spark's {@code ExternalCatalogUtils.unescapePathName}: {@code %XX} is the char XX (hex). */
  static String unescape(String path) {
    StringBuilder out = new StringBuilder(path.length());
    int i = 0;
    while (i < path.length()) {
      char c = path.charAt(i);
      if (c == '%' && i + 2 < path.length()) {
        int hi = Character.digit(path.charAt(i + 1), 16);
        int lo = Character.digit(path.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.append((char) (hi * 16 + lo));
          i += 3;
          continue;
        }
      }
      out.append(c);
      i++;
    }
    return out.toString();
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

  /**
   * Whether Comet's schema adapter (Arrow's cast) reads a column stored as {@code stored} as
   * exactly the spec's widening to {@code declared}: every widening but a decimal of precision
   * above 15 to float64 (Arrow converts the unscaled value to float64, then divides: two
   * roundings).
   */
  static boolean widensExactly(DataType stored, DataType declared) {
    if (stored.equals(declared)) {
      return true;
    }
    if (!TypeRules.canWiden(stored, declared)) {
      return false;
    }
    return !(stored instanceof DecimalType d && d.precision() > 15 && declared.isFloating());
  }

  /**
   * The relspec type a Parquet column holds as the native reader reads it, if NativeScan reads it.
   */
  private static Optional<DataType> fileType(Type parquet) {
    if (!parquet.isPrimitive() || parquet.isRepetition(Type.Repetition.REPEATED)) {
      return Optional.empty();
    }
    LogicalTypeAnnotation annotation = parquet.getLogicalTypeAnnotation();
    if (annotation instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
      return Optional.of(new DecimalType(d.getPrecision(), d.getScale()));
    }
    switch (parquet.asPrimitiveType().getPrimitiveTypeName()) {
      case BOOLEAN:
        return annotation == null ? Optional.of(PrimitiveType.BOOLEAN) : Optional.empty();
      case INT32:
        if (annotation instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
          return Optional.of(PrimitiveType.DATE32);
        }
        if (annotation == null) {
          return Optional.of(PrimitiveType.INT32);
        }
        if (annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
            && i.isSigned()) {
          return switch (i.getBitWidth()) {
            case 8 -> Optional.of(PrimitiveType.INT8);
            case 16 -> Optional.of(PrimitiveType.INT16);
            case 32 -> Optional.of(PrimitiveType.INT32);
            default -> Optional.empty();
          };
        }
        return Optional.empty();
      case INT64:
        return annotation == null
                || annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
                    && i.isSigned()
                    && i.getBitWidth() == 64
            ? Optional.of(PrimitiveType.INT64)
            : Optional.empty();
      case FLOAT:
        return Optional.of(PrimitiveType.FLOAT32);
      case DOUBLE:
        return Optional.of(PrimitiveType.FLOAT64);
      case BINARY:
        return annotation instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
            ? Optional.of(PrimitiveType.STRING)
            : Optional.empty();
      default:
        return Optional.empty();
    }
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
