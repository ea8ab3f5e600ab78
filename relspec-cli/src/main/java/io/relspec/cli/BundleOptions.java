package io.relspec.cli;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The bundle argument and {@code --param} options every bundle command shares. */
final class BundleOptions {
  @Parameters(index = "0", paramLabel = "BUNDLE", description = "The bundle JSON file.")
  Path bundle;

  @Option(
      names = "--param",
      paramLabel = "NAME=VALUE",
      description =
          "Binds a declared param at run time (repeatable). NAME applies to every rule that declares"
              + " it; RULE.NAME to one rule.")
  List<String> params = List.of();

  Map<String, String> runtimeParams() {
    Map<String, String> values = new LinkedHashMap<>();
    for (String param : params) {
      int eq = param.indexOf('=');
      if (eq <= 0) {
        throw new RelspecException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot read --param '"
                + param
                + "': expected NAME=VALUE, e.g. --param since=2024-01-01.");
      }
      values.put(param.substring(0, eq), param.substring(eq + 1));
    }
    return values;
  }

  ValidatedBundle validate() {
    return BundleValidator.validate(BundleReader.read(bundle), bundle.toString(), runtimeParams());
  }
}
