package io.relspec.ir.op;

import java.util.List;
import java.util.Objects;

/**
 * For each left row, the best right row with equal {@code on} keys whose span matches by {@code
 * mode}; best = shortest right span, then {@code tieBreakers}, then the remaining right columns.
 */
public record IntervalAlign(
    Pipeline right,
    List<EquiKey> on,
    Span leftSpan,
    Span rightSpan,
    Mode mode,
    How how,
    List<String> selectRight,
    List<SortKey> tieBreakers,
    boolean matchMeta)
    implements Op {
  public static final String MATCH_KIND = "match_kind";
  public static final String MATCH_SCORE = "match_score";
  public static final String NO_MATCH = "NO_MATCH";

  public IntervalAlign {
    Objects.requireNonNull(right, "right");
    on = List.copyOf(on);
    Objects.requireNonNull(leftSpan, "leftSpan");
    Objects.requireNonNull(rightSpan, "rightSpan");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(how, "how");
    selectRight = List.copyOf(selectRight);
    tieBreakers = List.copyOf(tieBreakers);
  }

  @Override
  public String opName() {
    return "interval_align";
  }

  /** {@code [start, end]} column names of a span. */
  public record Span(String start, String end) {
    public Span {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
    }
  }

  /** How a right span must relate to the left span. */
  public enum Mode {
    EXACT("exact"),
    CONTAINED("contained"),
    OVERLAP("overlap");

    private final String jsonName;

    Mode(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }
  }

  /** Whether unmatched left rows are kept. */
  public enum How {
    INNER("inner"),
    LEFT("left");

    private final String jsonName;

    How(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }
  }
}
