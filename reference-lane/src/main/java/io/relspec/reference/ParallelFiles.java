package io.relspec.reference;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Reads the files of one dataset on the common fork-join pool and the calling thread at once, their
 * batches kept in file order. When any file fails, every batch read is closed and the first failure
 * in file order is thrown (so the result never depends on timing).
 */
final class ParallelFiles {
  private ParallelFiles() {}

  static <F> List<VectorSchemaRoot> read(
      List<F> files, Function<F, List<VectorSchemaRoot>> readFile) {
    int n = files.size();
    @SuppressWarnings("unchecked")
    List<VectorSchemaRoot>[] read = new List[n];
    RuntimeException[] failed = new RuntimeException[n];
    Error[] errors = new Error[n];
    IntStream.range(0, n)
        .parallel()
        .forEach(
            i -> {
              try {
                read[i] = readFile.apply(files.get(i));
              } catch (RuntimeException e) {
                failed[i] = e;
              } catch (Error e) {
                errors[i] = e;
              }
            });
    List<VectorSchemaRoot> batches = new ArrayList<>();
    for (List<VectorSchemaRoot> file : read) {
      if (file != null) {
        batches.addAll(file);
      }
    }
    for (int i = 0; i < n; i++) {
      if (failed[i] != null || errors[i] != null) {
        batches.forEach(VectorSchemaRoot::close);
        if (errors[i] != null) {
          throw errors[i];
        }
        throw failed[i];
      }
    }
    return batches;
  }
}
