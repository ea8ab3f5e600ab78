package io.relspec.spark.compile;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.op.Op;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.TypeParser;
import io.relspec.spark.SparkTestSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** Builds small tables and runs ops written as JSON through the compiler. */
abstract class CompilerTestSupport {
  protected final Map<String, Dataset<Row>> tables = new LinkedHashMap<>();

  protected static SparkSession spark() {
    return SparkTestSession.spark();
  }

  /** A table from a schema such as {@code "a int32, b string not null"} and rows of values. */
  protected static Dataset<Row> table(String schema, Object[]... rows) {
    List<Field> fields = new ArrayList<>();
    for (String column : schema.split(",(?![^<(]*[>)])")) {
      String[] parts = column.trim().split(" ", 2);
      String type = parts[1].trim();
      boolean nullable = !type.endsWith(" not null");
      if (!nullable) {
        type = type.substring(0, type.length() - " not null".length());
      }
      fields.add(new Field(parts[0], TypeParser.of(type), nullable));
    }
    List<Row> list = new ArrayList<>();
    for (Object[] row : rows) {
      list.add(RowFactory.create(row));
    }
    return spark().createDataFrame(list, SparkTypes.toSpark(fields));
  }

  protected static Object[] row(Object... values) {
    return values;
  }

  protected void register(String name, Dataset<Row> rows) {
    tables.put(name, rows);
  }

  /** The rule of a one-rule bundle whose rule is {@code ruleJson} (name, output, contract set). */
  protected static RuleDefinition rule(String ruleFields) {
    String json =
        "{\"relspec\": 1, \"name\": \"t\", \"rules\": [{\"name\": \"r\", \"output\": \"o\","
            + " \"contract\": \"c\", "
            + ruleFields
            + "}]}";
    Bundle bundle = BundleReader.read(json, "test.json");
    return bundle.rules().get(0);
  }

  protected static List<Op> ops(String opsJson) {
    return rule("\"ops\": " + opsJson).ops();
  }

  protected Dataset<Row> compile(String opsJson) {
    return compile(opsJson, Map.of());
  }

  protected Dataset<Row> compile(String opsJson, Map<String, Literal> params) {
    return new PlanCompiler(DatasetResolver.of(tables)).compile("r", ops(opsJson), params);
  }

  protected List<List<Object>> run(String opsJson) {
    return rows(compile(opsJson));
  }

  protected static List<List<Object>> rows(Dataset<Row> rows) {
    List<List<Object>> result = new ArrayList<>();
    for (Row row : rows.collectAsList()) {
      result.add(values(row));
    }
    return result;
  }

  private static List<Object> values(Row row) {
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < row.length(); i++) {
      Object value = row.get(i);
      if (value instanceof scala.collection.Seq<?> seq) {
        value = new ArrayList<>(scala.collection.JavaConverters.seqAsJavaList(seq));
      } else if (value instanceof byte[] bytes) {
        value = Arrays.toString(bytes);
      }
      values.add(value);
    }
    return values;
  }

  protected static List<Object> r(Object... values) {
    return Arrays.asList(values);
  }
}
