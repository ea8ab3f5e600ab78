package io.relspec.reference.run;

import io.relspec.ir.bundle.DatasetFormat;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.bundle.ScanOptions;
import io.relspec.ir.plan.Ordering;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.reference.ParquetDatasetSource;
import io.relspec.reference.Relation;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * What a committed run left, read back the same way for every lane (this module's test-jar, for the
 * parity tests of relspec-cli, spark-delegation and integration-tests): the manifest's
 * lane-independent summary and the rows of a dataset it wrote.
 */
public final class RunOutputs {
  private RunOutputs() {}

  /**
   * Per output and rule, what must not depend on the lane: the output's name, contract (name,
   * version, signature), ordering, onViolation and accounting, then the rule's name, priority,
   * signatures, params and accounting. Timings, versions and how each op ran are left out.
   */
  public static List<List<Object>> summary(RunManifest manifest) {
    return manifest.outputs().stream()
        .flatMap(
            o ->
                o.rules().stream()
                    .map(
                        r ->
                            List.<Object>of(
                                List.of(
                                    o.name(),
                                    o.contract(),
                                    o.contractVersion(),
                                    o.contractSignature(),
                                    o.ordering(),
                                    o.onViolation()),
                                List.of(
                                    o.rowsIn(),
                                    o.rowsOut(),
                                    o.quarantined(),
                                    o.dropped(),
                                    o.deduplicated()),
                                List.of(
                                    r.name(),
                                    r.priority(),
                                    r.planSignature(),
                                    r.ruleSignature(),
                                    r.params()),
                                List.of(
                                    r.rowsIn(), r.rowsOut(), r.violations(), r.deduplicated()))))
        .toList();
  }

  /** The rows of dataset {@code name} a run wrote under {@code out}, read as {@code schema}. */
  public static List<List<Object>> rows(Path out, String name, RelSchema schema) {
    DatasetSpec asWritten =
        new DatasetSpec(
            name,
            DatasetFormat.PARQUET,
            name,
            schema.fields(),
            Ordering.UNORDERED,
            ScanOptions.defaults(DatasetFormat.PARQUET));
    try (BufferAllocator allocator = new RootAllocator();
        ParquetDatasetSource source = new ParquetDatasetSource(out, allocator, 1000);
        Relation relation = new Relation(schema, List.copyOf(source.batches(asWritten)))) {
      return relation.rows();
    }
  }
}
