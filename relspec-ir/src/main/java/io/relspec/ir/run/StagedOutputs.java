package io.relspec.ir.run;

import io.relspec.ir.error.IrErrors;
import io.relspec.ir.error.RelspecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The atomic commit every lane's runner uses: datasets are written under a staging directory inside
 * {@code OUT} and only moved into place (one rename per dataset) once the whole run succeeded, so a
 * failed run never leaves a half-written dataset in place of a previous good one.
 *
 * <pre>{@code
 * try (StagedOutputs staged = StagedOutputs.open(out)) {
 *   Path dir = staged.stage("symbol_links");   // write the dataset into dir
 *   ...
 *   staged.commit();                           // every staged name moves into OUT
 * }                                            // staging is deleted, committed or not
 * }</pre>
 */
public final class StagedOutputs implements AutoCloseable {
  private final Path outDir;
  private final Path staging;
  private final List<String> names = new ArrayList<>();

  private StagedOutputs(Path outDir, Path staging) {
    this.outDir = outDir;
    this.staging = staging;
  }

  public static StagedOutputs open(Path outDir) {
    Path staging = outDir.resolve("_relspec_staging_" + System.nanoTime());
    try {
      Files.createDirectories(staging);
    } catch (IOException e) {
      throw cannotWrite("the staging directory", staging, e);
    }
    return new StagedOutputs(outDir, staging);
  }

  /** Where to write dataset (or file) {@code name}; it is moved to {@code OUT/name} on commit. */
  public Path stage(String name) {
    names.add(name);
    return staging.resolve(name);
  }

  /** Where a staged dataset is, for rules that read an output produced earlier in the run. */
  public Path staged(String name) {
    return staging.resolve(name);
  }

  /**
   * Stages the run manifest as {@code OUT/_manifest.json} and commits everything staged: the last
   * step of every lane's runner.
   */
  public void commit(RunManifest manifest) {
    Path path = stage(RunManifest.FILE_NAME);
    try {
      manifest.write(path);
    } catch (IOException e) {
      throw cannotWrite("the run manifest", path, e);
    }
    commit();
  }

  /** Moves each staged dataset into place: old copy aside, new one in, old copy deleted. */
  public void commit() {
    for (String name : names) {
      Path target = outDir.resolve(name);
      Path old = staging.resolve(".old-" + name);
      try {
        if (Files.exists(target)) {
          Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging.resolve(name), target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw cannotWrite("dataset " + name, target, e);
      }
    }
  }

  @Override
  public void close() {
    deleteRecursively(staging);
  }

  public static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try {
      Files.walkFileTree(
          path,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static RelspecException cannotWrite(String what, Path where, IOException e) {
    return IrErrors.stagedWrite(what, where, e);
  }
}
