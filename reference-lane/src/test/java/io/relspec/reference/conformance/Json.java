package io.relspec.reference.conformance;

/** Expression JSON for cases: typed literals and function calls. */
public final class Json {
  private Json() {}

  public static String lit(Object value, String type) {
    String json =
        value == null ? "null" : value instanceof String s ? "\"" + s + "\"" : value.toString();
    return "{\"lit\":" + json + ",\"type\":\"" + type + "\"}";
  }

  public static String fn(String name, String... args) {
    return "{\"fn\":\"" + name + "\",\"args\":[" + String.join(",", args) + "]}";
  }

  public static String cast(String expr, String to) {
    return "{\"cast\":" + expr + ",\"to\":\"" + to + "\"}";
  }
}
