package io.relspec.ir.diagnostics;

/** How bad a diagnostic is. Only errors gate rules. */
public enum Severity {
  ERROR("error"),
  WARNING("warning"),
  INFO("info");

  private final String jsonName;

  Severity(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }
}
