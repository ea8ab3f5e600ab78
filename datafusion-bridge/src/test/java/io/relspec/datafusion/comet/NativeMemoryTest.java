package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.expr.Call;
import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Scan;
import io.relspec.ir.op.Sort;
import io.relspec.ir.op.SortKey;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.ir.type.PrimitiveType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/** Native memory is released: by every run, and by a run that fails for lack of memory. */
class NativeMemoryTest {
  /** Runs measured after warm-up. */
  private static final int RUNS = 100;

  /**
   * Runs before the first measurement: the first ones grow the JIT code cache, metaspace and the
   * native engine's thread pools. The Java heap is pre-touched (surefire's argLine), so RSS growth
   * after warm-up is native memory.
   */
  private static final int WARM_UP = 20;

  private static final Pipeline FILTER_AGGREGATE =
      Pipeline.of(
          Scan.of("events"),
          new Filter(Call.of("ge", new ColumnRef("v"), Literal.of(-500L, PrimitiveType.INT64))),
          new Aggregate(
              List.of("name"),
              List.of(
                  new Aggregate.AggregateCall("n", "count", List.of(), false),
                  new Aggregate.AggregateCall("s", "sum", List.of(new ColumnRef("v")), false))));

  @Test
  void hundredRunsInOneJvmDoNotGrowMemory() throws IOException {
    List<TestData.Row> rows = TestData.rows(20_000);
    long expectedRows =
        rows.stream().filter(r -> r.v() >= -500).map(TestData.Row::name).distinct().count();
    try (BufferAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> input = TestData.batches(allocator, rows, 4096);
      long inputBytes = allocator.getAllocatedMemory();
      try (EngineSession session =
          new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
        session.registerBatches("events", TestData.EVENTS, input);
        long rssAfterWarmUp = 0;
        long start = 0;
        for (int run = 1; run <= WARM_UP + RUNS; run++) {
          try (QueryResult result = session.execute(FILTER_AGGREGATE, Map.of())) {
            assertThat(result.rowCount()).isEqualTo(expectedRows);
          }
          assertThat(allocator.getAllocatedMemory())
              .as("Arrow memory after run %d", run)
              .isEqualTo(inputBytes);
          if (run == WARM_UP) {
            System.gc();
            rssAfterWarmUp = rssBytes();
            start = System.nanoTime();
          }
        }
        long millisPerRun = (System.nanoTime() - start) / 1_000_000 / RUNS;
        System.gc();
        long rssAtEnd = rssBytes();
        long growth = rssAtEnd - rssAfterWarmUp;
        System.out.printf(
            "native memory: %d rows, %d warm-up + %d measured runs: RSS after warm-up %d KiB,"
                + " after %d more runs %d KiB, growth %d KiB (%d bytes/run), %d ms/run%n",
            rows.size(),
            WARM_UP,
            RUNS,
            rssAfterWarmUp / 1024,
            RUNS,
            rssAtEnd / 1024,
            growth / 1024,
            growth / RUNS,
            millisPerRun);
        assertThat(growth)
            .as("RSS growth over %d runs after warm-up", RUNS)
            .isLessThan(16L * 1024 * 1024);
      } finally {
        input.forEach(VectorSchemaRoot::close);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aTooSmallMemoryLimitFailsClearlyAndReleasesEverything() {
    List<TestData.Row> rows = TestData.rows(20_000);
    RuntimeProfile tiny =
        new RuntimeProfile(1, 1024, Optional.empty(), MemoryPool.GREEDY, Optional.of(1024L));
    Pipeline sort = Pipeline.of(Scan.of("events"), new Sort(List.of(SortKey.asc("name"))));
    try (BufferAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> input = TestData.batches(allocator, rows, 4096);
      long inputBytes = allocator.getAllocatedMemory();
      try {
        try (EngineSession session = new CometEngine().openSession(tiny, allocator)) {
          session.registerBatches("events", TestData.EVENTS, input);
          assertThatThrownBy(() -> session.execute(sort, Map.of()))
              .isInstanceOf(RelspecException.class)
              .satisfies(
                  e ->
                      assertThat(((RelspecException) e).code())
                          .isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES))
              .hasMessageStartingWith("Cannot execute the plan on datafusion-comet 0.12.0")
              .hasMessageContaining("Raise RuntimeProfile.memoryLimitBytes");
          assertThat(allocator.getAllocatedMemory()).as("no partial output").isEqualTo(inputBytes);
        }
        try (EngineSession session =
            new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
          session.registerBatches("events", TestData.EVENTS, input);
          try (QueryResult result = session.execute(sort, Map.of())) {
            assertThat(result.rowCount()).isEqualTo(rows.size());
          }
        }
      } finally {
        input.forEach(VectorSchemaRoot::close);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  private static long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
