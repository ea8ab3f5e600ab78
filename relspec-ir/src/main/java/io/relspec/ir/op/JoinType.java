package io.relspec.ir.op;

/** Join types of format v1. */
public enum JoinType {
  INNER("inner"),
  LEFT("left"),
  RIGHT("right"),
  FULL("full"),
  SEMI("semi"),
  ANTI("anti");

  private final String jsonName;

  JoinType(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  /** Semi and anti joins output the left columns only. */
  public boolean keepsRightColumns() {
    return this != SEMI && this != ANTI;
  }
}
