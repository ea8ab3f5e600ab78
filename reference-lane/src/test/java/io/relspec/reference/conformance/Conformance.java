package io.relspec.reference.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.Field;
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
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs every {@link ConformanceCases conformance case} on one {@link Lane} as one JUnit dynamic
 * test per case, and writes what each case did on the lane to {@code target/conformance-LANE.txt}.
 *
 * <p>A case passes when the lane ran it and returned the plan's column names and types and the
 * expected rows (in order when the case is ordered). A lane that cannot run a case, fails on it or
 * returns other rows fails the case, unless the case is one of the lane's known issues, given with
 * their analysis: then the test asserts that the lane still deviates, so a fixed issue fails until
 * it is taken off the list. No case is skipped.
 */
public final class Conformance {
  private final Lane lane;
  private final Map<String, String> knownIssues;
  private final Map<String, String> report = Collections.synchronizedMap(new TreeMap<>());

  /**
   * @param knownIssues case name to the analysis of why the lane deviates from the spec there
   */
  public Conformance(Lane lane, Map<String, String> knownIssues) {
    this.lane = lane;
    this.knownIssues = Map.copyOf(knownIssues);
  }

  /** One dynamic test per case, named after the case. */
  public Stream<DynamicTest> tests() {
    return ConformanceCases.all().stream()
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  /** Checks one case on the lane (see the class comment). */
  public void check(ConformanceCase conformanceCase) {
    LaneResult result = lane.run(conformanceCase);
    List<String> problems = problems(conformanceCase, result);
    String known = knownIssues.get(conformanceCase.name());
    report.put(conformanceCase.name(), describe(result, problems, known));
    assertConforms(lane.name(), conformanceCase.name(), problems, known);
  }

  /**
   * Asserts that a lane conforms on a case ({@code problems} empty), or, for a known issue ({@code
   * known} its analysis, else null), that it still deviates, so a fixed issue fails until it is
   * taken off the list.
   */
  static void assertConforms(String lane, String caseName, List<String> problems, String known) {
    if (known != null) {
      assertThat(problems)
          .as(
              "lane %s conforms on %s, listed as a known issue (%s): take it off the list",
              lane, caseName, known)
          .isNotEmpty();
      return;
    }
    assertThat(problems).as("lane %s on case %s", lane, caseName).isEmpty();
  }

  /** A report line's verdict: conforms, or the problems (as a known issue or a deviation). */
  static String verdict(List<String> problems, String known) {
    return problems.isEmpty()
        ? "conforms"
        : (known != null ? "KNOWN ISSUE: " + known + "; " : "DEVIATES: ")
            + String.join("; ", problems);
  }

  /** Every known issue names a real case. */
  public void checkKnownIssuesNameCases() {
    Set<String> names = new LinkedHashSet<>();
    ConformanceCases.all().forEach(c -> names.add(c.name()));
    assertThat(names).as("conformance cases").containsAll(knownIssues.keySet());
  }

  /** How the lane deviates from the spec on a case; empty when it conforms. */
  public static List<String> problems(ConformanceCase conformanceCase, LaneResult result) {
    List<String> problems = new ArrayList<>();
    if (result instanceof LaneResult.CannotRun cannot) {
      problems.add("cannot run: " + cannot.reason());
      return problems;
    }
    if (result instanceof LaneResult.Failed failed) {
      problems.add("failed: " + failed.error());
      return problems;
    }
    LaneResult.Rows rows = (LaneResult.Rows) result;
    RelPlan plan = conformanceCase.plan();
    List<String> names = plan.schema().fields().stream().map(Field::name).toList();
    List<DataType> types = plan.schema().fields().stream().map(Field::type).toList();
    if (!rows.names().equals(names)) {
      problems.add("column names " + rows.names() + ", the plan says " + names);
    }
    if (!rows.types().equals(types)) {
      problems.add("column types " + rows.types() + ", the plan says " + types);
    }
    List<String> want = CaseValues.renderRows(conformanceCase.expected());
    List<String> got = CaseValues.renderRows(rows.rows());
    if (conformanceCase.ordered()) {
      if (!want.equals(got)) {
        problems.add("rows in order " + got + ", the spec says " + want);
      }
    } else {
      List<String> missing = new ArrayList<>(want);
      got.forEach(missing::remove);
      List<String> extra = new ArrayList<>(got);
      want.forEach(extra::remove);
      if (!missing.isEmpty() || !extra.isEmpty()) {
        problems.add(
            "rows (any order) "
                + got
                + ", the spec says "
                + want
                + "; missing "
                + missing
                + ", unexpected "
                + extra);
      }
    }
    return problems;
  }

  private static String describe(LaneResult result, List<String> problems, String known) {
    String how =
        result instanceof LaneResult.Rows rows
            ? "ran (" + rows.execution() + ")"
            : result instanceof LaneResult.Failed ? "failed" : "cannot run";
    return how + ": " + verdict(problems, known);
  }

  /** What each case did on the lane, one line per case. */
  public List<String> reportLines() {
    List<String> lines = new ArrayList<>();
    synchronized (report) {
      report.forEach((name, line) -> lines.add(name + " -> " + line));
    }
    return lines;
  }

  /** Writes {@link #reportLines()} to {@code target/conformance-LANE.txt}. */
  public Path writeReport() {
    Path file = Path.of("target", "conformance-" + lane.name() + ".txt");
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, reportLines());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** Counts of report lines by how the case ran, e.g. {@code ran (native)=12}. */
  public Map<String, Integer> summary() {
    Map<String, Integer> counts = new TreeMap<>();
    for (String line : reportLines()) {
      String how = line.substring(line.indexOf(" -> ") + 4);
      String key = how.startsWith("ran (native") ? "native" : how.replaceAll(" \\(.*", "");
      if (how.contains("fallback")) {
        key = "with fallback";
      }
      counts.merge(key, 1, Integer::sum);
      if (!how.endsWith("conforms") && !how.contains(": conforms")) {
        counts.merge(how.contains("KNOWN ISSUE") ? "known issue" : "deviates", 1, Integer::sum);
      }
    }
    return counts;
  }
}
