package io.relspec.spark.delegation;

import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.spark.kryo.RelspecKryoRegistrator;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * What a Spark task needs to run a segment on DataFusion: the pipeline (a scan of {@value #INPUT}
 * then the delegated ops), the rule's params, the schemas in and out and the runtime profile.
 * Travels to executors as bytes written by Kryo with relspec's registrator (IR records are not Java
 * serializable).
 */
record Fragment(
    Pipeline pipeline,
    Map<String, Literal> params,
    RelSchema input,
    RelSchema output,
    RuntimeProfile profile) {
  /** The name the partition's rows are registered under in the engine session. */
  static final String INPUT = "__relspec_partition";

  private static final ClassTag<Object[]> ARRAY = ClassTag$.MODULE$.apply(Object[].class);

  Fragment {
    params = new LinkedHashMap<>(params);
  }

  byte[] toBytes() {
    ByteBuffer buffer =
        serializer()
            .serialize(
                new Object[] {pipeline, new LinkedHashMap<>(params), input, output, profile},
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
        (RuntimeProfile) parts[4]);
  }

  private static SerializerInstance serializer() {
    return new KryoSerializer(
            new SparkConf(false)
                .set("spark.kryo.registrator", RelspecKryoRegistrator.class.getName()))
        .newInstance();
  }
}
