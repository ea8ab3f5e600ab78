package io.relspec.ir.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.OnViolation;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.IrErrors;
import io.relspec.ir.error.Problem;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.ParamRef;
import io.relspec.ir.expr.Side;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
import io.relspec.ir.op.JoinType;
import io.relspec.ir.op.Limit;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.op.Union;
import io.relspec.ir.plan.Ordering;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.TypeParser;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Decodes a parsed JSON tree into the IR, collecting every problem with its JSON path. A method
 * returns null where the node was wrong (the problem is recorded); nulls never escape into the IR
 * because {@link #throwIfProblems} runs before the result is used.
 */
final class BundleDecoder {
  static final Pattern NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");
  private static final int MAX_PROBLEMS = 200;

  private final String source;
  private final List<Problem> problems = new ArrayList<>();

  /**
   * Keys that a misspelled key of an object suggested, by object path: their absence is not
   * reported again (the unknown key's message already says what to write).
   */
  private final java.util.Map<String, Set<String>> suggestedKeys = new java.util.HashMap<>();

  private int limitProblems;

  BundleDecoder(String source) {
    this.source = source;
  }

  void throwIfProblems(String what) {
    if (problems.isEmpty()) {
      return;
    }
    String count = problems.size() == 1 ? "1 problem" : problems.size() + " problems";
    if (problems.size() >= MAX_PROBLEMS) {
      count = "at least " + MAX_PROBLEMS + " problems (the first " + MAX_PROBLEMS + " are listed)";
    }
    // Only depth and size limits were hit: say so with the code, as for the limits of the parser.
    ErrorCode code =
        limitProblems == problems.size()
            ? ErrorCode.INSUFFICIENT_RESOURCES
            : ErrorCode.INVALID_DOCUMENT;
    throw IrErrors.documentProblems(code, what, source, count, problems);
  }

  private void problem(String path, String message) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(new Problem(source, path, message));
    }
  }

  /** A problem that is a depth or size limit of relspec rather than a mistake in the document. */
  private void limitProblem(String path, String message) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(new Problem(source, path, message));
      limitProblems++;
    }
  }

  // ---------------------------------------------------------------- unicode

  /**
   * Reports every string (key or value) that holds a lone UTF-16 surrogate. Such a string is not
   * Unicode text: RFC 8785 requires I-JSON (RFC 7493), and its UTF-8 bytes, hence its signature,
   * would not be defined. Nesting is bounded by the parser's limit, so recursion is safe.
   */
  void checkUnicode(JsonNode node, String path) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String fieldPath = at(path, field.getKey());
        checkString(field.getKey(), fieldPath, "key");
        checkUnicode(field.getValue(), fieldPath);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkUnicode(node.get(i), index(path, i));
      }
    } else if (node.isTextual()) {
      checkString(node.textValue(), path, "string");
    }
  }

  private void checkString(String text, String path, String what) {
    int bad = loneSurrogate(text);
    if (bad >= 0) {
      problem(
          path,
          "found a "
              + what
              + " with a lone UTF-16 surrogate \\u"
              + String.format("%04x", (int) text.charAt(bad))
              + " at character "
              + bad
              + "; expected Unicode text (I-JSON, RFC 7493, which signatures rely on). Write a"
              + " complete surrogate pair such as \\ud83d\\ude00, or remove the escape");
    }
  }

  /** {@code text} as a JSON string; control characters and lone surrogates as {@code \\uXXXX}. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean pair =
          i + 1 < text.length()
              && Character.isHighSurrogate(c)
              && Character.isLowSurrogate(text.charAt(i + 1));
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (pair) {
        out.append(c).append(text.charAt(++i));
      } else if (c < 0x20 || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** The index of the first lone surrogate of {@code text}, or -1. */
  static int loneSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------- document

  Bundle bundle(JsonNode root) {
    if (!object(root, "", "bundle", keys("relspec", "name", "datasets", "contracts", "rules"))) {
      return null;
    }
    Integer version = requiredInt(root, "", "relspec");
    if (version != null && version != Bundle.FORMAT_VERSION) {
      problem(
          "relspec",
          "unsupported format version "
              + version
              + "; this relspec reads format version "
              + Bundle.FORMAT_VERSION
              + ". Set \"relspec\": 1");
    }
    // The bundle name is not one of the names of format v1, section 1 (the spec's own example is
    // "cpg-relations"): any non-empty string.
    String name = requiredString(root, "", "name");
    if (name != null && name.isEmpty()) {
      problem("name", "expected a non-empty bundle name, found \"\"");
      name = null;
    }
    List<DatasetSpec> datasets = optionalList(root, "", "datasets", this::dataset);
    List<ContractSpec> contracts = optionalList(root, "", "contracts", this::contract);
    List<RuleDefinition> rules = optionalList(root, "", "rules", this::rule);
    if (!problems.isEmpty()) {
      return null;
    }
    return new Bundle(Bundle.FORMAT_VERSION, name, datasets, contracts, rules);
  }

  private DatasetSpec dataset(JsonNode node, String path) {
    if (!object(
        node, path, "dataset", keys("name", "format", "location", "schema", "ordering", "scan"))) {
      return null;
    }
    String name = requiredName(node, path, "name");
    DatasetFormat format =
        enumValue(node, path, "format", DatasetFormat.values(), DatasetFormat::jsonName, null);
    String location = requiredString(node, path, "location");
    List<Field> schema = requiredList(node, path, "schema", this::field);
    Ordering ordering =
        present(node, "ordering")
            ? ordering(node.get("ordering"), at(path, "ordering"))
            : Ordering.UNORDERED;
    ScanOptions scan = null;
    if (format != null) {
      scan =
          present(node, "scan")
              ? scanOptions(node.get("scan"), at(path, "scan"), format)
              : ScanOptions.defaults(format);
    }
    if (name == null
        || format == null
        || location == null
        || schema == null
        || ordering == null
        || scan == null) {
      return null;
    }
    return new DatasetSpec(name, format, location, schema, ordering, scan);
  }

  private Ordering ordering(JsonNode node, String path) {
    if (!object(node, path, "ordering", keys("kind", "keys"))) {
      return null;
    }
    Ordering.Kind kind =
        enumValue(node, path, "kind", Ordering.Kind.values(), Ordering.Kind::jsonName, null);
    List<SortKey> keys = optionalList(node, path, "keys", this::sortKey);
    if (kind == null || keys == null) {
      return null;
    }
    if (kind == Ordering.Kind.UNORDERED && !keys.isEmpty()) {
      problem(
          at(path, "keys"),
          "an unordered dataset has no keys; remove them or set kind to implicit");
      return null;
    }
    if (kind != Ordering.Kind.UNORDERED && keys.isEmpty()) {
      problem(
          at(path, "keys"), "ordering kind " + kind.jsonName() + " needs at least one sort key");
      return null;
    }
    return new Ordering(kind, keys);
  }

  private ScanOptions scanOptions(JsonNode node, String path, DatasetFormat format) {
    if (!object(
        node,
        path,
        "scan options",
        keys(
            "partitionCols", "fileSortOrder", "parquetPruning", "skipMetadata", "fileExtension"))) {
      return null;
    }
    ScanOptions defaults = ScanOptions.defaults(format);
    List<ScanOptions.PartitionColumn> partitionCols =
        optionalList(node, path, "partitionCols", this::partitionColumn);
    List<SortKey> fileSortOrder = optionalList(node, path, "fileSortOrder", this::sortKey);
    Boolean pruning = optionalBoolean(node, path, "parquetPruning", defaults.parquetPruning());
    Boolean skip = optionalBoolean(node, path, "skipMetadata", defaults.skipMetadata());
    String extension = optionalString(node, path, "fileExtension", defaults.fileExtension());
    if (partitionCols == null
        || fileSortOrder == null
        || pruning == null
        || skip == null
        || extension == null) {
      return null;
    }
    return new ScanOptions(partitionCols, fileSortOrder, pruning, skip, extension);
  }

  private ScanOptions.PartitionColumn partitionColumn(JsonNode node, String path) {
    if (!object(node, path, "partition column", keys("name", "type"))) {
      return null;
    }
    String name = requiredName(node, path, "name");
    DataType type = requiredType(node, path, "type");
    return name == null || type == null ? null : new ScanOptions.PartitionColumn(name, type);
  }

  private Field field(JsonNode node, String path) {
    if (!object(node, path, "column", keys("name", "type", "nullable"))) {
      return null;
    }
    String name = requiredName(node, path, "name");
    DataType type = requiredType(node, path, "type");
    Boolean nullable = optionalBoolean(node, path, "nullable", true);
    return name == null || type == null || nullable == null
        ? null
        : new Field(name, type, nullable);
  }

  private ContractSpec contract(JsonNode node, String path) {
    if (!object(
        node,
        path,
        "contract",
        keys(
            "name",
            "version",
            "columns",
            "keyFields",
            "requiredNonNull",
            "dedupe",
            "canonicalSort",
            "onViolation"))) {
      return null;
    }
    String name = requiredName(node, path, "name");
    Integer version = requiredInt(node, path, "version");
    List<Field> columns = requiredList(node, path, "columns", this::field);
    List<String> keyFields = optionalList(node, path, "keyFields", this::name);
    List<String> requiredNonNull = optionalList(node, path, "requiredNonNull", this::name);
    Optional<ContractSpec.DedupeSpec> dedupe = Optional.empty();
    boolean dedupeOk = true;
    if (present(node, "dedupe")) {
      ContractSpec.DedupeSpec spec = dedupeSpec(node.get("dedupe"), at(path, "dedupe"));
      dedupe = Optional.ofNullable(spec);
      dedupeOk = spec != null;
    }
    List<SortKey> canonicalSort = optionalList(node, path, "canonicalSort", this::sortKey);
    OnViolation onViolation =
        enumValue(
            node,
            path,
            "onViolation",
            OnViolation.values(),
            OnViolation::jsonName,
            OnViolation.FAIL);
    if (name == null
        || version == null
        || columns == null
        || keyFields == null
        || requiredNonNull == null
        || !dedupeOk
        || canonicalSort == null
        || onViolation == null) {
      return null;
    }
    return new ContractSpec(
        name, version, columns, keyFields, requiredNonNull, dedupe, canonicalSort, onViolation);
  }

  private ContractSpec.DedupeSpec dedupeSpec(JsonNode node, String path) {
    if (!object(node, path, "contract dedupe", keys("keys", "orderBy"))) {
      return null;
    }
    List<String> keys = requiredList(node, path, "keys", this::name);
    List<SortKey> orderBy = optionalList(node, path, "orderBy", this::sortKey);
    return keys == null || orderBy == null ? null : new ContractSpec.DedupeSpec(keys, orderBy);
  }

  private RuleDefinition rule(JsonNode node, String path) {
    if (!object(
        node,
        path,
        "rule",
        keys("name", "output", "contract", "priority", "ops", "params", "description", "tags"))) {
      return null;
    }
    String name = requiredName(node, path, "name");
    String output = requiredName(node, path, "output");
    String contract = requiredName(node, path, "contract");
    Integer priority = optionalInt(node, path, "priority", RuleDefinition.DEFAULT_PRIORITY);
    List<Op> ops = pipelineOps(node, path, "ops", 0);
    Map<String, Literal> params = ops == null ? null : bindings(node, path, ops);
    Optional<String> description = Optional.empty();
    boolean descriptionOk = true;
    if (present(node, "description")) {
      String text = string(node.get("description"), at(path, "description"));
      description = Optional.ofNullable(text);
      descriptionOk = text != null;
    }
    List<String> tags = optionalList(node, path, "tags", this::string);
    if (name == null
        || output == null
        || contract == null
        || priority == null
        || ops == null
        || params == null
        || !descriptionOk
        || tags == null) {
      return null;
    }
    return new RuleDefinition(name, output, contract, priority, ops, params, description, tags);
  }

  private Map<String, Literal> bindings(JsonNode rule, String rulePath, List<Op> ops) {
    Map<String, Literal> result = new LinkedHashMap<>();
    if (!present(rule, "params")) {
      return result;
    }
    String path = at(rulePath, "params");
    JsonNode node = rule.get("params");
    if (!node.isObject()) {
      problem(
          path,
          "expected an object of param bindings {\"name\": value}, found "
              + LiteralCodec.describe(node));
      return null;
    }
    Map<String, Param> declared = new LinkedHashMap<>();
    ParamCollector.collect(ops, declared);
    boolean ok = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> binding = it.next();
      String bindingPath = at(path, binding.getKey());
      Param param = declared.get(binding.getKey());
      if (param == null) {
        problem(
            bindingPath,
            "param '"
                + binding.getKey()
                + "' is not declared by a param op of this rule; declared params: "
                + declared.keySet()
                + ". Add {\"op\": \"param\", \"name\": \""
                + binding.getKey()
                + "\", \"type\": ...} to the rule or remove the binding");
        ok = false;
        continue;
      }
      Literal literal = literalValue(binding.getValue(), bindingPath, param.type());
      if (literal == null) {
        ok = false;
      } else {
        result.put(binding.getKey(), literal);
      }
    }
    return ok ? result : null;
  }

  // ---------------------------------------------------------------- ops

  private List<Op> pipelineOps(JsonNode parent, String parentPath, String key, int depth) {
    if (depth > BundleReader.MAX_PIPELINE_DEPTH) {
      limitProblem(
          at(parentPath, key),
          "found pipelines nested more than "
              + BundleReader.MAX_PIPELINE_DEPTH
              + " levels deep; expected at most "
              + BundleReader.MAX_PIPELINE_DEPTH
              + ". Split the rule into several rules that scan each other's outputs");
      return null;
    }
    return requiredList(parent, parentPath, key, (node, path) -> op(node, path, depth));
  }

  private Pipeline pipeline(JsonNode node, String path, int depth) {
    if (!object(node, path, "pipeline", keys("ops"))) {
      return null;
    }
    List<Op> ops = pipelineOps(node, path, "ops", depth + 1);
    return ops == null ? null : new Pipeline(ops);
  }

  private Op op(JsonNode node, String path, int depth) {
    if (!node.isObject()) {
      problem(
          path,
          "expected an op object {\"op\": \"<name>\", ...}, found " + LiteralCodec.describe(node));
      return null;
    }
    JsonNode opName = node.get("op");
    if (opName == null || !opName.isTextual()) {
      problem(
          at(path, "op"),
          "expected the op name as a string, one of "
              + OP_NAMES
              + ", found "
              + (opName == null ? "no \"op\" key" : LiteralCodec.describe(opName)));
      return null;
    }
    return switch (opName.asText()) {
      case "scan" -> scan(node, path);
      case "filter" -> filter(node, path);
      case "project" -> project(node, path);
      case "derive" -> derive(node, path);
      case "join" -> join(node, path, depth);
      case "aggregate" -> aggregate(node, path);
      case "union" -> union(node, path, depth);
      case "param" -> param(node, path);
      case "sort" -> sort(node, path);
      case "limit" -> limit(node, path);
      case "explode" -> explode(node, path);
      case "dedupe" -> dedupe(node, path);
      case "interval_align" -> intervalAlign(node, path, depth);
      default -> {
        problem(
            at(path, "op"),
            "unknown op '"
                + opName.asText()
                + "'; expected one of "
                + OP_NAMES
                + suggestion(opName.asText(), OP_NAMES));
        yield null;
      }
    };
  }

  static final List<String> OP_NAMES = Op.NAMES;

  private Op scan(JsonNode node, String path) {
    if (!object(node, path, "scan op", keys("op", "dataset", "columns"))) {
      return null;
    }
    String dataset = requiredName(node, path, "dataset");
    Optional<List<String>> columns = Optional.empty();
    boolean ok = true;
    if (present(node, "columns")) {
      List<String> list = list(node.get("columns"), at(path, "columns"), this::name);
      columns = Optional.ofNullable(list);
      ok = list != null;
    }
    return dataset == null || !ok ? null : new Scan(dataset, columns);
  }

  private Op filter(JsonNode node, String path) {
    if (!object(node, path, "filter op", keys("op", "predicate"))) {
      return null;
    }
    Expr predicate = requiredExpr(node, path, "predicate");
    return predicate == null ? null : new Filter(predicate);
  }

  private Op project(JsonNode node, String path) {
    if (!object(node, path, "project op", keys("op", "columns"))) {
      return null;
    }
    List<Project.Column> columns = requiredList(node, path, "columns", this::projectColumn);
    return columns == null ? null : new Project(columns);
  }

  private Project.Column projectColumn(JsonNode node, String path) {
    if (node.isTextual()) {
      String name = name(node, path);
      return name == null ? null : Project.Column.keep(name);
    }
    if (!node.isObject()) {
      problem(
          path,
          "expected a column name or {\"name\": n, \"expr\": E}, found "
              + LiteralCodec.describe(node));
      return null;
    }
    if (!object(node, path, "project column", keys("name", "expr"))) {
      return null;
    }
    String name = requiredName(node, path, "name");
    Expr expr =
        present(node, "expr")
            ? expr(node.get("expr"), at(path, "expr"), 0)
            : (name == null ? null : new ColumnRef(name));
    return name == null || expr == null ? null : new Project.Column(name, expr);
  }

  private Op derive(JsonNode node, String path) {
    if (!object(node, path, "derive op", keys("op", "name", "expr"))) {
      return null;
    }
    String name = requiredName(node, path, "name");
    Expr expr = requiredExpr(node, path, "expr");
    return name == null || expr == null ? null : new Derive(name, expr);
  }

  private Op join(JsonNode node, String path, int depth) {
    if (!object(
        node, path, "join op", keys("op", "type", "right", "on", "condition", "rightSuffix"))) {
      return null;
    }
    JoinType type =
        enumValue(node, path, "type", JoinType.values(), JoinType::jsonName, JoinType.INNER);
    Pipeline right = requiredPipeline(node, path, "right", depth);
    List<EquiKey> on = optionalList(node, path, "on", this::equiKey);
    Optional<Expr> condition = Optional.empty();
    boolean ok = true;
    if (present(node, "condition")) {
      Expr expr = expr(node.get("condition"), at(path, "condition"), 0);
      condition = Optional.ofNullable(expr);
      ok = expr != null;
    }
    Optional<String> rightSuffix = Optional.empty();
    if (present(node, "rightSuffix")) {
      String suffix = string(node.get("rightSuffix"), at(path, "rightSuffix"));
      if (suffix != null && !Pattern.matches("[A-Za-z0-9_]+", suffix)) {
        problem(
            at(path, "rightSuffix"),
            "expected a suffix of letters, digits and _, found \"" + suffix + "\"");
        suffix = null;
      }
      rightSuffix = Optional.ofNullable(suffix);
      ok &= suffix != null;
    }
    if (type == null || right == null || on == null || !ok) {
      return null;
    }
    return new Join(type, right, on, condition, rightSuffix);
  }

  private EquiKey equiKey(JsonNode node, String path) {
    if (node.isTextual()) {
      String name = name(node, path);
      return name == null ? null : EquiKey.same(name);
    }
    if (!node.isObject()) {
      problem(
          path,
          "expected a column name or {\"left\": a, \"right\": b}, found "
              + LiteralCodec.describe(node));
      return null;
    }
    if (!object(node, path, "equality key", keys("left", "right"))) {
      return null;
    }
    String left = requiredName(node, path, "left");
    String right = requiredName(node, path, "right");
    return left == null || right == null ? null : new EquiKey(left, right);
  }

  private Op aggregate(JsonNode node, String path) {
    if (!object(node, path, "aggregate op", keys("op", "groupBy", "aggregates"))) {
      return null;
    }
    List<String> groupBy = optionalList(node, path, "groupBy", this::name);
    List<Aggregate.AggregateCall> aggregates =
        requiredList(node, path, "aggregates", this::aggregateCall);
    return groupBy == null || aggregates == null ? null : new Aggregate(groupBy, aggregates);
  }

  private Aggregate.AggregateCall aggregateCall(JsonNode node, String path) {
    if (!object(node, path, "aggregate", keys("name", "fn", "args", "distinct"))) {
      return null;
    }
    String name = requiredName(node, path, "name");
    String fn = requiredString(node, path, "fn");
    List<Expr> args = optionalList(node, path, "args", (n, p) -> expr(n, p, 0));
    Boolean distinct = optionalBoolean(node, path, "distinct", false);
    if (name == null || fn == null || args == null || distinct == null) {
      return null;
    }
    return new Aggregate.AggregateCall(name, fn, args, distinct);
  }

  private Op union(JsonNode node, String path, int depth) {
    if (!object(node, path, "union op", keys("op", "inputs", "distinct"))) {
      return null;
    }
    List<Pipeline> inputs = requiredList(node, path, "inputs", (n, p) -> pipeline(n, p, depth));
    Boolean distinct = optionalBoolean(node, path, "distinct", false);
    return inputs == null || distinct == null ? null : new Union(inputs, distinct);
  }

  private Op param(JsonNode node, String path) {
    if (!object(node, path, "param op", keys("op", "name", "type", "default"))) {
      return null;
    }
    String name = requiredName(node, path, "name");
    DataType type = requiredType(node, path, "type");
    Optional<Literal> defaultValue = Optional.empty();
    boolean ok = true;
    if (type != null && present(node, "default")) {
      Literal literal = literalValue(node.get("default"), at(path, "default"), type);
      defaultValue = Optional.ofNullable(literal);
      ok = literal != null;
    }
    return name == null || type == null || !ok ? null : new Param(name, type, defaultValue);
  }

  private Op sort(JsonNode node, String path) {
    if (!object(node, path, "sort op", keys("op", "keys"))) {
      return null;
    }
    List<SortKey> keys = requiredList(node, path, "keys", this::sortKey);
    if (keys != null && keys.isEmpty()) {
      problem(at(path, "keys"), "a sort needs at least one key");
      return null;
    }
    return keys == null ? null : new Sort(keys);
  }

  private Op limit(JsonNode node, String path) {
    if (!object(node, path, "limit op", keys("op", "n", "offset"))) {
      return null;
    }
    Long n = requiredLong(node, path, "n");
    Long offset =
        present(node, "offset")
            ? longValue(node.get("offset"), at(path, "offset"))
            : Long.valueOf(0);
    n = rowCount(n, at(path, "n"), "a row count");
    offset = rowCount(offset, at(path, "offset"), "an offset");
    return n == null || offset == null ? null : new Limit(n, offset);
  }

  /** Checks 0 <= value <= 2^53-1, the integers that JSON numbers (and signatures) keep exact. */
  private Long rowCount(Long value, String path, String what) {
    if (value == null) {
      return null;
    }
    if (value < 0) {
      problem(path, "expected " + what + " >= 0, found " + value);
      return null;
    }
    if (value > LiteralCodec.MAX_SAFE_INTEGER) {
      problem(
          path,
          "expected "
              + what
              + " of at most "
              + LiteralCodec.MAX_SAFE_INTEGER
              + " (2^53-1, the largest integer a JSON number carries exactly), found "
              + value);
      return null;
    }
    return value;
  }

  private Op explode(JsonNode node, String path) {
    if (!object(node, path, "explode op", keys("op", "column", "as", "position", "outer"))) {
      return null;
    }
    String column = requiredName(node, path, "column");
    String as = requiredName(node, path, "as");
    Optional<String> position = Optional.empty();
    boolean ok = true;
    if (present(node, "position")) {
      String name = name(node.get("position"), at(path, "position"));
      position = Optional.ofNullable(name);
      ok = name != null;
    }
    Boolean outer = optionalBoolean(node, path, "outer", false);
    if (column == null || as == null || !ok || outer == null) {
      return null;
    }
    return new Explode(column, as, position, outer);
  }

  private Op dedupe(JsonNode node, String path) {
    if (!object(node, path, "dedupe op", keys("op", "keys", "orderBy"))) {
      return null;
    }
    List<String> keys = requiredList(node, path, "keys", this::name);
    List<SortKey> orderBy = optionalList(node, path, "orderBy", this::sortKey);
    return keys == null || orderBy == null ? null : new Dedupe(keys, orderBy);
  }

  private Op intervalAlign(JsonNode node, String path, int depth) {
    if (!object(
        node,
        path,
        "interval_align op",
        keys(
            "op",
            "right",
            "on",
            "leftSpan",
            "rightSpan",
            "mode",
            "how",
            "selectRight",
            "tieBreakers",
            "matchMeta"))) {
      return null;
    }
    Pipeline right = requiredPipeline(node, path, "right", depth);
    List<EquiKey> on = optionalList(node, path, "on", this::equiKey);
    IntervalAlign.Span leftSpan = span(node, path, "leftSpan");
    IntervalAlign.Span rightSpan = span(node, path, "rightSpan");
    IntervalAlign.Mode mode =
        enumValue(
            node, path, "mode", IntervalAlign.Mode.values(), IntervalAlign.Mode::jsonName, null);
    IntervalAlign.How how =
        enumValue(
            node,
            path,
            "how",
            IntervalAlign.How.values(),
            IntervalAlign.How::jsonName,
            IntervalAlign.How.INNER);
    List<String> selectRight = optionalList(node, path, "selectRight", this::name);
    List<SortKey> tieBreakers = optionalList(node, path, "tieBreakers", this::sortKey);
    Boolean matchMeta = optionalBoolean(node, path, "matchMeta", false);
    if (right == null
        || on == null
        || leftSpan == null
        || rightSpan == null
        || mode == null
        || how == null
        || selectRight == null
        || tieBreakers == null
        || matchMeta == null) {
      return null;
    }
    return new IntervalAlign(
        right, on, leftSpan, rightSpan, mode, how, selectRight, tieBreakers, matchMeta);
  }

  private IntervalAlign.Span span(JsonNode parent, String parentPath, String key) {
    String path = at(parentPath, key);
    if (!present(parent, key)) {
      missing(parent, parentPath, key, "[startColumn, endColumn]");
      return null;
    }
    List<String> names = list(parent.get(key), path, this::name);
    if (names == null) {
      return null;
    }
    if (names.size() != 2) {
      problem(path, "expected exactly two column names [start, end], found " + names.size());
      return null;
    }
    return new IntervalAlign.Span(names.get(0), names.get(1));
  }

  private SortKey sortKey(JsonNode node, String path) {
    if (!object(node, path, "sort key", keys("col", "dir", "nulls"))) {
      return null;
    }
    String column = requiredName(node, path, "col");
    SortKey.Direction dir =
        enumValue(
            node,
            path,
            "dir",
            SortKey.Direction.values(),
            SortKey.Direction::jsonName,
            SortKey.Direction.ASC);
    SortKey.NullOrder nulls =
        enumValue(
            node,
            path,
            "nulls",
            SortKey.NullOrder.values(),
            SortKey.NullOrder::jsonName,
            dir == null ? SortKey.NullOrder.LAST : dir.defaultNulls());
    return column == null || dir == null || nulls == null ? null : new SortKey(column, dir, nulls);
  }

  // ---------------------------------------------------------------- expressions

  private static final List<String> EXPR_KEYS =
      List.of("col", "lit", "param", "fn", "cast", "case");

  private Expr requiredExpr(JsonNode parent, String parentPath, String key) {
    if (!present(parent, key)) {
      missing(parent, parentPath, key, "an expression");
      return null;
    }
    return expr(parent.get(key), at(parentPath, key), 0);
  }

  private Expr expr(JsonNode node, String path, int depth) {
    if (depth >= BundleReader.MAX_EXPRESSION_DEPTH) {
      limitProblem(
          path,
          "found an expression nested more than "
              + BundleReader.MAX_EXPRESSION_DEPTH
              + " levels deep; expected at most "
              + BundleReader.MAX_EXPRESSION_DEPTH
              + ". Flatten it (and/or take any number of arguments) or split it into several"
              + " derive ops");
      return null;
    }
    if (!node.isObject()) {
      problem(
          path,
          "expected an expression object with one of "
              + EXPR_KEYS
              + ", found "
              + LiteralCodec.describe(node));
      return null;
    }
    List<String> forms = new ArrayList<>();
    for (String key : EXPR_KEYS) {
      if (node.has(key)) {
        forms.add(key);
      }
    }
    if (forms.size() != 1) {
      List<String> found = new ArrayList<>();
      node.fieldNames().forEachRemaining(found::add);
      if (forms.isEmpty()) {
        String hint = "";
        for (String key : found) {
          hint = suggestion(key, EXPR_KEYS);
          if (!hint.isEmpty()) {
            break;
          }
        }
        problem(
            path,
            "expected an expression object with exactly one of the keys "
                + EXPR_KEYS
                + ", found none (keys "
                + found
                + ")"
                + hint);
      } else {
        problem(
            path,
            "expected an expression object with exactly one of the keys "
                + EXPR_KEYS
                + ", found "
                + forms.size()
                + " of them "
                + forms
                + ". Write one expression per object, e.g. {\"fn\": \"eq\", \"args\": [...]} to"
                + " combine two");
      }
      return null;
    }
    switch (forms.get(0)) {
      case "col" -> {
        if (!object(node, path, "column expression", keys("col", "side"))) {
          return null;
        }
        String name = requiredName(node, path, "col");
        Optional<Side> side = Optional.empty();
        boolean ok = true;
        if (present(node, "side")) {
          Side s = enumValue(node, path, "side", Side.values(), Side::jsonName, null);
          side = Optional.ofNullable(s);
          ok = s != null;
        }
        return name == null || !ok ? null : new ColumnRef(name, side);
      }
      case "lit" -> {
        if (!object(node, path, "literal", keys("lit", "type"))) {
          return null;
        }
        DataType type = requiredType(node, path, "type");
        return type == null ? null : literalValue(node.get("lit"), at(path, "lit"), type);
      }
      case "param" -> {
        if (!object(node, path, "param expression", keys("param"))) {
          return null;
        }
        String name = requiredName(node, path, "param");
        return name == null ? null : new ParamRef(name);
      }
      case "fn" -> {
        if (!object(node, path, "function call", keys("fn", "args"))) {
          return null;
        }
        String fn = requiredString(node, path, "fn");
        List<Expr> args = optionalList(node, path, "args", (n, p) -> expr(n, p, depth + 1));
        return fn == null || args == null ? null : new Call(fn, args);
      }
      case "cast" -> {
        if (!object(node, path, "cast", keys("cast", "to"))) {
          return null;
        }
        Expr inner = expr(node.get("cast"), at(path, "cast"), depth + 1);
        DataType to = requiredType(node, path, "to");
        return inner == null || to == null ? null : new Cast(inner, to);
      }
      case "case" -> {
        if (!object(node, path, "case expression", keys("case", "else"))) {
          return null;
        }
        List<Case.When> branches =
            requiredList(node, path, "case", (n, p) -> when(n, p, depth + 1));
        if (branches != null && branches.isEmpty()) {
          problem(at(path, "case"), "a case needs at least one {\"when\": E, \"then\": E} branch");
          return null;
        }
        Optional<Expr> otherwise = Optional.empty();
        boolean ok = true;
        if (present(node, "else")) {
          Expr e = expr(node.get("else"), at(path, "else"), depth + 1);
          otherwise = Optional.ofNullable(e);
          ok = e != null;
        }
        return branches == null || !ok ? null : new Case(branches, otherwise);
      }
      default -> throw new AssertionError(forms);
    }
  }

  private Case.When when(JsonNode node, String path, int depth) {
    if (!object(node, path, "case branch", keys("when", "then"))) {
      return null;
    }
    if (!node.has("when") || !node.has("then")) {
      problem(path, "a case branch needs both 'when' and 'then'");
      return null;
    }
    Expr when = expr(node.get("when"), at(path, "when"), depth);
    Expr then = expr(node.get("then"), at(path, "then"), depth);
    return when == null || then == null ? null : new Case.When(when, then);
  }

  private Literal literalValue(JsonNode node, String path, DataType type) {
    try {
      return new Literal(LiteralCodec.fromJson(node, type), type);
    } catch (LiteralCodec.BadLiteralException e) {
      problem(path, e.getMessage());
      return null;
    }
  }

  // ---------------------------------------------------------------- runtime profile

  RuntimeProfile runtimeProfile(JsonNode node, String path) {
    if (!object(
        node,
        path,
        "runtime profile",
        keys("targetPartitions", "batchSize", "spillDir", "memoryPool", "memoryLimitBytes"))) {
      return null;
    }
    RuntimeProfile d = RuntimeProfile.DEFAULT;
    Integer partitions = optionalInt(node, path, "targetPartitions", d.targetPartitions());
    Integer batchSize = optionalInt(node, path, "batchSize", d.batchSize());
    Optional<String> spillDir = Optional.empty();
    boolean ok = true;
    if (present(node, "spillDir")) {
      String dir = string(node.get("spillDir"), at(path, "spillDir"));
      spillDir = Optional.ofNullable(dir);
      ok = dir != null;
    }
    MemoryPool pool =
        enumValue(
            node, path, "memoryPool", MemoryPool.values(), MemoryPool::jsonName, d.memoryPool());
    Optional<Long> limit = Optional.empty();
    if (present(node, "memoryLimitBytes")) {
      Long bytes = longValue(node.get("memoryLimitBytes"), at(path, "memoryLimitBytes"));
      if (bytes != null && bytes < 1) {
        problem(
            at(path, "memoryLimitBytes"), "expected a positive number of bytes, found " + bytes);
        bytes = null;
      }
      limit = Optional.ofNullable(bytes);
      ok &= bytes != null;
    }
    if (partitions != null && partitions < 0) {
      problem(
          at(path, "targetPartitions"), "expected 0 (one per core) or more, found " + partitions);
      partitions = null;
    }
    if (batchSize != null && batchSize < 1) {
      problem(at(path, "batchSize"), "expected a batch size of at least 1, found " + batchSize);
      batchSize = null;
    }
    if (partitions == null || batchSize == null || !ok || pool == null) {
      return null;
    }
    return new RuntimeProfile(partitions, batchSize, spillDir, pool, limit);
  }

  // ---------------------------------------------------------------- primitives

  private static Set<String> keys(String... keys) {
    return new java.util.LinkedHashSet<>(List.of(keys));
  }

  /**
   * Checks that {@code node} is an object and reports each key it does not allow. Decoding goes on
   * after unknown keys so that every other problem of the object is reported too.
   *
   * @return false only when {@code node} is not an object at all
   */
  private boolean object(JsonNode node, String path, String what, Set<String> allowed) {
    if (node == null || !node.isObject()) {
      problem(
          path,
          "expected a "
              + what
              + " object, found "
              + (node == null ? "nothing" : LiteralCodec.describe(node)));
      return false;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        String suggestion = suggestion(key, List.copyOf(allowed));
        problem(
            at(path, key),
            "unknown key '" + key + "' in " + what + "; expected only " + allowed + suggestion);
        for (String candidate : allowed) {
          if (suggestion.contains("'" + candidate + "'")) {
            suggestedKeys.computeIfAbsent(path, p -> new java.util.HashSet<>()).add(candidate);
          }
        }
      }
    }
    return true;
  }

  /** Reports a required key that is absent or null. */
  private void missing(JsonNode parent, String parentPath, String key, String expected) {
    if (!parent.has(key) && suggestedKeys.getOrDefault(parentPath, Set.of()).contains(key)) {
      return;
    }
    problem(
        at(parentPath, key),
        parent.has(key)
            ? "'" + key + "' is null; expected " + expected
            : "missing required key '" + key + "': expected " + expected);
  }

  private static boolean present(JsonNode node, String key) {
    return node.has(key) && !node.get(key).isNull();
  }

  /**
   * The path of {@code key} inside the object at {@code path}: {@code path.key}, or {@code
   * path["odd key"]} (a JSON string) when the key is not a name.
   */
  static String at(String path, String key) {
    if (!NAME.matcher(key).matches()) {
      return path + "[" + quote(key) + "]";
    }
    if (path.isEmpty()) {
      return key;
    }
    return path + "." + key;
  }

  private static String index(String path, int i) {
    return path + "[" + i + "]";
  }

  private <T> List<T> requiredList(
      JsonNode parent, String parentPath, String key, BiFunction<JsonNode, String, T> element) {
    if (!present(parent, key)) {
      missing(parent, parentPath, key, "a list");
      return null;
    }
    return list(parent.get(key), at(parentPath, key), element);
  }

  private <T> List<T> optionalList(
      JsonNode parent, String parentPath, String key, BiFunction<JsonNode, String, T> element) {
    if (!present(parent, key)) {
      return List.of();
    }
    return list(parent.get(key), at(parentPath, key), element);
  }

  private <T> List<T> list(JsonNode node, String path, BiFunction<JsonNode, String, T> element) {
    if (!node.isArray()) {
      problem(path, "expected a list, found " + LiteralCodec.describe(node));
      return null;
    }
    List<T> result = new ArrayList<>(node.size());
    boolean ok = true;
    for (int i = 0; i < node.size(); i++) {
      T value = element.apply(node.get(i), index(path, i));
      if (value == null) {
        ok = false;
      } else {
        result.add(value);
      }
    }
    return ok ? result : null;
  }

  private Pipeline requiredPipeline(JsonNode parent, String parentPath, String key, int depth) {
    if (!present(parent, key)) {
      missing(parent, parentPath, key, "a pipeline {\"ops\": [...]}");
      return null;
    }
    return pipeline(parent.get(key), at(parentPath, key), depth);
  }

  private String string(JsonNode node, String path) {
    if (!node.isTextual()) {
      problem(path, "expected a string, found " + LiteralCodec.describe(node));
      return null;
    }
    return node.asText();
  }

  private String name(JsonNode node, String path) {
    String text = string(node, path);
    if (text != null && !NAME.matcher(text).matches()) {
      problem(
          path,
          "expected a name matching [A-Za-z_][A-Za-z0-9_]*, found \""
              + text
              + "\". Use letters, digits and _ only, not starting with a digit");
      return null;
    }
    return text;
  }

  private String requiredString(JsonNode parent, String parentPath, String key) {
    if (!present(parent, key)) {
      missing(parent, parentPath, key, "a string");
      return null;
    }
    return string(parent.get(key), at(parentPath, key));
  }

  private String optionalString(JsonNode parent, String parentPath, String key, String fallback) {
    return present(parent, key) ? string(parent.get(key), at(parentPath, key)) : fallback;
  }

  private String requiredName(JsonNode parent, String parentPath, String key) {
    if (!present(parent, key)) {
      missing(parent, parentPath, key, "a name");
      return null;
    }
    return name(parent.get(key), at(parentPath, key));
  }

  private DataType requiredType(JsonNode parent, String parentPath, String key) {
    String path = at(parentPath, key);
    if (!present(parent, key)) {
      missing(parent, parentPath, key, "a type string such as \"int64\"");
      return null;
    }
    String text = string(parent.get(key), path);
    if (text == null) {
      return null;
    }
    TypeParser.Result result = TypeParser.parse(text);
    if (result.type().isEmpty()) {
      problem(
          path,
          "bad type \""
              + text
              + "\": "
              + result.error()
              + ". Expected one of boolean, int8, int16, int32, int64, float32, float64, string,"
              + " binary, date32, timestamp_us, decimal(P,S), list<T>, struct<name:T,...>");
      return null;
    }
    return result.type().get();
  }

  private Boolean optionalBoolean(
      JsonNode parent, String parentPath, String key, boolean fallback) {
    if (!present(parent, key)) {
      return fallback;
    }
    JsonNode node = parent.get(key);
    if (!node.isBoolean()) {
      problem(at(parentPath, key), "expected true or false, found " + LiteralCodec.describe(node));
      return null;
    }
    return node.booleanValue();
  }

  private Integer requiredInt(JsonNode parent, String parentPath, String key) {
    if (!present(parent, key)) {
      missing(parent, parentPath, key, "an integer");
      return null;
    }
    return intValue(parent.get(key), at(parentPath, key));
  }

  private Integer optionalInt(JsonNode parent, String parentPath, String key, int fallback) {
    return present(parent, key)
        ? intValue(parent.get(key), at(parentPath, key))
        : Integer.valueOf(fallback);
  }

  private Integer intValue(JsonNode node, String path) {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      problem(path, "expected a 32-bit integer, found " + LiteralCodec.describe(node));
      return null;
    }
    return node.intValue();
  }

  private Long requiredLong(JsonNode parent, String parentPath, String key) {
    if (!present(parent, key)) {
      missing(parent, parentPath, key, "an integer");
      return null;
    }
    return longValue(parent.get(key), at(parentPath, key));
  }

  private Long longValue(JsonNode node, String path) {
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      problem(path, "expected an integer, found " + LiteralCodec.describe(node));
      return null;
    }
    return node.longValue();
  }

  private <E extends Enum<E>> E enumValue(
      JsonNode parent,
      String parentPath,
      String key,
      E[] values,
      java.util.function.Function<E, String> jsonName,
      E fallback) {
    String path = at(parentPath, key);
    List<String> names = new ArrayList<>();
    for (E value : values) {
      names.add(jsonName.apply(value));
    }
    if (!present(parent, key)) {
      if (fallback == null) {
        missing(parent, parentPath, key, "one of " + names);
      }
      return fallback;
    }
    JsonNode node = parent.get(key);
    if (node.isTextual()) {
      for (E value : values) {
        if (jsonName.apply(value).equals(node.asText())) {
          return value;
        }
      }
    }
    problem(
        path,
        "expected one of "
            + names
            + ", found "
            + LiteralCodec.describe(node)
            + (node.isTextual() ? suggestion(node.asText(), names) : ""));
    return null;
  }

  /** {@code "; did you mean 'x'?"} for a near miss, else empty. */
  static String suggestion(String found, List<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int distance =
          editDistance(
              found.toLowerCase(java.util.Locale.ROOT),
              candidate.toLowerCase(java.util.Locale.ROOT));
      if (distance < bestDistance) {
        bestDistance = distance;
        best = candidate;
      }
    }
    if (best != null && bestDistance > 0 && bestDistance <= Math.max(2, found.length() / 3)) {
      return "; did you mean '" + best + "'?";
    }
    // a longer or shorter spelling of a key: "column" for "col", "pred" for "predicate"
    String lower = found.toLowerCase(java.util.Locale.ROOT);
    for (String candidate : candidates) {
      String c = candidate.toLowerCase(java.util.Locale.ROOT);
      if (lower.length() >= 3
          && c.length() >= 3
          && !lower.equals(c)
          && (lower.startsWith(c) || c.startsWith(lower))) {
        return "; did you mean '" + candidate + "'?";
      }
    }
    return "";
  }

  private static int editDistance(String a, String b) {
    if (a.length() > 64 || b.length() > 64) {
      return Integer.MAX_VALUE;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
