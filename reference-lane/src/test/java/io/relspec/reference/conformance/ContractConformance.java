package io.relspec.reference.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.bundle.ContractSpec;
import io.relspec.ir.bundle.DatasetSpec;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.plan.OutputPlan;
import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.run.RunManifest;
import io.relspec.ir.validate.ValidatedBundle;
import io.relspec.reference.ContractFinalizer;
import io.relspec.reference.ParquetDatasetWriter;
import io.relspec.reference.run.RunOutputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs every {@link ContractCases contract case} on one {@link ContractLane} as one JUnit dynamic
 * test per case: the inputs written as Parquet, the lane's runner, then {@code out}, {@code
 * out__errors} and the manifest's accounting read back and compared with the case; {@code
 * target/contract-conformance-LANE.txt} says what each case did. Known issues work as in {@link
 * Conformance}: listed with their analysis, and failing once the lane conforms.
 */
public final class ContractConformance {
  private final ContractLane lane;
  private final Map<String, String> knownIssues;
  private final Path work;
  private final Map<String, String> report = Collections.synchronizedMap(new TreeMap<>());

  /**
   * @param work a directory for each case's inputs and outputs
   */
  public ContractConformance(ContractLane lane, Map<String, String> knownIssues, Path work) {
    this.lane = lane;
    this.knownIssues = Map.copyOf(knownIssues);
    this.work = work;
  }

  /** What a lane did with a case. */
  public sealed interface Outcome {
    /** The run committed: the rows of {@code out} and {@code out__errors}, and the accounting. */
    record Ran(
        List<List<Object>> rows, List<List<Object>> errors, ContractCase.Counts counts, String how)
        implements Outcome {}

    /**
     * The run failed with this error code and message; {@code wrote} whether {@code out} exists.
     */
    record Failed(String code, String message, boolean wrote) implements Outcome {}
  }

  public Stream<DynamicTest> tests() {
    return ContractCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  public void check(ContractCase contractCase) {
    Outcome outcome = run(contractCase);
    List<String> problems = problems(contractCase, outcome);
    String known = knownIssues.get(contractCase.name());
    report.put(contractCase.name(), Conformance.verdict(problems, known));
    Conformance.assertConforms(lane.name(), contractCase.name(), problems, known);
  }

  /** Every known issue names a real case. */
  public void checkKnownIssuesNameCases() {
    Set<String> names = new LinkedHashSet<>();
    ContractCases.all().forEach(c -> names.add(c.name()));
    assertThat(names).as("contract cases").containsAll(knownIssues.keySet());
  }

  /** Writes the inputs, runs the lane's runner and reads what it committed. */
  public Outcome run(ContractCase contractCase) {
    ValidatedBundle bundle = contractCase.validated();
    Path dir;
    try {
      Files.createDirectories(work);
      dir = Files.createTempDirectory(work, "case");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path data = dir.resolve("data");
    Path out = dir.resolve("out");
    try (BufferAllocator allocator = new RootAllocator()) {
      Map<String, List<VectorSchemaRoot>> batches =
          ArrowInputs.batches(contractCase::rows, bundle, allocator, 2);
      try {
        for (DatasetSpec dataset : bundle.bundle().datasets()) {
          ParquetDatasetWriter.write(
              data.resolve(dataset.location()),
              new RelSchema(dataset.schema()),
              batches.get(dataset.name()),
              Map.of());
        }
      } finally {
        ArrowInputs.close(batches);
      }
      OutputPlan output = bundle.outputs().get(0);
      RunManifest manifest;
      try {
        manifest = lane.run(bundle, data, out);
      } catch (RelspecException e) {
        return new Outcome.Failed(
            e.code().name(), e.getMessage(), Files.exists(out.resolve(output.name())));
      }
      RunManifest.OutputReport report = manifest.outputs().get(0);
      ContractSpec contract = output.contract();
      List<List<Object>> rows =
          RunOutputs.rows(out, output.name(), new RelSchema(contract.columns()));
      List<List<Object>> errors = new ArrayList<>();
      if (Files.exists(out.resolve(output.errorsName()))) {
        RelSchema errorSchema = ContractFinalizer.errorSchema(contract);
        int message = errorSchema.indexOf(ContractFinalizer.ERROR_MESSAGE);
        for (List<Object> row : RunOutputs.rows(out, output.errorsName(), errorSchema)) {
          List<Object> kept = new ArrayList<>(row);
          kept.remove(message);
          errors.add(Collections.unmodifiableList(kept));
        }
      }
      return new Outcome.Ran(
          rows,
          errors,
          new ContractCase.Counts(
              report.rowsIn(),
              report.rowsOut(),
              report.quarantined(),
              report.dropped(),
              report.deduplicated()),
          manifest.engine());
    }
  }

  /** How the lane deviates from the case; empty when it conforms. */
  public static List<String> problems(ContractCase contractCase, Outcome outcome) {
    List<String> problems = new ArrayList<>();
    if (contractCase.failure().isPresent()) {
      if (!(outcome instanceof Outcome.Failed failed)) {
        problems.add("the run committed, the spec says it fails with " + contractCase.failure());
        return problems;
      }
      if (!failed.code().equals(contractCase.failure().get())) {
        problems.add(
            "failed with "
                + failed.code()
                + " ("
                + failed.message()
                + "), the spec says "
                + contractCase.failure().get());
      }
      if (failed.wrote()) {
        problems.add("failed but wrote the output");
      }
      return problems;
    }
    if (outcome instanceof Outcome.Failed failed) {
      problems.add("failed: " + failed.code() + ": " + failed.message());
      return problems;
    }
    Outcome.Ran ran = (Outcome.Ran) outcome;
    compare("rows", contractCase.rows(), ran.rows(), contractCase.ordered(), problems);
    compare("__errors rows", contractCase.errors(), ran.errors(), false, problems);
    if (!ran.counts().equals(contractCase.counts())) {
      problems.add("accounting " + ran.counts() + ", the spec says " + contractCase.counts());
    }
    return problems;
  }

  private static void compare(
      String what,
      List<List<Object>> expected,
      List<List<Object>> actual,
      boolean ordered,
      List<String> problems) {
    List<String> want = CaseValues.renderRows(expected);
    List<String> got = CaseValues.renderRows(actual);
    if (ordered) {
      if (!want.equals(got)) {
        problems.add(what + " in order " + got + ", the spec says " + want);
      }
      return;
    }
    List<String> missing = new ArrayList<>(want);
    got.forEach(missing::remove);
    List<String> extra = new ArrayList<>(got);
    want.forEach(extra::remove);
    if (!missing.isEmpty() || !extra.isEmpty()) {
      problems.add(what + " (any order) " + got + ", missing " + missing + ", unexpected " + extra);
    }
  }

  /** Writes what each case did to {@code target/contract-conformance-LANE.txt}. */
  public Path writeReport() {
    Path file = Path.of("target", "contract-conformance-" + lane.name() + ".txt");
    List<String> lines = new ArrayList<>();
    synchronized (report) {
      report.forEach((name, line) -> lines.add(name + " -> " + line));
    }
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
