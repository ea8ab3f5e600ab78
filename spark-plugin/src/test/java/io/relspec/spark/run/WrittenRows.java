package io.relspec.spark.run;

import io.relspec.spark.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;

/** Reads a dataset the runner wrote, part file by part file in name order, as plain rows. */
final class WrittenRows {
  private WrittenRows() {}

  static List<List<Object>> read(Path dataset) throws IOException {
    List<Path> parts;
    try (Stream<Path> files = Files.list(dataset)) {
      parts = files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
    }
    List<List<Object>> rows = new ArrayList<>();
    for (Path part : parts) {
      for (Row row : SparkTestSession.spark().read().parquet(part.toString()).collectAsList()) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < row.length(); i++) {
          values.add(row.get(i));
        }
        rows.add(values);
      }
    }
    return rows;
  }
}
