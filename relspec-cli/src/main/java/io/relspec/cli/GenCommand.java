package io.relspec.cli;

import io.relspec.spark.datagen.AnalyticsGenerator;
import io.relspec.spark.datagen.CpgGenerator;
import io.relspec.spark.datagen.Generated;
import io.relspec.spark.datagen.TpchGenerator;
import io.relspec.spark.run.SparkRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code relspec gen tpch|cpg|analytics ...}: deterministic test and benchmark data as Parquet. */
@Command(
    name = "gen",
    mixinStandardHelpOptions = true,
    description = {
      "Generates data as Parquet, deterministic by seed:",
      "  tpch --scale SF --out DIR          TPC-H tables (io.trino.tpch) with proper types",
      "  cpg --rows N --seed S --out DIR    files, name_refs, call_sites, symbol_occurrences (examples/cpg.json)",
      "  analytics --rows N --seed S --out DIR   customers, orders, order_items (examples/analytics.json)"
    })
final class GenCommand implements Callable<Integer> {
  enum Kind {
    tpch,
    cpg,
    analytics
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "KIND", description = "${COMPLETION-CANDIDATES}")
  Kind kind;

  @Option(names = "--out", required = true, paramLabel = "DIR")
  Path out;

  @Option(
      names = "--scale",
      defaultValue = "0.01",
      paramLabel = "SF",
      description = "TPC-H scale factor (default ${DEFAULT-VALUE}).")
  double scale;

  @Option(
      names = "--rows",
      defaultValue = "1000",
      paramLabel = "N",
      description = "Rows of the main table (default ${DEFAULT-VALUE}).")
  long rows;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "S")
  long seed;

  @Option(names = "--master", defaultValue = "local[*]", paramLabel = "URL")
  String master;

  @Override
  public Integer call() {
    SparkSession spark = SparkRunner.localSession(master);
    Generated generated =
        switch (kind) {
          case tpch -> TpchGenerator.write(spark, scale, out);
          case cpg -> CpgGenerator.write(spark, rows, seed, out);
          case analytics -> AnalyticsGenerator.write(spark, rows, seed, out);
        };
    generated
        .rows()
        .forEach(
            (table, count) ->
                spec.commandLine()
                    .getOut()
                    .printf("%s %d rows -> %s%n", table, count, out.resolve(table)));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
