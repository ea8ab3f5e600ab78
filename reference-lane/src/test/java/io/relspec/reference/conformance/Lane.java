package io.relspec.reference.conformance;

/**
 * Runs a {@link ConformanceCase} on one engine lane: reads the case's bundle JSON, feeds the case's
 * input rows to the rule and returns its rows. Lane errors are results ({@link LaneResult.Failed},
 * {@link LaneResult.CannotRun}), never exceptions.
 */
public interface Lane extends AutoCloseable {
  /** The lane's name in test names and reports, e.g. {@code reference}. */
  String name();

  LaneResult run(ConformanceCase conformanceCase);

  @Override
  default void close() {}
}
