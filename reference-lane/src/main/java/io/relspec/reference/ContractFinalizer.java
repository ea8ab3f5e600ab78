package io.relspec.reference;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.OnViolation;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Finalizes an output by its contract (format v1, section 5): align the rules' rows to the
 * contract's columns (missing nullable columns null, extra columns dropped, widening casts), route
 * rows that violate nullability, {@code requiredNonNull} or a cast per {@code onViolation}, dedupe,
 * route every row of a {@code keyFields} value that occurs more than once as {@code duplicate_key},
 * then sort canonically. Rows in = rows out + routed rows + rows removed by dedupe.
 */
public final class ContractFinalizer {
  public static final String ERROR_CODE = "error_code";
  public static final String ERROR_COLUMN = "error_column";
  public static final String ERROR_MESSAGE = "error_message";
  public static final String RULE_NAME = "rule_name";
  static final String NULL_VIOLATION = "null_violation";
  static final String CAST_FAILURE = "cast_failure";
  static final String DUPLICATE_KEY = "duplicate_key";

  private final BufferAllocator allocator;
  private final int batchSize;
  private final long memoryLimit;

  public ContractFinalizer(BufferAllocator allocator, int batchSize) {
    this(allocator, batchSize, Long.MAX_VALUE);
  }

  /**
   * A finalizer whose heap working set (every output row as Java values, the dedupe and key maps,
   * the canonical sort's permutation) counts, with {@code allocator}'s Arrow buffers, against
   * {@code memoryLimit} (see {@link MemoryBudget}): passing it fails with {@code
   * INSUFFICIENT_RESOURCES} naming the output's first rule and op {@code finalize}.
   */
  public ContractFinalizer(BufferAllocator allocator, int batchSize, long memoryLimit) {
    this.allocator = allocator;
    this.batchSize = batchSize;
    this.memoryLimit = memoryLimit;
  }

  /** The rows one rule produced for the output. */
  public record RuleRows(String rule, Relation rows) {}

  /** One row routed away: its aligned values and why. */
  private record Violation(
      Object[] values, String code, String column, String message, String rule) {}

  /** The schema of {@code <output>__errors}: the contract's columns (nullable) and the reasons. */
  public static RelSchema errorSchema(ContractSpec contract) {
    List<Field> fields = new ArrayList<>();
    for (Field field : contract.columns()) {
      fields.add(field.withNullable(true));
    }
    fields.add(Field.notNull(ERROR_CODE, PrimitiveType.STRING));
    fields.add(Field.nullable(ERROR_COLUMN, PrimitiveType.STRING));
    fields.add(Field.notNull(ERROR_MESSAGE, PrimitiveType.STRING));
    fields.add(Field.notNull(RULE_NAME, PrimitiveType.STRING));
    return new RelSchema(fields);
  }

  /**
   * Finalizes the rows of {@code output}'s rules (in the output's rule order); the inputs are
   * borrowed, the caller closes the result.
   *
   * @throws io.relspec.ir.error.RelspecException {@code CONTRACT_VIOLATION} when the contract says
   *     {@code fail} and a row violates it
   */
  public OutputResult finalizeOutput(OutputPlan output, List<RuleRows> inputs) {
    try (MemoryBudget.Reservation heap =
        new MemoryBudget(allocator, memoryLimit)
            .reserve(output.rules().get(0).name(), "finalize")) {
      return finalizeOutput(output, inputs, heap);
    }
  }

  private OutputResult finalizeOutput(
      OutputPlan output, List<RuleRows> inputs, MemoryBudget.Reservation heap) {
    ContractSpec contract = output.contract();
    List<Field> columns = contract.columns();
    int width = columns.size();
    List<Object[]> kept = new ArrayList<>();
    List<Violation> violations = new ArrayList<>();
    List<String> rules = new ArrayList<>();
    long rowsIn = 0;
    List<Long> ruleRowsIn = new ArrayList<>();
    for (RuleRows input : inputs) {
      long before = rowsIn;
      int ruleIndex = rules.size();
      rules.add(input.rule());
      RelSchema schema = input.rows().schema();
      int[] source = new int[width];
      DataType[] from = new DataType[width];
      for (int c = 0; c < width; c++) {
        source[c] = schema.indexOf(columns.get(c).name());
        from[c] = source[c] < 0 ? null : schema.fields().get(source[c]).type();
      }
      for (VectorSchemaRoot batch : input.rows().batches()) {
        // each row as an Object[] of Java values (see MemoryBudget.column)
        heap.add(batch.getRowCount() * (32L + 28L * width) + 2L * batchBytes(batch));
        for (int r = 0; r < batch.getRowCount(); r++) {
          rowsIn++;
          Object[] values = new Object[width + 1];
          values[width] = ruleIndex;
          Violation violation = null;
          for (int c = 0; c < width; c++) {
            Field field = columns.get(c);
            Object raw = source[c] < 0 ? null : Values.read(batch.getVector(source[c]), r);
            Object value = raw == null ? null : Casts.cast(raw, from[c], field.type());
            values[c] = value;
            if (violation != null) {
              continue;
            }
            if (raw != null && value == null) {
              violation =
                  new Violation(
                      values,
                      CAST_FAILURE,
                      field.name(),
                      "Cannot cast column '"
                          + field.name()
                          + "' value "
                          + raw
                          + " to "
                          + field.type().typeString(),
                      input.rule());
            } else if (value == null
                && (!field.nullable() || contract.requiredNonNull().contains(field.name()))) {
              violation =
                  new Violation(
                      values,
                      NULL_VIOLATION,
                      field.name(),
                      "column '"
                          + field.name()
                          + "' is null but contract '"
                          + contract.name()
                          + "' requires a value",
                      input.rule());
            }
          }
          if (violation == null) {
            kept.add(values);
          } else {
            violations.add(violation);
          }
        }
      }
      ruleRowsIn.add(rowsIn - before);
    }

    // dedupe: per key the first row by orderBy, then every remaining column, then rule order
    long beforeDedupe = kept.size();
    if (contract.dedupe().isPresent()) {
      heap.addNow(96L * kept.size());
      kept = dedupe(kept, columns, contract.dedupe().get(), heap);
    }
    long deduplicated = beforeDedupe - kept.size();

    // keyFields: every row of a key value that occurs more than once is a duplicate_key
    if (!contract.keyFields().isEmpty()) {
      int[] keyColumns = contract.keyFields().stream().mapToInt(k -> indexOf(columns, k)).toArray();
      heap.addNow(96L * kept.size());
      Map<List<Object>, Integer> counts = new HashMap<>();
      for (Object[] row : kept) {
        counts.merge(key(row, keyColumns), 1, Integer::sum);
      }
      List<Object[]> unique = new ArrayList<>();
      for (Object[] row : kept) {
        List<Object> key = key(row, keyColumns);
        int count = counts.get(key);
        if (count > 1) {
          violations.add(
              new Violation(
                  row,
                  DUPLICATE_KEY,
                  contract.keyFields().get(0),
                  "key "
                      + contract.keyFields()
                      + " = "
                      + Arrays.stream(keyColumns)
                          .mapToObj(c -> String.valueOf(row[c]))
                          .collect(Collectors.joining(", ", "(", ")"))
                      + " occurs "
                      + count
                      + " times",
                  rules.get((Integer) row[width])));
        } else {
          unique.add(row);
        }
      }
      kept = unique;
    }

    if (!violations.isEmpty() && contract.onViolation() == OnViolation.FAIL) {
      Violation first = violations.get(0);
      throw LaneErrors.contractViolation(
          output.name(),
          contract.name(),
          violations.size(),
          first.rule(),
          first.code() + " in column '" + first.column() + "': " + first.message());
    }

    if (!contract.canonicalSort().isEmpty()) {
      List<SortKey> keys = contract.canonicalSort();
      heap.addNow((24L + 4L * keys.size()) * kept.size());
      List<Object[]> sortColumns = new ArrayList<>();
      for (SortKey key : keys) {
        int c = indexOf(columns, key.column());
        Object[] values = new Object[kept.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = kept.get(i)[c];
        }
        sortColumns.add(values);
      }
      Integer[] order = new Integer[kept.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, RowOrder.of(sortColumns, keys));
      List<Object[]> sorted = new ArrayList<>(kept.size());
      for (int i : order) {
        sorted.add(kept.get(i));
      }
      kept = sorted;
    }

    Relation rows = write(new RelSchema(columns), kept, width);
    Optional<Relation> errors = Optional.empty();
    long quarantined = 0;
    long dropped = 0;
    if (contract.onViolation() == OnViolation.QUARANTINE) {
      quarantined = violations.size();
      List<Object[]> errorRows = new ArrayList<>();
      for (Violation v : violations) {
        Object[] row = Arrays.copyOf(v.values(), width + 4);
        row[width] = v.code();
        row[width + 1] = v.column();
        row[width + 2] = v.message();
        row[width + 3] = v.rule();
        errorRows.add(row);
      }
      try {
        errors = Optional.of(write(errorSchema(contract), errorRows, width + 4));
      } catch (RuntimeException e) {
        rows.close();
        throw e;
      }
    } else {
      dropped = violations.size();
    }
    Map<String, Long> byCode = new LinkedHashMap<>();
    for (Violation v : violations) {
      byCode.merge(v.code(), 1L, Long::sum);
    }
    long[] ruleIn = new long[rules.size()];
    long[] ruleOut = new long[rules.size()];
    long[] ruleViolations = new long[rules.size()];
    long[] ruleDeduplicated = new long[rules.size()];
    for (Object[] row : kept) {
      ruleOut[(Integer) row[width]]++;
    }
    for (Violation v : violations) {
      ruleViolations[rules.indexOf(v.rule())]++;
    }
    for (int i = 0; i < rules.size(); i++) {
      ruleIn[i] = ruleRowsIn.get(i);
      ruleDeduplicated[i] = ruleIn[i] - ruleOut[i] - ruleViolations[i];
    }
    List<RuleAccounting> perRule = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      perRule.add(
          new RuleAccounting(
              rules.get(i), ruleIn[i], ruleOut[i], ruleViolations[i], ruleDeduplicated[i]));
    }
    Accounting accounting =
        new Accounting(
            rowsIn,
            kept.size(),
            quarantined,
            dropped,
            deduplicated,
            byCode.getOrDefault(NULL_VIOLATION, 0L),
            byCode.getOrDefault(CAST_FAILURE, 0L),
            byCode.getOrDefault(DUPLICATE_KEY, 0L));
    return new OutputResult(output.name(), rows, errors, accounting, perRule);
  }

  private static List<Object[]> dedupe(
      List<Object[]> rows,
      List<Field> columns,
      ContractSpec.DedupeSpec spec,
      MemoryBudget.Reservation heap) {
    List<String> names = columns.stream().map(Field::name).toList();
    List<SortKey> order = new ArrayList<>(RowOrder.withRemaining(spec.orderBy(), names));
    // order columns taken from the rows only when a comparison first reaches them
    RowOrder rowOrder =
        RowOrder.lazy(
            order,
            k -> {
              int c = names.indexOf(order.get(k).column());
              Object[] values = new Object[rows.size()];
              for (int i = 0; i < values.length; i++) {
                values[i] = rows.get(i)[c];
              }
              return values;
            });
    Object[][] keyValues = new Object[spec.keys().size()][];
    for (int k = 0; k < keyValues.length; k++) {
      int c = names.indexOf(spec.keys().get(k));
      Object[] values = new Object[rows.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = rows.get(i)[c];
      }
      keyValues[k] = values;
    }
    // ties on every column: the earlier rule (priority order) wins, as it came first
    int[] winners = FirstPerKey.winners(keyValues, rows.size(), rowOrder::compareRows, heap);
    List<Object[]> out = new ArrayList<>(winners.length);
    for (int i : winners) {
      out.add(rows.get(i));
    }
    return out;
  }

  private static List<Object> key(Object[] row, int[] columns) {
    List<Object> key = new ArrayList<>(columns.length);
    for (int c : columns) {
      key.add(Values.key(row[c]));
    }
    return key;
  }

  private static int indexOf(List<Field> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("Cannot find contract column '" + name + "'");
  }

  private Relation write(RelSchema schema, List<Object[]> rows, int width) {
    try (BatchBuilder out = new BatchBuilder(schema, allocator, batchSize)) {
      for (Object[] row : rows) {
        out.startRow();
        for (int c = 0; c < width; c++) {
          out.set(c, row[c]);
        }
        out.endRow();
      }
      return out.finish();
    }
  }

  private static long batchBytes(VectorSchemaRoot batch) {
    long bytes = 0;
    for (org.apache.arrow.vector.FieldVector vector : batch.getFieldVectors()) {
      bytes += vector.getBufferSize();
    }
    return bytes;
  }
}
