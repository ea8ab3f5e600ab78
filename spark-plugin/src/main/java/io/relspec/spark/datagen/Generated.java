package io.relspec.spark.datagen;

import java.nio.file.Path;
import java.util.Map;

/** What a generator wrote: row counts per table, and where. */
public record Generated(Path directory, Map<String, Long> rows) {
  public Generated {
    rows = Map.copyOf(rows);
  }
}
