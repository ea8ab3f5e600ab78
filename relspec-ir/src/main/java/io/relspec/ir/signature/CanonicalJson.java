package io.relspec.ir.signature;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * RFC 8785 (JSON Canonicalization Scheme): object keys sorted by UTF-16 code units, no whitespace,
 * minimal string escapes, numbers in ECMAScript {@code Number.prototype.toString} form.
 */
public final class CanonicalJson {
  private CanonicalJson() {}

  public static String write(JsonNode node) {
    StringBuilder out = new StringBuilder(256);
    write(node, out);
    return out.toString();
  }

  private static void write(JsonNode node, StringBuilder out) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        List<String> keys = new ArrayList<>(node.size());
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
          keys.add(it.next());
        }
        keys.sort(String::compareTo); // String.compareTo orders by UTF-16 code units
        out.append('{');
        for (int i = 0; i < keys.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          string(keys.get(i), out);
          out.append(':');
          write(node.get(keys.get(i)), out);
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(node.get(i), out);
        }
        out.append(']');
      }
      case STRING -> string(node.textValue(), out);
      case NUMBER -> out.append(number(node));
      case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
      case NULL -> out.append("null");
      default -> throw new IllegalArgumentException("Cannot canonicalize JSON node " + node);
    }
  }

  private static String number(JsonNode node) {
    if (node.isIntegralNumber()) {
      // JCS treats every number as an IEEE double; integers up to 2^53 print as integers.
      if (node.canConvertToLong()
          && node.longValue() >= -(1L << 53)
          && node.longValue() <= (1L << 53)) {
        return Long.toString(node.longValue());
      }
      return number(node.bigIntegerValue().doubleValue());
    }
    return number(node.doubleValue());
  }

  /** ECMAScript Number.prototype.toString of a finite double (RFC 8785 section 3.2.2.3). */
  public static String number(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          "Cannot canonicalize " + value + ": JSON has no such number");
    }
    if (value == 0) {
      return "0";
    }
    String sign = value < 0 ? "-" : "";
    BigDecimal shortest = shortest(Math.abs(value));
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale(); // value = 0.digits * 10^n
    StringBuilder out = new StringBuilder(sign);
    if (k <= n && n <= 21) {
      out.append(digits).append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      out.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.").append("0".repeat(-n)).append(digits);
    } else {
      int exponent = n - 1;
      out.append(digits.charAt(0));
      if (k > 1) {
        out.append('.').append(digits, 1, k);
      }
      out.append('e').append(exponent >= 0 ? "+" : "-").append(Math.abs(exponent));
    }
    return out.toString();
  }

  /**
   * The shortest decimal that reads back as {@code value} (positive, finite), nearest to it when
   * several are, the even one on a tie (ECMAScript's Number::toString, step 5). At each precision
   * both neighbours of the exact value are tried: near a power of two the interval of decimals that
   * read back is lopsided, so the nearest neighbour may fall outside it while the other is inside.
   */
  private static BigDecimal shortest(double value) {
    BigDecimal exact = new BigDecimal(value);
    for (int precision = 1; precision <= 17; precision++) {
      BigDecimal down = exact.round(new MathContext(precision, RoundingMode.FLOOR));
      BigDecimal up = exact.round(new MathContext(precision, RoundingMode.CEILING));
      boolean downReadsBack = down.doubleValue() == value;
      boolean upReadsBack = up.doubleValue() == value;
      if (downReadsBack && upReadsBack) {
        int nearer = exact.subtract(down).compareTo(up.subtract(exact));
        boolean downIsEven = !down.unscaledValue().testBit(0);
        return (nearer < 0 || nearer == 0 && downIsEven ? down : up).stripTrailingZeros();
      }
      if (downReadsBack) {
        return down.stripTrailingZeros();
      }
      if (upReadsBack) {
        return up.stripTrailingZeros();
      }
    }
    throw new AssertionError("17 significant digits always identify a double: " + value);
  }

  private static void string(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        // RFC 8785 needs I-JSON: a surrogate must be half of a pair
        boolean pair =
            Character.isHighSurrogate(c)
                && i + 1 < text.length()
                && Character.isLowSurrogate(text.charAt(i + 1));
        if (!pair) {
          throw new IllegalArgumentException(
              "Cannot canonicalize a string with a lone surrogate \\u"
                  + String.format("%04x", (int) c)
                  + " at character "
                  + i
                  + ": RFC 8785 needs Unicode text (I-JSON)");
        }
        out.append(c).append(text.charAt(++i));
        continue;
      }
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
