package io.relspec.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;

/** Reads a Parquet file of string columns with parquet-hadoop, independently of the writer. */
final class ParquetRows {
  private ParquetRows() {}

  /** Every row as column name to value; null columns are left out. */
  static List<Map<String, String>> read(Path file) throws IOException {
    List<Map<String, String>> rows = new ArrayList<>();
    try (ParquetReader<Group> reader =
        ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(new Configuration())
            .build()) {
      for (Group group = reader.read(); group != null; group = reader.read()) {
        GroupType type = group.getType();
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < type.getFieldCount(); i++) {
          if (group.getFieldRepetitionCount(i) > 0) {
            row.put(type.getFieldName(i), group.getString(i, 0));
          }
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
