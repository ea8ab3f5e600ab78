package io.relspec.reference.run;

import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Union;
import io.relspec.ir.run.RunManifest;
import io.relspec.reference.capability.Capability;
import io.relspec.reference.capability.KernelCapabilities;
import io.relspec.reference.capability.Lane;
import io.relspec.reference.capability.Support;
import java.util.ArrayList;
import java.util.List;

/** Builds a rule's {@link RunManifest.OpExecution}s from the kernel capability registry. */
public final class OpExecutions {
  private OpExecutions() {}

  /**
   * One entry per op of {@code ops}, nested pipelines (join and interval_align right sides, union
   * inputs) included, in pre-order, with the registry's mode for {@code lane}. Paths are relative
   * to the rule ({@code ops[j]}); a native op on its own lane has an empty reason, as the manifest
   * says, every other mode the registry's reason.
   */
  public static List<RunManifest.OpExecution> fromRegistry(List<Op> ops, Lane lane) {
    List<RunManifest.OpExecution> out = new ArrayList<>();
    walk(ops, "", lane, out);
    return out;
  }

  /** {@code execution} with each path prefixed by the rule's path, e.g. {@code rules[2].}. */
  public static List<RunManifest.OpExecution> prefixed(
      List<RunManifest.OpExecution> execution, String rulePath) {
    return execution.stream()
        .map(
            e ->
                new RunManifest.OpExecution(
                    rulePath + "." + e.path(), e.op(), e.mode(), e.lane(), e.reason()))
        .toList();
  }

  private static void walk(
      List<Op> ops, String prefix, Lane lane, List<RunManifest.OpExecution> out) {
    for (int j = 0; j < ops.size(); j++) {
      Op op = ops.get(j);
      String path = prefix + "ops[" + j + "]";
      out.add(entry(op.opName(), path, lane));
      if (op instanceof Join join) {
        walk(join.right().ops(), path + ".right.", lane, out);
      } else if (op instanceof IntervalAlign align) {
        walk(align.right().ops(), path + ".right.", lane, out);
      } else if (op instanceof Union union) {
        for (int n = 0; n < union.inputs().size(); n++) {
          walk(union.inputs().get(n).ops(), path + ".inputs[" + n + "].", lane, out);
        }
      }
    }
  }

  private static RunManifest.OpExecution entry(String op, String path, Lane lane) {
    Capability capability =
        KernelCapabilities.lookup(op, lane)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "Cannot find op '" + op + "' in the capability registry"));
    Lane ranOn = capability.support() == Support.FALLBACK ? Lane.REFERENCE : lane;
    String reason =
        capability.support() == Support.NATIVE && ranOn == lane ? "" : capability.reason();
    return new RunManifest.OpExecution(
        path, op, capability.support().jsonName(), ranOn.jsonName(), reason);
  }
}
