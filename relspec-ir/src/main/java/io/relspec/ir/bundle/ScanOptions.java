package io.relspec.ir.bundle;

import io.relspec.ir.op.SortKey;
import io.relspec.ir.type.DataType;
import java.util.List;
import java.util.Objects;

/**
 * How a dataset's files are read. Precedence: options given at run time override the dataset's,
 * which override the defaults of {@link #defaults(DatasetFormat)}.
 */
public record ScanOptions(
    List<PartitionColumn> partitionCols,
    List<SortKey> fileSortOrder,
    boolean parquetPruning,
    boolean skipMetadata,
    String fileExtension) {
  public ScanOptions {
    partitionCols = List.copyOf(partitionCols);
    fileSortOrder = List.copyOf(fileSortOrder);
    Objects.requireNonNull(fileExtension, "fileExtension");
  }

  public static ScanOptions defaults(DatasetFormat format) {
    return new ScanOptions(List.of(), List.of(), true, false, format.defaultExtension());
  }

  /** A hive-style partition column encoded in directory names ({@code name=value}). */
  public record PartitionColumn(String name, DataType type) {
    public PartitionColumn {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }
  }
}
