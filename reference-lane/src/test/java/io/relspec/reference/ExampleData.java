package io.relspec.reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The example datasets ({@code examples/data}, made by {@code relspec gen}) for tests of any
 * module: a copy in which one dataset's files are replaced, e.g. by a corrupt file or by nothing.
 */
public final class ExampleData {
  /** {@code examples/data} seen from a module directory (Maven runs tests there). */
  public static final Path DATA = Path.of("..", "examples", "data");

  private ExampleData() {}

  /** Writes the files of one dataset directory; it does not exist when called. */
  @FunctionalInterface
  public interface DatasetWriter {
    void write(Path datasetDir) throws IOException;
  }

  /**
   * Copies {@code examples/data} into {@code dir} and replaces dataset directory {@code dataset}
   * (relative, e.g. {@code cpg/files}) by what {@code writer} writes; returns {@code dir}.
   */
  public static Path copyWith(Path dir, String dataset, DatasetWriter writer) throws IOException {
    try (Stream<Path> walk = Files.walk(DATA)) {
      for (Path p : walk.toList()) {
        Path target = dir.resolve(DATA.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    Path datasetDir = dir.resolve(dataset);
    try (Stream<Path> files = Files.list(datasetDir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(datasetDir);
    writer.write(datasetDir);
    return dir;
  }
}
