package io.relspec.ir.error;

import java.util.List;

/**
 * The one exception type relspec throws for anything a user can see. It carries a stable {@link
 * ErrorCode} and, for documents and bundles, every problem found (not only the first).
 */
public class RelspecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final List<Problem> problems;

  public RelspecException(ErrorCode code, String message) {
    this(code, message, List.of(), null);
  }

  public RelspecException(ErrorCode code, String message, Throwable cause) {
    this(code, message, List.of(), cause);
  }

  public RelspecException(ErrorCode code, String message, List<Problem> problems, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.problems = List.copyOf(problems);
  }

  public ErrorCode code() {
    return code;
  }

  /** Every problem found; empty when the message says it all. */
  public List<Problem> problems() {
    return problems;
  }

  /** The message followed by one line per problem, as the command line prints it. */
  public String render() {
    if (problems.isEmpty()) {
      return getMessage();
    }
    StringBuilder text = new StringBuilder(getMessage());
    for (Problem problem : problems) {
      text.append(System.lineSeparator()).append("  - ").append(problem.render());
    }
    return text.toString();
  }
}
