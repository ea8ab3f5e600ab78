package io.relspec.ir.op;

import java.util.Objects;

/**
 * {@code {"col": "a", "dir": "asc"|"desc", "nulls": "first"|"last"}}. The default null order is
 * {@code last} for {@code asc} and {@code first} for {@code desc}.
 */
public record SortKey(String column, Direction direction, NullOrder nulls) {
  public SortKey {
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(nulls, "nulls");
  }

  public static SortKey asc(String column) {
    return new SortKey(column, Direction.ASC, NullOrder.LAST);
  }

  public static SortKey desc(String column) {
    return new SortKey(column, Direction.DESC, NullOrder.FIRST);
  }

  public SortKey withColumn(String newColumn) {
    return new SortKey(newColumn, direction, nulls);
  }

  /** Sort direction. */
  public enum Direction {
    ASC("asc"),
    DESC("desc");

    private final String jsonName;

    Direction(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }

    /** The null order a key gets when its {@code nulls} field is omitted. */
    public NullOrder defaultNulls() {
      return this == ASC ? NullOrder.LAST : NullOrder.FIRST;
    }
  }

  /** Where nulls sort. */
  public enum NullOrder {
    FIRST("first"),
    LAST("last");

    private final String jsonName;

    NullOrder(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }
  }
}
