package io.relspec.ir.runtime;

/** How an engine shares its memory limit among operators. */
public enum MemoryPool {
  GREEDY("greedy"),
  FAIR("fair"),
  UNBOUNDED("unbounded");

  private final String jsonName;

  MemoryPool(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }
}
