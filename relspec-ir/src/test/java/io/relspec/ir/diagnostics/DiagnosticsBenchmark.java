package io.relspec.ir.diagnostics;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.List;
import java.util.Map;
import org.apache.calcite.rel.RelNode;

/**
 * Benchmark (not a test): diagnostics for a generated bundle of 1,000 rules, each reading a dataset
 * or the output of an earlier rule, with filters, derives, joins and aggregates. Run with {@code
 * java -cp <test classpath> io.relspec.ir.diagnostics.DiagnosticsBenchmark [rules [out.json]]}.
 *
 * <p>Each round times validation, the check (diagnostics and gates), lineage, compile + optimize +
 * digest of every rule, the Spark-dialect SQL of every finalized output, and a semantic diff
 * against the same bundle with a column added to every dataset (every rule scans one: the
 * per-column dataset judgement runs for all 1,000). With {@code out.json} the rounds and the load
 * average of the machine are written there as JSON.
 */
public final class DiagnosticsBenchmark {
  private DiagnosticsBenchmark() {}

  static String bundle(int rules) {
    StringBuilder json = new StringBuilder("{\"relspec\": 1, \"name\": \"bench\", \"datasets\": [");
    for (int d = 0; d < 10; d++) {
      json.append(d > 0 ? "," : "")
          .append("{\"name\": \"ds")
          .append(d)
          .append("\", \"format\": \"parquet\", \"location\": \"x\", \"schema\": [")
          .append("{\"name\": \"id\", \"type\": \"int64\", \"nullable\": false},")
          .append("{\"name\": \"k\", \"type\": \"string\"},")
          .append("{\"name\": \"v\", \"type\": \"decimal(12,2)\"},")
          .append("{\"name\": \"n\", \"type\": \"int32\"}]}");
    }
    json.append("], \"contracts\": [{\"name\": \"c\", \"version\": 1, \"columns\": [")
        .append("{\"name\": \"id\", \"type\": \"int64\"}, {\"name\": \"k\", \"type\": \"string\"},")
        .append("{\"name\": \"v\", \"type\": \"decimal(12,2)\"}, {\"name\": \"n\", \"type\":")
        .append(" \"int32\"}], \"keyFields\": [\"id\"]}], \"rules\": [");
    for (int r = 0; r < rules; r++) {
      String input = r < 10 ? "ds" + r : "out" + (r - 10 + (r * 7) % 10) / 2;
      String other = "ds" + (r % 10);
      json.append(r > 0 ? "," : "")
          .append("{\"name\": \"rule")
          .append(r)
          .append("\", \"output\": \"out")
          .append(r)
          .append("\", \"contract\": \"c\", \"ops\": [")
          .append("{\"op\": \"scan\", \"dataset\": \"")
          .append(input)
          .append("\"},")
          .append("{\"op\": \"filter\", \"predicate\": {\"fn\": \"and\", \"args\": [")
          .append("{\"fn\": \"gt\", \"args\": [{\"col\": \"n\"}, {\"lit\": ")
          .append(r % 17)
          .append(", \"type\": \"int32\"}]}, {\"fn\": \"is_not_null\", \"args\": [{\"col\":")
          .append(" \"k\"}]}]}},")
          .append("{\"op\": \"join\", \"type\": \"left\", \"right\": {\"ops\": [{\"op\": \"scan\",")
          .append(" \"dataset\": \"")
          .append(other)
          .append(
              "\", \"columns\": [\"id\", \"n\"]}]}, \"on\": [\"id\"], \"rightSuffix\": \"_r\"},")
          .append("{\"op\": \"derive\", \"name\": \"k\", \"expr\": {\"fn\": \"upper\", \"args\":")
          .append(" [{\"col\": \"k\"}]}},")
          .append("{\"op\": \"aggregate\", \"groupBy\": [\"id\", \"k\"], \"aggregates\": [")
          .append("{\"name\": \"v\", \"fn\": \"sum\", \"args\": [{\"col\": \"v\"}]},")
          .append("{\"name\": \"n\", \"fn\": \"max\", \"args\": [{\"col\": \"n_r\"}]}]},")
          .append("{\"op\": \"project\", \"columns\": [\"id\", \"k\", {\"name\": \"v\", \"expr\":")
          .append(" {\"cast\": {\"col\": \"v\"}, \"to\": \"decimal(12,2)\"}}, \"n\"]}]}");
    }
    return json.append("]}").toString();
  }

  public static void main(String[] args) throws java.io.IOException {
    int rules = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    Bundle bundle = BundleReader.read(bundle(rules), "<bench>");
    Bundle widened =
        BundleReader.read(
            bundle(rules)
                .replace(
                    "{\"name\": \"n\", \"type\": \"int32\"}]}",
                    "{\"name\": \"n\", \"type\": \"int32\"}, {\"name\": \"extra\", \"type\":"
                        + " \"string\"}]}"),
            "<bench>");
    List<String> rounds = new java.util.ArrayList<>();
    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      ValidatedBundle validated = BundleValidator.validate(bundle, "<bench>", Map.of());
      long validatedAt = System.nanoTime();
      CheckReport report =
          BundleChecker.check(bundle, "<bench>", Map.of(), GatePolicy.SKIP_DOWNSTREAM);
      long checkedAt = System.nanoTime();
      LineageAnalyzer.analyze(validated);
      long lineageAt = System.nanoTime();
      RelCompiler compiler = new RelCompiler(validated);
      int digests = 0;
      long compiling = 0;
      long optimizing = 0;
      for (var plan : validated.plans()) {
        long t0 = System.nanoTime();
        RelNode rel = compiler.rule(plan);
        long t1 = System.nanoTime();
        RelNode optimized = PlanOptimizer.optimize(rel);
        optimizing += System.nanoTime() - t1;
        compiling += t1 - t0;
        digests += PlanOptimizer.digest(optimized).length() > 0 ? 1 : 0;
      }
      long optimizedAt = System.nanoTime();
      int sqlChars = 0;
      for (var output : validated.outputs()) {
        sqlChars += SqlRenderer.render(compiler.output(output), SqlDialectName.SPARK).length();
      }
      long sqlAt = System.nanoTime();
      List<RuleChange> changes =
          SemanticDiff.diff(validated, BundleValidator.validate(widened, "<bench>", Map.of()));
      long diffAt = System.nanoTime();
      long nonBreaking =
          changes.stream()
              .filter(c -> c.category().filter(RuleChange.NON_BREAKING::equals).isPresent())
              .count();
      System.out.printf(
          "  compile %d ms, optimize %d ms; sql of %d outputs %d ms (%d chars); diff %d ms (%d"
              + " non_breaking of %d)%n",
          compiling / 1_000_000,
          optimizing / 1_000_000,
          validated.outputs().size(),
          (sqlAt - optimizedAt) / 1_000_000,
          sqlChars,
          (diffAt - sqlAt) / 1_000_000,
          nonBreaking,
          changes.size());
      rounds.add(
          String.format(
              "{\"round\": %d, \"diagnostics\": %d, \"validateMs\": %d, \"checkMs\": %d,"
                  + " \"lineageMs\": %d, \"compileOptimizeDigestMs\": %d, \"diagnosticsTotalMs\":"
                  + " %d, \"sqlMs\": %d, \"diffMs\": %d, \"diffNonBreaking\": %d}",
              round,
              report.diagnostics().size(),
              (validatedAt - start) / 1_000_000,
              (checkedAt - validatedAt) / 1_000_000,
              (lineageAt - checkedAt) / 1_000_000,
              (optimizedAt - lineageAt) / 1_000_000,
              (optimizedAt - start) / 1_000_000,
              (sqlAt - optimizedAt) / 1_000_000,
              (diffAt - sqlAt) / 1_000_000,
              nonBreaking));
      System.out.printf(
          "round %d: %d rules, %d diagnostics: validate %d ms, check %d ms, lineage %d ms,"
              + " compile+optimize+digest %d ms (%d digests), total %d ms%n",
          round,
          rules,
          report.diagnostics().size(),
          (validatedAt - start) / 1_000_000,
          (checkedAt - validatedAt) / 1_000_000,
          (lineageAt - checkedAt) / 1_000_000,
          (optimizedAt - lineageAt) / 1_000_000,
          digests,
          (optimizedAt - start) / 1_000_000);
    }
    if (args.length > 1) {
      String load = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(args[1]),
          "{\"benchmark\": \"diagnostics\", \"rules\": "
              + rules
              + ", \"cores\": "
              + Runtime.getRuntime().availableProcessors()
              + ", \"loadavgAtEnd\": \""
              + load
              + "\", \"goal\": \"diagnosticsTotalMs < 10000\", \"rounds\": [\n  "
              + String.join(",\n  ", rounds)
              + "\n]}\n");
    }
  }
}
