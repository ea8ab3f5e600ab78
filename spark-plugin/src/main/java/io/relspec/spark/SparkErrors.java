package io.relspec.spark;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.type.DataType;
import io.relspec.spark.engine.SparkEngine;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The one factory of user-facing errors of the Spark lane. Every message reads "Cannot &lt;verb&gt;
 * &lt;thing&gt;: &lt;why&gt;. &lt;how to fix&gt;" and names the rule, dataset, column or file
 * involved.
 */
public final class SparkErrors {
  private SparkErrors() {}

  /** Where in a rule an op or expression sits, e.g. {@code rule 'r1' ops[2].predicate}. */
  public static String at(String rule, String path) {
    return "rule '" + rule + "' " + path;
  }

  public static RelspecException unknownColumn(String where, String column, Collection<String> in) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot resolve column '"
            + column
            + "' at "
            + where
            + ": the input has columns "
            + in
            + ". Fix the column name or add the column earlier in the pipeline.");
  }

  public static RelspecException ambiguousColumn(String where, String column) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot resolve column '"
            + column
            + "' at "
            + where
            + ": both join sides have it. Write {\"col\": \""
            + column
            + "\", \"side\": \"left\"} or \"right\".");
  }

  public static RelspecException unknownFunction(String where, String fn) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot compile function '"
            + fn
            + "' at "
            + where
            + ": it is not in the format v1 function registry. Use one of the functions of"
            + " section 3 of the spec.");
  }

  public static RelspecException badCall(String where, String fn, String why) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot compile function '"
            + fn
            + "' at "
            + where
            + ": "
            + why
            + ". Fix the arguments or add a cast.");
  }

  public static RelspecException badArity(String where, String fn, String expected, int found) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot compile function '"
            + fn
            + "' at "
            + where
            + ": it takes "
            + expected
            + " argument(s) but "
            + found
            + " were given. Fix the argument list.");
  }

  public static RelspecException badType(
      String where, String what, DataType found, String expected) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot compile "
            + what
            + " at "
            + where
            + ": found type "
            + found.typeString()
            + " but expected "
            + expected
            + ". Add a cast or fix the expression.");
  }

  public static RelspecException incompatibleTypes(
      String where, String what, DataType left, DataType right) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot combine types "
            + left.typeString()
            + " and "
            + right.typeString()
            + " in "
            + what
            + " at "
            + where
            + ": only implicit widening is allowed. Add an explicit cast to one side.");
  }

  public static RelspecException unboundParam(String where, String param) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot bind param '"
            + param
            + "' at "
            + where
            + ": it has no default and no value was given. Add it to the rule's params or pass"
            + " --param "
            + param
            + "=VALUE.");
  }

  public static RelspecException nameClash(String where, String column, String fix) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot produce column '"
            + column
            + "' at "
            + where
            + ": the output would have two columns of that name. "
            + fix);
  }

  public static RelspecException unsupportedType(String what, String sparkType) {
    return new RelspecException(
        ErrorCode.UNSUPPORTED,
        "Cannot map "
            + what
            + " of Spark type "
            + sparkType
            + " to a format v1 type: the Spark lane reads only v1 types. Convert the data or"
            + " declare a v1 type.");
  }

  public static RelspecException unknownDataset(String where, String dataset) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot scan dataset '"
            + dataset
            + "' at "
            + where
            + ": no dataset or rule output has that name. Declare the dataset or fix the name.");
  }

  public static RelspecException badLimit(String where, long value) {
    return new RelspecException(
        ErrorCode.UNSUPPORTED,
        "Cannot compile limit at "
            + where
            + ": "
            + value
            + " is larger than Spark's limit of "
            + Integer.MAX_VALUE
            + " rows. Use a smaller n or offset.");
  }

  public static RelspecException contractViolation(
      String output, String contract, long violations, String example) {
    return new RelspecException(
        ErrorCode.CONTRACT_VIOLATION,
        "Cannot finalize output '"
            + output
            + "': "
            + violations
            + " row(s) violate contract '"
            + contract
            + "' (first: "
            + example
            + ") and its onViolation is fail. Fix the rule or set onViolation to quarantine"
            + " or drop.");
  }

  public static RelspecException cannotCast(
      String output, String rule, String column, String from, DataType to) {
    return new RelspecException(
        ErrorCode.INVALID_BUNDLE,
        "Cannot align column '"
            + column
            + "' of rule '"
            + rule
            + "' to output '"
            + output
            + "': Spark type "
            + from
            + " cannot be cast to "
            + to.typeString()
            + ". Change the rule to produce a compatible type.");
  }

  public static RelspecException missingInput(String dataset, String where, String path) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "' for "
            + where
            + ": "
            + path
            + " does not exist. Check --data and the dataset's location.");
  }

  public static RelspecException badInputSchema(
      String dataset, String path, String column, String why) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "' from "
            + path
            + ": column '"
            + column
            + "' "
            + why
            + ". Fix the data or the dataset's schema.");
  }

  public static RelspecException badPartitionValue(
      String dataset, String directory, String column, String value, String type, Throwable cause) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "' from "
            + directory
            + ": partition column '"
            + column
            + "' has value '"
            + value
            + "', which does not parse as its declared type "
            + type
            + ". Rename the directory or fix the dataset's scan.partitionCols.",
        cause);
  }

  public static RelspecException unreadableInput(String dataset, String path, Throwable cause) {
    return new RelspecException(
        ErrorCode.INVALID_INPUT,
        "Cannot read dataset '"
            + dataset
            + "' from "
            + path
            + ": "
            + cause.getMessage()
            + ". Check that the files are "
            + "readable in the declared format.",
        cause);
  }

  public static RelspecException unsupportedFormat(String dataset, String format) {
    return new RelspecException(
        ErrorCode.UNSUPPORTED,
        "Cannot read dataset '"
            + dataset
            + "': format "
            + format
            + " is not supported by the Spark lane yet. Convert it to parquet or csv.");
  }

  public static RelspecException cannotWrite(String what, String path, Throwable cause) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot write "
            + what
            + " to "
            + path
            + ": "
            + cause.getMessage()
            + ". Check that --out is a writable local directory.",
        cause);
  }

  public static RelspecException internal(String what, Throwable cause) {
    return new RelspecException(
        ErrorCode.INTERNAL,
        "Cannot " + what + ": " + cause.getMessage() + ". This is a relspec bug; please report it.",
        cause);
  }

  public static RelspecException unknownEngine(String where, String engine, List<String> known) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot select engine '"
            + engine
            + "' at "
            + where
            + ": the Spark lane runs "
            + known
            + ". Use one of those ('datafusion' without Spark is the relspec command's --engine"
            + " datafusion).");
  }

  public static RelspecException cometMissing(Throwable cause) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot start engine spark-datafusion: Apache DataFusion Comet "
            + SparkEngine.COMET_VERSION
            + " is not on the classpath ("
            + SparkEngine.COMET_PLUGIN
            + " not found). Add org.apache.datafusion:comet-spark-spark3.5_2.12:"
            + SparkEngine.COMET_VERSION
            + " (spark-submit --jars) or use engine spark.",
        cause);
  }

  public static RelspecException cometNotActive(String plugins) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot run engine spark-datafusion on this SparkSession: Comet is not active"
            + " (spark.plugins is '"
            + plugins
            + "', or spark.comet.enabled is not true). Start the session with spark.plugins="
            + SparkEngine.COMET_PLUGIN
            + ", spark.sql.extensions="
            + SparkEngine.COMET_EXTENSIONS
            + " and spark.comet.enabled=true, or set "
            + SparkEngine.CONF
            + "=spark.");
  }

  /**
   * A rule that must run natively had operators that stayed on Spark.
   *
   * @param fallbacks per rule, each fallback as {@code Operator [reason]}
   */
  public static RelspecException fallbacksNotAllowed(
      String output, Map<String, List<String>> fallbacks) {
    StringBuilder list = new StringBuilder();
    fallbacks.forEach(
        (rule, ops) -> {
          list.append("\n  rule '").append(rule).append("':");
          ops.forEach(op -> list.append("\n    ").append(op));
        });
    return new RelspecException(
        ErrorCode.UNSUPPORTED,
        "Cannot run output '"
            + output
            + "' natively on DataFusion: "
            + fallbacks.values().stream().mapToInt(List::size).sum()
            + " operator(s) of rules that must run natively fell back to Spark:"
            + list
            + "\nNothing was written. Rewrite the rule to avoid these operators, or run it"
            + " without fail-on-fallback (the result is the same, partly on Spark).");
  }

  public static RelspecException failOnFallbackWithoutDataFusion(String engine) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot apply fail-on-fallback on engine "
            + engine
            + ": only spark-datafusion runs operators natively. Use --engine spark-datafusion (or "
            + SparkEngine.CONF
            + "=spark-datafusion), or drop fail-on-fallback.");
  }

  public static RelspecException unknownRules(
      String where, List<String> rules, List<String> known) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot apply "
            + where
            + " to rules "
            + rules
            + ": the bundle has no such rules; its rules are "
            + known
            + ". Use one of those names.");
  }

  public static RelspecException delegationMissing(String conf, String value, String module) {
    return new RelspecException(
        ErrorCode.INVALID_ARGUMENT,
        "Cannot delegate ops to DataFusion ("
            + conf
            + "="
            + value
            + "): no io.relspec.spark.run.RuleDelegateProvider is on the classpath; per-partition"
            + " delegation lives in module "
            + module
            + ". Add its jar (spark-delegation-*.jar, with datafusion-bridge, reference-lane and"
            + " Comet's comet-spark-spark3.5_2.12-0.12.0.jar) to the job (spark-submit --jars),"
            + " or set "
            + conf
            + "=none.");
  }
}
