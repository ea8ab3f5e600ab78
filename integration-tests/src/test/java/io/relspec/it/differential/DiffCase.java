package io.relspec.it.differential;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.json.BundleWriter;
import io.relspec.ir.json.LiteralCodec;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.reference.Values;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One differential case: a one-rule bundle and the rows of each dataset it declares. Rows hold the
 * reference lane's canonical values ({@link Values}: Long for every integer, Integer days for
 * date32, Long microseconds for timestamp_us, BigDecimal, Double, String, Boolean, List).
 *
 * <p>On disk (a repro directory) it is {@code bundle.json} plus {@code data/<dataset>.jsonl}, one
 * JSON array per row with each value in the format's literal JSON form (section 8).
 */
record DiffCase(Bundle bundle, Map<String, List<List<Object>>> data) {
  private static final ObjectMapper JSON = new ObjectMapper();

  DiffCase {
    Map<String, List<List<Object>>> copy = new LinkedHashMap<>();
    data.forEach(
        (name, rows) -> copy.put(name, Collections.unmodifiableList(new ArrayList<>(rows))));
    data = Collections.unmodifiableMap(copy);
  }

  String bundleJson() {
    return BundleWriter.toPrettyJson(BundleWriter.bundle(bundle));
  }

  /** A short content hash: the directory name of a written case. */
  String id() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(bundleJson().getBytes(StandardCharsets.UTF_8));
      for (DatasetSpec dataset : bundle.datasets()) {
        sha.update(dataJsonl(dataset).getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  long rowCount() {
    return data.values().stream().mapToLong(List::size).sum();
  }

  /** Writes bundle.json and data/*.jsonl into {@code dir} (created). */
  void write(Path dir) {
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.writeString(dir.resolve("bundle.json"), bundleJson() + "\n");
      for (DatasetSpec dataset : bundle.datasets()) {
        Files.writeString(
            dir.resolve("data").resolve(dataset.name() + ".jsonl"), dataJsonl(dataset));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write differential case to " + dir, e);
    }
  }

  /** Reads a case written by {@link #write}. */
  static DiffCase read(Path dir) {
    try {
      Bundle bundle =
          BundleReader.read(
              Files.readString(dir.resolve("bundle.json")), dir.resolve("bundle.json").toString());
      Map<String, List<List<Object>>> data = new LinkedHashMap<>();
      for (DatasetSpec dataset : bundle.datasets()) {
        Path file = dir.resolve("data").resolve(dataset.name() + ".jsonl");
        List<List<Object>> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
          if (line.isBlank()) {
            continue;
          }
          JsonNode array = JSON.readTree(line);
          List<Object> row = new ArrayList<>();
          for (int c = 0; c < dataset.schema().size(); c++) {
            row.add(fromJson(array.get(c), dataset.schema().get(c).type()));
          }
          rows.add(row);
        }
        data.put(dataset.name(), rows);
      }
      return new DiffCase(bundle, data);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read differential case from " + dir, e);
    }
  }

  private String dataJsonl(DatasetSpec dataset) {
    StringBuilder out = new StringBuilder();
    for (List<Object> row : data.getOrDefault(dataset.name(), List.of())) {
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      for (int c = 0; c < dataset.schema().size(); c++) {
        Field field = dataset.schema().get(c);
        array.add(toJson(row.get(c), field.type()));
      }
      out.append(array).append('\n');
    }
    return out.toString();
  }

  static JsonNode toJson(Object value, DataType type) {
    if (value == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    if (type instanceof ListType list) {
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      for (Object element : (List<?>) value) {
        array.add(toJson(element, list.element()));
      }
      return array;
    }
    return LiteralCodec.toJson(Optional.of(toLiteral(value, type)), type);
  }

  static Object fromJson(JsonNode node, DataType type) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (type instanceof ListType list) {
      List<Object> out = new ArrayList<>();
      for (JsonNode element : node) {
        out.add(fromJson(element, list.element()));
      }
      return Collections.unmodifiableList(out);
    }
    try {
      return Values.fromLiteral(LiteralCodec.fromJson(node, type).orElse(null), type);
    } catch (LiteralCodec.BadLiteralException e) {
      throw new IllegalArgumentException("Cannot read value " + node + " of type " + type, e);
    }
  }

  /** A lane value as the literal codec's canonical Java value. */
  static Object toLiteral(Object value, DataType type) {
    if (type == io.relspec.ir.type.PrimitiveType.DATE32) {
      return LocalDate.ofEpochDay((Integer) value);
    }
    if (type == io.relspec.ir.type.PrimitiveType.TIMESTAMP_US) {
      return Instant.EPOCH.plus((Long) value, ChronoUnit.MICROS);
    }
    if (value instanceof BigDecimal d) {
      return d;
    }
    return value;
  }
}
