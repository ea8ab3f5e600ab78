package io.relspec.reference.run;

import io.relspec.ir.run.RunManifest;
import io.relspec.reference.Relation;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link PlanExecutor} returns for one rule.
 *
 * @param rows the rule's rows, of {@code plan.schema()}; owned by the execution
 * @param execution how each op ran, paths relative to the rule ({@code ops[2]}, {@code
 *     ops[3].right.ops[0]}, {@code ops[1].inputs[0].ops[0]}); the runner prefixes {@code rules[i].}
 *     (see {@link OpExecutions})
 * @param compileMillis time spent turning the ops into the engine's plan (0 when there is none)
 */
public record Execution(
    Relation rows, List<RunManifest.OpExecution> execution, double compileMillis)
    implements AutoCloseable {
  public Execution {
    Objects.requireNonNull(rows, "rows");
    execution = List.copyOf(execution);
  }

  @Override
  public void close() {
    rows.close();
  }
}
