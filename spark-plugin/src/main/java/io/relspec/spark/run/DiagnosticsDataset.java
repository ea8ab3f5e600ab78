package io.relspec.spark.run;

import io.relspec.ir.diagnostics.CheckReport;
import io.relspec.ir.diagnostics.Diagnostic;
import io.relspec.ir.diagnostics.GateDecision;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.run.StagedOutputs;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Diagnostics as a dataset: one Parquet file, one row per diagnostic, keyed by the plan signature
 * of the rule it is about (null for bundle-level diagnostics), with the gate decision of that rule.
 *
 * <p>Columns: {@code plan_signature, bundle, rule, severity, code, location, message, fix, gate,
 * gate_reason}, all UTF-8 strings; only {@code bundle}, {@code severity}, {@code code}, {@code
 * location}, {@code message} and {@code fix} are required.
 *
 * <p>Written by {@code relspec run} (every engine), {@code relspec check --output} and {@link
 * SparkRunMain}; it lives here, beside the Spark runner, because Spark already brings Parquet.
 */
public final class DiagnosticsDataset {
  /** The directory name {@code check --output DIR} writes under DIR. */
  public static final String CHECK_DIR = "diagnostics";

  /** The directory name {@code run} writes under OUT. */
  public static final String RUN_DIR = "_diagnostics";

  public static final String FILE = "part-0.parquet";

  static final MessageType SCHEMA =
      Types.buildMessage()
          .addField(string("plan_signature", false))
          .addField(string("bundle", true))
          .addField(string("rule", false))
          .addField(string("severity", true))
          .addField(string("code", true))
          .addField(string("location", true))
          .addField(string("message", true))
          .addField(string("fix", true))
          .addField(string("gate", false))
          .addField(string("gate_reason", false))
          .named("relspec_diagnostic");

  private DiagnosticsDataset() {}

  private static org.apache.parquet.schema.PrimitiveType string(String name, boolean required) {
    return (required
            ? Types.required(PrimitiveTypeName.BINARY)
            : Types.optional(PrimitiveTypeName.BINARY))
        .as(LogicalTypeAnnotation.stringType())
        .named(name);
  }

  /**
   * Writes {@code parent/dirName/part-0.parquet}, replacing an earlier copy of that directory
   * atomically.
   */
  public static Path write(String bundle, CheckReport report, Path parent, String dirName) {
    try (StagedOutputs staged = StagedOutputs.open(parent)) {
      Path dir = staged.stage(dirName);
      Path file = dir.resolve(FILE);
      try {
        Files.createDirectories(dir);
        writeFile(bundle, report, file);
      } catch (IOException | RuntimeException e) {
        throw new RelspecException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot write the diagnostics dataset to "
                + parent.resolve(dirName)
                + ": "
                + e.getMessage()
                + ". Check that the directory is writable.",
            e);
      }
      staged.commit();
      return parent.resolve(dirName).resolve(FILE);
    }
  }

  /** A local file for Parquet, without Hadoop's file system layer (and its .crc files). */
  private record LocalOutputFile(Path path) implements OutputFile {
    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
      return stream(Files.newOutputStream(path, StandardOpenOption.CREATE_NEW));
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
      return stream(Files.newOutputStream(path));
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }

    private static PositionOutputStream stream(OutputStream out) {
      OutputStream buffered = new BufferedOutputStream(out);
      return new PositionOutputStream() {
        private long position;

        @Override
        public long getPos() {
          return position;
        }

        @Override
        public void write(int b) throws IOException {
          buffered.write(b);
          position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          buffered.write(b, off, len);
          position += len;
        }

        @Override
        public void flush() throws IOException {
          buffered.flush();
        }

        @Override
        public void close() throws IOException {
          buffered.close();
        }
      };
    }
  }

  private static void writeFile(String bundle, CheckReport report, Path file) throws IOException {
    SimpleGroupFactory rows = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withConf(new Configuration())
            .withType(SCHEMA)
            .withWriteMode(ParquetFileWriter.Mode.CREATE)
            .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
            .withExtraMetaData(Map.of("relspec.kind", "diagnostics"))
            .build()) {
      for (Diagnostic d : report.diagnostics()) {
        Group row = rows.newGroup();
        d.planSignature().ifPresent(s -> row.add("plan_signature", s));
        row.add("bundle", bundle);
        d.rule().ifPresent(r -> row.add("rule", r));
        row.add("severity", d.severity().jsonName());
        row.add("code", d.code());
        row.add("location", d.location());
        row.add("message", d.message());
        row.add("fix", d.fix());
        Optional<GateDecision> gate = d.rule().flatMap(report::gate);
        gate.ifPresent(
            g -> {
              row.add("gate", g.status());
              row.add("gate_reason", g.reason());
            });
        writer.write(row);
      }
    }
  }
}
