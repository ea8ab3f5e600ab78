package io.relspec.ir.validate;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.error.IrErrors;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.json.LiteralCodec;
import io.relspec.ir.json.ParamCollector;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.op.Union;
import io.relspec.ir.plan.Ordering;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.signature.Signatures;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.TypeRules;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Resolves and type-checks a bundle, orders its rules by dependency, binds params and computes
 * signatures. All problems of a bundle are reported together.
 */
public final class BundleValidator {
  private BundleValidator() {}

  /** Reads and validates a bundle file with no run-time params. */
  public static ValidatedBundle validate(Path file) {
    return validate(BundleReader.read(file), file.toString(), Map.of());
  }

  /**
   * Validates a bundle.
   *
   * @param source the name of the bundle in messages (its file, or e.g. {@code <notebook>})
   * @param runtimeParams values given at run time: {@code name} applies to every rule that declares
   *     the param, {@code rule.name} to one rule; they win over rule bindings and defaults
   */
  public static ValidatedBundle validate(
      Bundle bundle, String source, Map<String, String> runtimeParams) {
    return new Run(bundle, source).validate(runtimeParams);
  }

  /**
   * Resolves the ops of one pipeline against a bundle's datasets and rule outputs (the rule graph
   * is not checked, params are not bound), as the fluent builder does after every op.
   *
   * @param rulePath the JSON path of the rule's ops in messages, e.g. {@code rules[2].ops}
   * @return the schema the ops produce
   * @throws RelspecException with code INVALID_BUNDLE and every problem found
   */
  public static RelSchema resolvePipeline(Bundle context, List<Op> ops, String rulePath) {
    Run run = new Run(context, "<builder>");
    run.checkRuleNames();
    run.problems.clear();
    run.registerDeclarations();
    Map<String, Param> params = new LinkedHashMap<>();
    ParamCollector.collect(ops, params);
    PipelineValidator pipeline = new PipelineValidator(run.problems, run.inputs(), params);
    PipelineValidator.Stage stage = pipeline.pipeline(ops, rulePath, 0);
    if (stage == null || !run.problems.isEmpty()) {
      throw IrErrors.invalidBuilderOp(rulePath, run.problems.list());
    }
    return stage.schema();
  }

  private static final class Run {
    private final Bundle bundle;
    private final String source;
    private final Problems problems;
    private final Map<String, DatasetSpec> datasets = new LinkedHashMap<>();
    private final Map<String, ContractSpec> contracts = new LinkedHashMap<>();
    private final Map<String, List<Integer>> outputRules = new TreeMap<>();

    Run(Bundle bundle, String source) {
      this.bundle = bundle;
      this.source = source;
      this.problems = new Problems(source);
    }

    ValidatedBundle validate(Map<String, String> runtimeParams) {
      checkDatasets();
      checkContracts();
      checkRuleNames();
      Map<String, RelSchema> ruleSchemas = new HashMap<>();
      Map<String, Ordering> ruleOrderings = new HashMap<>();
      Map<String, Set<String>> ruleScans = new HashMap<>();
      PipelineValidator.Inputs inputs = inputs();
      for (int i = 0; i < bundle.rules().size(); i++) {
        RuleDefinition rule = bundle.rules().get(i);
        String path = "rules[" + i + "]";
        Map<String, Param> params = declaredParams(rule, path);
        checkBindings(rule, params, path);
        PipelineValidator pipeline = new PipelineValidator(problems, inputs, params);
        PipelineValidator.Stage stage = pipeline.pipeline(rule.ops(), path + ".ops", 0);
        ruleScans.put(rule.name(), pipeline.scanned());
        if (stage != null) {
          ruleSchemas.put(rule.name(), stage.schema());
          ruleOrderings.put(rule.name(), stage.ordering());
          checkAgainstContract(rule, stage.schema(), path);
        }
      }
      List<String> outputOrder = orderOutputs(ruleScans);
      if (!problems.isEmpty()) {
        throw IrErrors.invalidBundle(source, problems.list());
      }
      Map<String, Map<String, Literal>> bindings = bindParams(runtimeParams);
      return sign(outputOrder, ruleSchemas, ruleOrderings, bindings);
    }

    // ------------------------------------------------------------ datasets and contracts

    private void checkDatasets() {
      for (int i = 0; i < bundle.datasets().size(); i++) {
        DatasetSpec dataset = bundle.datasets().get(i);
        String path = "datasets[" + i + "]";
        if (datasets.putIfAbsent(dataset.name(), dataset) != null) {
          problems.add(path + ".name", "dataset '" + dataset.name() + "' is declared twice");
        }
        RelSchema schema = new RelSchema(dataset.schema());
        uniqueFields(dataset.schema(), path + ".schema");
        if (dataset.schema().isEmpty()) {
          problems.add(path + ".schema", "a dataset needs at least one column");
        }
        sortColumns(dataset.ordering().keys(), schema, path + ".ordering.keys");
        ScanOptions scan = dataset.scan();
        for (int p = 0; p < scan.partitionCols().size(); p++) {
          ScanOptions.PartitionColumn column = scan.partitionCols().get(p);
          Optional<Field> field = schema.field(column.name());
          if (field.isEmpty() || !field.get().type().equals(column.type())) {
            problems.add(
                path + ".scan.partitionCols[" + p + "]",
                "partition column '"
                    + column.name()
                    + "' ("
                    + column.type().typeString()
                    + ") must also be in the dataset schema with the same type"
                    + field
                        .map(f -> ", found " + f.type().typeString())
                        .orElse(", found no such column"));
          }
        }
        sortColumns(scan.fileSortOrder(), schema, path + ".scan.fileSortOrder");
      }
    }

    private void checkContracts() {
      for (int i = 0; i < bundle.contracts().size(); i++) {
        ContractSpec contract = bundle.contracts().get(i);
        String path = "contracts[" + i + "]";
        if (contracts.putIfAbsent(contract.name(), contract) != null) {
          problems.add(path + ".name", "contract '" + contract.name() + "' is declared twice");
        }
        if (contract.columns().isEmpty()) {
          problems.add(path + ".columns", "a contract needs at least one column");
        }
        uniqueFields(contract.columns(), path + ".columns");
        RelSchema schema = new RelSchema(contract.columns());
        contractColumns(contract.keyFields(), schema, path + ".keyFields");
        contractColumns(contract.requiredNonNull(), schema, path + ".requiredNonNull");
        contract
            .dedupe()
            .ifPresent(
                dedupe -> {
                  contractColumns(dedupe.keys(), schema, path + ".dedupe.keys");
                  sortColumns(dedupe.orderBy(), schema, path + ".dedupe.orderBy");
                });
        sortColumns(contract.canonicalSort(), schema, path + ".canonicalSort");
      }
    }

    private void uniqueFields(List<Field> fields, String path) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < fields.size(); i++) {
        if (!seen.add(fields.get(i).name())) {
          problems.add(
              path + "[" + i + "].name", "column '" + fields.get(i).name() + "' is declared twice");
        }
      }
    }

    private void contractColumns(List<String> columns, RelSchema schema, String path) {
      for (int i = 0; i < columns.size(); i++) {
        if (schema.field(columns.get(i)).isEmpty()) {
          problems.add(
              path + "[" + i + "]",
              "'"
                  + columns.get(i)
                  + "' is not a column of this contract; columns: "
                  + schema.names());
        }
      }
    }

    private void sortColumns(List<SortKey> keys, RelSchema schema, String path) {
      for (int i = 0; i < keys.size(); i++) {
        Optional<Field> field = schema.field(keys.get(i).column());
        if (field.isEmpty()) {
          problems.add(
              path + "[" + i + "].col",
              "unknown column '"
                  + keys.get(i).column()
                  + "'; available columns: "
                  + schema.names());
        } else if (!TypeRules.isOrderable(field.get().type())) {
          problems.add(
              path + "[" + i + "].col",
              "cannot sort by '"
                  + field.get().name()
                  + "' of type "
                  + field.get().type().typeString());
        }
      }
    }

    // ------------------------------------------------------------ rules

    private void checkRuleNames() {
      Set<String> names = new HashSet<>();
      Map<String, String> outputContract = new HashMap<>();
      for (int i = 0; i < bundle.rules().size(); i++) {
        RuleDefinition rule = bundle.rules().get(i);
        String path = "rules[" + i + "]";
        if (!names.add(rule.name())) {
          problems.add(
              path + ".name",
              "rule '" + rule.name() + "' is declared twice; rule names must be unique");
        }
        if (datasets.containsKey(rule.output())) {
          problems.add(
              path + ".output",
              "rule output '"
                  + rule.output()
                  + "' is also a declared dataset; rule outputs are not declared as datasets."
                  + " Rename the output or remove the dataset");
        }
        if (!contracts.containsKey(rule.contract())) {
          problems.add(
              path + ".contract",
              "unknown contract '" + rule.contract() + "'; contracts: " + contracts.keySet());
        }
        String previous = outputContract.putIfAbsent(rule.output(), rule.contract());
        if (previous != null && !previous.equals(rule.contract())) {
          problems.add(
              path + ".contract",
              "rules of output '"
                  + rule.output()
                  + "' must name one contract: this rule names '"
                  + rule.contract()
                  + "', an earlier one '"
                  + previous
                  + "'");
        }
        outputRules.computeIfAbsent(rule.output(), k -> new ArrayList<>()).add(i);
        if (rule.output().endsWith(ContractSpec.ERRORS_SUFFIX)) {
          problems.add(
              path + ".output",
              "output names ending in "
                  + ContractSpec.ERRORS_SUFFIX
                  + " are reserved for quarantined rows");
        }
      }
    }

    PipelineValidator.Inputs inputs() {
      return new PipelineValidator.Inputs() {
        @Override
        public Optional<PipelineValidator.Stage> lookup(String name) {
          return Run.this.lookup(name);
        }

        @Override
        public List<String> names() {
          return lookupNames();
        }
      };
    }

    /** Registers datasets and contracts by name without checking them. */
    void registerDeclarations() {
      bundle.datasets().forEach(d -> datasets.putIfAbsent(d.name(), d));
      bundle.contracts().forEach(c -> contracts.putIfAbsent(c.name(), c));
    }

    private Optional<PipelineValidator.Stage> lookup(String name) {
      DatasetSpec dataset = datasets.get(name);
      if (dataset != null) {
        return Optional.of(
            new PipelineValidator.Stage(new RelSchema(dataset.schema()), dataset.ordering()));
      }
      List<Integer> producers = outputRules.get(name);
      if (producers != null) {
        ContractSpec contract = contracts.get(bundle.rules().get(producers.get(0)).contract());
        if (contract == null) {
          return Optional.empty();
        }
        Ordering ordering =
            contract.canonicalSort().isEmpty()
                ? Ordering.UNORDERED
                : Ordering.explicit(contract.canonicalSort());
        return Optional.of(
            new PipelineValidator.Stage(new RelSchema(contract.columns()), ordering));
      }
      return Optional.empty();
    }

    private List<String> lookupNames() {
      List<String> names = new ArrayList<>(datasets.keySet());
      names.addAll(outputRules.keySet());
      return names;
    }

    private Map<String, Param> declaredParams(RuleDefinition rule, String path) {
      Map<String, Param> params = new LinkedHashMap<>();
      List<Param> all = new ArrayList<>();
      collectParams(rule.ops(), all);
      for (Param param : all) {
        Param previous = params.putIfAbsent(param.name(), param);
        if (previous != null) {
          problems.add(
              path + ".ops",
              "param '" + param.name() + "' is declared twice in rule '" + rule.name() + "'");
        }
      }
      return params;
    }

    private static void collectParams(List<Op> ops, List<Param> into) {
      for (Op op : ops) {
        if (op instanceof Param param) {
          into.add(param);
        } else if (op instanceof Join join) {
          collectParams(join.right().ops(), into);
        } else if (op instanceof Union union) {
          union.inputs().forEach(input -> collectParams(input.ops(), into));
        } else if (op instanceof IntervalAlign align) {
          collectParams(align.right().ops(), into);
        }
      }
    }

    private void checkBindings(RuleDefinition rule, Map<String, Param> params, String path) {
      for (Map.Entry<String, Literal> binding : rule.params().entrySet()) {
        Param param = params.get(binding.getKey());
        String bindingPath = path + ".params." + binding.getKey();
        if (param == null) {
          problems.add(
              bindingPath,
              "param '"
                  + binding.getKey()
                  + "' is not declared by a param op of this rule; declared params: "
                  + params.keySet());
        } else if (!param.type().equals(binding.getValue().type())) {
          problems.add(
              bindingPath,
              "param '"
                  + binding.getKey()
                  + "' is "
                  + param.type().typeString()
                  + " but is bound to a "
                  + binding.getValue().type().typeString()
                  + " value");
        } else if (binding.getValue().isNull()) {
          problems.add(
              bindingPath, "param values cannot be null; bind a value or remove the binding");
        }
      }
    }

    private void checkAgainstContract(RuleDefinition rule, RelSchema schema, String path) {
      ContractSpec contract = contracts.get(rule.contract());
      if (contract == null) {
        return;
      }
      for (Field column : contract.columns()) {
        Optional<Field> produced = schema.field(column.name());
        if (produced.isEmpty()) {
          if (!column.nullable() || contract.requiredNonNull().contains(column.name())) {
            problems.add(
                path + ".ops",
                "rule '"
                    + rule.name()
                    + "' does not produce column '"
                    + column.name()
                    + "', which contract '"
                    + contract.name()
                    + "' requires to be non-null; produce it (e.g. with a derive op) or make it"
                    + " nullable in the contract. The rule produces: "
                    + schema.names());
          }
        } else if (!TypeRules.canWiden(produced.get().type(), column.type())) {
          problems.add(
              path + ".ops",
              "rule '"
                  + rule.name()
                  + "' produces column '"
                  + column.name()
                  + "' as "
                  + produced.get().type().typeString()
                  + ", but contract '"
                  + contract.name()
                  + "' declares "
                  + column.type().typeString()
                  + ", which is not a widening; add a cast in the rule or change the contract");
        }
      }
    }

    // ------------------------------------------------------------ graph

    /** Orders outputs so that each comes after the outputs its rules scan; reports cycles. */
    private List<String> orderOutputs(Map<String, Set<String>> ruleScans) {
      Map<String, Set<String>> dependsOn = new TreeMap<>();
      for (Map.Entry<String, List<Integer>> entry : outputRules.entrySet()) {
        Set<String> deps = new TreeSet<>();
        for (int index : entry.getValue()) {
          for (String scanned :
              ruleScans.getOrDefault(bundle.rules().get(index).name(), Set.of())) {
            if (outputRules.containsKey(scanned)) {
              deps.add(scanned);
            }
          }
        }
        dependsOn.put(entry.getKey(), deps);
      }
      List<String> order = new ArrayList<>();
      Set<String> done = new HashSet<>();
      Set<String> reported = new HashSet<>();
      for (String output : dependsOn.keySet()) {
        visit(output, dependsOn, done, new ArrayDeque<>(), order, reported);
      }
      return order;
    }

    private void visit(
        String output,
        Map<String, Set<String>> dependsOn,
        Set<String> done,
        Deque<String> stack,
        List<String> order,
        Set<String> reported) {
      if (done.contains(output)) {
        return;
      }
      if (stack.contains(output)) {
        List<String> cycle = new ArrayList<>();
        boolean in = false;
        for (java.util.Iterator<String> it = stack.descendingIterator(); it.hasNext(); ) {
          String o = it.next();
          if (o.equals(output)) {
            in = true;
          }
          if (in) {
            cycle.add(o);
          }
        }
        cycle.add(output);
        if (reported.add(new TreeSet<>(cycle).toString())) {
          List<String> described = new ArrayList<>();
          for (String o : cycle) {
            described.add(ruleNames(o) + " -> " + o);
          }
          int first = outputRules.get(output).get(0);
          problems.add(
              "rules[" + first + "]",
              "Cannot order rules: they form a cycle through outputs "
                  + String.join(" -> ", cycle)
                  + " (rules "
                  + String.join(", ", described)
                  + "); a rule cannot read, directly or through other rules, the output it"
                  + " produces. Break the cycle");
        }
        return;
      }
      stack.push(output);
      for (String dep : dependsOn.get(output)) {
        visit(dep, dependsOn, done, stack, order, reported);
      }
      stack.pop();
      done.add(output);
      order.add(output);
    }

    private String ruleNames(String output) {
      List<String> names = new ArrayList<>();
      for (int index : outputRules.get(output)) {
        names.add(bundle.rules().get(index).name());
      }
      return String.join("+", names);
    }

    // ------------------------------------------------------------ params

    private Map<String, Map<String, Literal>> bindParams(Map<String, String> runtimeParams) {
      Problems bindingProblems = new Problems(source);
      Map<String, Map<String, Param>> declared = new LinkedHashMap<>();
      for (RuleDefinition rule : bundle.rules()) {
        Map<String, Param> params = new LinkedHashMap<>();
        ParamCollector.collect(rule.ops(), params);
        declared.put(rule.name(), params);
      }
      for (String key : new TreeSet<>(runtimeParams.keySet())) {
        int dot = key.indexOf('.');
        boolean known =
            dot < 0
                ? declared.values().stream().anyMatch(p -> p.containsKey(key))
                : declared
                    .getOrDefault(key.substring(0, dot), Map.of())
                    .containsKey(key.substring(dot + 1));
        if (!known) {
          Set<String> available = new TreeSet<>();
          declared.forEach((rule, params) -> params.keySet().forEach(p -> available.add(p)));
          bindingProblems.add(
              "--param " + key,
              "no rule declares param '"
                  + key
                  + "'; declared params: "
                  + available
                  + ". Use NAME=VALUE for every rule that declares NAME, or RULE.NAME=VALUE for one rule");
        }
      }
      Map<String, Map<String, Literal>> result = new LinkedHashMap<>();
      for (int i = 0; i < bundle.rules().size(); i++) {
        RuleDefinition rule = bundle.rules().get(i);
        Map<String, Literal> values = new LinkedHashMap<>();
        for (Param param : declared.get(rule.name()).values()) {
          String qualified = rule.name() + "." + param.name();
          String text =
              runtimeParams.containsKey(qualified)
                  ? runtimeParams.get(qualified)
                  : runtimeParams.get(param.name());
          if (text != null) {
            String key = runtimeParams.containsKey(qualified) ? qualified : param.name();
            try {
              Optional<Object> value = LiteralCodec.fromText(text, param.type());
              values.put(param.name(), new Literal(value, param.type()));
            } catch (LiteralCodec.BadLiteralException e) {
              bindingProblems.add(
                  "--param " + key,
                  "Cannot bind param '"
                      + param.name()
                      + "' of rule '"
                      + rule.name()
                      + "' ("
                      + param.type().typeString()
                      + "): "
                      + e.getMessage());
            }
          } else if (rule.params().containsKey(param.name())) {
            values.put(param.name(), rule.params().get(param.name()));
          } else if (param.defaultValue().isPresent()) {
            values.put(param.name(), param.defaultValue().get());
          } else {
            bindingProblems.add(
                "rules[" + i + "].params",
                "Cannot bind param '"
                    + param.name()
                    + "' of rule '"
                    + rule.name()
                    + "': it has no value and no default. Pass --param "
                    + param.name()
                    + "=<"
                    + param.type().typeString()
                    + ">, bind it in the rule's \"params\", or give the param a default");
          }
        }
        result.put(rule.name(), values);
      }
      if (!bindingProblems.isEmpty()) {
        throw IrErrors.paramBindings(source, bindingProblems.list());
      }
      return result;
    }

    // ------------------------------------------------------------ signatures

    private ValidatedBundle sign(
        List<String> outputOrder,
        Map<String, RelSchema> schemas,
        Map<String, Ordering> orderings,
        Map<String, Map<String, Literal>> bindings) {
      Map<String, String> contractSignatures = new HashMap<>();
      contracts.forEach(
          (name, contract) -> contractSignatures.put(name, Signatures.contract(contract)));
      Map<String, String> ruleSignatures = new HashMap<>();
      List<OutputPlan> outputs = new ArrayList<>();
      for (String output : outputOrder) {
        List<RuleDefinition> rules = new ArrayList<>();
        outputRules.get(output).forEach(i -> rules.add(bundle.rules().get(i)));
        rules.sort(
            Comparator.comparingInt(RuleDefinition::priority).thenComparing(RuleDefinition::name));
        List<RelPlan> plans = new ArrayList<>();
        ContractSpec contract = contracts.get(rules.get(0).contract());
        String contractSignature = contractSignatures.get(contract.name());
        for (RuleDefinition rule : rules) {
          String planSignature = Signatures.plan(rule.ops());
          String ruleSignature = Signatures.rule(rule, planSignature, contractSignature);
          ruleSignatures.put(rule.name(), ruleSignature);
          plans.add(
              new RelPlan(
                  rule,
                  schemas.get(rule.name()),
                  orderings.get(rule.name()),
                  planSignature,
                  ruleSignature,
                  contractSignature,
                  bindings.get(rule.name())));
        }
        outputs.add(new OutputPlan(output, contract, contractSignature, plans));
      }
      Map<String, String> datasetSignatures = new LinkedHashMap<>();
      datasets.forEach((name, dataset) -> datasetSignatures.put(name, Signatures.dataset(dataset)));
      String signature = Signatures.bundle(datasetSignatures, ruleSignatures);
      return new ValidatedBundle(bundle, source, outputs, datasetSignatures, signature);
    }
  }
}
