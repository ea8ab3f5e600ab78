package io.relspec.spark.run;

import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.diagnostics.GatePolicy;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.run.RunGates;
import io.relspec.ir.run.RunLocations;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.spark.engine.FailOnFallback;
import io.relspec.spark.engine.SparkEngine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * {@code BUNDLE --data DIR --out DIR [--param name=value]... [--master local[*]] [--policy
 * skip-downstream|fail-all|warn-only]}: runs every rule of a bundle on Spark. The main class for
 * spark-submit (which supplies the session and master) and for an embedded local session. Exit
 * codes: 0 done, 2 the user has to fix something, 3 a resource limit, 70 a relspec bug.
 *
 * <p>The bundle is checked first and gated as {@code relspec run} does ({@link RunGates}): error
 * diagnostics stop their rule, its output and every rule downstream ({@code skip-downstream}, the
 * default); {@code fail-all} stops the run; {@code warn-only} stops only rules that do not
 * validate. Skipped rules are listed in the manifest with their reason, every diagnostic is written
 * to {@code OUT/_diagnostics/part-0.parquet}, and when nothing can run the exit code is 2 and
 * nothing is written.
 *
 * <p>The session's conf {@code spark.relspec.delegate} ({@code none}, {@code all} or rule names)
 * runs those rules' partition-local ops on DataFusion inside the Spark tasks, through the {@link
 * RuleDelegateProvider} of module {@code spark-delegation}; when that module is not on the
 * classpath the run exits 2 before anything runs.
 *
 * <p>{@code --data} and {@code --out} are local directories: plain paths or {@code file:} URIs.
 * Remote schemes ({@code hdfs://}, {@code s3a://}, ...) exit 2 before anything runs, since outputs
 * are committed by a local rename and dataset locations are resolved as local paths ({@link
 * RunLocations}).
 */
public final class SparkRunMain {
  public static final int EXIT_USER_ERROR = 2;
  public static final int EXIT_RESOURCES = 3;
  public static final int EXIT_INTERNAL = 70;

  private static final String USAGE =
      "Usage: relspec run BUNDLE --data DIR --out DIR [--param name=value]... [--master URL]"
          + " [--engine spark|spark-datafusion] [--fail-on-fallback[=RULE,...]]"
          + " [--policy skip-downstream|fail-all|warn-only]";

  private SparkRunMain() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the command line and returns the exit code (never exits the JVM). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String bundlePath = null;
    String data = null;
    String outDir = null;
    String master = null;
    String engineName = null;
    String policyName = GatePolicy.SKIP_DOWNSTREAM.cliName();
    Optional<FailOnFallback> failOnFallback = Optional.empty();
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--data")
          || arg.equals("--out")
          || arg.equals("--param")
          || arg.equals("--master")
          || arg.equals("--engine")
          || arg.equals("--policy")) {
        if (i + 1 >= args.length) {
          err.println("relspec: Cannot parse arguments: " + arg + " needs a value. " + USAGE);
          return EXIT_USER_ERROR;
        }
        String value = args[++i];
        switch (arg) {
          case "--data" -> data = value;
          case "--out" -> outDir = value;
          case "--master" -> master = value;
          case "--engine" -> engineName = value;
          case "--policy" -> policyName = value;
          default -> {
            int eq = value.indexOf('=');
            if (eq <= 0) {
              err.println(
                  "relspec: Cannot parse --param '" + value + "': expected name=value. " + USAGE);
              return EXIT_USER_ERROR;
            }
            params.put(value.substring(0, eq), value.substring(eq + 1));
          }
        }
      } else if (arg.equals("--fail-on-fallback")) {
        failOnFallback = Optional.of(FailOnFallback.ALL);
      } else if (arg.startsWith("--fail-on-fallback=")) {
        failOnFallback =
            Optional.of(FailOnFallback.parse(arg.substring("--fail-on-fallback=".length())));
      } else if (arg.startsWith("--")) {
        err.println("relspec: Cannot parse arguments: unknown option " + arg + ". " + USAGE);
        return EXIT_USER_ERROR;
      } else if (bundlePath == null) {
        bundlePath = arg;
      } else {
        err.println("relspec: Cannot parse arguments: a second bundle '" + arg + "'. " + USAGE);
        return EXIT_USER_ERROR;
      }
    }
    if (bundlePath == null || data == null || outDir == null) {
      err.println("relspec: Cannot run: BUNDLE, --data and --out are required. " + USAGE);
      return EXIT_USER_ERROR;
    }
    GatePolicy policy;
    try {
      policy = GatePolicy.fromCliName(policyName);
    } catch (IllegalArgumentException e) {
      err.println("relspec: " + e.getMessage() + ". " + USAGE);
      return EXIT_USER_ERROR;
    }
    try {
      // Before anything reads or writes: a remote --out would otherwise become a relative local
      // path.
      Path outPath = RunLocations.output(outDir);
      Path dataPath = RunLocations.data(data);
      Path file = Path.of(bundlePath);
      Bundle definition = BundleReader.read(file);
      RunGates gates = RunGates.decide(definition, bundlePath, params, policy);
      if (gates.failed() || gates.runnable().isEmpty()) {
        if (gates.report().diagnostics().stream()
            .anyMatch(d -> d.isError() && d.location().startsWith("--param"))) {
          // A wrong --param value is an argument error, not a rule's: the validator says which.
          BundleValidator.validate(definition, bundlePath, params);
        }
        err.println(
            "relspec: Cannot run bundle "
                + bundlePath
                + ": "
                + (gates.failed()
                    ? "policy fail-all and " + gates.report().errorCount() + " error(s)"
                    : "every rule is stopped by error diagnostics")
                + "; nothing was written.");
        for (String line : gates.errorLines()) {
          err.println("  " + line);
        }
        err.println(
            "Fix the errors (relspec check "
                + bundlePath
                + " prints each with its fix)"
                + (gates.failed() ? ", or run with --policy skip-downstream." : "."));
        return EXIT_USER_ERROR;
      }
      ValidatedBundle bundle = gates.runnable().get();
      for (RunManifest.SkippedRule skipped : gates.skipped()) {
        out.printf(
            "relspec: skipped rule %s (output %s): %s%n",
            skipped.rule(), skipped.output(), skipped.reason());
      }
      SparkEngine engine =
          engineName == null ? SparkEngine.SPARK : SparkEngine.parse(engineName, "--engine");
      SparkSession spark =
          SparkSession.getActiveSession().isDefined()
              ? SparkSession.getActiveSession().get()
              : master != null || !submitted()
                  ? SparkRunner.localSession(
                      master == null ? "local[*]" : master,
                      engine,
                      SparkEngine.DEFAULT_OFF_HEAP_BYTES)
                  : SparkSession.builder().getOrCreate();
      if (engineName != null) {
        spark.conf().set(SparkEngine.CONF, engine.jsonName());
      }
      SparkRunner runner = new SparkRunner(spark, out);
      failOnFallback.ifPresent(runner::failOnFallback);
      // spark.relspec.delegate: per-partition delegation, found through its ServiceLoader provider
      // (module spark-delegation), refused with exit 2 when that module is not on the classpath
      runner.delegate(RuleDelegateProvider.fromSession(spark, RuntimeProfile.DEFAULT));
      RunManifest report =
          runner.run(bundle, dataPath, outPath, params, RuntimeProfile.DEFAULT, gates.skipped());
      DiagnosticsDataset.write(
          definition.name(), gates.report(), outPath, DiagnosticsDataset.RUN_DIR);
      out.printf(
          "relspec: done: %d output(s)%s of bundle %s (signature %s) in %d ms%n",
          report.outputs().size(),
          report.skipped().isEmpty() ? "" : ", " + report.skipped().size() + " rule(s) skipped",
          report.bundle(),
          report.bundleSignature().substring(0, 12),
          report.millis());
      return 0;
    } catch (RelspecException e) {
      err.println("relspec: " + e.render());
      return exitCode(e.code());
    } catch (OutOfMemoryError e) {
      err.println("relspec: Cannot finish the run: out of memory. Give the driver more memory.");
      return EXIT_RESOURCES;
    } catch (RuntimeException e) {
      err.println(
          "relspec: Cannot finish the run: " + e + ". This is a relspec bug; please report it.");
      e.printStackTrace(err);
      return EXIT_INTERNAL;
    }
  }

  static int exitCode(ErrorCode code) {
    return switch (code.kind()) {
      case USER -> EXIT_USER_ERROR;
      case RESOURCES -> EXIT_RESOURCES;
      case INTERNAL -> EXIT_INTERNAL;
    };
  }

  /** Whether spark-submit started this JVM (it sets spark.master as a system property). */
  private static boolean submitted() {
    return System.getProperty("spark.master") != null;
  }
}
