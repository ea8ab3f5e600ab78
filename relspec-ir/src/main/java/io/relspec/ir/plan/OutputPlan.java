package io.relspec.ir.plan;

import io.relspec.ir.bundle.ContractSpec;
import java.util.List;
import java.util.Objects;

/**
 * One output dataset: the rules that produce it, in (priority, name) order, whose rows are unioned
 * and then finalized once by the contract.
 */
public record OutputPlan(
    String name, ContractSpec contract, String contractSignature, List<RelPlan> rules) {
  public OutputPlan {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(contract, "contract");
    Objects.requireNonNull(contractSignature, "contractSignature");
    rules = List.copyOf(rules);
  }

  /** The dataset quarantined rows go to. */
  public String errorsName() {
    return name + ContractSpec.ERRORS_SUFFIX;
  }

  /** The contract's columns as the schema of the finalized output. */
  public RelSchema schema() {
    return new RelSchema(contract.columns());
  }

  /** Ordering of the finalized output: explicit by the canonical sort, else unordered. */
  public Ordering ordering() {
    return contract.canonicalSort().isEmpty()
        ? Ordering.UNORDERED
        : Ordering.explicit(contract.canonicalSort());
  }
}
