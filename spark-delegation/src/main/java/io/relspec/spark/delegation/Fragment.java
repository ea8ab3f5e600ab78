package io.relspec.spark.delegation;

import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.spark.kryo.RelspecKryoRegistrator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * What a Spark task needs to run a segment on DataFusion: the pipeline (a scan of {@value #INPUT}
 * then the delegated ops; a delegated interval_align's right side is a scan of {@value #RIGHT}),
 * the rule's params, the schemas in and out (and of the right side, else null) and the runtime
 * profile. A segment that reads Parquet files itself (a join split by key ranges, {@link
 * io.relspec.datafusion.comet.KeyRangeSplit}) has no input rows: task p runs {@code ranges[p]} over
 * the datasets of {@code files} (their specs and locations). Travels to executors as bytes written
 * by Kryo with relspec's registrator (IR records are not Java serializable).
 */
record Fragment(
    Pipeline pipeline,
    Map<String, Literal> params,
    RelSchema input,
    RelSchema output,
    RelSchema right,
    RuntimeProfile profile,
    List<Pipeline> ranges,
    Map<String, DatasetSpec> files,
    Map<String, String> locations) {
  /** The name the partition's rows are registered under in the engine session. */
  static final String INPUT = "__relspec_partition";

  /** The name the right side's rows of the same partition index are registered under. */
  static final String RIGHT = "__relspec_partition_right";

  private static final ClassTag<Object[]> ARRAY = ClassTag$.MODULE$.apply(Object[].class);

  Fragment {
    params = new LinkedHashMap<>(params);
    ranges = new ArrayList<>(ranges);
    files = new LinkedHashMap<>(files);
    locations = new LinkedHashMap<>(locations);
  }

  /** A segment over the rows of a Spark partition (and of its right side, when paired). */
  Fragment(
      Pipeline pipeline,
      Map<String, Literal> params,
      RelSchema input,
      RelSchema output,
      RelSchema right,
      RuntimeProfile profile) {
    this(pipeline, params, input, output, right, profile, List.of(), Map.of(), Map.of());
  }

  /** Whether the tasks read Parquet files (one key range each) instead of Spark rows. */
  boolean readsFiles() {
    return !ranges.isEmpty();
  }

  /** Whether the segment reads a second, co-partitioned input (a delegated interval_align). */
  boolean paired() {
    return right != null;
  }

  byte[] toBytes() {
    ByteBuffer buffer =
        serializer()
            .serialize(
                new Object[] {
                  pipeline,
                  new LinkedHashMap<>(params),
                  input,
                  output,
                  right,
                  profile,
                  new ArrayList<>(ranges),
                  new LinkedHashMap<>(files),
                  new LinkedHashMap<>(locations)
                },
                ARRAY);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  @SuppressWarnings("unchecked")
  static Fragment fromBytes(byte[] bytes) {
    Object[] parts = serializer().deserialize(ByteBuffer.wrap(bytes), ARRAY);
    return new Fragment(
        (Pipeline) parts[0],
        (Map<String, Literal>) parts[1],
        (RelSchema) parts[2],
        (RelSchema) parts[3],
        (RelSchema) parts[4],
        (RuntimeProfile) parts[5],
        (List<Pipeline>) parts[6],
        (Map<String, DatasetSpec>) parts[7],
        (Map<String, String>) parts[8]);
  }

  private static SerializerInstance serializer() {
    return new KryoSerializer(
            new SparkConf(false)
                .set("spark.kryo.registrator", RelspecKryoRegistrator.class.getName()))
        .newInstance();
  }
}
