package io.relspec.spark.contract;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.OnViolation;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.type.Field;
import io.relspec.spark.SparkErrors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.KnownNotNull;
import org.apache.spark.storage.StorageLevel;

/**
 * The finalized rows of one output: every input row tagged with its status. {@link #rows()} and
 * {@link #errors()} are views of the same tagged rows; call {@link #persist()} before using several
 * of them, so the rules run once.
 *
 * <p>The contract's key uniqueness is checked last: on rows nobody persists, as a window count per
 * key; on persisted rows, by counting keys first ({@link ContractFinalizer#checkKeysByCount}),
 * which the first of {@link #counts()}, {@link #rows()} or {@link #errors()} does.
 */
public final class Finalization {
  private static final List<String> VIOLATIONS =
      List.of(
          ContractFinalizer.NULL_VIOLATION,
          ContractFinalizer.CAST_FAILURE,
          ContractFinalizer.DUPLICATE_KEY);

  private final String output;
  private final ContractSpec contract;
  private final Dataset<Row> checked;
  private boolean persisted;
  private Dataset<Row> tagged;

  /**
   * @param checked the rows with every status but the key check's
   */
  Finalization(String output, ContractSpec contract, Dataset<Row> checked) {
    this.output = output;
    this.contract = contract;
    this.checked = checked;
  }

  public String output() {
    return output;
  }

  public ContractSpec contract() {
    return contract;
  }

  /** Every input row with the contract's columns, status, error column/message and rule. */
  public Dataset<Row> tagged() {
    if (tagged == null) {
      if (contract.keyFields().isEmpty()) {
        tagged = checked;
      } else if (persisted) {
        tagged =
            ContractFinalizer.checkKeysByCount(
                checked, contract, ContractFinalizer.BROADCAST_DUPLICATE_KEYS);
      } else {
        tagged = ContractFinalizer.checkKeysByWindow(checked, contract);
      }
    }
    return tagged;
  }

  /** The rows {@link #persist()} caches: {@link #tagged()} before the key check. */
  public Dataset<Row> persisted() {
    return checked;
  }

  /** Spark's switch for compressing the columns of cached batches (default true). */
  static final String CACHE_COMPRESSION = "spark.sql.inMemoryColumnarStorage.compressed";

  /**
   * Caches the rows for the jobs that read them (counts, the output's rows, its errors), without
   * compressing the cached columns: the cache lives for one output's few jobs, and building
   * compressed batches was the costliest part of caching (the CPG bundle's 1.8M rows: about 3 s of
   * a 6 s stage on local[2]). Spark takes the session's conf when the cache is declared, so the
   * setting is switched off for this cache only and restored at once.
   */
  public Finalization persist() {
    org.apache.spark.sql.RuntimeConfig conf = checked.sparkSession().conf();
    String before = conf.contains(CACHE_COMPRESSION) ? conf.get(CACHE_COMPRESSION) : null;
    conf.set(CACHE_COMPRESSION, "false");
    try {
      checked.persist(StorageLevel.MEMORY_AND_DISK());
    } finally {
      if (before != null) {
        conf.set(CACHE_COMPRESSION, before);
      } else {
        conf.unset(CACHE_COMPRESSION);
      }
    }
    persisted = true;
    return this;
  }

  public void unpersist() {
    checked.unpersist();
  }

  /**
   * The output's rows: contract columns in order, non-nullable columns typed non-null, in canonical
   * sort order when the contract has one.
   */
  public Dataset<Row> rows() {
    Dataset<Row> tagged = tagged();
    Dataset<Row> ok =
        tagged.filter(tagged.col(ContractFinalizer.STATUS).equalTo(ContractFinalizer.OK));
    if (!contract.canonicalSort().isEmpty()) {
      // sorted before the columns are typed non-null: a partitioning or ordering the rows already
      // have (a delegated segment's) is stated on these columns, and Spark keeps it through a
      // filter and plain column references, so it then needs no exchange or sort of its own
      List<Column> order = new ArrayList<>();
      for (SortKey key : contract.canonicalSort()) {
        order.add(ContractFinalizer.sortOrder(ok.col(key.column()), key));
      }
      ok = ok.orderBy(order.toArray(Column[]::new));
    }
    List<Column> columns = new ArrayList<>();
    for (Field field : contract.columns()) {
      Column column = ok.col(field.name());
      if (!field.nullable()) {
        column = new Column(new KnownNotNull(column.expr()));
      }
      columns.add(column.as(field.name()));
    }
    return ok.select(columns.toArray(Column[]::new));
  }

  /**
   * One row per violating row: the contract's columns, then {@code error_code}, {@code
   * error_column}, {@code error_message} and {@code rule_name} (the {@code <output>__errors}
   * dataset). Rows removed by the contract's dedupe are not errors.
   */
  public Dataset<Row> errors() {
    Dataset<Row> tagged = tagged();
    Dataset<Row> bad =
        tagged.filter(tagged.col(ContractFinalizer.STATUS).isin(VIOLATIONS.toArray()));
    List<Column> columns = new ArrayList<>();
    for (Field field : contract.columns()) {
      columns.add(bad.col(field.name()));
    }
    columns.add(bad.col(ContractFinalizer.STATUS).as(ContractFinalizer.ERROR_CODE));
    columns.add(bad.col(ContractFinalizer.ERR_COLUMN).as(ContractFinalizer.ERROR_COLUMN));
    columns.add(bad.col(ContractFinalizer.ERR_MESSAGE).as(ContractFinalizer.ERROR_MESSAGE));
    columns.add(bad.col(ContractFinalizer.RULE).as(ContractFinalizer.RULE_NAME));
    return bad.select(columns.toArray(Column[]::new));
  }

  /**
   * {@link #errors()} for rows whose {@code counts} are known: when they have no violating row, the
   * same empty dataset (schema and nullability alike) without a job over the rows, which for an
   * output without errors was a whole scan of its rows to write an empty file.
   */
  public Dataset<Row> errors(Counts counts) {
    Dataset<Row> errors = errors();
    if (counts.violations() > 0) {
      return errors;
    }
    return errors.sparkSession().createDataFrame(List.of(), errors.schema());
  }

  /** Counts rows by rule and status (runs the rules unless {@link #persist() persisted}). */
  public Counts counts() {
    Map<String, Map<String, Long>> byRule = new LinkedHashMap<>();
    Dataset<Row> tagged = tagged();
    for (Row row :
        tagged
            .groupBy(tagged.col(ContractFinalizer.RULE), tagged.col(ContractFinalizer.STATUS))
            .count()
            .collectAsList()) {
      byRule
          .computeIfAbsent(row.getString(0), r -> new LinkedHashMap<>())
          .merge(row.getString(1), row.getLong(2), Long::sum);
    }
    return new Counts(byRule);
  }

  /**
   * Applies {@code onViolation = fail}: throws CONTRACT_VIOLATION naming the first violating row
   * when there is any. Does nothing for quarantine and drop.
   */
  public void failOnViolations(Counts counts) {
    if (contract.onViolation() != OnViolation.FAIL || counts.violations() == 0) {
      return;
    }
    List<Row> first = errors().limit(1).collectAsList();
    String example =
        first.isEmpty()
            ? "unknown"
            : first.get(0).getAs(ContractFinalizer.ERROR_CODE)
                + " in column '"
                + first.get(0).getAs(ContractFinalizer.ERROR_COLUMN)
                + "' from rule '"
                + first.get(0).getAs(ContractFinalizer.RULE_NAME)
                + "': "
                + first.get(0).getAs(ContractFinalizer.ERROR_MESSAGE);
    throw SparkErrors.contractViolation(output, contract.name(), counts.violations(), example);
  }

  /** Row counts by rule and status. */
  public record Counts(Map<String, Map<String, Long>> byRule) {
    public long in() {
      return sum(null);
    }

    public long out() {
      return sum(List.of(ContractFinalizer.OK));
    }

    public long violations() {
      return sum(VIOLATIONS);
    }

    public long deduplicated() {
      return sum(List.of(ContractFinalizer.DEDUPLICATED));
    }

    public long of(String status) {
      return sum(List.of(status));
    }

    /** The counts of one rule, by status. */
    public Map<String, Long> rule(String rule) {
      return byRule.getOrDefault(rule, Map.of());
    }

    private long sum(List<String> statuses) {
      long total = 0;
      for (Map<String, Long> counts : byRule.values()) {
        for (Map.Entry<String, Long> entry : counts.entrySet()) {
          if (statuses == null || statuses.contains(entry.getKey())) {
            total += entry.getValue();
          }
        }
      }
      return total;
    }
  }
}
