package io.relspec.ir.run;

import io.relspec.ir.error.IrErrors;
import io.relspec.ir.error.RelspecException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns the {@code --data} and {@code --out} arguments of a run into local paths: plain paths as
 * they are, {@code file:/abs} and {@code file:///abs} URIs as the absolute path they name. Any
 * other scheme ({@code hdfs}, {@code s3a}, {@code gs}, {@code abfs}, ...) is refused before
 * anything runs: outputs are committed by a local rename ({@link StagedOutputs}) and dataset
 * locations are resolved as local paths, so a remote URI would otherwise become a local relative
 * path such as {@code hdfs:/nn/x}.
 */
public final class RunLocations {
  /** An RFC 3986 scheme of two or more characters (one letter is a Windows drive, C:\...). */
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]+):");

  private RunLocations() {}

  /**
   * The local directory of {@code --out}.
   *
   * @throws RelspecException INVALID_ARGUMENT for a non-local scheme or a bad {@code file:} URI
   */
  public static Path output(String argument) {
    return local("--out", argument, true);
  }

  /**
   * The local directory of {@code --data}.
   *
   * @throws RelspecException INVALID_ARGUMENT for a non-local scheme or a bad {@code file:} URI
   */
  public static Path data(String argument) {
    return local("--data", argument, false);
  }

  private static Path local(String option, String argument, boolean output) {
    var scheme = SCHEME.matcher(argument);
    if (!scheme.find()) {
      return Path.of(argument);
    }
    if (!scheme.group(1).toLowerCase(Locale.ROOT).equals("file")) {
      throw output ? IrErrors.remoteOutput(argument) : IrErrors.remoteData(argument);
    }
    URI uri;
    try {
      uri = new URI(argument);
    } catch (URISyntaxException e) {
      throw IrErrors.badFileUri(
          option,
          argument,
          "it is not a valid URI (" + e.getReason() + " at index " + e.getIndex() + ")");
    }
    if (uri.isOpaque() || uri.getPath() == null || !uri.getPath().startsWith("/")) {
      throw IrErrors.badFileUri(option, argument, "a file: URI needs an absolute path");
    }
    String host = uri.getAuthority();
    if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
      throw IrErrors.badFileUri(
          option, argument, "it names host '" + host + "', and only local files can be used");
    }
    if (uri.getQuery() != null || uri.getFragment() != null) {
      throw IrErrors.badFileUri(option, argument, "a file: URI cannot have a query or fragment");
    }
    return Path.of(uri.getPath());
  }
}
