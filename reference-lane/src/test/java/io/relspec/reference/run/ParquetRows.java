package io.relspec.reference.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;

/**
 * Reads Parquet string columns with parquet-hadoop alone, independently of every writer and without
 * reference-lane's own classes (spark-plugin's tests use it through {@link GateRuns} without them).
 */
public final class ParquetRows {
  private ParquetRows() {}

  /**
   * The string columns of every row of a Parquet file, or of the Parquet files in a directory, as
   * column name to value; null and non-string columns are left out.
   */
  public static List<Map<String, String>> read(Path fileOrDir) throws IOException {
    List<Map<String, String>> rows = new ArrayList<>();
    List<Path> files = List.of(fileOrDir);
    if (Files.isDirectory(fileOrDir)) {
      try (Stream<Path> list = Files.list(fileOrDir)) {
        files = list.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted().toList();
      }
    }
    for (Path file : files) {
      try (ParquetReader<Group> reader =
          ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(file.toUri()))
              .withConf(new Configuration())
              .build()) {
        for (Group group = reader.read(); group != null; group = reader.read()) {
          GroupType type = group.getType();
          Map<String, String> row = new LinkedHashMap<>();
          for (int i = 0; i < type.getFieldCount(); i++) {
            org.apache.parquet.schema.Type field = type.getType(i);
            if (group.getFieldRepetitionCount(i) > 0
                && field.isPrimitive()
                && field.getLogicalTypeAnnotation()
                    instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation) {
              row.put(type.getFieldName(i), group.getString(i, 0));
            }
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }
}
