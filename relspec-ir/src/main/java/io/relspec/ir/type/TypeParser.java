package io.relspec.ir.type;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Parses type strings such as {@code list<struct<a:int32,b:string>>}. */
public final class TypeParser {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final int MAX_DEPTH = 32;

  private final String text;
  private int pos;

  private TypeParser(String text) {
    this.text = text;
  }

  /**
   * Parses a type string.
   *
   * @return the type, or an empty result with a reason when the string is not a v1 type
   */
  public static Result parse(String text) {
    TypeParser parser = new TypeParser(text);
    try {
      DataType type = parser.type(0);
      parser.skipSpaces();
      if (parser.pos != text.length()) {
        return Result.failure("unexpected '" + text.substring(parser.pos) + "' after the type");
      }
      return Result.success(type);
    } catch (IllegalArgumentException e) {
      return Result.failure(e.getMessage());
    }
  }

  /** Parses a type string that is known to be valid (for code and tests). */
  public static DataType of(String text) {
    Result result = parse(text);
    return result
        .type()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "Cannot parse type '" + text + "': " + result.error()));
  }

  /** A parsed type or the reason it could not be parsed. */
  public record Result(Optional<DataType> type, String error) {
    static Result success(DataType type) {
      return new Result(Optional.of(type), "");
    }

    static Result failure(String error) {
      return new Result(Optional.empty(), error);
    }
  }

  private DataType type(int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("types may nest at most " + MAX_DEPTH + " levels");
    }
    skipSpaces();
    String word = word();
    switch (word) {
      case "list" -> {
        expect('<');
        DataType element = type(depth + 1);
        expect('>');
        return new ListType(element);
      }
      case "struct" -> {
        expect('<');
        List<StructType.StructField> fields = new ArrayList<>();
        do {
          skipSpaces();
          int namePos = pos;
          String name = word();
          if (name.isEmpty()) {
            throw new IllegalArgumentException(
                "expected a struct field name at position " + namePos + ", found " + found());
          }
          if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("struct field name '" + name + "' is not a name");
          }
          for (StructType.StructField field : fields) {
            if (field.name().equals(name)) {
              throw new IllegalArgumentException("struct field '" + name + "' appears twice");
            }
          }
          expect(':');
          fields.add(new StructType.StructField(name, type(depth + 1)));
          skipSpaces();
        } while (accept(','));
        expect('>');
        return new StructType(fields);
      }
      case "decimal" -> {
        expect('(');
        int precision = number();
        expect(',');
        int scale = number();
        expect(')');
        if (precision < 1 || precision > DecimalType.MAX_PRECISION) {
          throw new IllegalArgumentException(
              "decimal precision " + precision + " is outside 1..38");
        }
        if (scale < 0 || scale > precision) {
          throw new IllegalArgumentException(
              "decimal scale " + scale + " is outside 0..precision (" + precision + ")");
        }
        return new DecimalType(precision, scale);
      }
      default -> {
        for (PrimitiveType primitive : PrimitiveType.values()) {
          if (primitive.typeString().equals(word)) {
            return primitive;
          }
        }
        if (word.isEmpty()) {
          throw new IllegalArgumentException(
              "expected a type name at position " + pos + ", found " + found());
        }
        String lower = word.toLowerCase(Locale.ROOT);
        String hint =
            switch (lower) {
              case "int", "integer" -> "int32";
              case "long", "bigint" -> "int64";
              case "short", "smallint" -> "int16";
              case "byte", "tinyint" -> "int8";
              case "double" -> "float64";
              case "float", "real" -> "float32";
              case "bool" -> "boolean";
              case "date" -> "date32";
              case "timestamp" -> "timestamp_us";
              case "varchar", "text", "utf8" -> "string";
              case "bytes", "blob", "varbinary" -> "binary";
              case "array" -> "list<T>";
              case "numeric" -> "decimal(P,S)";
              default -> "";
            };
        if (hint.isEmpty() && !lower.equals(word)) {
          // the right name in the wrong case: INT32, List, Decimal
          for (PrimitiveType primitive : PrimitiveType.values()) {
            if (primitive.typeString().equals(lower)) {
              hint = lower;
            }
          }
          if (lower.equals("list") || lower.equals("struct") || lower.equals("decimal")) {
            hint = lower + (lower.equals("decimal") ? "(P,S)" : "<...>");
          }
        }
        throw new IllegalArgumentException(
            "unknown type '"
                + word
                + "'"
                + (hint.isEmpty() ? "" : " (did you mean " + hint + "?)"));
      }
    }
  }

  private String word() {
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private int number() {
    skipSpaces();
    int start = pos;
    while (pos < text.length()
        && text.charAt(pos) >= '0'
        && text.charAt(pos) <= '9'
        && pos - start < 4) {
      pos++;
    }
    if (start == pos) {
      throw new IllegalArgumentException(
          "expected a number at position " + pos + ", found " + found());
    }
    return Integer.parseInt(text.substring(start, pos));
  }

  private void expect(char c) {
    skipSpaces();
    if (pos >= text.length() || text.charAt(pos) != c) {
      throw new IllegalArgumentException(
          "expected '" + c + "' at position " + pos + ", found " + found());
    }
    pos++;
  }

  private boolean accept(char c) {
    skipSpaces();
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  /** What is at the current position, for messages. */
  private String found() {
    return pos >= text.length() ? "the end of the text" : "'" + text.charAt(pos) + "'";
  }

  private void skipSpaces() {
    while (pos < text.length() && text.charAt(pos) == ' ') {
      pos++;
    }
  }
}
