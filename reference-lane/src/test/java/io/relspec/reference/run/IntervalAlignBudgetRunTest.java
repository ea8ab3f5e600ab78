package io.relspec.reference.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ReferenceExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code interval_align} under the run's memory limit: its heap arrays (row index, spans, groups,
 * tie columns, results) are reserved before they are allocated, so over a small limit it fails with
 * the lane's clear error, writes nothing and leaves no Arrow buffer behind; under a large limit it
 * runs.
 */
class IntervalAlignBudgetRunTest {
  private static final MessageType LEFT =
      MessageTypeParser.parseMessageType(
          "message l { required int64 id; optional binary path (STRING); optional int64 ls;"
              + " optional int64 le; }");
  private static final MessageType RIGHT =
      MessageTypeParser.parseMessageType(
          "message r { required int64 rid; optional binary path (STRING); optional int64 rs;"
              + " optional int64 re; optional double conf; }");

  private static final int LEFT_ROWS = 20_000;
  private static final int RIGHT_ROWS = 60_000;
  private static final int PATHS = 50;

  private static ParquetWriter<Group> writer(Path file, MessageType type) throws IOException {
    Files.createDirectories(file.getParent());
    return ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
        .withConf(new Configuration(false))
        .withType(type)
        .build();
  }

  /** Left spans [s, s + 50) and right spans [s, s + 5) over PATHS paths, deterministic. */
  private static void write(Path data) throws IOException {
    try (ParquetWriter<Group> w = writer(data.resolve("l/part-0.parquet"), LEFT)) {
      SimpleGroupFactory f = new SimpleGroupFactory(LEFT);
      for (long id = 0; id < LEFT_ROWS; id++) {
        long s = (id * 37) % 10_000;
        w.write(
            f.newGroup()
                .append("id", id)
                .append("path", "p" + (id % PATHS))
                .append("ls", s)
                .append("le", s + 50));
      }
    }
    try (ParquetWriter<Group> w = writer(data.resolve("r/part-0.parquet"), RIGHT)) {
      SimpleGroupFactory f = new SimpleGroupFactory(RIGHT);
      for (long rid = 0; rid < RIGHT_ROWS; rid++) {
        long s = (rid * 53) % 10_000;
        w.write(
            f.newGroup()
                .append("rid", rid)
                .append("path", "p" + (rid % PATHS))
                .append("rs", s)
                .append("re", s + 5)
                .append("conf", (rid % 7) / 7.0));
      }
    }
  }

  private static final String BUNDLE =
      """
      {"relspec":1,"name":"b","datasets":[
        {"name":"l","format":"parquet","location":"l","schema":[
          {"name":"id","type":"int64","nullable":false},{"name":"path","type":"string"},
          {"name":"ls","type":"int64"},{"name":"le","type":"int64"}]},
        {"name":"r","format":"parquet","location":"r","schema":[
          {"name":"rid","type":"int64","nullable":false},{"name":"path","type":"string"},
          {"name":"rs","type":"int64"},{"name":"re","type":"int64"},{"name":"conf","type":"float64"}]}],
       "contracts":[{"name":"c","version":1,"columns":[{"name":"id","type":"int64"}]}],
       "rules":[{"name":"r","output":"o","contract":"c","ops":[
         {"op":"scan","dataset":"l"},
         {"op":"interval_align","right":{"ops":[{"op":"scan","dataset":"r"}]},"on":["path"],
          "leftSpan":["ls","le"],"rightSpan":["rs","re"],"mode":"contained","how":"left",
          "selectRight":["rid"],"tieBreakers":[{"col":"conf","dir":"desc"}],"matchMeta":true},
         {"op":"project","columns":["id","rid"]}]}]}
      """;

  private static RunManifest run(Path data, Path out, long limit) {
    ValidatedBundle bundle =
        BundleValidator.validate(
            io.relspec.ir.json.BundleReader.read(BUNDLE, "<test>"), "<test>", Map.of());
    RuntimeProfile profile =
        new RuntimeProfile(1, 4096, Optional.empty(), MemoryPool.GREEDY, Optional.of(limit));
    return new ArrowLaneRunner(
            new ReferenceExecutor(profile.batchSize(), limit),
            profile,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .run(bundle, data, out, Map.of());
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void overASmallLimitItFailsClearlyWritesNothingAndFreesItsBuffers(@TempDir Path dir)
      throws IOException {
    Path data = dir.resolve("data");
    write(data);
    // the inputs' Arrow batches (about 3 MB) fit; with the aligner's heap arrays they do not
    long limit = 6L * 1024 * 1024;
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "before");
    assertThatThrownBy(() -> run(data, out, limit))
        .isInstanceOf(RelspecException.class)
        .hasMessageStartingWith("Cannot run op interval_align of rule 'r'")
        .hasMessageContaining("needs more than the reference lane's memory limit of " + limit)
        .hasMessageContaining("Raise memoryLimitBytes")
        // the run's allocator is closed after the failure: a buffer left open would fail its
        // close and show up here as a suppressed exception
        .satisfies(e -> assertThat(e.getSuppressed()).isEmpty())
        .extracting(e -> ((RelspecException) e).code())
        .isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
    assertThat(listing(out)).containsExactly("", "keep.txt");
  }

  @Test
  void underALargeLimitItRuns(@TempDir Path dir) throws IOException {
    Path data = dir.resolve("data");
    write(data);
    RunManifest manifest = run(data, dir.resolve("out"), 512L << 20);
    // how=left keeps every left row
    assertThat(manifest.outputs().get(0).rowsOut()).isEqualTo(LEFT_ROWS);
    assertThat(manifest.outputs().get(0).rules().get(0).rowsIn()).isEqualTo(LEFT_ROWS);
  }
}
