package io.relspec.spark.delegation;

import io.relspec.ir.op.SortKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Ascending$;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Descending$;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.If;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.catalyst.expressions.LessThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.NullsFirst$;
import org.apache.spark.sql.catalyst.expressions.NullsLast$;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.plans.physical.HashPartitioning;
import org.apache.spark.sql.catalyst.plans.physical.RangePartitioning;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import scala.collection.JavaConverters;

/**
 * A range partitioning that two datasets share: bounds sampled once from one side's key, then each
 * row of either side goes to the partition of its key's range, so equal keys meet in partitions of
 * the same index (as hash partitioning would give) and partition i holds only keys before those of
 * partition i + 1 in the order of a sort key (which hash partitioning does not). Spark's own range
 * shuffle samples each side on its own, and two samples give different bounds.
 *
 * <p>Spark shuffles by a partition number only through hashing: {@link #bucket} gives each row, in
 * place of its range's number p, an int that Spark's hash partitioning ({@code pmod(murmur3(v),
 * n)}, computed here by Spark's own {@link HashPartitioning#partitionIdExpression}) sends to
 * partition p. Nulls go to the first partition (nulls first) or the last (nulls last), as the sort
 * key orders them. Keys compare as Spark compares them (Spark sorts the sample, {@link
 * LessThanOrEqual} places each row); the key type must not be a float type (Spark's comparisons and
 * its hashing treat -0.0 and NaN differently from the engines' equality).
 */
final class RangeBuckets {
  static final int SAMPLE_PER_PARTITION = 60;
  private static final long SEED = 20261207L;

  private final List<Literal> bounds;
  private final SortKey order;
  private final int partitions;
  private final int[] hashedTo;

  private RangeBuckets(List<Literal> bounds, SortKey order, int partitions) {
    this.bounds = List.copyOf(bounds);
    this.order = order;
    this.partitions = partitions;
    this.hashedTo = preimages(partitions);
  }

  /**
   * Picks the bounds of up to {@code partitions} ranges of about equal row counts from a uniform
   * sample of the non-null keys ({@code keys}: one column), taken in one Spark job: the {@value
   * #SAMPLE_PER_PARTITION} times {@code partitions} keys with the smallest random numbers (each
   * task keeps its smallest, as a top-k does), sorted by Spark.
   */
  static RangeBuckets sample(Dataset<Row> keys, SortKey order, int partitions) {
    Column key = keys.col(keys.columns()[0]);
    DataType type = keys.schema().fields()[0].dataType();
    List<Row> sampled =
        keys.where(key.isNotNull())
            .orderBy(functions.rand(SEED))
            .limit(SAMPLE_PER_PARTITION * partitions)
            .orderBy(key)
            .collectAsList();
    List<Object> bounds = new ArrayList<>();
    for (int i = 1; i < partitions && !sampled.isEmpty(); i++) {
      Object bound = sampled.get((int) ((long) i * sampled.size() / partitions)).get(0);
      if (bounds.isEmpty() || !bounds.get(bounds.size() - 1).equals(bound)) {
        bounds.add(bound);
      }
    }
    return of(bounds, type, order, partitions);
  }

  /** Ranges with the given bounds (external values, as a Row holds them; ascending, distinct). */
  static RangeBuckets of(List<Object> bounds, DataType type, SortKey order, int partitions) {
    List<Literal> literals = new ArrayList<>();
    for (Object bound : bounds) {
      literals.add(Literal.create(bound, type));
    }
    return new RangeBuckets(literals, order, partitions);
  }

  /**
   * For a key column of this type, the int to hash-partition by ({@code repartition(partitions,
   * bucket(key))}): the row's range, by the sort key's direction and nulls.
   */
  Column bucket(Column key) {
    Expression ranges = range(key.expr(), 0, bounds.size());
    Expression nulls =
        Literal.create(
            hashedTo[order.nulls() == SortKey.NullOrder.FIRST ? 0 : partitions - 1],
            DataTypes.IntegerType);
    return new Column(new If(new IsNull(key.expr()), nulls, ranges));
  }

  /** The ranges {@code from..to} (numbers of bounds below the key) as a tree of comparisons. */
  private Expression range(Expression key, int from, int to) {
    if (from == to) {
      int partition = order.direction() == SortKey.Direction.ASC ? from : partitions - 1 - from;
      return Literal.create(hashedTo[partition], DataTypes.IntegerType);
    }
    int middle = (from + to) >>> 1;
    return new If(
        new LessThanOrEqual(key, bounds.get(middle)),
        range(key, from, middle),
        range(key, middle + 1, to));
  }

  /** How Spark may rely on the rows' placement: range-partitioned by {@code key}. */
  RangePartitioning partitioning(Attribute key) {
    return new RangePartitioning(
        JavaConverters.asScalaBuffer(List.<SortOrder>of(sortOrder(key, order))).toList(),
        partitions);
  }

  static SortOrder sortOrder(Attribute column, SortKey key) {
    return new SortOrder(
        column,
        key.direction() == SortKey.Direction.ASC ? Ascending$.MODULE$ : Descending$.MODULE$,
        key.nulls() == SortKey.NullOrder.FIRST ? NullsFirst$.MODULE$ : NullsLast$.MODULE$,
        JavaConverters.asScalaBuffer(List.<Expression>of()).toList());
  }

  /** The bounds found, for explain. */
  int ranges() {
    return bounds.size() + 1;
  }

  /** Per partition p, an int that Spark's hash partitioning into {@code n} sends to p. */
  static int[] preimages(int n) {
    int[] out = new int[n];
    java.util.Arrays.fill(out, -1);
    int found = 0;
    for (int v = 0; found < n; v++) {
      HashPartitioning hash =
          new HashPartitioning(
              JavaConverters.asScalaBuffer(
                      List.<Expression>of(Literal.create(v, DataTypes.IntegerType)))
                  .toList(),
              n);
      int partition = (Integer) hash.partitionIdExpression().eval(null);
      if (out[partition] < 0) {
        out[partition] = v;
        found++;
      }
    }
    return out;
  }
}
