package io.relspec.spark.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.OnViolation;
import io.relspec.ir.bundle.RuleDefinition;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.expr.Bytes;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.Case;
import io.relspec.ir.expr.Cast;
import io.relspec.ir.expr.ColumnRef;
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
import io.relspec.ir.op.Param;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Project;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.op.Union;
import io.relspec.ir.plan.Ordering;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.StructType;
import java.util.List;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * {@code spark.kryo.registrator}: registers every relspec IR class with a serializer that
 * round-trips it, so IR values (plans, rules, bundles) can be shuffled, cached and broadcast with
 * {@code spark.kryo.registrationRequired=true}. Compiled against Spark's own Kryo (provided).
 */
public final class RelspecKryoRegistrator implements KryoRegistrator {
  /** Every record class of the IR, in a fixed order (the order gives Kryo registration ids). */
  public static final List<Class<? extends Record>> RECORDS =
      List.of(
          Bundle.class,
          DatasetSpec.class,
          ScanOptions.class,
          ScanOptions.PartitionColumn.class,
          ContractSpec.class,
          ContractSpec.DedupeSpec.class,
          RuleDefinition.class,
          ColumnRef.class,
          Literal.class,
          ParamRef.class,
          Call.class,
          Cast.class,
          Case.class,
          Case.When.class,
          Scan.class,
          Filter.class,
          Project.class,
          Project.Column.class,
          Derive.class,
          Join.class,
          EquiKey.class,
          Aggregate.class,
          Aggregate.AggregateCall.class,
          Union.class,
          Param.class,
          Sort.class,
          SortKey.class,
          Limit.class,
          Explode.class,
          Dedupe.class,
          IntervalAlign.class,
          IntervalAlign.Span.class,
          Pipeline.class,
          Ordering.class,
          RelSchema.class,
          RelPlan.class,
          OutputPlan.class,
          Field.class,
          DecimalType.class,
          ListType.class,
          StructType.class,
          StructType.StructField.class,
          RuntimeProfile.class);

  /** Every enum class of the IR. */
  public static final List<Class<? extends Enum<?>>> ENUMS =
      List.of(
          DatasetFormat.class,
          OnViolation.class,
          Side.class,
          JoinType.class,
          SortKey.Direction.class,
          SortKey.NullOrder.class,
          IntervalAlign.Mode.class,
          IntervalAlign.How.class,
          Ordering.Kind.class,
          MemoryPool.class,
          PrimitiveType.class);

  /**
   * Spark SQL classes a relspec run serializes with {@code spark.serializer} that Spark's own
   * KryoSerializer does not register (found by running the examples with Kryo's warnings for
   * unregistered classes on): without them {@code spark.kryo.registrationRequired=true} fails a
   * full run. Registering a class Spark already registered is a no-op.
   */
  public static final List<String> SPARK_SQL_CLASSES =
      List.of(
          "org.apache.spark.sql.types.ArrayType",
          "org.apache.spark.sql.types.MapType",
          "org.apache.spark.sql.types.StructType",
          "org.apache.spark.sql.types.StructField",
          "[Lorg.apache.spark.sql.types.StructField;",
          "org.apache.spark.sql.types.Metadata",
          "org.apache.spark.sql.types.DecimalType",
          "org.apache.spark.sql.types.BooleanType$",
          "org.apache.spark.sql.types.ByteType$",
          "org.apache.spark.sql.types.ShortType$",
          "org.apache.spark.sql.types.IntegerType$",
          "org.apache.spark.sql.types.LongType$",
          "org.apache.spark.sql.types.FloatType$",
          "org.apache.spark.sql.types.DoubleType$",
          "org.apache.spark.sql.types.StringType$",
          "org.apache.spark.sql.types.BinaryType$",
          "org.apache.spark.sql.types.DateType$",
          "org.apache.spark.sql.types.TimestampType$",
          "org.apache.spark.sql.types.NullType$",
          "org.apache.spark.sql.catalyst.expressions.GenericInternalRow",
          "[Lorg.apache.spark.sql.catalyst.InternalRow;",
          "[Ljava.lang.Object;");

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void registerClasses(Kryo kryo) {
    for (String name : SPARK_SQL_CLASSES) {
      try {
        kryo.register(Class.forName(name, false, RelspecKryoRegistrator.class.getClassLoader()));
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(
            "Cannot register Spark class "
                + name
                + " with Kryo: it is not on the classpath. Run relspec on Spark 3.5.",
            e);
      }
    }
    for (Class<? extends Record> type : RECORDS) {
      kryo.register(type, new RecordSerializer(type));
    }
    for (Class<? extends Enum<?>> type : ENUMS) {
      kryo.register(type);
    }
    kryo.register(Bytes.class, new BytesSerializer());
  }

  private static final class BytesSerializer extends Serializer<Bytes> {
    BytesSerializer() {
      super(false, true);
    }

    @Override
    public void write(Kryo kryo, Output output, Bytes bytes) {
      byte[] raw = bytes.toByteArray();
      output.writeVarInt(raw.length, true);
      output.writeBytes(raw);
    }

    @Override
    public Bytes read(Kryo kryo, Input input, Class<Bytes> type) {
      return Bytes.copyOf(input.readBytes(input.readVarInt(true)));
    }
  }
}
