package io.relspec.ir.op;

/**
 * One operation of a pipeline (format v1, section 4). Each op consumes the rows of the op before
 * it; the first op of every pipeline is a {@link Scan}.
 */
public sealed interface Op
    permits Scan,
        Filter,
        Project,
        Derive,
        Join,
        Aggregate,
        Union,
        Param,
        Sort,
        Limit,
        Explode,
        Dedupe,
        IntervalAlign {

  /** Every op name of format v1, in the spec's order. */
  java.util.List<String> NAMES =
      java.util.List.of(
          "scan",
          "filter",
          "project",
          "derive",
          "join",
          "aggregate",
          "union",
          "param",
          "sort",
          "limit",
          "explode",
          "dedupe",
          "interval_align");

  /** The op's name as written in {@code {"op": "<name>"}}. */
  String opName();
}
