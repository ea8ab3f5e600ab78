package io.relspec.ir.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.relspec.ir.expr.Bytes;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.StructType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Converts literal values between their JSON form and their canonical Java form. The JSON form is
 * format v1's: int64 outside +-(2^53-1), decimal, date32, timestamp_us and binary are strings.
 */
public final class LiteralCodec {
  /** The largest integer a JSON number carries exactly in every language: 2^53 - 1. */
  public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  /** The first and last days a date32 (days since the epoch, 32 bits) holds. */
  public static final LocalDate MIN_DATE32 = LocalDate.ofEpochDay(Integer.MIN_VALUE);

  public static final LocalDate MAX_DATE32 = LocalDate.ofEpochDay(Integer.MAX_VALUE);

  /** The first and last instants a timestamp_us (microseconds since the epoch, 64 bits) holds. */
  public static final Instant MIN_TIMESTAMP_US =
      Instant.EPOCH.plus(Long.MIN_VALUE, java.time.temporal.ChronoUnit.MICROS);

  public static final Instant MAX_TIMESTAMP_US =
      Instant.EPOCH.plus(Long.MAX_VALUE, java.time.temporal.ChronoUnit.MICROS);

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private LiteralCodec() {}

  /** Thrown with a message that says what was found and what was expected. */
  public static final class BadLiteralException extends Exception {
    private static final long serialVersionUID = 1L;

    BadLiteralException(String message) {
      super(message);
    }
  }

  /**
   * Reads a JSON value as a literal of {@code type}.
   *
   * @return the canonical Java value, empty for JSON null
   */
  public static Optional<Object> fromJson(JsonNode node, DataType type) throws BadLiteralException {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    return Optional.of(nonNullFromJson(node, type));
  }

  private static Object nonNullFromJson(JsonNode node, DataType type) throws BadLiteralException {
    if (type instanceof DecimalType decimal) {
      if (!node.isTextual()) {
        throw bad(node, type, "a decimal as a JSON string, e.g. \"12.50\"");
      }
      return checkDecimal(parseDecimal(node.asText(), type), decimal);
    }
    if (type instanceof ListType || type instanceof StructType) {
      throw new BadLiteralException(
          "expected null for type "
              + type.typeString()
              + " (format v1 has no non-null list or struct literals), found "
              + describe(node)
              + ". Build the value from columns instead");
    }
    PrimitiveType primitive = (PrimitiveType) type;
    switch (primitive) {
      case BOOLEAN -> {
        if (!node.isBoolean()) {
          throw bad(node, type, "true or false");
        }
        return node.booleanValue();
      }
      case INT8, INT16, INT32, INT64 -> {
        BigInteger value;
        if (node.isIntegralNumber()) {
          value = node.bigIntegerValue();
        } else if (node.isTextual() && primitive == PrimitiveType.INT64) {
          try {
            value = new BigInteger(node.asText());
          } catch (NumberFormatException e) {
            throw bad(node, type, "an integer (as a JSON number or a string of digits)");
          }
        } else {
          throw bad(node, type, "an integer JSON number");
        }
        return checkIntegerRange(value, primitive);
      }
      case FLOAT32, FLOAT64 -> {
        if (node.isNumber()) {
          double value = node.doubleValue();
          if (Double.isInfinite(value)) {
            throw bad(node, type, "a number within the float range");
          }
          if (primitive == PrimitiveType.FLOAT32 && Float.isInfinite((float) value)) {
            throw bad(node, type, "a number within the float32 range");
          }
          return value;
        }
        if (node.isTextual()) {
          switch (node.asText()) {
            case "NaN" -> {
              return Double.NaN;
            }
            case "Infinity" -> {
              return Double.POSITIVE_INFINITY;
            }
            case "-Infinity" -> {
              return Double.NEGATIVE_INFINITY;
            }
            default -> {}
          }
        }
        throw bad(node, type, "a JSON number, or one of \"NaN\", \"Infinity\", \"-Infinity\"");
      }
      case STRING -> {
        if (!node.isTextual()) {
          throw bad(node, type, "a JSON string");
        }
        return node.asText();
      }
      case BINARY -> {
        if (!node.isTextual()) {
          throw bad(node, type, "base64 text in a JSON string");
        }
        try {
          return Bytes.fromBase64(node.asText());
        } catch (IllegalArgumentException e) {
          throw bad(node, type, "base64 text in a JSON string");
        }
      }
      case DATE32 -> {
        if (node.isTextual()) {
          LocalDate date;
          try {
            date = LocalDate.parse(node.asText());
          } catch (DateTimeParseException e) {
            date = null; // reported below
          }
          if (date != null) {
            if (date.isBefore(MIN_DATE32) || date.isAfter(MAX_DATE32)) {
              throw bad(
                  node,
                  type,
                  "a date from "
                      + MIN_DATE32
                      + " to "
                      + MAX_DATE32
                      + " (date32 counts days since 1970-01-01 in 32 bits)");
            }
            return date;
          }
        }
        throw bad(node, type, "a date string such as \"2024-01-31\"");
      }
      case TIMESTAMP_US -> {
        if (node.isTextual()) {
          try {
            Instant instant = OffsetDateTime.parse(node.asText()).toInstant();
            if (instant.getNano() % 1000 != 0) {
              throw new BadLiteralException(
                  "expected a timestamp_us with at most 6 fractional digits (microseconds), found "
                      + describe(node)
                      + " with nanoseconds. Round it to 6 fractional digits");
            }
            if (instant.isBefore(MIN_TIMESTAMP_US) || instant.isAfter(MAX_TIMESTAMP_US)) {
              throw bad(
                  node,
                  type,
                  "a timestamp from "
                      + MIN_TIMESTAMP_US
                      + " to "
                      + MAX_TIMESTAMP_US
                      + " (timestamp_us counts microseconds since 1970 in 64 bits)");
            }
            return instant;
          } catch (DateTimeParseException e) {
            // reported below
          }
        }
        throw bad(node, type, "a UTC timestamp string such as \"2024-01-31T12:00:00Z\"");
      }
    }
    throw new AssertionError(primitive);
  }

  /** Writes a canonical Java value of {@code type} in its normalized JSON form. */
  public static JsonNode toJson(Optional<Object> value, DataType type) {
    if (value.isEmpty()) {
      return JSON.nullNode();
    }
    Object v = value.get();
    if (type instanceof DecimalType decimal) {
      return JSON.textNode(((BigDecimal) v).setScale(decimal.scale()).toPlainString());
    }
    PrimitiveType primitive = (PrimitiveType) type;
    return switch (primitive) {
      case BOOLEAN -> JSON.booleanNode((Boolean) v);
      case INT8, INT16, INT32, INT64 -> {
        long l = (Long) v;
        // not Math.abs: it is negative for Long.MIN_VALUE
        yield l >= -MAX_SAFE_INTEGER && l <= MAX_SAFE_INTEGER
            ? JSON.numberNode(l)
            : JSON.textNode(Long.toString(l));
      }
      case FLOAT32, FLOAT64 -> {
        double d = (Double) v;
        if (Double.isNaN(d)) {
          yield JSON.textNode("NaN");
        } else if (Double.isInfinite(d)) {
          yield JSON.textNode(d > 0 ? "Infinity" : "-Infinity");
        }
        yield JSON.numberNode(d);
      }
      case STRING -> JSON.textNode((String) v);
      case BINARY -> JSON.textNode(((Bytes) v).toBase64());
      case DATE32 -> JSON.textNode(v.toString());
      case TIMESTAMP_US -> JSON.textNode(DateTimeFormatter.ISO_INSTANT.format((Instant) v));
    };
  }

  /**
   * Checks that a Java value has the canonical class for {@code type} and fits it; used by the
   * builder so that literals built in code equal literals read from JSON.
   */
  public static Object canonicalize(Object value, DataType type) {
    Object canonical = value;
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      canonical = ((Number) value).longValue();
    } else if (value instanceof Float f) {
      canonical = f.doubleValue();
    }
    try {
      return nonNullFromJson(toJson(Optional.of(canonical), type), type);
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(
          "Cannot use "
              + value.getClass().getSimpleName()
              + " "
              + value
              + " as a literal of type "
              + type.typeString());
    } catch (BadLiteralException e) {
      throw new IllegalArgumentException(
          "Cannot use "
              + value
              + " as a literal of type "
              + type.typeString()
              + ": "
              + e.getMessage());
    }
  }

  /** Parses run-time text (a {@code --param} value) as a literal of {@code type}. */
  public static Optional<Object> fromText(String text, DataType type) throws BadLiteralException {
    if (type == PrimitiveType.STRING) {
      return Optional.of(text);
    }
    if (type == PrimitiveType.BOOLEAN) {
      if (text.equals("true") || text.equals("false")) {
        return Optional.of(Boolean.parseBoolean(text));
      }
      throw new BadLiteralException("expected true or false, found '" + text + "'");
    }
    if (type.isInteger()) {
      try {
        return Optional.of(checkIntegerRange(new BigInteger(text.trim()), (PrimitiveType) type));
      } catch (NumberFormatException e) {
        throw new BadLiteralException("expected an integer, found '" + text + "'");
      }
    }
    if (type.isFloating()) {
      try {
        return Optional.of(Double.parseDouble(text.trim()));
      } catch (NumberFormatException e) {
        throw new BadLiteralException("expected a number, found '" + text + "'");
      }
    }
    return fromJson(JSON.textNode(text), type);
  }

  private static BigDecimal parseDecimal(String text, DataType type) throws BadLiteralException {
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw new BadLiteralException(
          "expected a decimal string such as \"12.50\" for "
              + type.typeString()
              + ", found \""
              + text
              + "\"");
    }
  }

  private static BigDecimal checkDecimal(BigDecimal value, DecimalType type)
      throws BadLiteralException {
    BigDecimal scaled;
    try {
      scaled = value.setScale(type.scale(), RoundingMode.UNNECESSARY);
    } catch (ArithmeticException e) {
      throw new BadLiteralException(
          "expected at most "
              + type.scale()
              + " fractional digits for type "
              + type
              + ", found "
              + value.toPlainString()
              + ". Round the value or raise the type's scale");
    }
    if (scaled.precision() - scaled.scale() > type.precision() - type.scale()
        && scaled.signum() != 0) {
      throw new BadLiteralException(
          "expected at most "
              + (type.precision() - type.scale())
              + " digits before the decimal point for type "
              + type
              + ", found "
              + value.toPlainString()
              + ". Raise the type's precision");
    }
    return scaled;
  }

  private static long checkIntegerRange(BigInteger value, PrimitiveType type)
      throws BadLiteralException {
    int bits = type.integerWidth();
    BigInteger min = BigInteger.ONE.shiftLeft(bits - 1).negate();
    BigInteger max = BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new BadLiteralException(
          "expected an integer from "
              + min
              + " to "
              + max
              + " for type "
              + type
              + ", found "
              + value
              + (bits < 64 ? ". Use a wider integer type" : ""));
    }
    return value.longValue();
  }

  private static BadLiteralException bad(JsonNode node, DataType type, String expected) {
    return new BadLiteralException(
        "expected " + expected + " for type " + type.typeString() + ", found " + describe(node));
  }

  /** A short description of a JSON node for error messages. */
  static String describe(JsonNode node) {
    String kind =
        switch (node.getNodeType()) {
          case ARRAY -> "an array";
          case OBJECT -> "an object";
          case STRING -> "the string";
          case NUMBER -> "the number";
          case BOOLEAN -> "the boolean";
          case NULL -> "null";
          default -> "a value";
        };
    if (node.isContainerNode() || node.isNull()) {
      return kind;
    }
    String text = node.toString();
    if (text.length() > 60) {
      text = text.substring(0, 57) + "...";
    }
    return kind + " " + text;
  }
}
