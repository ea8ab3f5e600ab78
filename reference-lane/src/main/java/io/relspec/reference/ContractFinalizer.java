package io.relspec.reference;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.OnViolation;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.plan.UniqueKeys;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
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

  /** One row routed away: the input row ({@link InputRows}) and why. */
  private record Violation(int row, String code, String column, String message, int rule) {}

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
    List<String> rules = inputs.stream().map(RuleRows::rule).toList();
    InputRows in = new InputRows(inputs, columns, heap);

    // align and check every row: the first column (in contract order) that violates decides
    List<Violation> violations = new ArrayList<>();
    heap.addNow(4L * in.size);
    int[] kept = new int[in.size];
    int keptCount = 0;
    boolean[] required = new boolean[width];
    for (int c = 0; c < width; c++) {
      Field field = columns.get(c);
      required[c] = !field.nullable() || contract.requiredNonNull().contains(field.name());
    }
    int[] checked = new int[width];
    for (int i = 0; i < in.size; ) {
      // one input batch at a time: only its columns that can violate are checked per row
      int rule = in.ruleOf[i];
      int batch = in.batchOf[i];
      int rows = in.batches[rule][batch].getRowCount();
      int checks = 0;
      for (int c = 0; c < width; c++) {
        boolean casts = in.source[rule][c] >= 0 && !in.sameType[rule][c];
        boolean nulls = in.source[rule][c] < 0 || in.vector(rule, batch, c).getNullCount() > 0;
        if (casts || (required[c] && nulls)) {
          checked[checks++] = c;
        }
      }
      for (int r = 0; r < rows; r++, i++) {
        Violation violation = null;
        for (int k = 0; k < checks && violation == null; k++) {
          violation = violation(in, i, checked[k], required[checked[k]], contract);
        }
        if (violation == null) {
          kept[keptCount++] = i;
        } else {
          violations.add(violation);
        }
      }
    }
    kept = Arrays.copyOf(kept, keptCount);

    // dedupe: per key the first row by orderBy, then every remaining column, then rule order
    long beforeDedupe = kept.length;
    if (contract.dedupe().isPresent()
        && !dedupeKeepsEveryRow(output, c -> in.source[0][c] >= 0 && in.sameType[0][c])) {
      kept = dedupe(in, kept, columns, contract.dedupe().get(), heap);
    }
    long deduplicated = beforeDedupe - kept.length;

    // keyFields: every row of a key value that occurs more than once is a duplicate_key
    if (!contract.keyFields().isEmpty()) {
      int[] keyColumns = contract.keyFields().stream().mapToInt(k -> indexOf(columns, k)).toArray();
      Object[][] keyValues = new Object[keyColumns.length][];
      for (int k = 0; k < keyColumns.length; k++) {
        keyValues[k] = in.column(keyColumns[k], kept, heap);
      }
      FirstPerKey.KeyIds ids = FirstPerKey.ids(keyValues, kept.length, heap);
      int[] counts = new int[ids.count()];
      for (int id : ids.ids()) {
        counts[id]++;
      }
      int[] unique = new int[kept.length];
      int uniqueCount = 0;
      for (int j = 0; j < kept.length; j++) {
        int row = kept[j];
        int count = counts[ids.ids()[j]];
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
                          .mapToObj(c -> String.valueOf(in.value(c, row)))
                          .collect(Collectors.joining(", ", "(", ")"))
                      + " occurs "
                      + count
                      + " times",
                  in.ruleOf[row]));
        } else {
          unique[uniqueCount++] = row;
        }
      }
      kept = Arrays.copyOf(unique, uniqueCount);
    }

    if (!violations.isEmpty() && contract.onViolation() == OnViolation.FAIL) {
      Violation first = violations.get(0);
      throw LaneErrors.contractViolation(
          output.name(),
          contract.name(),
          violations.size(),
          rules.get(first.rule()),
          first.code() + " in column '" + first.column() + "': " + first.message());
    }

    if (!contract.canonicalSort().isEmpty()) {
      List<SortKey> keys = contract.canonicalSort();
      List<Object[]> sortColumns = new ArrayList<>();
      for (SortKey key : keys) {
        sortColumns.add(in.column(indexOf(columns, key.column()), kept, heap));
      }
      heap.addNow(MemoryBudget.columnSort(kept.length));
      int[] order = ColumnSort.order(sortColumns, keys, kept.length);
      int[] sorted = new int[kept.length];
      for (int j = 0; j < sorted.length; j++) {
        sorted[j] = kept[order[j]];
      }
      kept = sorted;
    }

    Relation rows = write(new RelSchema(columns), in, kept, List.of(), heap);
    Optional<Relation> errors = Optional.empty();
    long quarantined = 0;
    long dropped = 0;
    if (contract.onViolation() == OnViolation.QUARANTINE) {
      quarantined = violations.size();
      int[] errorRows = violations.stream().mapToInt(Violation::row).toArray();
      try {
        errors = Optional.of(write(errorSchema(contract), in, errorRows, violations, heap));
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
    for (int row : kept) {
      ruleOut[in.ruleOf[row]]++;
    }
    for (Violation v : violations) {
      ruleViolations[v.rule()]++;
    }
    List<RuleAccounting> perRule = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      ruleIn[i] = inputs.get(i).rows().rowCount();
      ruleDeduplicated[i] = ruleIn[i] - ruleOut[i] - ruleViolations[i];
      perRule.add(
          new RuleAccounting(
              rules.get(i), ruleIn[i], ruleOut[i], ruleViolations[i], ruleDeduplicated[i]));
    }
    Accounting accounting =
        new Accounting(
            in.size,
            kept.length,
            quarantined,
            dropped,
            deduplicated,
            byCode.getOrDefault(NULL_VIOLATION, 0L),
            byCode.getOrDefault(CAST_FAILURE, 0L),
            byCode.getOrDefault(DUPLICATE_KEY, 0L));
    return new OutputResult(output.name(), rows, errors, accounting, perRule);
  }

  /** Whether input row {@code i} violates the contract in column {@code c}, and how. */
  private static Violation violation(
      InputRows in, int i, int c, boolean required, ContractSpec contract) {
    Field field = contract.columns().get(c);
    Object raw = in.raw(c, i);
    Object value = in.cast(c, i, raw);
    if (raw != null && value == null) {
      return new Violation(
          i,
          CAST_FAILURE,
          field.name(),
          "Cannot cast column '"
              + field.name()
              + "' value "
              + raw
              + " to "
              + field.type().typeString(),
          in.ruleOf[i]);
    }
    if (value == null && required) {
      return new Violation(
          i,
          NULL_VIOLATION,
          field.name(),
          "column '"
              + field.name()
              + "' is null but contract '"
              + contract.name()
              + "' requires a value",
          in.ruleOf[i]);
    }
    return null;
  }

  /**
   * Whether the contract's dedupe provably removes nothing ({@link
   * UniqueKeys#contractDedupeKeepsEveryRow}), as Spark's finalizer decides too.
   *
   * @param unchanged whether the contract's column {@code c} is the first rule's column as it is
   */
  static boolean dedupeKeepsEveryRow(OutputPlan output, java.util.function.IntPredicate unchanged) {
    List<String> names = output.contract().columns().stream().map(Field::name).toList();
    return UniqueKeys.contractDedupeKeepsEveryRow(
        output.contract(),
        output.rules().size(),
        UniqueKeys.of(output.rules().get(0).ops()),
        column -> unchanged.test(names.indexOf(column)));
  }

  /** The rows of {@code kept} that dedupe keeps, in first-seen key order. */
  private static int[] dedupe(
      InputRows in,
      int[] kept,
      List<Field> columns,
      ContractSpec.DedupeSpec spec,
      MemoryBudget.Reservation heap) {
    // ties on every column: the earlier rule (priority order) wins, as it came first
    int[] winners =
        FirstPerKey.dedupe(
            columns.stream().map(Field::name).toList(),
            spec.keys(),
            spec.orderBy(),
            kept.length,
            name -> in.column(indexOf(columns, name), kept, heap),
            java.util.Optional.empty(),
            heap);
    int[] out = new int[winners.length];
    for (int j = 0; j < winners.length; j++) {
      out[j] = kept[winners[j]];
    }
    return out;
  }

  private static int indexOf(List<Field> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("Cannot find contract column '" + name + "'");
  }

  /**
   * Input rows {@code rows}, aligned to the contract's columns, as batches of {@code schema}: the
   * contract's columns, then (for errors) each violation's code, column, message and rule.
   */
  private Relation write(
      RelSchema schema,
      InputRows in,
      int[] rows,
      List<Violation> reasons,
      MemoryBudget.Reservation heap) {
    int width = in.columns.size();
    List<Function<Violation, String>> reason =
        List.of(
            Violation::code, Violation::column, Violation::message, v -> in.rules.get(v.rule()));
    return RowGather.gather(
        schema,
        allocator,
        batchSize,
        rows,
        c -> {
          if (c < width) {
            return in.gathered(c, rows);
          }
          Function<Violation, String> part = reason.get(c - width);
          return new RowGather.Computed(j -> part.apply(reasons.get(j)));
        },
        heap);
  }

  /**
   * Every input row of an output, over its rules in order, addressed by one int, read through the
   * contract's columns: each column's value as the rule wrote it (raw) or cast to the contract's
   * type; null where the rule has no such column.
   */
  private static final class InputRows {
    final List<String> rules;
    final List<Field> columns;
    final VectorSchemaRoot[][] batches;

    /** The rule, batch and row in the batch of each input row. */
    final int[] ruleOf;

    final int[] batchOf;
    final int[] rowOf;
    final int size;

    /** Per rule, per contract column: the rule's column, or -1. */
    final int[][] source;

    final DataType[][] from;
    final boolean[][] sameType;

    /** Per contract column, the values read so far (see {@link #column}) and which rows. */
    private final Object[][] read;

    private final boolean[][] readRows;

    InputRows(List<RuleRows> inputs, List<Field> columns, MemoryBudget.Reservation heap) {
      this.rules = inputs.stream().map(RuleRows::rule).toList();
      this.columns = columns;
      int width = columns.size();
      long total = 0;
      batches = new VectorSchemaRoot[inputs.size()][];
      source = new int[inputs.size()][width];
      from = new DataType[inputs.size()][width];
      sameType = new boolean[inputs.size()][width];
      read = new Object[width][];
      readRows = new boolean[width][];
      for (int rule = 0; rule < inputs.size(); rule++) {
        Relation relation = inputs.get(rule).rows();
        total += relation.rowCount();
        batches[rule] = relation.batches().toArray(new VectorSchemaRoot[0]);
        RelSchema schema = relation.schema();
        for (int c = 0; c < width; c++) {
          int s = schema.indexOf(columns.get(c).name());
          source[rule][c] = s;
          from[rule][c] = s < 0 ? null : schema.fields().get(s).type();
          sameType[rule][c] = s >= 0 && from[rule][c].equals(columns.get(c).type());
        }
      }
      if (total > Integer.MAX_VALUE - 8) {
        throw LaneErrors.tooManyRows(total);
      }
      size = (int) total;
      heap.addNow(12L * size);
      ruleOf = new int[size];
      batchOf = new int[size];
      rowOf = new int[size];
      int i = 0;
      for (int rule = 0; rule < batches.length; rule++) {
        for (int b = 0; b < batches[rule].length; b++) {
          int rows = batches[rule][b].getRowCount();
          for (int r = 0; r < rows; r++, i++) {
            ruleOf[i] = rule;
            batchOf[i] = b;
            rowOf[i] = r;
          }
        }
      }
    }

    FieldVector vector(int rule, int batch, int c) {
      return batches[rule][batch].getVector(source[rule][c]);
    }

    /** Column {@code c} of row {@code i} as the rule wrote it; null where the rule lacks it. */
    Object raw(int c, int i) {
      int rule = ruleOf[i];
      return source[rule][c] < 0 ? null : Values.read(vector(rule, batchOf[i], c), rowOf[i]);
    }

    /** {@code raw}, the raw value of column {@code c} of row {@code i}, as the contract's type. */
    Object cast(int c, int i, Object raw) {
      int rule = ruleOf[i];
      return raw == null || sameType[rule][c]
          ? raw
          : Casts.cast(raw, from[rule][c], columns.get(c).type());
    }

    /** Column {@code c} of row {@code i} as the contract's type. */
    Object value(int c, int i) {
      return cast(c, i, raw(c, i));
    }

    /**
     * The values of column {@code c} of {@code rows}, in a new array; each row's value is read once
     * per column whatever the steps asking for it (dedupe, keyFields and the canonical sort often
     * share columns) and added to {@code heap}.
     */
    Object[] column(int c, int[] rows, MemoryBudget.Reservation heap) {
      if (read[c] == null) {
        heap.addNow(16L + 8L * size);
        read[c] = new Object[size];
        readRows[c] = new boolean[size];
      }
      Object[] cached = read[c];
      boolean[] done = readRows[c];
      heap.addNow(16L + 8L * rows.length);
      Object[] values = new Object[rows.length];
      for (int j = 0; j < rows.length; j++) {
        int i = rows[j];
        if (!done[i]) {
          Object value = value(c, i);
          heap.add(MemoryBudget.value(value));
          cached[i] = value;
          done[i] = true;
        }
        values[j] = cached[i];
      }
      return values;
    }

    /**
     * Column {@code c} of input rows {@code rows} for a {@link RowGather}: picked from the rules'
     * vectors when every rule has the column with the contract's type, else computed row by row.
     */
    RowGather.Column gathered(int c, int[] rows) {
      List<FieldVector> parts = new ArrayList<>();
      for (int rule = 0; rule < batches.length; rule++) {
        if (!sameType[rule][c]) {
          return new RowGather.Computed(j -> value(c, rows[j]));
        }
        for (int b = 0; b < batches[rule].length; b++) {
          parts.add(vector(rule, b, c));
        }
      }
      return new RowGather.Picked(parts);
    }
  }
}
