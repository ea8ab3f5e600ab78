package io.relspec.ir.diagnostics;

import io.relspec.ir.json.BundleReader;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The example bundles of the repository, found from the module directory. */
final class Examples {
  private Examples() {}

  static Path path(String name) {
    Path here = Path.of("").toAbsolutePath();
    for (Path dir = here; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("examples").resolve(name);
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("Cannot find examples/" + name + " above " + here);
  }

  static ValidatedBundle validated(String name) {
    return BundleValidator.validate(path(name));
  }

  static ValidatedBundle fromJson(String json) {
    return BundleValidator.validate(BundleReader.read(json, "<test>"), "<test>", Map.of());
  }
}
