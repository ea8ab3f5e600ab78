package io.relspec.ir.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.error.IrErrors;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.runtime.RuntimeProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads bundle documents (format v1) and runtime profiles. Every problem of a document is reported
 * together, each with the file, the JSON path, what was found and what was expected.
 */
public final class BundleReader {
  /** Expressions may nest at most this deep (a deeper tree is a clear error, not a crash). */
  public static final int MAX_EXPRESSION_DEPTH = 128;

  /** Nested pipelines (join right sides, union inputs, ...) may nest at most this deep. */
  public static final int MAX_PIPELINE_DEPTH = 16;

  /** JSON arrays and objects may nest at most this deep. */
  public static final int MAX_JSON_NESTING = 1000;

  /** A JSON string (a literal, a name) may have at most this many characters. */
  public static final int MAX_STRING_LENGTH = 1 << 20;

  /** A bundle file may have at most this many bytes. */
  public static final long MAX_DOCUMENT_BYTES = 256L << 20;

  private static final ObjectMapper MAPPER = newMapper();

  private BundleReader() {}

  private static ObjectMapper newMapper() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_JSON_NESTING)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    return new ObjectMapper(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
  }

  /** Reads a bundle file. */
  public static Bundle read(Path file) {
    return read(readText(file, "bundle"), file.toString());
  }

  /**
   * Reads a bundle from text.
   *
   * @param source the name of the document in error messages (a file path, or e.g. {@code
   *     <notebook>})
   */
  public static Bundle read(String json, String source) {
    JsonNode root = parse(json, source, "bundle");
    BundleDecoder decoder = new BundleDecoder(source);
    decoder.checkUnicode(root, "");
    Bundle bundle = decoder.bundle(root);
    decoder.throwIfProblems("bundle");
    return bundle;
  }

  /** Reads a runtime profile file ({@code --profile runtime.json}). */
  public static RuntimeProfile readProfile(Path file) {
    return readProfile(readText(file, "runtime profile"), file.toString());
  }

  /** Reads a runtime profile from text. */
  public static RuntimeProfile readProfile(String json, String source) {
    JsonNode root = parse(json, source, "runtime profile");
    BundleDecoder decoder = new BundleDecoder(source);
    decoder.checkUnicode(root, "");
    RuntimeProfile profile = decoder.runtimeProfile(root, "");
    decoder.throwIfProblems("runtime profile");
    return profile;
  }

  static String readText(Path file, String what) {
    try {
      long size = Files.size(file);
      if (size > MAX_DOCUMENT_BYTES) {
        throw IrErrors.fileTooLarge(what, file, size, MAX_DOCUMENT_BYTES);
      }
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw IrErrors.missingFile(what, file);
    } catch (java.nio.charset.MalformedInputException e) {
      throw IrErrors.notUtf8(what, file);
    } catch (IOException e) {
      throw IrErrors.unreadableFile(what, file, e);
    }
  }

  static JsonNode parse(String json, String source, String what) {
    if (json.length() > MAX_DOCUMENT_BYTES) {
      throw IrErrors.textTooLarge(what, source, json.length(), MAX_DOCUMENT_BYTES);
    }
    JsonParser parser;
    try {
      parser = MAPPER.createParser(json);
    } catch (IOException e) {
      throw IrErrors.parserFailed(what, source, e);
    }
    try (parser) {
      JsonNode root = MAPPER.readTree(parser);
      if (root == null || root.isMissingNode()) {
        throw invalid(source, what, "", "the document is empty; expected a JSON object");
      }
      return root;
    } catch (StreamConstraintsException e) {
      String where = location(parser);
      String message = String.valueOf(e.getOriginalMessage());
      String path;
      String why;
      if (message.contains("nesting depth")) {
        // the full path is a thousand levels long: name the outermost nodes, enough to find it
        path = truncate(containerPath(parser.getParsingContext()), 12);
        why =
            "found JSON nested more than "
                + MAX_JSON_NESTING
                + " levels deep"
                + where
                + "; expected at most "
                + MAX_JSON_NESTING
                + " (and expressions at most "
                + MAX_EXPRESSION_DEPTH
                + "). Flatten the expression, e.g. with n-ary and/or, or split it into several"
                + " derive ops";
      } else if (message.contains("Number")) {
        path = valuePath(parser.getParsingContext());
        why =
            "found a number with more digits than the parser's limit"
                + where
                + "; expected a number of at most "
                + StreamReadConstraints.DEFAULT_MAX_NUM_LEN
                + " characters. Write decimals as strings with exactly the type's scale";
      } else {
        path = valuePath(parser.getParsingContext());
        why =
            "found a string longer than "
                + MAX_STRING_LENGTH
                + " characters"
                + where
                + "; expected at most "
                + MAX_STRING_LENGTH
                + " characters per string. Keep large data in datasets, not in literals";
      }
      throw IrErrors.documentLimit(what, source, path, why);
    } catch (JsonProcessingException e) {
      String message = String.valueOf(e.getOriginalMessage());
      if (message.startsWith("Duplicate field '")) {
        String key = message.substring("Duplicate field '".length(), message.length() - 1);
        String why =
            "found the key '"
                + key
                + "' twice in one object"
                + location(e)
                + "; expected each key at most once. Remove one of them";
        throw invalid(source, what, valuePath(parser.getParsingContext()), why);
      }
      String why = "it is not valid JSON" + location(e) + ": " + message;
      throw invalid(source, what, containerPath(parser.getParsingContext()), why);
    } catch (IOException e) {
      throw IrErrors.unparsableDocument(what, source, e);
    }
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  private static String location(JsonParser parser) {
    JsonLocation at = parser.currentLocation();
    return at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /**
   * The path of the value the parser is at (the current key of an object, the current element of an
   * array), in the decoder's notation: {@code rules[3].ops[2].predicate}.
   */
  private static String valuePath(JsonStreamContext context) {
    String path = containerPath(context);
    if (context.inObject() && context.getCurrentName() != null) {
      return BundleDecoder.at(path, context.getCurrentName());
    }
    if (context.inArray() && context.getCurrentIndex() >= 0) {
      return path + "[" + context.getCurrentIndex() + "]";
    }
    return path;
  }

  /** The path of the object or array the parser is in. */
  private static String containerPath(JsonStreamContext context) {
    JsonStreamContext parent = context.getParent();
    return parent == null ? "" : valuePath(parent);
  }

  /** The path of the ancestor {@code segments} levels below the root. */
  private static String truncate(String path, int segments) {
    int seen = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if ((c == '.' || c == '[') && i > 0 && ++seen == segments) {
        return path.substring(0, i);
      }
    }
    return path;
  }

  private static RelspecException invalid(String source, String what, String path, String why) {
    return IrErrors.invalidDocument(what, source, path, why);
  }
}
