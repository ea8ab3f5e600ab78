package io.relspec.ir.bundle;

/** What finalizing an output does with rows that violate its contract. */
public enum OnViolation {
  FAIL("fail"),
  QUARANTINE("quarantine"),
  DROP("drop");

  private final String jsonName;

  OnViolation(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }
}
