package io.relspec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.plan.Ordering;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ParquetDatasetSource;
import io.relspec.reference.Relation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relspec run --engine reference} and {@code --engine spark} read the same rows from a
 * dataset with hive-style partition columns (declared types, Hive's default partition, escaped
 * values, levels in either order) and from a CSV dataset (header, quotes, empty fields, special
 * floats, decimals rounded to their scale, a quoted empty string).
 */
class InputFormatParityTest {
  @TempDir static Path tmp;

  @AfterAll
  static void stopSpark() {
    SparkSession.getActiveSession()
        .foreach(
            s -> {
              s.stop();
              return null;
            });
  }

  private static final MessageType IDS =
      MessageTypeParser.parseMessageType(
          "message p { required int64 id; optional binary s (STRING); }");

  private static void parquet(Path file, long first, int count) throws IOException {
    Files.createDirectories(file.getParent());
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(new Configuration(false))
            .withType(IDS)
            .build()) {
      SimpleGroupFactory factory = new SimpleGroupFactory(IDS);
      for (long id = first; id < first + count; id++) {
        Group g = factory.newGroup().append("id", id);
        if (id % 3 != 0) {
          g.append("s", "s" + id);
        }
        writer.write(g);
      }
    }
  }

  private static final String BUNDLE =
      """
      {"relspec":1,"name":"formats","datasets":[
        {"name":"p","format":"parquet","location":"p",
         "schema":[{"name":"region","type":"string"},{"name":"id","type":"int64","nullable":false},
                   {"name":"day","type":"date32"},{"name":"s","type":"string"},
                   {"name":"year","type":"int32"}],
         "scan":{"partitionCols":[{"name":"day","type":"date32"},{"name":"region","type":"string"},
                                  {"name":"year","type":"int32"}]}},
        {"name":"c","format":"csv","location":"c",
         "schema":[{"name":"id","type":"int64","nullable":false},{"name":"name","type":"string"},
                   {"name":"amount","type":"decimal(10,2)"},{"name":"day","type":"date32"},
                   {"name":"flag","type":"boolean"},{"name":"score","type":"float64"},
                   {"name":"small","type":"int16"}]}],
       "contracts":[
        {"name":"pc","version":1,"columns":[{"name":"region","type":"string"},
           {"name":"id","type":"int64"},{"name":"day","type":"date32"},{"name":"s","type":"string"},
           {"name":"year","type":"int32"}]},
        {"name":"cc","version":1,"columns":[{"name":"id","type":"int64"},
           {"name":"name","type":"string"},{"name":"amount","type":"decimal(10,2)"},
           {"name":"day","type":"date32"},{"name":"flag","type":"boolean"},
           {"name":"score","type":"float64"},{"name":"small","type":"int16"}]}],
       "rules":[
        {"name":"from_p","output":"po","contract":"pc","ops":[{"op":"scan","dataset":"p"}]},
        {"name":"from_c","output":"co","contract":"cc","ops":[{"op":"scan","dataset":"c"}]}]}
      """;

  private static void run(Path bundle, Path data, String engine, Path out) {
    StringWriter stdout = new StringWriter();
    StringWriter stderr = new StringWriter();
    int exit =
        RelspecCommand.execute(
            new String[] {
              "run",
              bundle.toString(),
              "--engine",
              engine,
              "--master",
              "local[2]",
              "--data",
              data.toString(),
              "--out",
              out.toString()
            },
            new PrintWriter(stdout),
            new PrintWriter(stderr));
    assertThat(exit).as(engine + " run: " + stderr).isZero();
  }

  private static List<List<Object>> rows(Path out, String name, RelSchema schema) {
    DatasetSpec spec =
        new DatasetSpec(
            name,
            DatasetFormat.PARQUET,
            name,
            schema.fields(),
            Ordering.UNORDERED,
            ScanOptions.defaults(DatasetFormat.PARQUET));
    try (BufferAllocator allocator = new RootAllocator();
        ParquetDatasetSource source = new ParquetDatasetSource(out, allocator, 4096)) {
      List<List<Object>> rows =
          new ArrayList<>(new Relation(schema, List.copyOf(source.batches(spec))).rows());
      rows.sort(Comparator.comparing(Object::toString));
      return rows;
    }
  }

  @Test
  void partitionedParquetAndCsvReadTheSameOnBothLanes() throws IOException {
    Path data = tmp.resolve("data");
    parquet(data.resolve("p/region=eu/day=2024-01-02/year=2024/part-0.parquet"), 1, 4);
    parquet(data.resolve("p/region=us/day=2023-12-31/year=2023/part-0.parquet"), 10, 3);
    parquet(
        data.resolve("p/region=__HIVE_DEFAULT_PARTITION__/day=2024-01-05/year=7/p.parquet"), 20, 2);
    parquet(data.resolve("p/region=a%2Fb c/day=2024-02-29/year=-1/part-0.parquet"), 30, 1);
    Files.createDirectories(data.resolve("c"));
    Files.writeString(
        data.resolve("c/part-0.csv"),
        """
        id,name,amount,day,flag,score,small
        1,alice,12.5,2024-01-02,true,1.5,7
        2,"bob, jr",,2024-01-03,FALSE,NaN,-3
        3,"say \\"hi\\"",7,,,,
        4,,0.125,2024-02-29,True,-Inf,0
        """);
    Files.writeString(
        data.resolve("c/part-1.csv"), "x,y,z,a,b,c,d\n5,e,-0.005,,false,1e3,32767\n6,\"\",1,,,,\n");
    Path bundleFile = tmp.resolve("formats.json");
    Files.writeString(bundleFile, BUNDLE);
    ValidatedBundle bundle = BundleValidator.validate(bundleFile);

    Path reference = tmp.resolve("out-reference");
    Path spark = tmp.resolve("out-spark");
    run(bundleFile, data, "reference", reference);
    run(bundleFile, data, "spark", spark);
    for (OutputPlan output : bundle.outputs()) {
      List<List<Object>> refRows = rows(reference, output.name(), output.schema());
      assertThat(refRows).as(output.name()).hasSize(output.name().equals("po") ? 10 : 6);
      assertThat(refRows).as(output.name()).isEqualTo(rows(spark, output.name(), output.schema()));
    }
  }
}
