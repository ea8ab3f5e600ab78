package io.relspec.reference;

import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Reads {@code csv} datasets the way the Spark lane does ({@code spark.read.option("header",
 * "true").option("mode", "FAILFAST").schema(declared).csv(location)}): UTF-8, one record per line,
 * comma separated, {@code "} quotes with {@code \} escaping inside quotes (and {@code ""} as one
 * quote), blank lines skipped. The first line of every file is a header and is skipped: fields are
 * matched to the declared data columns <em>by position</em> (Spark's default {@code
 * enforceSchema}), partition columns come from {@code name=value} directories ({@link
 * DatasetFiles}).
 *
 * <p>An empty field, quoted or not, is null (Spark's {@code nullValue} default is the empty
 * string). Values parse as Spark's CSV parser parses them: integers strictly (no spaces, no
 * fraction) within their width, floats with {@code NaN}, {@code Inf}, {@code -Inf}, booleans {@code
 * true}/{@code false} in any case, decimals rounded half-up to the scale and failing when they do
 * not fit the precision, dates and timestamps as the lane's string casts read them (UTC), binary as
 * the UTF-8 bytes. Like FAILFAST, a field that does not parse, a record with another number of
 * fields, or a null in a column declared non-null is {@code INVALID_INPUT} naming the dataset,
 * file, line and column. Lists and structs are not CSV types ({@code UNSUPPORTED}).
 */
public final class CsvDatasetSource implements DatasetSource, AutoCloseable {
  private final Path baseDir;
  private final BufferAllocator allocator;
  private final int batchSize;
  private final Map<String, Relation> read = new HashMap<>();

  public CsvDatasetSource(Path baseDir, BufferAllocator allocator, int batchSize) {
    this.baseDir = baseDir;
    this.allocator = allocator;
    this.batchSize = batchSize;
  }

  @Override
  public List<VectorSchemaRoot> batches(DatasetSpec dataset) {
    Relation relation = read.get(dataset.name());
    if (relation == null) {
      relation = new Relation(new RelSchema(dataset.schema()), DatasetFiles.readAll(open(dataset)));
      read.put(dataset.name(), relation);
    }
    return relation.batches();
  }

  @Override
  public BatchStream open(DatasetSpec dataset) {
    if (dataset.format() != DatasetFormat.CSV) {
      throw LaneErrors.unsupportedFormat(dataset.name(), dataset.format().jsonName());
    }
    RelSchema schema = DatasetFiles.dataColumns(dataset);
    for (Field field : schema.fields()) {
      if (!(field.type() instanceof PrimitiveType || field.type() instanceof DecimalType)) {
        throw LaneErrors.unsupportedCsvColumn(
            dataset.name(), field.name(), field.type().typeString());
      }
    }
    List<DatasetFiles.DataFile> files = DatasetFiles.list(dataset, baseDir);
    return DatasetFiles.stream(
        dataset, files, allocator, file -> new CsvFile(dataset, file.path(), schema));
  }

  private final class CsvFile implements DatasetFiles.FileReader {
    private final DatasetSpec dataset;
    private final Path file;
    private final RelSchema schema;
    private final BufferedReader reader;
    private long line;

    CsvFile(DatasetSpec dataset, Path file, RelSchema schema) {
      this.dataset = dataset;
      this.file = file;
      this.schema = schema;
      try {
        this.reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        // the header
        if (reader.readLine() != null) {
          line = 1;
        }
      } catch (IOException e) {
        throw LaneErrors.unreadableCsv(dataset.name(), file.toString(), e);
      }
    }

    @Override
    public VectorSchemaRoot next() {
      int width = schema.fields().size();
      try (BatchBuilder out = new BatchBuilder(schema, allocator, batchSize)) {
        int rows = 0;
        String text;
        while (rows < batchSize && (text = reader.readLine()) != null) {
          line++;
          if (text.isBlank()) {
            continue;
          }
          List<String> fields = split(text);
          if (fields.size() != width) {
            throw LaneErrors.badCsvValue(
                dataset.name(),
                file.toString(),
                line,
                schema.fields().get(Math.min(fields.size(), width - 1)).name(),
                "is missing or extra: the record has "
                    + fields.size()
                    + " fields but the dataset declares "
                    + width
                    + " data columns "
                    + schema.names());
          }
          out.startRow();
          for (int c = 0; c < width; c++) {
            Field field = schema.fields().get(c);
            Object value = parse(fields.get(c), field);
            if (value == null && !field.nullable()) {
              throw LaneErrors.badCsvValue(
                  dataset.name(),
                  file.toString(),
                  line,
                  field.name(),
                  "is declared non-null but the field is empty");
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
      } catch (IOException e) {
        throw LaneErrors.unreadableCsv(dataset.name(), file.toString(), e);
      }
    }

    private Object parse(String text, Field field) {
      if (text == null || text.isEmpty()) {
        return null;
      }
      Object value = CsvDatasetSource.parse(text, field.type());
      if (value == null) {
        throw LaneErrors.badCsvValue(
            dataset.name(),
            file.toString(),
            line,
            field.name(),
            "has value '" + text + "', which does not parse as " + field.type().typeString());
      }
      return value;
    }

    @Override
    public void close() {
      try {
        reader.close();
      } catch (IOException e) {
        // nothing more is read from this file
      }
    }
  }

  /** The fields of one record; an empty field (quoted or not) is null, any other value its text. */
  static List<String> split(String line) {
    List<String> fields = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (true) {
      StringBuilder field = new StringBuilder();
      if (i < n && line.charAt(i) == '"') {
        i++;
        while (i < n) {
          char ch = line.charAt(i);
          if (ch == '\\' && i + 1 < n) {
            field.append(line.charAt(i + 1));
            i += 2;
          } else if (ch == '"' && i + 1 < n && line.charAt(i + 1) == '"') {
            field.append('"');
            i += 2;
          } else if (ch == '"') {
            i++;
            break;
          } else {
            field.append(ch);
            i++;
          }
        }
        // anything between the closing quote and the separator belongs to the value
        while (i < n && line.charAt(i) != ',') {
          field.append(line.charAt(i++));
        }
      } else {
        while (i < n && line.charAt(i) != ',') {
          field.append(line.charAt(i++));
        }
      }
      fields.add(field.isEmpty() ? null : field.toString());
      if (i >= n) {
        return fields;
      }
      i++; // the separator
    }
  }

  /** {@code text} as the canonical value of {@code type}, null when it does not parse. */
  static Object parse(String text, DataType type) {
    try {
      if (type instanceof DecimalType decimal) {
        BigDecimal value = new BigDecimal(text).setScale(decimal.scale(), RoundingMode.HALF_UP);
        return value.precision() > decimal.precision() ? null : value;
      }
      PrimitiveType primitive = (PrimitiveType) type;
      return switch (primitive) {
        case INT8 -> (long) Byte.parseByte(text);
        case INT16 -> (long) Short.parseShort(text);
        case INT32 -> (long) Integer.parseInt(text);
        case INT64 -> Long.parseLong(text);
        case FLOAT32 -> (double) (float) floating(text);
        case FLOAT64 -> floating(text);
        case BOOLEAN ->
            text.equalsIgnoreCase("true")
                ? Boolean.TRUE
                : text.equalsIgnoreCase("false") ? Boolean.FALSE : null;
        case STRING -> text;
        case BINARY -> io.relspec.ir.expr.Bytes.copyOf(text.getBytes(StandardCharsets.UTF_8));
        case DATE32, TIMESTAMP_US -> Casts.cast(text, PrimitiveType.STRING, type);
      };
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  private static double floating(String text) {
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "Inf", "+Inf", "Infinity", "+Infinity" -> Double.POSITIVE_INFINITY;
      case "-Inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  @Override
  public void close() {
    read.values().forEach(Relation::close);
    read.clear();
  }
}
