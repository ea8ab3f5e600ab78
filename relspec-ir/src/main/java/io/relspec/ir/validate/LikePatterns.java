package io.relspec.ir.validate;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The escape rule of {@code like(s, pattern)}, as Spark SQL 3.5's {@code LIKE} with its default
 * escape character (Spark's {@code StringUtils.escapeLikeRegex}, escape {@code \}): {@code %} is
 * any run of characters, {@code _} exactly one, {@code \%}, {@code \_} and {@code \\} stand for the
 * character itself; a backslash before any other character, or at the end of the pattern, breaks
 * the rule. Validation rejects a literal pattern that breaks it; a pattern computed from data that
 * breaks it makes {@code like} null (docs/format.md, "like and the backslash"). Every lane reads
 * patterns through this class or through an engine whose rule is the same on valid patterns.
 */
public final class LikePatterns {
  private LikePatterns() {}

  /**
   * A Java regular expression (find semantics) that finds a backslash breaking the rule: one that
   * starts a run of backslashes after an even number of them (so it is an escape character) and is
   * followed by something other than {@code %}, {@code _} or a backslash, or by the end. For
   * engines that check patterns computed from data with a regular expression (Spark's {@code
   * RLike}).
   */
  public static final String BROKEN_ESCAPE_REGEX = "(?<!\\\\)(?:\\\\\\\\)*\\\\(?:[^%_\\\\]|$)";

  /**
   * Why {@code pattern} breaks the escape rule, or empty when it does not: the first backslash that
   * escapes a character other than {@code %}, {@code _} or a backslash, or ends the pattern.
   */
  public static Optional<String> problem(String pattern) {
    int i = 0;
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (c != '\\') {
        i++;
        continue;
      }
      if (i + 1 == pattern.length()) {
        return Optional.of(
            "the pattern ends with the escape character \\ (at character "
                + (i + 1)
                + "); write \\\\ for a literal backslash");
      }
      char next = pattern.charAt(i + 1);
      if (next != '%' && next != '_' && next != '\\') {
        int cp = pattern.codePointAt(i + 1);
        return Optional.of(
            "the escape character \\ precedes '"
                + new String(Character.toChars(cp))
                + "' (at character "
                + (i + 1)
                + "), but only %, _ and \\ may be escaped; write \\\\ for a literal backslash");
      }
      i += 2;
    }
    return Optional.empty();
  }

  /** Whether {@code pattern} follows the escape rule. */
  public static boolean isValid(String pattern) {
    return problem(pattern).isEmpty();
  }

  /**
   * The pattern as a Java regular expression matching whole strings (DOTALL: {@code %} and {@code
   * _} match line breaks too; {@code _} is one code point), or empty when it breaks the rule.
   */
  public static Optional<Pattern> toRegex(String pattern) {
    if (!isValid(pattern)) {
      return Optional.empty();
    }
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < pattern.length()) {
      int cp = pattern.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '\\') {
        // valid, so the next character is %, _ or a backslash: itself
        regex.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
        i++;
      } else if (cp == '%') {
        regex.append(".*");
      } else if (cp == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(new String(Character.toChars(cp))));
      }
    }
    return Optional.of(Pattern.compile(regex.toString(), Pattern.DOTALL));
  }
}
