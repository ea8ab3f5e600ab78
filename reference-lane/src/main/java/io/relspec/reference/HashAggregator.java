package io.relspec.reference;

import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.validate.ExprType;
import io.relspec.ir.validate.FunctionRegistry;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Hash aggregate: one row per distinct group key (nulls group together; -0.0 with 0.0, written 0.0;
 * NaN with NaN), group columns then aggregates. Without groupBy there is exactly one row, also for
 * empty input. {@code count} gives 0 on empty input, every other aggregate null. {@code sum} of
 * ints is int64 (wrapping like Spark with ANSI off), of decimals exact but null if the sum of the
 * positive values or of the negative values alone does not fit {@code decimal(min(38,p+10),s)} (so
 * the order rows are added in never matters); {@code avg} sums doubles in input order. Distinct
 * arguments and min/max results have their floating zeros and NaN normalized like group keys.
 */
final class HashAggregator {
  private final BufferAllocator allocator;
  private final int batchSize;
  private final Map<String, Literal> params;
  private final String rule;
  private final MemoryBudget.Reservation heap;

  /**
   * @param heap where the groups' estimated heap bytes are reserved as they are created (and
   *     distinct values as they are added)
   */
  HashAggregator(
      BufferAllocator allocator,
      int batchSize,
      Map<String, Literal> params,
      String rule,
      MemoryBudget.Reservation heap) {
    this.allocator = allocator;
    this.batchSize = batchSize;
    this.params = params;
    this.rule = rule;
    this.heap = heap;
  }

  /** One aggregate call compiled: its widened argument and result type. */
  private record Call(Aggregate.AggregateCall call, Evaluator arg, DataType result) {}

  Relation aggregate(Aggregate aggregate, Relation in) {
    RelSchema schema = in.schema();
    ExprCompiler compiler = ExprCompiler.over(schema, params, rule, "aggregate");
    List<Field> fields = new ArrayList<>();
    int[] groupColumns = new int[aggregate.groupBy().size()];
    for (int g = 0; g < groupColumns.length; g++) {
      groupColumns[g] = schema.indexOf(aggregate.groupBy().get(g));
      fields.add(schema.fields().get(groupColumns[g]));
    }
    List<Call> calls = new ArrayList<>();
    for (Aggregate.AggregateCall call : aggregate.aggregates()) {
      List<ExprCompiler.Compiled> args = new ArrayList<>();
      for (var arg : call.args()) {
        args.add(compiler.compile(arg));
      }
      FunctionRegistry.Resolution resolution;
      try {
        resolution =
            FunctionRegistry.resolveAggregate(
                call.fn(), args.stream().map(ExprCompiler.Compiled::type).toList());
      } catch (FunctionRegistry.TypeError e) {
        throw LaneErrors.cannotEvaluate(rule, "aggregate", e.getMessage());
      }
      ExprType result = resolution.result();
      Evaluator arg =
          args.isEmpty()
              ? null
              : ExprCompiler.widen(args.get(0), resolution.argumentTypes().get(0));
      calls.add(new Call(call, arg, result.type()));
      fields.add(new Field(call.name(), result.type(), result.nullable()));
    }

    Map<List<Object>, Group> groups = new LinkedHashMap<>();
    for (VectorSchemaRoot batch : in.batches()) {
      Executor.BatchRow row = new Executor.BatchRow(batch);
      for (int r = 0; r < batch.getRowCount(); r++) {
        row.index = r;
        List<Object> key = new ArrayList<>(groupColumns.length);
        List<Object> raw = new ArrayList<>(groupColumns.length);
        for (int column : groupColumns) {
          Object value = row.get(column);
          raw.add(value);
          key.add(Values.key(value));
        }
        Group group = groups.get(key);
        if (group == null) {
          group = new Group(key, raw, calls, heap);
          groups.put(key, group);
          // the entry, both key lists and the group with its accumulators
          heap.add(MemoryBudget.keyEntry(key) + MemoryBudget.value(raw) + 32 + 48L * calls.size());
        }
        group.add(row, calls);
      }
    }
    if (groupColumns.length == 0 && groups.isEmpty()) {
      groups.put(List.of(), new Group(List.of(), List.of(), calls, heap));
    }
    try (BatchBuilder out = new BatchBuilder(new RelSchema(fields), allocator, batchSize)) {
      for (Group group : groups.values()) {
        out.startRow();
        for (int g = 0; g < groupColumns.length; g++) {
          out.set(g, Values.normalizeFloats(group.rawKey.get(g)));
        }
        for (int a = 0; a < calls.size(); a++) {
          out.set(groupColumns.length + a, group.accumulators.get(a).result());
        }
        out.endRow();
      }
      return out.finish();
    }
  }

  private static final class Group {
    final List<Object> key;
    final List<Object> rawKey;
    final List<Accumulator> accumulators = new ArrayList<>();

    Group(List<Object> key, List<Object> rawKey, List<Call> calls, MemoryBudget.Reservation heap) {
      this.key = key;
      this.rawKey = rawKey;
      for (Call call : calls) {
        accumulators.add(Accumulator.of(call.call(), call.result(), heap));
      }
    }

    void add(Row row, List<Call> calls) {
      for (int a = 0; a < calls.size(); a++) {
        Call call = calls.get(a);
        accumulators.get(a).add(call.arg() == null ? Boolean.TRUE : call.arg().eval(row));
      }
    }
  }

  /** The running state of one aggregate over one group. */
  private abstract static class Accumulator {
    private final Set<Object> distinct;
    private MemoryBudget.Reservation heap;
    long count;

    Accumulator(boolean distinct) {
      this.distinct = distinct ? new HashSet<>() : null;
    }

    static Accumulator of(
        Aggregate.AggregateCall call, DataType result, MemoryBudget.Reservation heap) {
      Accumulator accumulator = of(call, result);
      accumulator.heap = heap;
      return accumulator;
    }

    private static Accumulator of(Aggregate.AggregateCall call, DataType result) {
      boolean distinct = call.distinct();
      return switch (call.fn()) {
        case "count" ->
            new Accumulator(distinct) {
              @Override
              void accept(Object value) {}

              @Override
              Object result() {
                return count;
              }
            };
        case "sum" -> new Sum(distinct, result);
        case "avg" ->
            new Accumulator(distinct) {
              double sum;

              @Override
              void accept(Object value) {
                sum += (Double) value;
              }

              @Override
              Object result() {
                return count == 0 ? null : sum / count;
              }
            };
        case "min", "max" ->
            new Accumulator(distinct) {
              final boolean min = call.fn().equals("min");
              Object best;

              @Override
              void accept(Object value) {
                if (best == null
                    || (min ? Values.compare(value, best) < 0 : Values.compare(value, best) > 0)) {
                  best = value;
                }
              }

              @Override
              Object result() {
                // -0.0 and 0.0 compare equal: which one came first must not decide the result
                return Values.normalizeFloats(best);
              }
            };
        default -> throw new IllegalStateException("Cannot aggregate with '" + call.fn() + "'");
      };
    }

    final void add(Object value) {
      if (value == null) {
        return;
      }
      if (distinct != null) {
        Object key = Values.key(value);
        if (!distinct.add(key)) {
          return;
        }
        heap.add(48 + MemoryBudget.value(key));
        // the distinct values, not the first row of each: -0.0 and 0.0 are one value, 0.0
        value = Values.normalizeFloats(value);
      }
      count++;
      accept(value);
    }

    abstract void accept(Object value);

    abstract Object result();
  }

  private static final class Sum extends Accumulator {
    private final DataType result;
    private long longSum;
    private double doubleSum;
    private BigDecimal positiveSum = BigDecimal.ZERO;
    private BigDecimal negativeSum = BigDecimal.ZERO;

    Sum(boolean distinct, DataType result) {
      super(distinct);
      this.result = result;
    }

    @Override
    void accept(Object value) {
      if (value instanceof Long l) {
        longSum += l;
      } else if (value instanceof Double d) {
        doubleSum += d;
      } else {
        BigDecimal d = (BigDecimal) value;
        if (d.signum() > 0) {
          positiveSum = positiveSum.add(d);
        } else {
          negativeSum = negativeSum.add(d);
        }
      }
    }

    @Override
    Object result() {
      if (count == 0) {
        return null;
      }
      if (result instanceof DecimalType decimal) {
        // relspec clarification: null when the positive or the negative values alone overflow,
        // so the result never depends on the order a lane adds rows in
        if (DecimalMath.fit(positiveSum, decimal) == null
            || DecimalMath.fit(negativeSum, decimal) == null) {
          return null;
        }
        return DecimalMath.fit(positiveSum.add(negativeSum), decimal);
      }
      return result.isFloating() ? (Object) doubleSum : (Object) longSum;
    }
  }
}
