package io.relspec.ir.capability;

/** The engine lanes of relspec. */
public enum Lane {
  REFERENCE("reference"),
  SPARK("spark"),
  DATAFUSION("datafusion");

  private final String jsonName;

  Lane(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }
}
