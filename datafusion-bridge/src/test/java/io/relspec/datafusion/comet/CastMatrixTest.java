package io.relspec.datafusion.comet;

import static io.relspec.datafusion.comet.IntervalAlignNativeTest.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.Fallback;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.expr.Bytes;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.TypeParser;
import io.relspec.ir.type.TypeRules;
import io.relspec.ir.validate.ValidatedBundle;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * Every cast the validator accepts ({@link TypeRules#canCast}) between the relspec types, with edge
 * values and nulls, on the standalone engine against the reference lane (the spec). A pair either
 * runs natively with the reference lane's values, or is a recorded fallback known before execution
 * ({@code explain}) whose mixed run also gives the reference lane's values; never a native error.
 */
class CastMatrixTest {
  private static final String R = "k:int32";

  /** Source types and their edge values (canonical classes, as the reference lane reads). */
  private static final Map<String, List<Object>> SOURCES = new LinkedHashMap<>();

  /** Target types: every primitive, decimals with and without integer digits, lists. */
  private static final List<String> TARGETS =
      List.of(
          "boolean",
          "int8",
          "int16",
          "int32",
          "int64",
          "float32",
          "float64",
          "decimal(10,2)",
          "decimal(38,6)",
          "decimal(3,1)",
          "decimal(2,2)",
          "string",
          "binary",
          "date32",
          "timestamp_us",
          "list<int64>",
          "list<int8>",
          "list<string>",
          "list<float64>",
          "list<boolean>",
          "list<decimal(10,2)>");

  static {
    SOURCES.put("boolean", Arrays.asList(true, false, null));
    SOURCES.put("int8", Arrays.asList(-128L, 127L, 0L, 1L, -1L, 100L, null));
    SOURCES.put("int16", Arrays.asList(-32768L, 32767L, 0L, 1L, -1L, 300L, -129L, null));
    SOURCES.put(
        "int32",
        Arrays.asList(
            (long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE, 0L, 1L, -1L, 100_000L, 999L, null));
    SOURCES.put(
        "int64",
        Arrays.asList(
            Long.MIN_VALUE,
            Long.MAX_VALUE,
            0L,
            1L,
            -1L,
            (1L << 53) + 1,
            12_345_678_901L,
            -40_000L,
            (1L << 60) + (1L << 36) + 1,
            null));
    SOURCES.put(
        "float32",
        Arrays.asList(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            -0.0,
            0.0,
            1.5,
            -2.5,
            (double) Float.MAX_VALUE,
            (double) Float.MIN_VALUE,
            (double) 0.1f,
            (double) 1e10f,
            (double) -129.9f,
            (double) 0.005f,
            null));
    SOURCES.put(
        "float64",
        Arrays.asList(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            -0.0,
            0.0,
            Double.MIN_VALUE,
            Double.MAX_VALUE,
            0.1,
            1.005,
            -1e20,
            2.5,
            9.223372036854776E18,
            123456.789,
            -127.5,
            1e-7,
            null));
    SOURCES.put(
        "decimal(10,2)",
        Arrays.asList(
            new BigDecimal("0.00"),
            new BigDecimal("1.50"),
            new BigDecimal("-1.55"),
            new BigDecimal("99999999.99"),
            new BigDecimal("-99999999.99"),
            new BigDecimal("0.01"),
            new BigDecimal("127.99"),
            new BigDecimal("-0.05"),
            null));
    SOURCES.put(
        "decimal(38,6)",
        Arrays.asList(
            new BigDecimal("99999999999999999999999999999999.999999"),
            new BigDecimal("-99999999999999999999999999999999.999999"),
            new BigDecimal("-0.000001"),
            new BigDecimal("0.500000"),
            new BigDecimal("0.000000"),
            new BigDecimal("9223372036854775807.999999"),
            new BigDecimal("12.345678"),
            new BigDecimal("12345678901234567890.123457"),
            new BigDecimal("-0.100000"),
            new BigDecimal("98765432109876543210987654321.987654"),
            null));
    SOURCES.put(
        "string",
        Arrays.asList(
            "",
            " 12 ",
            "12.7",
            "-0",
            "+5",
            ".5",
            "5.",
            "1e3",
            "abc",
            "true",
            "T",
            "yes",
            " false ",
            "0",
            "2024-01-31",
            "2024-1-5",
            "2024",
            "2024-01",
            "2024-01-31T12:34:56Z",
            "2024-01-31 12:34:56.123456",
            "2024-01-31T12:34:56.1234567",
            "2024-01-31T12:34:56+01:00",
            "2024-01-31 12:34",
            "2024-02-30",
            "NaN",
            "Infinity",
            "-inf",
            "9223372036854775808",
            "-9223372036854775808",
            "127",
            "-128",
            "\t7\n",
            "\u20037",
            "1.005",
            "-12.345",
            "0x10",
            "é",
            "0000-01-01",
            "2024-01T00:00",
            "2024 x",
            "2024-01-31Tjunk",
            "20245-01-01",
            "\u001C12\u001F",
            "\u00a012",
            "\uff11\uff12",
            "+.5",
            "-",
            "12e",
            " TRUE ",
            "No",
            "\u001Cyes",
            "\u00a0yes",
            null));
    SOURCES.put(
        "binary",
        Arrays.asList(
            Bytes.copyOf("abc".getBytes(StandardCharsets.UTF_8)),
            Bytes.copyOf(new byte[0]),
            Bytes.copyOf(new byte[] {(byte) 0xff, (byte) 0xfe, 0x41}),
            Bytes.copyOf("é12".getBytes(StandardCharsets.UTF_8)),
            null));
    SOURCES.put(
        "date32",
        Arrays.asList(
            0, -1, 19_753, -719_162, 2_932_896, 3_000_000, -800_000, -719_163, 11_016, null));
    SOURCES.put(
        "timestamp_us",
        Arrays.asList(
            0L,
            -1L,
            1_706_704_496_123_456L,
            1_706_704_496_000_000L,
            1_706_704_496_100_000L,
            -62_135_596_800_000_000L,
            253_402_300_799_999_999L,
            253_402_300_800_000_000L,
            -62_167_219_200_000_001L,
            -86_400_000_001L,
            null));
    SOURCES.put(
        "list<int32>",
        Arrays.asList(
            Arrays.asList(1L, null, -1L),
            List.of(),
            null,
            List.of((long) Integer.MAX_VALUE, 200L, 0L)));
    SOURCES.put(
        "list<string>",
        Arrays.asList(Arrays.asList("1", "x", " 2 ", null, "true", "1.5"), List.of(), null));
    SOURCES.put(
        "list<float64>",
        Arrays.asList(Arrays.asList(1.5, Double.NaN, -0.0, null, 1e300, 0.1), List.of(), null));
  }

  @Test
  void everyAcceptedCastPairMatchesTheReferenceLaneNativelyOrAsARecordedFallback() {
    List<String> mismatches = new ArrayList<>();
    TreeSet<String> fallbacks = new TreeSet<>();
    int pairs = 0;
    int natively = 0;
    for (Map.Entry<String, List<Object>> source : SOURCES.entrySet()) {
      DataType from = TypeParser.of(source.getKey());
      for (String target : TARGETS) {
        DataType to = TypeParser.of(target);
        if (!TypeRules.canCast(from, to) || from.equals(to)) {
          continue;
        }
        pairs++;
        String pair = source.getKey() + " -> " + target;
        String ops =
            """
            [{"op":"scan","dataset":"l"},
             {"op":"project","columns":["k",{"name":"v","expr":{"cast":{"col":"c0"},"to":"%s"}}]},
             {"op":"sort","keys":[{"col":"k"}]}]
            """
                .formatted(target);
        String l = "k:int32,c0:" + source.getKey();
        List<List<Object>> left = new ArrayList<>();
        for (int i = 0; i < source.getValue().size(); i++) {
          left.add(row((long) i, source.getValue().get(i)));
        }
        List<List<Object>> expected;
        List<Fallback> planned;
        List<List<Object>> actual;
        try {
          expected = IntervalAlignNativeTest.runReference(ops, l, left, R, List.of());
          planned = explain(ops, l);
          actual = run(ops, l, left, planned.isEmpty());
        } catch (RuntimeException e) {
          mismatches.add(pair + ": " + e);
          continue;
        }
        if (planned.isEmpty()) {
          natively++;
        } else {
          fallbacks.add(pair);
          if (!planned.get(0).reason().contains("cast from")) {
            mismatches.add(pair + ": fallback without a cast reason: " + planned);
          }
        }
        for (int i = 0; i < expected.size(); i++) {
          if (!expected.get(i).equals(actual.get(i))) {
            mismatches.add(
                pair
                    + (planned.isEmpty() ? " (native)" : " (fallback)")
                    + ": value "
                    + describe(left.get(i).get(1))
                    + " expected "
                    + describe(expected.get(i).get(1))
                    + " but was "
                    + describe(actual.get(i).get(1)));
          }
        }
      }
    }
    System.out.println(
        "[cast-matrix] "
            + pairs
            + " pairs, "
            + natively
            + " native, "
            + fallbacks.size()
            + " fallbacks: "
            + fallbacks);
    assertThat(mismatches).as("cast mismatches").isEmpty();
    assertThat(pairs).isEqualTo(134);
    assertThat(natively).isEqualTo(102);
    // the pairs known up front to run on the reference lane (explain), each for its reason
    assertThat(fallbacks)
        .containsExactlyInAnyOrder(
            "date32 -> timestamp_us",
            "decimal(38,6) -> float32",
            "decimal(38,6) -> float64",
            "float32 -> decimal(10,2)",
            "float32 -> decimal(2,2)",
            "float32 -> decimal(3,1)",
            "float32 -> decimal(38,6)",
            "float32 -> string",
            "float64 -> decimal(10,2)",
            "float64 -> decimal(2,2)",
            "float64 -> decimal(3,1)",
            "float64 -> decimal(38,6)",
            "float64 -> string",
            "list<float64> -> list<boolean>",
            "list<float64> -> list<decimal(10,2)>",
            "list<float64> -> list<int64>",
            "list<float64> -> list<int8>",
            "list<float64> -> list<string>",
            "list<int32> -> list<decimal(10,2)>",
            "list<string> -> list<boolean>",
            "list<string> -> list<decimal(10,2)>",
            "list<string> -> list<float64>",
            "list<string> -> list<int64>",
            "list<string> -> list<int8>",
            "string -> decimal(10,2)",
            "string -> decimal(2,2)",
            "string -> decimal(3,1)",
            "string -> decimal(38,6)",
            "string -> float32",
            "string -> float64",
            "string -> timestamp_us",
            "timestamp_us -> string");
  }

  @Test
  void decimalsUpToPrecision15ToFloatsAreExactNatively() {
    java.util.Random random = new java.util.Random(20261207);
    for (String from : List.of("decimal(15,4)", "decimal(10,2)", "decimal(15,15)")) {
      DataType type = TypeParser.of(from);
      int scale = ((io.relspec.ir.type.DecimalType) type).scale();
      List<List<Object>> left = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        long digits =
            (long) ((random.nextDouble() * 2 - 1) * Math.pow(10, 15 - random.nextInt(14)));
        long bound = (long) Math.pow(10, ((io.relspec.ir.type.DecimalType) type).precision());
        left.add(row((long) i, BigDecimal.valueOf(digits % bound, scale)));
      }
      for (String target : List.of("float64", "float32")) {
        String ops =
            """
            [{"op":"scan","dataset":"l"},
             {"op":"project","columns":["k",{"name":"v","expr":{"cast":{"col":"c0"},"to":"%s"}}]},
             {"op":"sort","keys":[{"col":"k"}]}]
            """
                .formatted(target);
        String l = "k:int32,c0:" + from;
        assertThat(explain(ops, l)).as(from).isEmpty();
        assertThat(run(ops, l, left, true))
            .as("%s -> %s", from, target)
            .isEqualTo(IntervalAlignNativeTest.runReference(ops, l, left, R, List.of()));
      }
    }
  }

  private static String describe(Object value) {
    if (value instanceof String s) {
      return '"' + s.replace("\n", "\\n").replace("\t", "\\t") + '"';
    }
    return String.valueOf(value);
  }

  private static List<Fallback> explain(String ops, String l) {
    ValidatedBundle bundle = IntervalAlignNativeTest.bundle(ops, l, R);
    try (BufferAllocator allocator = new RootAllocator();
        EngineSession session =
            CometEngine.nativeOnly().openSession(RuntimeProfile.DEFAULT, allocator)) {
      for (DatasetSpec spec : bundle.bundle().datasets()) {
        session.registerBatches(spec.name(), new RelSchema(spec.schema()).toArrow(), List.of());
      }
      return session.explain(bundle.plans().get(0)).fallbacks();
    }
  }

  private static List<List<Object>> run(
      String ops, String l, List<List<Object>> left, boolean nativeOnly) {
    ValidatedBundle bundle = IntervalAlignNativeTest.bundle(ops, l, R);
    RelPlan plan = bundle.plans().get(0);
    try (BufferAllocator allocator = new RootAllocator()) {
      Map<String, List<VectorSchemaRoot>> inputs =
          IntervalAlignNativeTest.inputs(bundle, allocator, left, List.of());
      CometEngine engine = nativeOnly ? CometEngine.nativeOnly() : new CometEngine();
      try (EngineSession session = engine.openSession(RuntimeProfile.DEFAULT, allocator)) {
        for (DatasetSpec spec : bundle.bundle().datasets()) {
          session.registerBatches(
              spec.name(), new RelSchema(spec.schema()).toArrow(), inputs.get(spec.name()));
        }
        try (QueryResult result = session.execute(plan)) {
          assertThat(result.schema()).isEqualTo(plan.schema().toArrow());
          return IntervalAlignNativeTest.rows(result.batches());
        }
      } finally {
        inputs.values().forEach(batches -> batches.forEach(VectorSchemaRoot::close));
      }
    }
  }
}
