package io.relspec.ir.json;

import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Union;
import java.util.List;
import java.util.Map;

/** Finds the param ops of a rule, including those in nested pipelines. */
public final class ParamCollector {
  private ParamCollector() {}

  /** Adds every param op of {@code ops} (depth first, in order) to {@code into}, first one wins. */
  public static void collect(List<Op> ops, Map<String, Param> into) {
    for (Op op : ops) {
      if (op instanceof Param param) {
        into.putIfAbsent(param.name(), param);
      } else if (op instanceof Join join) {
        collect(join.right(), into);
      } else if (op instanceof Union union) {
        union.inputs().forEach(input -> collect(input, into));
      } else if (op instanceof IntervalAlign align) {
        collect(align.right(), into);
      }
    }
  }

  private static void collect(Pipeline pipeline, Map<String, Param> into) {
    collect(pipeline.ops(), into);
  }
}
