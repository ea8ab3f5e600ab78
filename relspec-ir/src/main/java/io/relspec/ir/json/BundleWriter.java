package io.relspec.ir.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.expr.ParamRef;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Dedupe;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Join;
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
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.Field;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the IR as normalized JSON: every key the format defines for an object is written, defaults
 * explicit, absent optional values as JSON {@code null}, bare-name shorthands expanded. Op order
 * and expression trees stay as written. This is the form signatures are computed over.
 */
public final class BundleWriter {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private BundleWriter() {}

  /** The normalized bundle as pretty-printed JSON text (two-space indent, trailing newline). */
  public static String toPrettyJson(JsonNode node) {
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
    try {
      return MAPPER.writer(printer).writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON: " + e.getMessage(), e);
    }
  }

  public static ObjectNode bundle(Bundle bundle) {
    ObjectNode node = JSON.objectNode();
    node.put("relspec", bundle.formatVersion());
    node.put("name", bundle.name());
    ArrayNode datasets = node.putArray("datasets");
    bundle.datasets().forEach(d -> datasets.add(dataset(d)));
    ArrayNode contracts = node.putArray("contracts");
    bundle.contracts().forEach(c -> contracts.add(contract(c)));
    ArrayNode rules = node.putArray("rules");
    bundle.rules().forEach(r -> rules.add(rule(r)));
    return node;
  }

  public static ObjectNode dataset(DatasetSpec dataset) {
    ObjectNode node = JSON.objectNode();
    node.put("name", dataset.name());
    node.put("format", dataset.format().jsonName());
    node.put("location", dataset.location());
    node.set("schema", fields(dataset.schema()));
    node.set("ordering", ordering(dataset.ordering()));
    ScanOptions scan = dataset.scan();
    ObjectNode scanNode = node.putObject("scan");
    ArrayNode partitionCols = scanNode.putArray("partitionCols");
    for (ScanOptions.PartitionColumn column : scan.partitionCols()) {
      partitionCols.addObject().put("name", column.name()).put("type", column.type().typeString());
    }
    scanNode.set("fileSortOrder", sortKeys(scan.fileSortOrder()));
    scanNode.put("parquetPruning", scan.parquetPruning());
    scanNode.put("skipMetadata", scan.skipMetadata());
    scanNode.put("fileExtension", scan.fileExtension());
    return node;
  }

  public static ObjectNode ordering(Ordering ordering) {
    ObjectNode node = JSON.objectNode();
    node.put("kind", ordering.kind().jsonName());
    node.set("keys", sortKeys(ordering.keys()));
    return node;
  }

  public static ArrayNode fields(List<Field> fields) {
    ArrayNode array = JSON.arrayNode();
    for (Field field : fields) {
      array
          .addObject()
          .put("name", field.name())
          .put("type", field.type().typeString())
          .put("nullable", field.nullable());
    }
    return array;
  }

  public static ObjectNode contract(ContractSpec contract) {
    ObjectNode node = JSON.objectNode();
    node.put("name", contract.name());
    node.put("version", contract.version());
    node.set("columns", fields(contract.columns()));
    node.set("keyFields", names(contract.keyFields()));
    node.set("requiredNonNull", names(contract.requiredNonNull()));
    if (contract.dedupe().isPresent()) {
      ObjectNode dedupe = node.putObject("dedupe");
      dedupe.set("keys", names(contract.dedupe().get().keys()));
      dedupe.set("orderBy", sortKeys(contract.dedupe().get().orderBy()));
    } else {
      node.putNull("dedupe");
    }
    node.set("canonicalSort", sortKeys(contract.canonicalSort()));
    node.put("onViolation", contract.onViolation().jsonName());
    return node;
  }

  public static ObjectNode rule(RuleDefinition rule) {
    ObjectNode node = JSON.objectNode();
    node.put("name", rule.name());
    node.put("output", rule.output());
    node.put("contract", rule.contract());
    node.put("priority", rule.priority());
    node.set("ops", ops(rule.ops()));
    node.set("params", bindings(rule.params()));
    optional(node, "description", rule.description());
    node.set("tags", names(rule.tags()));
    return node;
  }

  /** Param bindings {@code {"name": value}} in their JSON form. */
  public static ObjectNode bindings(Map<String, Literal> params) {
    ObjectNode node = JSON.objectNode();
    params.forEach(
        (name, literal) -> node.set(name, LiteralCodec.toJson(literal.value(), literal.type())));
    return node;
  }

  public static ArrayNode ops(List<Op> ops) {
    ArrayNode array = JSON.arrayNode();
    ops.forEach(op -> array.add(op(op)));
    return array;
  }

  private static ObjectNode pipeline(Pipeline pipeline) {
    ObjectNode node = JSON.objectNode();
    node.set("ops", ops(pipeline.ops()));
    return node;
  }

  public static ObjectNode op(Op op) {
    ObjectNode node = JSON.objectNode();
    node.put("op", op.opName());
    if (op instanceof Scan scan) {
      node.put("dataset", scan.dataset());
      if (scan.columns().isPresent()) {
        node.set("columns", names(scan.columns().get()));
      } else {
        node.putNull("columns");
      }
    } else if (op instanceof Filter filter) {
      node.set("predicate", expr(filter.predicate()));
    } else if (op instanceof Project project) {
      ArrayNode columns = node.putArray("columns");
      for (Project.Column column : project.columns()) {
        ObjectNode c = columns.addObject();
        c.put("name", column.name());
        c.set("expr", expr(column.expr()));
      }
    } else if (op instanceof Derive derive) {
      node.put("name", derive.name());
      node.set("expr", expr(derive.expr()));
    } else if (op instanceof Join join) {
      node.put("type", join.type().jsonName());
      node.set("right", pipeline(join.right()));
      node.set("on", equiKeys(join.on()));
      if (join.condition().isPresent()) {
        node.set("condition", expr(join.condition().get()));
      } else {
        node.putNull("condition");
      }
      optional(node, "rightSuffix", join.rightSuffix());
    } else if (op instanceof Aggregate aggregate) {
      node.set("groupBy", names(aggregate.groupBy()));
      ArrayNode aggregates = node.putArray("aggregates");
      for (Aggregate.AggregateCall call : aggregate.aggregates()) {
        ObjectNode a = aggregates.addObject();
        a.put("name", call.name());
        a.put("fn", call.fn());
        ArrayNode args = a.putArray("args");
        call.args().forEach(arg -> args.add(expr(arg)));
        a.put("distinct", call.distinct());
      }
    } else if (op instanceof Union union) {
      ArrayNode inputs = node.putArray("inputs");
      union.inputs().forEach(input -> inputs.add(pipeline(input)));
      node.put("distinct", union.distinct());
    } else if (op instanceof Param param) {
      node.put("name", param.name());
      node.put("type", param.type().typeString());
      if (param.defaultValue().isPresent()) {
        Literal value = param.defaultValue().get();
        node.set("default", LiteralCodec.toJson(value.value(), value.type()));
      } else {
        node.putNull("default");
      }
    } else if (op instanceof Sort sort) {
      node.set("keys", sortKeys(sort.keys()));
    } else if (op instanceof Limit limit) {
      node.put("n", limit.n());
      node.put("offset", limit.offset());
    } else if (op instanceof Explode explode) {
      node.put("column", explode.column());
      node.put("as", explode.as());
      optional(node, "position", explode.position());
      node.put("outer", explode.outer());
    } else if (op instanceof Dedupe dedupe) {
      node.set("keys", names(dedupe.keys()));
      node.set("orderBy", sortKeys(dedupe.orderBy()));
    } else if (op instanceof IntervalAlign align) {
      node.set("right", pipeline(align.right()));
      node.set("on", equiKeys(align.on()));
      node.set(
          "leftSpan", JSON.arrayNode().add(align.leftSpan().start()).add(align.leftSpan().end()));
      node.set(
          "rightSpan",
          JSON.arrayNode().add(align.rightSpan().start()).add(align.rightSpan().end()));
      node.put("mode", align.mode().jsonName());
      node.put("how", align.how().jsonName());
      node.set("selectRight", names(align.selectRight()));
      node.set("tieBreakers", sortKeys(align.tieBreakers()));
      node.put("matchMeta", align.matchMeta());
    } else {
      throw new AssertionError("unhandled op " + op);
    }
    return node;
  }

  public static ObjectNode expr(Expr expr) {
    ObjectNode node = JSON.objectNode();
    if (expr instanceof ColumnRef col) {
      node.put("col", col.name());
      if (col.side().isPresent()) {
        node.put("side", col.side().get().jsonName());
      } else {
        node.putNull("side");
      }
    } else if (expr instanceof Literal lit) {
      node.set("lit", LiteralCodec.toJson(lit.value(), lit.type()));
      node.put("type", lit.type().typeString());
    } else if (expr instanceof ParamRef param) {
      node.put("param", param.name());
    } else if (expr instanceof Call call) {
      node.put("fn", call.fn());
      ArrayNode args = node.putArray("args");
      call.args().forEach(arg -> args.add(expr(arg)));
    } else if (expr instanceof Cast cast) {
      node.set("cast", expr(cast.expr()));
      node.put("to", cast.to().typeString());
    } else if (expr instanceof Case kase) {
      ArrayNode branches = node.putArray("case");
      for (Case.When when : kase.branches()) {
        ObjectNode b = branches.addObject();
        b.set("when", expr(when.when()));
        b.set("then", expr(when.then()));
      }
      if (kase.otherwise().isPresent()) {
        node.set("else", expr(kase.otherwise().get()));
      } else {
        node.putNull("else");
      }
    } else {
      throw new AssertionError("unhandled expression " + expr);
    }
    return node;
  }

  public static ObjectNode runtimeProfile(RuntimeProfile profile) {
    ObjectNode node = JSON.objectNode();
    node.put("targetPartitions", profile.targetPartitions());
    node.put("batchSize", profile.batchSize());
    optional(node, "spillDir", profile.spillDir());
    node.put("memoryPool", profile.memoryPool().jsonName());
    if (profile.memoryLimitBytes().isPresent()) {
      node.put("memoryLimitBytes", profile.memoryLimitBytes().get());
    } else {
      node.putNull("memoryLimitBytes");
    }
    return node;
  }

  public static ArrayNode sortKeys(List<SortKey> keys) {
    ArrayNode array = JSON.arrayNode();
    for (SortKey key : keys) {
      array
          .addObject()
          .put("col", key.column())
          .put("dir", key.direction().jsonName())
          .put("nulls", key.nulls().jsonName());
    }
    return array;
  }

  private static ArrayNode equiKeys(List<EquiKey> keys) {
    ArrayNode array = JSON.arrayNode();
    keys.forEach(key -> array.addObject().put("left", key.left()).put("right", key.right()));
    return array;
  }

  private static ArrayNode names(List<String> names) {
    ArrayNode array = JSON.arrayNode();
    names.forEach(array::add);
    return array;
  }

  private static void optional(ObjectNode node, String key, Optional<String> value) {
    if (value.isPresent()) {
      node.put(key, value.get());
    } else {
      node.putNull(key);
    }
  }
}
