package io.relspec.bench.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Runs the lanes of each case side by side in one JVM: warm-up rounds, then measured rounds in
 * which the lanes take turns (so drift on a noisy machine hits all lanes alike). Writes medians and
 * ratios to {@code <dir>/<name>.json} and a bar chart to {@code <dir>/<name>.svg}.
 */
public final class SideBySide {
  private final String name;
  private final int warmups;
  private final int iterations;
  private final Map<String, Map<String, Callable<Long>>> cases = new LinkedHashMap<>();
  private final Map<String, String> baselines = new LinkedHashMap<>();
  private final Map<String, Object> notes = new LinkedHashMap<>();

  public SideBySide(String name, int warmups, int iterations) {
    this.name = name;
    this.warmups = warmups;
    this.iterations = iterations;
  }

  /**
   * Adds a case: each lane is a callable that runs the work once and returns a row count (which
   * must be equal across lanes, as a check that they did the same work).
   */
  public SideBySide addCase(
      String caseName, String baselineLane, Map<String, Callable<Long>> lanes) {
    cases.put(caseName, new LinkedHashMap<>(lanes));
    baselines.put(caseName, baselineLane);
    return this;
  }

  /**
   * Whether a full GC runs before every timed run (system property {@code relspec.bench.gc},
   * default true), outside the timed window, as JMH's {@code -gc true}.
   */
  static final boolean GC_BETWEEN_RUNS =
      Boolean.parseBoolean(System.getProperty("relspec.bench.gc", "true"));

  /** A fact recorded in the results file (data size, configuration). */
  public SideBySide note(String key, Object value) {
    notes.put(key, value);
    return this;
  }

  /**
   * One case's result: wall-clock milliseconds per measured round and lane, and the CPU time of the
   * calling thread in the same rounds (the whole cost of single-threaded work such as compiling a
   * plan, and much less sensitive to other processes on a shared machine than wall-clock time).
   */
  public record CaseResult(
      String name,
      String baseline,
      Map<String, double[]> millis,
      Map<String, double[]> cpuMillis,
      long rows,
      double[] loadAverage) {
    public double median(String lane) {
      return median(millis.get(lane));
    }

    /** Median CPU time of the calling thread. */
    public double cpuMedian(String lane) {
      return median(cpuMillis.get(lane));
    }

    private static double median(double[] values) {
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      int n = sorted.length;
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** lane median / baseline median: above 1 is slower than the baseline. */
    public double ratio(String lane) {
      return median(lane) / median(baseline);
    }
  }

  public List<CaseResult> run(Path dir) throws Exception {
    List<CaseResult> results = new ArrayList<>();
    for (Map.Entry<String, Map<String, Callable<Long>>> entry : cases.entrySet()) {
      Map<String, Callable<Long>> lanes = entry.getValue();
      Map<String, List<Double>> times = new LinkedHashMap<>();
      Map<String, List<Double>> cpuTimes = new LinkedHashMap<>();
      lanes.keySet().forEach(lane -> times.put(lane, new ArrayList<>()));
      lanes.keySet().forEach(lane -> cpuTimes.put(lane, new ArrayList<>()));
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      // the 1-minute load average of the machine when the case starts and ends (shared machine)
      double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      Long rows = null;
      for (int round = 0; round < warmups + iterations; round++) {
        for (Map.Entry<String, Callable<Long>> lane : lanes.entrySet()) {
          if (GC_BETWEEN_RUNS) {
            // as JMH's -gc true: the previous lane's garbage is collected before this run, outside
            // its time, so a lane does not pay for another's heap
            System.gc();
          }
          long cpuStart = threads.getCurrentThreadCpuTime();
          long start = System.nanoTime();
          long count = lane.getValue().call();
          double ms = (System.nanoTime() - start) / 1e6;
          double cpuMs = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
          if (rows == null) {
            rows = count;
          } else if (rows != count) {
            throw new IllegalStateException(
                "Cannot compare lanes of case "
                    + entry.getKey()
                    + ": lane "
                    + lane.getKey()
                    + " returned "
                    + count
                    + " rows, another "
                    + rows);
          }
          if (round >= warmups) {
            times.get(lane.getKey()).add(ms);
            cpuTimes.get(lane.getKey()).add(cpuMs);
          }
          System.err.printf(
              Locale.ROOT, "%s/%s round %d: %.1f ms%n", entry.getKey(), lane.getKey(), round, ms);
        }
      }
      Map<String, double[]> millis = new LinkedHashMap<>();
      times.forEach(
          (lane, list) ->
              millis.put(lane, list.stream().mapToDouble(Double::doubleValue).toArray()));
      Map<String, double[]> cpuMillis = new LinkedHashMap<>();
      cpuTimes.forEach(
          (lane, list) ->
              cpuMillis.put(lane, list.stream().mapToDouble(Double::doubleValue).toArray()));
      results.add(
          new CaseResult(
              entry.getKey(),
              baselines.get(entry.getKey()),
              millis,
              cpuMillis,
              rows == null ? 0 : rows,
              new double[] {
                loadBefore, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()
              }));
    }
    write(dir, results);
    return results;
  }

  private void write(Path dir, List<CaseResult> results) throws IOException {
    Files.createDirectories(dir);
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("benchmark", name);
    root.put("time", Instant.now().toString());
    root.put("warmups", warmups);
    root.put("iterations", iterations);
    root.put("gcBetweenRuns", GC_BETWEEN_RUNS);
    ObjectNode machine = root.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put("java", System.getProperty("java.version"));
    // a shared machine: how busy it was when the results were written
    machine.put(
        "loadAverage1mAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    machine.put(
        "jvmArgs",
        String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())
            .replaceAll("--add-opens=\\S+ ?", ""));
    ObjectNode noteNode = root.putObject("notes");
    notes.forEach((key, value) -> noteNode.put(key, String.valueOf(value)));
    ArrayNode caseNodes = root.putArray("cases");
    for (CaseResult result : results) {
      ObjectNode node = caseNodes.addObject();
      node.put("case", result.name());
      node.put("baseline", result.baseline());
      node.put("rows", result.rows());
      ArrayNode load = node.putArray("loadAverageStartEnd");
      Arrays.stream(result.loadAverage()).forEach(value -> load.add(round(value)));
      ObjectNode lanes = node.putObject("lanes");
      for (String lane : result.millis().keySet()) {
        ObjectNode laneNode = lanes.putObject(lane);
        laneNode.put("medianMs", round(result.median(lane)));
        laneNode.put("ratioToBaseline", round(result.ratio(lane)));
        laneNode.put("minMs", round(Arrays.stream(result.millis().get(lane)).min().orElse(0)));
        laneNode.put("callerThreadCpuMedianMs", round(result.cpuMedian(lane)));
        ArrayNode samples = laneNode.putArray("samplesMs");
        Arrays.stream(result.millis().get(lane)).forEach(ms -> samples.add(round(ms)));
      }
    }
    mapper.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(name + ".json").toFile(), root);
    Files.writeString(dir.resolve(name + ".svg"), Charts.bars(name, results));
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
