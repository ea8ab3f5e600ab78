package io.relspec.spark.kryo;

import static io.relspec.ir.build.Exprs.col;
import static io.relspec.ir.build.Exprs.fn;
import static io.relspec.ir.build.Exprs.lit;
import static io.relspec.ir.build.Exprs.nullLit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.expr.Bytes;
import io.relspec.ir.expr.Expr;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;

/** Round trips through Spark's own KryoSerializer with registration required. */
class RelspecKryoRegistratorTest {
  private static SerializerInstance kryo() {
    SparkConf conf =
        new SparkConf(false)
            .set("spark.serializer", KryoSerializer.class.getName())
            .set("spark.kryo.registrator", RelspecKryoRegistrator.class.getName())
            .set("spark.kryo.registrationRequired", "true");
    return new KryoSerializer(conf).newInstance();
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(SerializerInstance kryo, T value) {
    ClassTag<Object> tag = ClassTag.Any();
    return (T) kryo.deserialize(kryo.serialize(value, tag), tag);
  }

  @Test
  void examplePlansBundlesAndOutputsRoundTrip() {
    SerializerInstance kryo = kryo();
    for (String example : List.of("cpg.json", "analytics.json")) {
      ValidatedBundle validated = BundleValidator.validate(Path.of("..", "examples", example));
      Bundle bundle = validated.bundle();
      assertThat(roundTrip(kryo, bundle)).isEqualTo(bundle);
      for (OutputPlan output : validated.outputs()) {
        assertThat(roundTrip(kryo, output)).isEqualTo(output);
        for (RelPlan plan : output.rules()) {
          RelPlan copy = roundTrip(kryo, plan);
          assertThat(copy).isEqualTo(plan);
          assertThat(copy.params()).isEqualTo(plan.params());
        }
      }
    }
    assertThat(roundTrip(kryo, RuntimeProfile.DEFAULT)).isEqualTo(RuntimeProfile.DEFAULT);
  }

  @Test
  void literalsOfEveryTypeRoundTrip() {
    SerializerInstance kryo = kryo();
    List<Expr> literals =
        List.of(
            lit(true),
            lit(7),
            lit(Long.MIN_VALUE),
            lit(Double.NaN),
            lit(-0.0),
            lit("héllo"),
            lit(new BigDecimal("-12.50"), "decimal(12,2)"),
            lit(LocalDate.of(1969, 12, 31), "date32"),
            lit(Instant.parse("2024-01-31T12:00:00.123456Z"), "timestamp_us"),
            lit(Bytes.copyOf(new byte[] {0, -1, 42}), "binary"),
            nullLit("list<struct<a:int32,b:string>>"),
            fn("coalesce", col("a"), nullLit("int64"), lit(3L)));
    for (Expr literal : literals) {
      assertThat(roundTrip(kryo, literal)).isEqualTo(literal);
    }
  }

  @Test
  void unregisteredClassesAreRefusedSoTheTestIsMeaningful() {
    assertThatThrownBy(() -> kryo().serialize(new StringBuilder("x"), ClassTag.Any()))
        .hasMessageContaining("Class is not registered");
  }

  /** Records of the IR packages that are results of helpers, never parts of a plan. */
  private static final List<String> NOT_IR_VALUES = List.of("io.relspec.ir.type.TypeParser$Result");

  @Test
  void everyRecordAndEnumOfTheIrIsRegistered() throws IOException, URISyntaxException {
    Path location =
        Path.of(Bundle.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    // relspec-ir's classes directory under `mvn test`, its jar under `mvn verify`
    FileSystem jar =
        Files.isRegularFile(location)
            ? FileSystems.newFileSystem(location, (ClassLoader) null)
            : null;
    Path classes = jar == null ? location : jar.getPath("/");
    List<String> missing = new ArrayList<>();
    int scanned = 0;
    try (jar;
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name =
            classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
        scanned++;
        Class<?> type;
        try {
          type = Class.forName(name, false, Bundle.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
          continue;
        }
        boolean irValue = name.startsWith("io.relspec.ir.") && (type.isRecord() || type.isEnum());
        boolean internal = !java.lang.reflect.Modifier.isPublic(type.getModifiers());
        if (irValue
            && !internal
            && !name.startsWith("io.relspec.ir.validate.")
            && !name.startsWith("io.relspec.ir.error.")
            && !name.startsWith("io.relspec.ir.diagnostics.")
            // run reports, gates and the capability registry: read and written on the driver,
            // never part of a plan or a task
            && !name.startsWith("io.relspec.ir.run.")
            && !name.startsWith("io.relspec.ir.capability.")
            && !NOT_IR_VALUES.contains(name)
            && !RelspecKryoRegistrator.RECORDS.contains(type)
            && !RelspecKryoRegistrator.ENUMS.contains(type)) {
          missing.add(name);
        }
      }
    }
    assertThat(scanned).as("classes scanned in " + location).isGreaterThan(100);
    assertThat(missing).as("IR value classes without a Kryo registration").isEmpty();
    assertThat(RelspecKryoRegistrator.RECORDS).hasSizeGreaterThan(40);
  }
}
