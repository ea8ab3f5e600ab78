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
          String name = word();
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
        String lower = word.toLowerCase(Locale.ROOT);
        String hint =
            switch (lower) {
              case "int", "integer" -> "; did you mean int32?";
              case "long", "bigint" -> "; did you mean int64?";
              case "double" -> "; did you mean float64?";
              case "float" -> "; did you mean float32?";
              case "bool" -> "; did you mean boolean?";
              case "date" -> "; did you mean date32?";
              case "timestamp" -> "; did you mean timestamp_us?";
              case "varchar", "text", "utf8" -> "; did you mean string?";
              default -> "";
            };
        throw new IllegalArgumentException(
            (word.isEmpty() ? "missing type name" : "unknown type '" + word + "'") + hint);
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
    while (pos < text.length() && Character.isDigit(text.charAt(pos)) && pos - start < 4) {
      pos++;
    }
    if (start == pos) {
      throw new IllegalArgumentException("expected a number at position " + pos);
    }
    return Integer.parseInt(text.substring(start, pos));
  }

  private void expect(char c) {
    skipSpaces();
    if (pos >= text.length() || text.charAt(pos) != c) {
      throw new IllegalArgumentException("expected '" + c + "' at position " + pos);
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

  private void skipSpaces() {
    while (pos < text.length() && text.charAt(pos) == ' ') {
      pos++;
    }
  }
}
