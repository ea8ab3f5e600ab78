package io.relspec.ir.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads test resources as UTF-8 text. */
public final class TestResources {
  private TestResources() {}

  public static String text(String resource) {
    try (InputStream in = TestResources.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalArgumentException("Cannot find test resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
