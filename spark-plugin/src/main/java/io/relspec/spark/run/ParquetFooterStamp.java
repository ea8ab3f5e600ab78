package io.relspec.spark.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.run.RunManifest;
import io.relspec.spark.SparkErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.InputFile;

/**
 * Writes relspec's key-value metadata (bundle, contract, ordering and plan signatures) into the
 * footer of every Parquet file of a staged dataset. Spark's Parquet writer has no hook for extra
 * footer metadata, so each part file is rewritten after Spark wrote it: a new file with the same
 * schema, the row groups copied byte for byte ({@code ParquetFileWriter.appendFile}), and a footer
 * holding the file's own key-value metadata (Spark's row schema etc.) plus relspec's keys. Runs in
 * the staging directory, before the commit, so a failure changes no output.
 *
 * <p>Column and offset indexes are not copied by {@code appendFile} (parquet-hadoop 1.13.1); row
 * group statistics, dictionaries and encodings are.
 */
public final class ParquetFooterStamp {
  public static final String BUNDLE_SIGNATURE = "relspec.bundle.signature";
  public static final String DATASET = "relspec.dataset";
  public static final String DATASET_KIND = "relspec.dataset.kind";
  public static final String CONTRACT_NAME = "relspec.contract.name";
  public static final String CONTRACT_VERSION = "relspec.contract.version";
  public static final String CONTRACT_SIGNATURE = "relspec.contract.signature";
  public static final String ORDERING = "relspec.ordering";
  public static final String PLAN_SIGNATURE = "relspec.plan.signature";
  public static final String RULES = "relspec.rules";
  public static final String ENGINE = "relspec.engine";
  public static final String VERSION = "relspec.version";

  private ParquetFooterStamp() {}

  /**
   * The key-value metadata of output {@code output}'s files ({@code errors} for its {@code
   * __errors} dataset): {@code relspec.plan.signature} is the comma-separated plan signatures of
   * the output's rules in order, {@code relspec.rules} a JSON array of {@code {rule, planSignature,
   * ruleSignature}}.
   */
  public static Map<String, String> metadata(
      String bundleSignature, OutputPlan output, boolean errors, String engine) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put(BUNDLE_SIGNATURE, bundleSignature);
    keys.put(DATASET, errors ? output.errorsName() : output.name());
    keys.put(DATASET_KIND, errors ? "errors" : "output");
    keys.put(CONTRACT_NAME, output.contract().name());
    keys.put(CONTRACT_VERSION, String.valueOf(output.contract().version()));
    keys.put(CONTRACT_SIGNATURE, output.contractSignature());
    keys.put(ORDERING, errors ? "unordered" : output.ordering().describe());
    keys.put(
        PLAN_SIGNATURE,
        String.join(",", output.rules().stream().map(RelPlan::planSignature).toList()));
    List<Map<String, String>> rules = new ArrayList<>();
    for (RelPlan plan : output.rules()) {
      Map<String, String> rule = new LinkedHashMap<>();
      rule.put("rule", plan.name());
      rule.put("planSignature", plan.planSignature());
      rule.put("ruleSignature", plan.ruleSignature());
      rules.add(rule);
    }
    try {
      keys.put(RULES, new ObjectMapper().writeValueAsString(rules));
    } catch (IOException e) {
      throw new IllegalStateException("cannot render rule signatures", e);
    }
    keys.put(ENGINE, engine);
    keys.put(VERSION, RunManifest.RELSPEC_VERSION);
    return keys;
  }

  /**
   * Rewrites the footer of every {@code *.parquet} file under {@code dataset} with {@code keys}.
   */
  public static void stamp(Path dataset, Map<String, String> keys, Configuration conf) {
    List<Path> files;
    try (Stream<Path> listing = Files.list(dataset)) {
      files = listing.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
    } catch (IOException e) {
      throw SparkErrors.cannotWrite("the Parquet footers of", dataset.toString(), e);
    }
    for (Path file : files) {
      stampFile(file, keys, conf);
    }
  }

  private static void stampFile(Path file, Map<String, String> keys, Configuration conf) {
    Path rewritten = file.resolveSibling("." + file.getFileName() + ".relspec");
    try {
      InputFile input = HadoopInputFile.fromPath(hadoop(file), conf);
      FileMetaData meta;
      try (ParquetFileReader reader = ParquetFileReader.open(input)) {
        meta = reader.getFooter().getFileMetaData();
      }
      Map<String, String> merged = new LinkedHashMap<>(meta.getKeyValueMetaData());
      merged.putAll(keys);
      ParquetFileWriter writer =
          new ParquetFileWriter(
              HadoopOutputFile.fromPath(hadoop(rewritten), conf),
              meta.getSchema(),
              ParquetFileWriter.Mode.CREATE,
              org.apache.parquet.hadoop.ParquetWriter.DEFAULT_BLOCK_SIZE,
              org.apache.parquet.hadoop.ParquetWriter.MAX_PADDING_SIZE_DEFAULT);
      writer.start();
      writer.appendFile(input);
      writer.end(merged);
      Files.move(rewritten, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.deleteIfExists(file.resolveSibling("." + rewritten.getFileName() + ".crc"));
      Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    } catch (IOException e) {
      throw SparkErrors.cannotWrite("the Parquet footer of", file.toString(), e);
    }
  }

  private static org.apache.hadoop.fs.Path hadoop(Path path) {
    return new org.apache.hadoop.fs.Path(path.toUri());
  }
}
