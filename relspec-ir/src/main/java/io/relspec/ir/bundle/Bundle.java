package io.relspec.ir.bundle;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A relspec document: datasets, contracts and rules (format v1). */
public record Bundle(
    int formatVersion,
    String name,
    List<DatasetSpec> datasets,
    List<ContractSpec> contracts,
    List<RuleDefinition> rules) {
  public static final int FORMAT_VERSION = 1;

  public Bundle {
    Objects.requireNonNull(name, "name");
    datasets = List.copyOf(datasets);
    contracts = List.copyOf(contracts);
    rules = List.copyOf(rules);
  }

  public Optional<DatasetSpec> dataset(String datasetName) {
    return datasets.stream().filter(d -> d.name().equals(datasetName)).findFirst();
  }

  public Optional<ContractSpec> contract(String contractName) {
    return contracts.stream().filter(c -> c.name().equals(contractName)).findFirst();
  }

  public Optional<RuleDefinition> rule(String ruleName) {
    return rules.stream().filter(r -> r.name().equals(ruleName)).findFirst();
  }
}
