package io.relspec.ir.op;

import java.util.List;

/** {@code {"ops": [Op, ...]}}: a nested pipeline (a join's right side, a union input, ...). */
public record Pipeline(List<Op> ops) {
  public Pipeline {
    ops = List.copyOf(ops);
  }

  public static Pipeline of(Op... ops) {
    return new Pipeline(List.of(ops));
  }
}
