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

  /** The op's name as written in {@code {"op": "<name>"}}. */
  String opName();
}
