package io.relspec.spark.run;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.run.RunManifest;
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
 * {@code BUNDLE --data DIR --out DIR [--param name=value]... [--master local[*]]}: runs every rule
 * of a bundle on Spark. The main class for spark-submit (which supplies the session and master) and
 * for an embedded local session. Exit codes: 0 done, 2 the user has to fix something, 3 a resource
 * limit, 70 a relspec bug.
 */
public final class SparkRunMain {
  public static final int EXIT_USER_ERROR = 2;
  public static final int EXIT_RESOURCES = 3;
  public static final int EXIT_INTERNAL = 70;

  private static final String USAGE =
      "Usage: relspec run BUNDLE --data DIR --out DIR [--param name=value]... [--master URL]"
          + " [--engine spark|spark-datafusion] [--fail-on-fallback[=RULE,...]]";

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
    Optional<FailOnFallback> failOnFallback = Optional.empty();
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--data")
          || arg.equals("--out")
          || arg.equals("--param")
          || arg.equals("--master")
          || arg.equals("--engine")) {
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
    try {
      Path file = Path.of(bundlePath);
      ValidatedBundle bundle =
          BundleValidator.validate(BundleReader.read(file), bundlePath, params);
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
      RunManifest report = runner.run(bundle, Path.of(data), Path.of(outDir), params);
      out.printf(
          "relspec: done: %d output(s) of bundle %s (signature %s) in %d ms%n",
          report.outputs().size(),
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
