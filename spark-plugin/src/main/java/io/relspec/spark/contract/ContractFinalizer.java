package io.relspec.spark.contract;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.UniqueKeys;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.TypeRules;
import io.relspec.spark.SparkErrors;
import io.relspec.spark.compile.ExprCompiler;
import io.relspec.spark.compile.Scope;
import io.relspec.spark.compile.SparkTypes;
import io.relspec.spark.compile.Typed;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.IsNotNull;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Finalizes the rows of one output under its contract (format v1, section 5): align to the
 * contract's columns, check nullability, requiredNonNull and types, mark violating rows, dedupe,
 * check key uniqueness. The result tags every input row with a status, so nothing is silently lost:
 * rows in = rows out + violating rows + rows removed by the contract's dedupe.
 */
public final class ContractFinalizer {
  /** Column names of the {@code <output>__errors} dataset, after the contract's columns. */
  public static final String ERROR_CODE = "error_code";

  public static final String ERROR_COLUMN = "error_column";
  public static final String ERROR_MESSAGE = "error_message";
  public static final String RULE_NAME = "rule_name";

  /** Status values of a finalized row. */
  public static final String OK = "ok";

  public static final String NULL_VIOLATION = "null_violation";
  public static final String CAST_FAILURE = "cast_failure";
  public static final String DUPLICATE_KEY = "duplicate_key";
  public static final String DEDUPLICATED = "deduplicated";

  static final String STATUS = "__relspec_status";
  static final String ERR_COLUMN = "__relspec_error_column";
  static final String ERR_MESSAGE = "__relspec_error_message";
  public static final String RULE = "__relspec_rule";
  private static final String TMP = "__relspec_c";
  private static final String KEY_COUNT = "__relspec_key_count";

  private static final java.util.regex.Pattern FINALIZATION_COLUMN =
      java.util.regex.Pattern.compile("__relspec_(c\\d+|status|error_column|error_message|rule)");

  private ContractFinalizer() {}

  /** Whether a column is one the finalizer adds (status, error, rule, per-column checks). */
  public static boolean isFinalizationColumn(String name) {
    return FINALIZATION_COLUMN.matcher(name).matches();
  }

  /**
   * The rows one rule produced for the output.
   *
   * @param uniqueBy columns the rows are known to be unique by ({@link
   *     io.relspec.ir.plan.UniqueKeys}), empty when unknown
   */
  public record RuleRows(String rule, Dataset<Row> rows, Optional<Set<String>> uniqueBy) {
    public RuleRows(String rule, Dataset<Row> rows) {
      this(rule, rows, Optional.empty());
    }

    /** A rule's rows, with the columns its ops make them unique by ({@link UniqueKeys#of}). */
    public static RuleRows of(RelPlan plan, Dataset<Row> rows) {
      return new RuleRows(plan.name(), rows, UniqueKeys.of(plan.ops()));
    }
  }

  /**
   * @param output the output dataset's name
   * @param contract the output's contract
   * @param inputs every rule's rows, in (priority, name) order
   */
  public static Finalization finalize(String output, ContractSpec contract, List<RuleRows> inputs) {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("Cannot finalize output '" + output + "': no rule rows");
    }
    checkColumns(output, contract);
    Dataset<Row> all = null;
    for (RuleRows input : inputs) {
      Dataset<Row> aligned = align(output, contract, input);
      all = all == null ? aligned : all.union(aligned);
    }
    Dataset<Row> tagged = all;
    if (contract.dedupe().isPresent() && !dedupeKeepsEveryRow(contract, inputs)) {
      tagged = dedupe(tagged, contract);
    }
    return new Finalization(output, contract, tagged);
  }

  /**
   * Whether the contract's dedupe provably removes nothing ({@link
   * UniqueKeys#contractDedupeKeepsEveryRow}); the window it would take (a shuffle and sort of every
   * row) is then skipped, and the rows and counts are the same.
   */
  static boolean dedupeKeepsEveryRow(ContractSpec contract, List<RuleRows> inputs) {
    if (inputs.isEmpty()) {
      return false;
    }
    org.apache.spark.sql.types.StructType produced = inputs.get(0).rows().schema();
    return UniqueKeys.contractDedupeKeepsEveryRow(
        contract,
        inputs.size(),
        inputs.get(0).uniqueBy(),
        column ->
            List.of(produced.fieldNames()).contains(column)
                && produced
                    .apply(column)
                    .dataType()
                    .equals(SparkTypes.toSpark(contract.column(column).orElseThrow().type())));
  }

  private static void checkColumns(String output, ContractSpec contract) {
    Set<String> names = new HashSet<>();
    contract.columns().forEach(f -> names.add(f.name()));
    List<String> referenced = new ArrayList<>(contract.keyFields());
    referenced.addAll(contract.requiredNonNull());
    contract.dedupe().ifPresent(d -> referenced.addAll(d.keys()));
    contract.dedupe().ifPresent(d -> d.orderBy().forEach(k -> referenced.add(k.column())));
    contract.canonicalSort().forEach(k -> referenced.add(k.column()));
    for (String name : referenced) {
      if (!names.contains(name)) {
        throw SparkErrors.unknownColumn(
            "contract '" + contract.name() + "' of output '" + output + "'", name, names);
      }
    }
  }

  private static Dataset<Row> align(String output, ContractSpec contract, RuleRows input) {
    Dataset<Row> rows = input.rows();
    Scope scope = Scope.of(rows);
    Set<String> present = new HashSet<>(List.of(rows.columns()));
    List<Column> values = new ArrayList<>();
    List<Column> violations = new ArrayList<>();
    for (int i = 0; i < contract.columns().size(); i++) {
      Field field = contract.columns().get(i);
      boolean required = !field.nullable() || contract.requiredNonNull().contains(field.name());
      Typed value;
      Column violation = functions.lit(null).cast("string");
      if (present.contains(field.name())) {
        Typed source = scope.resolve(new ColumnRef(field.name()), "rule '" + input.rule() + "'");
        if (TypeRules.canWiden(source.type(), field.type())) {
          value = ExprCompiler.widen(source, field.type());
        } else {
          value = ExprCompiler.tryCast(source, field.type());
          Column failed =
              new Column(new And(new IsNotNull(source.expr()), new IsNull(value.expr())));
          violation = functions.when(failed, functions.lit(CAST_FAILURE));
        }
      } else {
        value = ExprCompiler.nullOf(field.type());
      }
      if (required) {
        Column isNull = value.column().isNull();
        violation =
            functions.coalesce(violation, functions.when(isNull, functions.lit(NULL_VIOLATION)));
      }
      values.add(value.column().as(field.name()));
      violations.add(violation.as(TMP + i));
    }
    List<Column> stage = new ArrayList<>(values);
    stage.addAll(violations);
    stage.add(functions.lit(input.rule()).as(RULE));
    Dataset<Row> checked;
    try {
      checked = rows.select(stage.toArray(Column[]::new));
    } catch (Exception e) {
      // Scala throws AnalysisException (a checked exception to Java) without declaring it.
      if (e instanceof AnalysisException analysis) {
        throw castError(output, contract, input, rows, analysis);
      }
      throw e;
    }
    Column status = functions.lit(OK);
    Column errorColumn = functions.lit(null).cast("string");
    Column message = functions.lit(null).cast("string");
    for (int i = contract.columns().size() - 1; i >= 0; i--) {
      Field field = contract.columns().get(i);
      Column v = checked.col(TMP + i);
      String source =
          present.contains(field.name())
              ? "column '" + field.name() + "'"
              : "column '" + field.name() + "' (missing from the rule's rows)";
      Column text =
          functions
              .when(
                  v.equalTo(CAST_FAILURE),
                  functions.lit(
                      source
                          + " has a value that cannot be cast to "
                          + field.type().typeString()
                          + " as contract '"
                          + contract.name()
                          + "' requires"))
              .otherwise(
                  functions.lit(
                      source + " is null but contract '" + contract.name() + "' requires a value"));
      status = functions.when(v.isNotNull(), v).otherwise(status);
      errorColumn =
          functions.when(v.isNotNull(), functions.lit(field.name())).otherwise(errorColumn);
      message = functions.when(v.isNotNull(), text).otherwise(message);
    }
    List<Column> out = new ArrayList<>();
    for (Field field : contract.columns()) {
      out.add(checked.col(field.name()));
    }
    out.add(status.as(STATUS));
    out.add(errorColumn.as(ERR_COLUMN));
    out.add(message.as(ERR_MESSAGE));
    out.add(checked.col(RULE));
    return checked.select(out.toArray(Column[]::new));
  }

  private static RuntimeException castError(
      String output,
      ContractSpec contract,
      RuleRows input,
      Dataset<Row> rows,
      AnalysisException cause) {
    for (Field field : contract.columns()) {
      for (org.apache.spark.sql.types.StructField column : rows.schema().fields()) {
        if (column.name().equals(field.name())
            && !org.apache.spark.sql.catalyst.expressions.Cast.canTryCast(
                column.dataType(), SparkTypes.toSpark(field.type()))) {
          return SparkErrors.cannotCast(
              output, input.rule(), field.name(), column.dataType().simpleString(), field.type());
        }
      }
    }
    return SparkErrors.internal(
        "align rule '" + input.rule() + "' to output '" + output + "'", cause);
  }

  private static Dataset<Row> dedupe(Dataset<Row> tagged, ContractSpec contract) {
    ContractSpec.DedupeSpec spec = contract.dedupe().orElseThrow();
    Column isOk = tagged.col(STATUS).equalTo(OK);
    List<Column> partition = new ArrayList<>();
    partition.add(isOk);
    spec.keys().forEach(k -> partition.add(tagged.col(k)));
    List<Column> order = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (SortKey key : spec.orderBy()) {
      order.add(sortOrder(tagged.col(key.column()), key));
      used.add(key.column());
    }
    for (Field field : contract.columns()) {
      if (!used.contains(field.name())) {
        order.add(tagged.col(field.name()).asc_nulls_last());
      }
    }
    WindowSpec window =
        Window.partitionBy(partition.toArray(Column[]::new)).orderBy(order.toArray(Column[]::new));
    Column rank = functions.row_number().over(window);
    Column status =
        functions
            .when(isOk.and(rank.gt(1)), functions.lit(DEDUPLICATED))
            .otherwise(tagged.col(STATUS));
    return replaceStatus(tagged, status, tagged.col(ERR_COLUMN), tagged.col(ERR_MESSAGE));
  }

  /**
   * Key uniqueness as a window count per key over every row: lazy, for rows nobody persists (the
   * SQL table function, the notebook API) and for outputs with many duplicate keys.
   */
  static Dataset<Row> checkKeysByWindow(Dataset<Row> tagged, ContractSpec contract) {
    Column isOk = tagged.col(STATUS).equalTo(OK);
    List<Column> partition = new ArrayList<>();
    partition.add(isOk);
    contract.keyFields().forEach(k -> partition.add(tagged.col(k)));
    Column count =
        functions
            .count(functions.lit(1))
            .over(Window.partitionBy(partition.toArray(Column[]::new)));
    return markDuplicates(tagged, contract, isOk.and(count.gt(1)), count);
  }

  /** Keys found more than this many times go through {@link #checkKeysByWindow}. */
  static final int BROADCAST_DUPLICATE_KEYS = 100_000;

  /**
   * Key uniqueness over persisted rows: one aggregate counts the rows of each key (a shuffle of the
   * key columns only) and counts the keys that occur more than once; a single integral key is
   * counted by {@link IntegralKeyCount} instead of an aggregate. None (the usual case): the rows
   * are as they are. A few: they are collected and joined back, broadcast, to mark the rows that
   * have them. More than {@code broadcastLimit}: {@link #checkKeysByWindow}. Runs a job over {@code
   * tagged}, and a second one when there are duplicates.
   */
  static Dataset<Row> checkKeysByCount(
      Dataset<Row> tagged, ContractSpec contract, int broadcastLimit) {
    Column isOk = tagged.col(STATUS).equalTo(OK);
    List<String> keys = contract.keyFields();
    List<Column> keyColumns = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      keyColumns.add(tagged.col(keys.get(i)).as(TMP + "k" + i));
    }
    Dataset<Row> okKeys = tagged.filter(isOk).select(keyColumns.toArray(Column[]::new));
    long duplicateKeys;
    Supplier<List<Row>> found;
    StructType foundSchema;
    DataType firstType = okKeys.schema().fields()[0].dataType();
    if (keys.size() == 1 && IntegralKeyCount.supports(firstType)) {
      IntegralKeyCount counted = IntegralKeyCount.of(okKeys);
      duplicateKeys = counted.count();
      found = counted::rows;
      foundSchema =
          new StructType()
              .add(TMP + "k0", firstType, true)
              .add(KEY_COUNT, DataTypes.LongType, false);
    } else {
      Dataset<Row> duplicates =
          okKeys
              .groupBy(
                  java.util.Arrays.stream(okKeys.columns()).map(okKeys::col).toArray(Column[]::new))
              .agg(functions.count(functions.lit(1)).as(KEY_COUNT))
              .filter(functions.col(KEY_COUNT).gt(1));
      // One job counts the duplicate keys over every partition at once; collecting them through a
      // limit instead ran the final aggregate in rounds of partitions (1, then 4 times more),
      // which left cores idle in the usual case of no duplicates.
      duplicateKeys = duplicates.count();
      found = duplicates::collectAsList;
      foundSchema = duplicates.schema();
    }
    if (duplicateKeys == 0) {
      return tagged;
    }
    if (duplicateKeys > broadcastLimit) {
      return checkKeysByWindow(tagged, contract);
    }
    Dataset<Row> known =
        functions.broadcast(tagged.sparkSession().createDataFrame(found.get(), foundSchema));
    Column matches = isOk;
    for (int i = 0; i < keys.size(); i++) {
      matches = matches.and(tagged.col(keys.get(i)).eqNullSafe(known.col(TMP + "k" + i)));
    }
    Dataset<Row> joined = tagged.join(known, matches, "left_outer");
    Column count = joined.col(KEY_COUNT);
    Dataset<Row> marked = markDuplicates(joined, contract, count.isNotNull(), count);
    return marked.select(
        java.util.Arrays.stream(tagged.columns()).map(marked::col).toArray(Column[]::new));
  }

  private static Dataset<Row> markDuplicates(
      Dataset<Row> tagged, ContractSpec contract, Column duplicate, Column count) {
    String keys = String.join(", ", contract.keyFields());
    Column message =
        functions.concat(
            functions.lit("key (" + keys + ") is not unique: "),
            count.cast("string"),
            functions.lit(" rows of contract '" + contract.name() + "' have it"));
    return replaceStatus(
        tagged,
        functions.when(duplicate, functions.lit(DUPLICATE_KEY)).otherwise(tagged.col(STATUS)),
        functions
            .when(duplicate, functions.lit(contract.keyFields().get(0)))
            .otherwise(tagged.col(ERR_COLUMN)),
        functions.when(duplicate, message).otherwise(tagged.col(ERR_MESSAGE)));
  }

  private static Dataset<Row> replaceStatus(
      Dataset<Row> tagged, Column status, Column errorColumn, Column message) {
    List<Column> columns = new ArrayList<>();
    for (String name : tagged.columns()) {
      switch (name) {
        case STATUS -> columns.add(status.as(STATUS));
        case ERR_COLUMN -> columns.add(errorColumn.as(ERR_COLUMN));
        case ERR_MESSAGE -> columns.add(message.as(ERR_MESSAGE));
        default -> columns.add(tagged.col(name));
      }
    }
    return tagged.select(columns.toArray(Column[]::new));
  }

  static Column sortOrder(Column column, SortKey key) {
    boolean asc = key.direction() == SortKey.Direction.ASC;
    boolean nullsFirst = key.nulls() == SortKey.NullOrder.FIRST;
    if (asc) {
      return nullsFirst ? column.asc_nulls_first() : column.asc_nulls_last();
    }
    return nullsFirst ? column.desc_nulls_first() : column.desc_nulls_last();
  }
}
