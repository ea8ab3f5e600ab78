package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Builds small bundles and in-memory Arrow inputs for tests, runs them on a reference lane, and
 * checks that every rule's output schema is exactly the one the validator computed.
 */
final class Fixture implements AutoCloseable {
  private final ReferenceLane lane;
  private final BufferAllocator inputAllocator = new org.apache.arrow.memory.RootAllocator();
  private final Map<String, String> datasets = new LinkedHashMap<>();
  private final Map<String, List<List<Object>>> data = new HashMap<>();
  private final List<VectorSchemaRoot> batches = new ArrayList<>();
  private int batchRows = 3;

  Fixture() {
    this(RuntimeProfile.DEFAULT);
  }

  Fixture(RuntimeProfile profile) {
    this.lane = new ReferenceLane(profile);
  }

  ReferenceLane lane() {
    return lane;
  }

  /** Splits every input into batches of this many rows (small, to exercise batch boundaries). */
  Fixture batchRows(int rows) {
    this.batchRows = rows;
    return this;
  }

  /** Declares a dataset; columns as {@code "name:type"} or {@code "name:type!"} for not null. */
  Fixture dataset(String name, String... columns) {
    String schema =
        Arrays.stream(columns)
            .map(
                c -> {
                  int colon = c.indexOf(':');
                  boolean notNull = c.endsWith("!");
                  String type = c.substring(colon + 1, notNull ? c.length() - 1 : c.length());
                  return "{\"name\":\""
                      + c.substring(0, colon)
                      + "\",\"type\":\""
                      + type
                      + "\",\"nullable\":"
                      + !notNull
                      + "}";
                })
            .collect(Collectors.joining(","));
    datasets.put(
        name,
        "{\"name\":\""
            + name
            + "\",\"format\":\"parquet\",\"location\":\""
            + name
            + "\",\"schema\":["
            + schema
            + "]}");
    return this;
  }

  /** Rows of a dataset; ints may be Integer, dates LocalDate, decimals String or BigDecimal. */
  Fixture rows(String dataset, List<?>... rows) {
    List<List<Object>> list = data.computeIfAbsent(dataset, d -> new ArrayList<>());
    for (List<?> row : rows) {
      list.add(new ArrayList<>(row));
    }
    return this;
  }

  static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  /** A bundle of the declared datasets, one unconstrained contract and one rule of these ops. */
  String ruleBundle(String opsJson) {
    return "{\"relspec\":1,\"name\":\"t\",\"datasets\":["
        + String.join(",", datasets.values())
        + "],\"contracts\":[{\"name\":\"c\",\"version\":1,"
        + "\"columns\":[{\"name\":\"zz_unused\",\"type\":\"string\"}]}],"
        + "\"rules\":[{\"name\":\"r\",\"output\":\"out\",\"contract\":\"c\",\"ops\":"
        + opsJson
        + "}]}";
  }

  String datasetsJson() {
    return String.join(",", datasets.values());
  }

  /** Evaluates each expression (JSON) over a one-row dataset whose column n is null. */
  static List<Object> eval(String... exprs) {
    try (Fixture f = new Fixture()) {
      f.dataset("one", "n:int64").rows("one", row((Object) null));
      List<String> columns = new ArrayList<>();
      for (int i = 0; i < exprs.length; i++) {
        columns.add("{\"name\":\"e" + i + "\",\"expr\":" + exprs[i] + "}");
      }
      List<List<Object>> rows =
          f.run(
              "[{\"op\":\"scan\",\"dataset\":\"one\"},{\"op\":\"project\",\"columns\":["
                  + String.join(",", columns)
                  + "]}]");
      assertThat(rows).hasSize(1);
      return rows.get(0);
    }
  }

  /** Runs one rule's ops and returns the rows (the schema is checked against the validator). */
  List<List<Object>> run(String opsJson) {
    try (Relation result = relation(opsJson)) {
      return result.rows();
    }
  }

  /** Runs one rule's ops; the caller closes the relation. */
  Relation relation(String opsJson) {
    ValidatedBundle bundle = validate(ruleBundle(opsJson), Map.of());
    RelPlan plan = bundle.plans().get(0);
    Relation result = lane.runPlan(plan, bundle, source(bundle), Map.of());
    assertThat(result.schema()).as("output schema of rule r").isEqualTo(plan.schema());
    return result;
  }

  static ValidatedBundle validate(String json, Map<String, String> params) {
    return BundleValidator.validate(BundleReader.read(json, "<test>"), "<test>", params);
  }

  /** The in-memory source of the declared rows, as Arrow batches of {@link #batchRows} rows. */
  DatasetSource source(ValidatedBundle bundle) {
    Map<String, List<VectorSchemaRoot>> inputs = new HashMap<>();
    for (DatasetSpec dataset : bundle.bundle().datasets()) {
      List<List<Object>> rows = data.getOrDefault(dataset.name(), List.of());
      inputs.put(dataset.name(), toBatches(new RelSchema(dataset.schema()), rows));
    }
    return DatasetSource.inMemory(inputs);
  }

  List<VectorSchemaRoot> toBatches(RelSchema schema, List<List<Object>> rows) {
    BufferAllocator allocator = inputAllocator;
    List<VectorSchemaRoot> out = new ArrayList<>();
    for (int start = 0; start < rows.size() || (start == 0 && out.isEmpty()); start += batchRows) {
      VectorSchemaRoot root = VectorSchemaRoot.create(schema.toArrow(), allocator);
      root.allocateNew();
      int end = Math.min(rows.size(), start + batchRows);
      for (int r = start; r < end; r++) {
        for (int c = 0; c < schema.fields().size(); c++) {
          Field field = schema.fields().get(c);
          FieldVector vector = root.getVector(c);
          Values.write(vector, r - start, canonical(rows.get(r).get(c), field.type()));
        }
      }
      root.setRowCount(end - start);
      out.add(root);
      batches.add(root);
      if (rows.isEmpty()) {
        break;
      }
    }
    return out;
  }

  static Object canonical(Object value, DataType type) {
    if (value instanceof Integer i && type.isInteger()) {
      return i.longValue();
    }
    if (value instanceof LocalDate d) {
      return (int) d.toEpochDay();
    }
    if (value instanceof String s && type instanceof DecimalType d) {
      return new BigDecimal(s).setScale(d.scale(), RoundingMode.UNNECESSARY);
    }
    if (value instanceof BigDecimal b && type instanceof DecimalType d) {
      return b.setScale(d.scale(), RoundingMode.UNNECESSARY);
    }
    if (value instanceof List<?> list && type instanceof io.relspec.ir.type.ListType lt) {
      List<Object> out = new ArrayList<>();
      for (Object element : list) {
        out.add(canonical(element, lt.element()));
      }
      return out;
    }
    return value;
  }

  static BigDecimal dec(String text) {
    return new BigDecimal(text);
  }

  @Override
  public void close() {
    batches.forEach(VectorSchemaRoot::close);
    inputAllocator.close();
    lane.close();
  }
}
