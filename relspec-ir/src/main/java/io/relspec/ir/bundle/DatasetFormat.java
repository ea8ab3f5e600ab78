package io.relspec.ir.bundle;

/** Storage formats of a dataset. */
public enum DatasetFormat {
  PARQUET("parquet", ".parquet"),
  DELTA("delta", ".parquet"),
  CSV("csv", ".csv");

  private final String jsonName;
  private final String defaultExtension;

  DatasetFormat(String jsonName, String defaultExtension) {
    this.jsonName = jsonName;
    this.defaultExtension = defaultExtension;
  }

  public String jsonName() {
    return jsonName;
  }

  /** The {@code scan.fileExtension} normalization writes when none is given. */
  public String defaultExtension() {
    return defaultExtension;
  }
}
