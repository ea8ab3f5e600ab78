package io.relspec.ir.plan;

import io.relspec.ir.op.SortKey;
import java.util.List;
import java.util.Objects;

/**
 * Ordering metadata of a dataset or plan output: {@code unordered}, {@code implicit(keys)} (the
 * data happens to be stored in that order) or {@code explicit(keys)} (a sort op guarantees it).
 */
public record Ordering(Kind kind, List<SortKey> keys) {
  public static final Ordering UNORDERED = new Ordering(Kind.UNORDERED, List.of());

  public Ordering {
    Objects.requireNonNull(kind, "kind");
    keys = List.copyOf(keys);
    if (kind == Kind.UNORDERED && !keys.isEmpty()) {
      throw new IllegalArgumentException("Cannot create unordered ordering with keys " + keys);
    }
    if (kind != Kind.UNORDERED && keys.isEmpty()) {
      kind = Kind.UNORDERED;
    }
  }

  public static Ordering implicit(List<SortKey> keys) {
    return new Ordering(Kind.IMPLICIT, keys);
  }

  public static Ordering explicit(List<SortKey> keys) {
    return new Ordering(Kind.EXPLICIT, keys);
  }

  public boolean isExplicit() {
    return kind == Kind.EXPLICIT;
  }

  /** The text form used in plans and manifests: {@code explicit(a asc nulls last, ...)}. */
  public String describe() {
    if (kind == Kind.UNORDERED) {
      return "unordered";
    }
    StringBuilder text = new StringBuilder(kind.jsonName()).append('(');
    for (int i = 0; i < keys.size(); i++) {
      SortKey key = keys.get(i);
      if (i > 0) {
        text.append(", ");
      }
      text.append(key.column())
          .append(' ')
          .append(key.direction().jsonName())
          .append(" nulls ")
          .append(key.nulls().jsonName());
    }
    return text.append(')').toString();
  }

  /** The three kinds of ordering. */
  public enum Kind {
    UNORDERED("unordered"),
    IMPLICIT("implicit"),
    EXPLICIT("explicit");

    private final String jsonName;

    Kind(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }
  }
}
