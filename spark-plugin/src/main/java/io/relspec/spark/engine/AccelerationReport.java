package io.relspec.spark.engine;

import io.relspec.ir.run.RunManifest;
import java.util.ArrayList;
import java.util.List;

/**
 * Which operators of an executed physical plan ran natively in DataFusion (Comet operators), which
 * stayed on Spark (with Comet's recorded reason) and where data crossed between the two.
 *
 * @param operators in pre-order of the plan (a parent before its children)
 */
public record AccelerationReport(List<Operator> operators) {
  public static final String LANE_NATIVE = "datafusion";
  public static final String LANE_SPARK = "spark";

  public AccelerationReport {
    operators = List.copyOf(operators);
  }

  public static final AccelerationReport EMPTY = new AccelerationReport(List.of());

  /** How an operator ran. */
  public enum Mode {
    NATIVE("native"),
    FALLBACK("fallback"),
    TRANSITION("transition");

    private final String jsonName;

    Mode(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }
  }

  /**
   * One operator.
   *
   * @param path its position in the executed plan: child indexes from the root, e.g. {@code
   *     plan/0/1} (wrappers such as adaptive query stages and whole-stage codegen are skipped)
   * @param name the operator's node name, e.g. {@code CometHashAggregate} or {@code Generate}
   * @param lane {@code datafusion}, {@code spark}, or for a transition {@code from->to}
   * @param reason why it is not native (Comet's own reasons when it recorded any); empty for a
   *     native operator
   */
  public record Operator(String path, String name, Mode mode, String lane, String reason) {
    public RunManifest.OpExecution toExecution() {
      return new RunManifest.OpExecution(path, name, mode.jsonName(), lane, reason);
    }
  }

  public AccelerationReport plus(AccelerationReport other) {
    List<Operator> all = new ArrayList<>(operators);
    all.addAll(other.operators);
    return new AccelerationReport(all);
  }

  public long count(Mode mode) {
    return operators.stream().filter(op -> op.mode() == mode).count();
  }

  public List<Operator> fallbacks() {
    return operators.stream().filter(op -> op.mode() == Mode.FALLBACK).toList();
  }

  public List<RunManifest.OpExecution> execution() {
    return operators.stream().map(Operator::toExecution).toList();
  }

  public RunManifest.Acceleration counts() {
    return new RunManifest.Acceleration(
        (int) count(Mode.NATIVE), (int) count(Mode.FALLBACK), (int) count(Mode.TRANSITION));
  }

  /** Comet's summary line, from these operators. */
  public String summary() {
    long nativeOps = count(Mode.NATIVE);
    long eligible = nativeOps + count(Mode.FALLBACK);
    return "DataFusion (Comet "
        + SparkEngine.COMET_VERSION
        + ") ran "
        + nativeOps
        + " of "
        + eligible
        + " operators natively ("
        + (eligible == 0 ? 0 : nativeOps * 100 / eligible)
        + "%); "
        + count(Mode.TRANSITION)
        + " transition(s) between Spark and DataFusion";
  }

  /** One line per operator, indented by depth, with the lane and the reason of a fallback. */
  public String render() {
    StringBuilder text = new StringBuilder(summary()).append('\n');
    for (Operator op : operators) {
      int depth = op.path().split("/").length - 1;
      text.append("  ".repeat(depth))
          .append(op.name())
          .append(" [")
          .append(op.mode().jsonName())
          .append(", ")
          .append(op.lane());
      if (!op.reason().isEmpty()) {
        text.append(": ").append(op.reason());
      }
      text.append("]\n");
    }
    return text.toString();
  }
}
