package io.relspec.ir.expr;

/** Which input of a join condition a column comes from. */
public enum Side {
  LEFT("left"),
  RIGHT("right");

  private final String jsonName;

  Side(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }
}
