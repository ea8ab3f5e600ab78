package io.relspec.bench.interval;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.relspec.bench.harness.SideBySide;
import io.relspec.ir.build.RelspecBuilder;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.op.EquiKey;
import io.relspec.ir.op.IntervalAlign;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.reference.ParquetDatasetSource;
import io.relspec.reference.ReferenceLane;
import io.relspec.reference.Relation;
import io.relspec.reference.SourceBatches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;

/**
 * interval_align (contained, how=left, tie-breaker conf desc, matchMeta) on generated spans: the
 * reference lane's sort-based IntervalAligner against the same alignment written as a naive
 * Catalyst range join (equi-join on path + span predicate, then a row_number window with the spec's
 * tie rules) on a local SparkSession, side by side in one JVM.
 *
 * <p>Every timed run of both lanes starts from the same generated Parquet files (Spark's reader for
 * the range join, {@link ParquetDatasetSource} into Arrow batches for the reference lane, its read
 * time included) and ends with the same summary of the aligned rows: row count and a checksum over
 * (left id, matched right id, match_score), which must be equal, so both did the same work and
 * agree.
 *
 * <p>Arguments: {@code [left rows (1000000)] [right rows (5000000)] [paths (10000)] [data dir
 * (bench/target/data)]}.
 */
public final class IntervalAlignBenchmark {
  static final int COORDINATES = 100_000;
  static final int MAX_LEFT_LENGTH = 2_000;
  static final int MAX_RIGHT_LENGTH = 200;

  private IntervalAlignBenchmark() {}

  public static void main(String[] args) throws Exception {
    long nLeft = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    long nRight = args.length > 1 ? Long.parseLong(args[1]) : 5_000_000L;
    int paths = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    Path base = Path.of(args.length > 3 ? args[3] : "bench/target/data").toAbsolutePath();
    int iterations = Integer.getInteger("relspec.bench.iterations", 3);
    int warmups = Integer.getInteger("relspec.bench.warmups", 1);
    SparkSession spark =
        SparkSession.builder()
            .master(System.getProperty("relspec.bench.master", "local[2]"))
            .appName("relspec-bench-interval")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Path data = base.resolve("interval-" + nLeft + "-" + nRight + "-" + paths);
    if (!Files.exists(data.resolve("_GENERATED"))) {
      generate(spark, nLeft, nRight, paths, data);
    }

    DatasetSpec leftSpec =
        RelspecBuilder.parquet("left", "left", LEFT_FIELDS.toArray(Field[]::new));
    DatasetSpec rightSpec =
        RelspecBuilder.parquet("right", "right", RIGHT_FIELDS.toArray(Field[]::new));
    IntervalAlign align = align();

    // Both lanes read the same Parquet files in every timed run: Spark through its own (vectorized)
    // reader, the reference lane through ParquetDatasetSource into Arrow batches.
    Dataset<Row> left = spark.read().parquet(data.resolve("left").toString());
    Dataset<Row> right = spark.read().parquet(data.resolve("right").toString());
    System.err.printf("spark sees %d left, %d right rows%n", left.count(), right.count());
    RelSchema leftSchema = new RelSchema(LEFT_FIELDS);
    RelSchema rightSchema = new RelSchema(RIGHT_FIELDS);

    try (ReferenceLane lane = new ReferenceLane(RuntimeProfile.DEFAULT)) {
      Summary[] expected = new Summary[1];
      Map<String, Callable<Long>> lanes = new LinkedHashMap<>();
      lanes.put(
          "spark-range-join",
          () -> checked(expected, "spark-range-join", naiveRangeJoin(left, right)));
      lanes.put(
          "reference-interval-align",
          () -> {
            long start = System.nanoTime();
            long startCpu = processCpu();
            try (ParquetDatasetSource files =
                new ParquetDatasetSource(
                    data, lane.allocator(), RuntimeProfile.DEFAULT.batchSize())) {
              List<VectorSchemaRoot> leftBatches = files.batches(leftSpec);
              List<VectorSchemaRoot> rightBatches = files.batches(rightSpec);
              long read = System.nanoTime();
              long readCpu = processCpu();
              Map<String, SourceBatches> rightSource =
                  Map.of("right", new SourceBatches(rightSchema, rightBatches));
              try (Relation out =
                  lane.runOps(
                      "interval_align_bench",
                      leftSchema,
                      leftBatches,
                      List.of(align),
                      Map.of(),
                      rightSource)) {
                long aligned = System.nanoTime();
                long alignedCpu = processCpu();
                Summary summary = summarize(out);
                System.err.printf(
                    "reference lane: read %.0f ms (process cpu %.0f ms), align %.0f ms (process"
                        + " cpu %.0f ms), summary %.0f ms%n",
                    (read - start) / 1e6,
                    (readCpu - startCpu) / 1e6,
                    (aligned - read) / 1e6,
                    (alignedCpu - readCpu) / 1e6,
                    (System.nanoTime() - aligned) / 1e6);
                return checked(expected, "reference-interval-align", summary);
              }
            }
          });
      if (Boolean.getBoolean("relspec.bench.referenceOnly")) {
        // For profiling the reference lane alone: times printed, no results file.
        // The lane runs key groups (and reads) on more than the calling thread: the process's
        // CPU time (every thread, GC and JIT included) is the honest measure on a loaded machine.
        java.lang.management.ThreadMXBean threads =
            java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round < warmups + iterations; round++) {
          long start = System.nanoTime();
          long cpu = threads.getCurrentThreadCpuTime();
          long processCpu = os.getProcessCpuTime();
          lanes.get("reference-interval-align").call();
          System.out.printf(
              "reference round %d: %.0f ms (thread cpu %.0f ms, process cpu %.0f ms, load %.1f)"
                  + " %s%n",
              round,
              (System.nanoTime() - start) / 1e6,
              (threads.getCurrentThreadCpuTime() - cpu) / 1e6,
              (os.getProcessCpuTime() - processCpu) / 1e6,
              os.getSystemLoadAverage(),
              expected[0]);
        }
        return;
      }
      SideBySide bench =
          new SideBySide("interval-align", warmups, iterations)
              .note("left", nLeft)
              .note("right", nRight)
              .note("paths", paths)
              .note(
                  "spans",
                  "starts uniform in [0, "
                      + COORDINATES
                      + "), left length 1.."
                      + MAX_LEFT_LENGTH
                      + ", right length 1.."
                      + MAX_RIGHT_LENGTH
                      + ", conf null in 1 of 20 right rows")
              .note("mode", "contained, how=left, tieBreakers conf desc, matchMeta")
              .note("master", spark.sparkContext().master())
              .note(
                  "loadAverage1mAtStart",
                  java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                      .getSystemLoadAverage())
              .note(
                  "check",
                  "both lanes return the same row count and checksum of (id, rid, match_score)")
              .note(
                  "input",
                  "every timed run of both lanes reads the generated Parquet files (no cache)")
              .note(
                  "threads",
                  "both lanes use 2 threads: Spark local[2]; the reference lane reads two files"
                      + " at a time and ranks and sweeps key groups on the common fork-join pool"
                      + " plus the caller, so its callerThreadCpu counts only part of its CPU"
                      + " (-Drelspec.bench.referenceOnly=true prints the process CPU)");
      bench.addCase(
          "interval_align " + nLeft + " x " + nRight + " over " + paths + " paths",
          "spark-range-join",
          lanes);
      for (SideBySide.CaseResult result : bench.run(Path.of("bench", "results"))) {
        System.out.printf(
            "%s: spark range join %.0f ms, reference interval_align %.0f ms, speedup %.1fx"
                + " (rows %d, matched %d, checksum %d)%n",
            result.name(),
            result.median("spark-range-join"),
            result.median("reference-interval-align"),
            1 / result.ratio("reference-interval-align"),
            result.rows(),
            expected[0].matched(),
            expected[0].checksum());
      }
    } finally {
      spark.stop();
    }
  }

  static final List<Field> LEFT_FIELDS =
      List.of(
          Field.nullable("id", PrimitiveType.INT64),
          Field.nullable("path", PrimitiveType.STRING),
          Field.nullable("ls", PrimitiveType.INT64),
          Field.nullable("le", PrimitiveType.INT64));

  static final List<Field> RIGHT_FIELDS =
      List.of(
          Field.nullable("rid", PrimitiveType.INT64),
          Field.nullable("path", PrimitiveType.STRING),
          Field.nullable("rs", PrimitiveType.INT64),
          Field.nullable("re", PrimitiveType.INT64),
          Field.nullable("conf", PrimitiveType.FLOAT64));

  static IntervalAlign align() {
    return new IntervalAlign(
        Pipeline.of(Scan.of("right")),
        List.of(EquiKey.same("path")),
        new IntervalAlign.Span("ls", "le"),
        new IntervalAlign.Span("rs", "re"),
        IntervalAlign.Mode.CONTAINED,
        IntervalAlign.How.LEFT,
        List.of("rid", "conf"),
        List.of(SortKey.desc("conf")),
        true);
  }

  /** CPU time of this process so far (every thread, GC and JIT included), in nanoseconds. */
  static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Deterministic spans (Spark's seeded rand over a fixed partitioning), written once. */
  static void generate(SparkSession spark, long nLeft, long nRight, int paths, Path data)
      throws java.io.IOException {
    System.err.printf("generating %d left, %d right spans over %d paths%n", nLeft, nRight, paths);
    spark
        .range(0, nLeft, 1, 8)
        .select(
            col("id"),
            concat(lit("path"), floor(rand(1).multiply(paths)).cast("string")).as("path"),
            floor(rand(2).multiply(COORDINATES)).as("ls"),
            floor(rand(3).multiply(MAX_LEFT_LENGTH)).plus(1).as("len"))
        .select(col("id"), col("path"), col("ls"), col("ls").plus(col("len")).as("le"))
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(data.resolve("left").toString());
    spark
        .range(0, nRight, 1, 8)
        .select(
            col("id").as("rid"),
            concat(lit("path"), floor(rand(4).multiply(paths)).cast("string")).as("path"),
            floor(rand(5).multiply(COORDINATES)).as("rs"),
            floor(rand(6).multiply(MAX_RIGHT_LENGTH)).plus(1).as("len"),
            when(rand(7).lt(0.05), lit(null).cast(DataTypes.DoubleType))
                .otherwise(floor(rand(8).multiply(10)).divide(10))
                .as("conf"))
        .select(
            col("rid"), col("path"), col("rs"), col("rs").plus(col("len")).as("re"), col("conf"))
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(data.resolve("right").toString());
    Files.writeString(
        data.resolve("_GENERATED"),
        "left=" + nLeft + " right=" + nRight + " paths=" + paths + "\n");
  }

  /** Rows out, matched rows, and a checksum over (id, rid or -1, match_score). */
  record Summary(long rows, long matched, long checksum) {}

  private static long checked(Summary[] expected, String lane, Summary got) {
    if (expected[0] == null) {
      expected[0] = got;
    } else if (!expected[0].equals(got)) {
      throw new IllegalStateException(
          "Cannot compare lanes: " + lane + " gave " + got + ", the other lane " + expected[0]);
    }
    return got.rows();
  }

  /**
   * The alignment as a naive Catalyst range join: every (left, right) pair of a path that satisfies
   * the span predicate, ranked per left row by the spec's rules (shortest right span, then conf
   * desc nulls first, then the remaining right columns ascending nulls last).
   */
  static Summary naiveRangeJoin(Dataset<Row> left, Dataset<Row> right) {
    Dataset<Row> r =
        right.select(col("rid"), col("path").as("rpath"), col("rs"), col("re"), col("conf"));
    Column on =
        col("path")
            .equalTo(col("rpath"))
            .and(col("rs").geq(col("ls")))
            .and(col("re").leq(col("le")));
    WindowSpec best =
        Window.partitionBy("id")
            .orderBy(
                col("re").minus(col("rs")).asc_nulls_last(),
                col("conf").desc_nulls_first(),
                col("rid").asc_nulls_last(),
                col("rpath").asc_nulls_last(),
                col("rs").asc_nulls_last(),
                col("re").asc_nulls_last());
    Dataset<Row> aligned =
        left.join(r, on, "left_outer")
            .withColumn("rank", row_number().over(best))
            .filter(col("rank").equalTo(1))
            .select(
                col("id"),
                col("path"),
                col("ls"),
                col("le"),
                col("rid"),
                col("conf"),
                when(col("rid").isNull(), lit(IntervalAlign.NO_MATCH))
                    .otherwise(lit("contained"))
                    .as("match_kind"),
                col("rs").minus(col("re")).cast(DataTypes.DoubleType).as("match_score"));
    Row row =
        aligned
            .agg(
                count(lit(1)),
                count(col("rid")),
                sum(col("id").multiply(1_000_003L).plus(coalesce(col("rid"), lit(-1L)))),
                sum(coalesce(col("match_score"), lit(0.0)).cast(DataTypes.LongType)))
            .first();
    return new Summary(
        row.getLong(0),
        row.getLong(1),
        row.getLong(2) * 31 + (row.isNullAt(3) ? 0 : row.getLong(3)));
  }

  /** The same summary over the reference lane's output batches. */
  static Summary summarize(Relation out) {
    RelSchema schema = out.schema();
    int id = schema.indexOf("id");
    int rid = schema.indexOf("rid");
    int score = schema.indexOf(IntervalAlign.MATCH_SCORE);
    long rows = 0;
    long matched = 0;
    long ids = 0;
    long scores = 0;
    for (VectorSchemaRoot batch : out.batches()) {
      BigIntVector idVector = (BigIntVector) batch.getVector(id);
      BigIntVector ridVector = (BigIntVector) batch.getVector(rid);
      Float8Vector scoreVector = (Float8Vector) batch.getVector(score);
      for (int i = 0; i < batch.getRowCount(); i++) {
        rows++;
        long r = -1;
        if (!ridVector.isNull(i)) {
          matched++;
          r = ridVector.get(i);
        }
        ids += idVector.get(i) * 1_000_003L + r;
        if (!scoreVector.isNull(i)) {
          scores += (long) scoreVector.get(i);
        }
      }
    }
    return new Summary(rows, matched, ids * 31 + scores);
  }
}
