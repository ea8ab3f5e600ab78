package io.relspec.ir.plan;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Limit;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Sort;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Columns a rule's rows are known to be unique by, from its ops alone: no two rows have equal
 * values in all of them (equal as the spec compares keys: nulls equal, -0.0 equal to 0.0, NaN equal
 * to NaN). An engine can then skip work that cannot change anything, such as a contract dedupe by a
 * superset of those columns over the rows of that one rule.
 */
public final class UniqueKeys {
  private UniqueKeys() {}

  /**
   * The columns the rows of {@code ops} are unique by, or empty when the ops do not show any: the
   * keys of the last dedupe, or the group columns of the last aggregate (none: at most one row),
   * when every op after it keeps those columns as they are and adds no rows (filter, sort, limit,
   * param, a derive of another column, a project passing them through under their names).
   */
  public static Optional<Set<String>> of(List<Op> ops) {
    for (int i = ops.size() - 1; i >= 0; i--) {
      Op op = ops.get(i);
      Optional<Set<String>> keys = source(op);
      if (keys.isPresent()) {
        return keptAfter(keys.get(), ops.subList(i + 1, ops.size()));
      }
      if (!(op instanceof Filter
          || op instanceof Sort
          || op instanceof Limit
          || op instanceof Param
          || op instanceof Derive
          || op instanceof Project)) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a contract's dedupe provably removes nothing from an output: one rule feeds it, that
   * rule's rows are unique by {@code uniqueBy}, and those columns are all among the dedupe keys and
   * reach the contract as they are ({@code unchanged}: present in the rule's rows with the contract
   * column's type, so no cast can make two values equal). The finalizers of every lane skip the
   * dedupe then.
   *
   * @param rules how many rules feed the output
   */
  public static boolean contractDedupeKeepsEveryRow(
      ContractSpec contract,
      int rules,
      Optional<Set<String>> uniqueBy,
      Predicate<String> unchanged) {
    if (contract.dedupe().isEmpty() || rules != 1 || uniqueBy.isEmpty()) {
      return false;
    }
    if (!contract.dedupe().get().keys().containsAll(uniqueBy.get())) {
      return false;
    }
    for (String column : uniqueBy.get()) {
      if (contract.column(column).isEmpty() || !unchanged.test(column)) {
        return false;
      }
    }
    return true;
  }

  private static Optional<Set<String>> source(Op op) {
    if (op instanceof Dedupe dedupe) {
      return Optional.of(Set.copyOf(dedupe.keys()));
    }
    if (op instanceof Aggregate aggregate) {
      return Optional.of(Set.copyOf(aggregate.groupBy()));
    }
    return Optional.empty();
  }

  private static Optional<Set<String>> keptAfter(Set<String> keys, List<Op> after) {
    Set<String> intact = new HashSet<>(keys);
    for (Op op : after) {
      IntactColumns.retainThrough(op, intact);
    }
    return intact.size() == keys.size() ? Optional.of(keys) : Optional.empty();
  }
}
