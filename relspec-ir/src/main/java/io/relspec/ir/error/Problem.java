package io.relspec.ir.error;

import java.util.Objects;

/**
 * One problem found in a document or bundle.
 *
 * @param source the file (or other origin) the problem is in, e.g. {@code examples/cpg.json}; empty
 *     when the bundle was built in code
 * @param path the JSON path of the offending node, e.g. {@code rules[3].ops[2].predicate.args[0]};
 *     empty for the document as a whole
 * @param message what was found, what was expected and how to fix it
 */
public record Problem(String source, String path, String message) {
  public Problem {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  /** The problem as one line: {@code file: path: message}. */
  public String render() {
    StringBuilder line = new StringBuilder();
    if (!source.isEmpty()) {
      line.append(source).append(": ");
    }
    if (!path.isEmpty()) {
      line.append(path).append(": ");
    }
    return line.append(message).toString();
  }

  @Override
  public String toString() {
    return render();
  }
}
