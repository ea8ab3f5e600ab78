package io.relspec.ir.capability;

/** How a lane runs a kernel. */
public enum Support {
  /** The lane's own engine runs it as a kernel of its own. */
  NATIVE("native"),
  /** The lane rewrites it into its engine's operators or expressions, with equal results. */
  TRANSLATED("translated"),
  /** The lane hands it to the reference lane's kernel (Arrow batches out and back in). */
  FALLBACK("fallback");

  private final String jsonName;

  Support(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }
}
