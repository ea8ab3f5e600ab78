package io.relspec.spark.datagen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Code-intelligence-like tables with byte spans, the inputs of {@code examples/cpg.json}: files,
 * name references, call sites with callee lists (null lists, empty lists, null elements), and
 * symbol occurrences nested inside, overlapping and equal to each other (ties included).
 * Deterministic by seed. {@code rows} is the number of name references; the other tables scale with
 * it.
 */
public final class CpgGenerator {
  /** Bytes per generated file. */
  static final int FILE_BYTES = 10_000;

  static final int BLOCKS = 8;
  static final int FUNCTIONS_PER_BLOCK = 3;
  static final int REFERENCES_PER_FILE = 8;
  static final int OCCURRENCES_PER_FILE =
      BLOCKS + BLOCKS * FUNCTIONS_PER_BLOCK + REFERENCES_PER_FILE;

  public static final StructType FILES =
      new StructType()
          .add("file_id", DataTypes.LongType, false)
          .add("path", DataTypes.StringType, false)
          .add("language", DataTypes.StringType, true);
  public static final StructType NAME_REFS =
      new StructType()
          .add("ref_id", DataTypes.LongType, false)
          .add("path", DataTypes.StringType, false)
          .add("name", DataTypes.StringType, true)
          .add("bstart", DataTypes.LongType, true)
          .add("bend", DataTypes.LongType, true);
  public static final StructType CALL_SITES =
      new StructType()
          .add("call_id", DataTypes.LongType, false)
          .add("path", DataTypes.StringType, false)
          .add("callee_text", DataTypes.StringType, true)
          .add("bstart", DataTypes.LongType, true)
          .add("bend", DataTypes.LongType, true)
          .add("callees", DataTypes.createArrayType(DataTypes.StringType, true), true);
  public static final StructType SYMBOL_OCCURRENCES =
      new StructType()
          .add("occ_id", DataTypes.LongType, false)
          .add("path", DataTypes.StringType, false)
          .add("symbol", DataTypes.StringType, true)
          .add("role", DataTypes.StringType, true)
          .add("bstart", DataTypes.LongType, true)
          .add("bend", DataTypes.LongType, true)
          .add("confidence", DataTypes.DoubleType, true);

  private static final String[] LANGUAGES = {"python", "java", "go"};
  private static final double[] CONFIDENCES = {0.5, 0.75, 0.9, 1.0};

  private CpgGenerator() {}

  /** Writes the four tables under {@code out}. */
  public static Generated write(SparkSession spark, long rows, long seed, Path out) {
    long files = Math.max(1, rows / 40);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("files", TableWriter.write(spark, out, "files", files, FILES, id -> file(id, seed)));
    counts.put(
        "symbol_occurrences",
        TableWriter.write(
            spark,
            out,
            "symbol_occurrences",
            files * OCCURRENCES_PER_FILE,
            SYMBOL_OCCURRENCES,
            id -> occurrence(id, files, seed)));
    counts.put(
        "name_refs",
        TableWriter.write(
            spark, out, "name_refs", rows, NAME_REFS, id -> nameRef(id, files, seed)));
    counts.put(
        "call_sites",
        TableWriter.write(
            spark,
            out,
            "call_sites",
            Math.max(1, rows / 2),
            CALL_SITES,
            id -> callSite(id, files, seed)));
    return new Generated(out, counts);
  }

  static String path(long file) {
    return String.format("src/pkg%02d/mod_%06d.py", file % 13, file);
  }

  static String definition(long file, int block, int function) {
    String owner = "pkg" + (file % 13) + ".mod_" + file + ".C" + block;
    return function < 0 ? owner : owner + ".f" + function;
  }

  private static org.apache.spark.sql.Row file(long id, long seed) {
    SplittableRandom random = RowRandom.of(seed, 1, id);
    String language =
        RowRandom.oneIn(random, 10) ? null : LANGUAGES[random.nextInt(LANGUAGES.length)];
    return RowFactory.create(id, path(id), language);
  }

  private static org.apache.spark.sql.Row occurrence(long id, long files, long seed) {
    SplittableRandom random = RowRandom.of(seed, 2, id);
    long file = id / OCCURRENCES_PER_FILE;
    int slot = (int) (id % OCCURRENCES_PER_FILE);
    long start;
    long end;
    String symbol;
    String role = "definition";
    if (slot < BLOCKS) {
      start = slot * 1250L;
      end = start + 1200;
      symbol = definition(file, slot, -1);
    } else if (slot < BLOCKS + BLOCKS * FUNCTIONS_PER_BLOCK) {
      int block = (slot - BLOCKS) / FUNCTIONS_PER_BLOCK;
      int function = (slot - BLOCKS) % FUNCTIONS_PER_BLOCK;
      start = block * 1250L + 100 + function * 350L;
      end = start + 300;
      symbol = definition(file, block, function);
    } else {
      role = "reference";
      // A short span inside a random function; every fourth one equals its neighbour (a tie).
      int block = random.nextInt(BLOCKS);
      int function = random.nextInt(FUNCTIONS_PER_BLOCK);
      int offset = slot % 4 == 1 ? 0 : random.nextInt(250);
      start = block * 1250L + 100 + function * 350L + 20 + offset;
      end = start + 5 + (slot % 4 == 1 ? 0 : random.nextInt(20));
      symbol =
          definition(
              random.nextLong(files), random.nextInt(BLOCKS), random.nextInt(FUNCTIONS_PER_BLOCK));
    }
    if (RowRandom.oneIn(random, 100)) {
      symbol = null;
    }
    Double confidence =
        RowRandom.oneIn(random, 50) ? null : CONFIDENCES[random.nextInt(CONFIDENCES.length)];
    return RowFactory.create(id, path(file), symbol, role, start, end, confidence);
  }

  private static org.apache.spark.sql.Row nameRef(long id, long files, long seed) {
    SplittableRandom random = RowRandom.of(seed, 3, id);
    long file = random.nextLong(files);
    Long start;
    Long end;
    if (RowRandom.oneIn(random, 5)) {
      // anywhere in the file: mostly no occurrence lies inside it
      start = (long) random.nextInt(FILE_BYTES + 500);
      end = start + 1 + random.nextInt(30);
    } else {
      // around one of the file's reference occurrences, widened by up to 3 bytes on each side
      int slot = BLOCKS + BLOCKS * FUNCTIONS_PER_BLOCK + random.nextInt(REFERENCES_PER_FILE);
      org.apache.spark.sql.Row occurrence =
          occurrence(file * OCCURRENCES_PER_FILE + slot, files, seed);
      start = occurrence.getLong(4) - random.nextInt(4);
      end = occurrence.getLong(5) + random.nextInt(4);
    }
    if (RowRandom.oneIn(random, 200)) {
      start = null;
    }
    String name = RowRandom.oneIn(random, 50) ? null : "n" + random.nextInt(1000);
    return RowFactory.create(id, path(file), name, start, end);
  }

  private static org.apache.spark.sql.Row callSite(long id, long files, long seed) {
    SplittableRandom random = RowRandom.of(seed, 4, id);
    long file = random.nextLong(files);
    long start = random.nextInt(FILE_BYTES);
    long end = start + 3 + random.nextInt(40);
    List<String> callees = null;
    if (!RowRandom.oneIn(random, 40)) {
      callees = new ArrayList<>();
      int size = RowRandom.oneIn(random, 30) ? 0 : 1 + random.nextInt(4);
      for (int i = 0; i < size; i++) {
        callees.add(
            RowRandom.oneIn(random, 20)
                ? null
                : RowRandom.oneIn(random, 8)
                    ? "unknown.callee" + random.nextInt(100)
                    : definition(
                        random.nextLong(files),
                        random.nextInt(BLOCKS),
                        random.nextInt(FUNCTIONS_PER_BLOCK)));
      }
    }
    String text =
        callees == null || callees.isEmpty() || callees.get(0) == null ? null : callees.get(0);
    return RowFactory.create(
        id,
        path(file),
        text,
        start,
        end,
        callees == null ? null : scala.collection.JavaConverters.asScalaBuffer(callees).toSeq());
  }
}
