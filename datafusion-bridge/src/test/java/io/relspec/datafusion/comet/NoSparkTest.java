package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.datafusion.EngineSession;
import io.relspec.datafusion.QueryResult;
import io.relspec.ir.op.Aggregate;
import io.relspec.ir.op.Pipeline;
import io.relspec.ir.op.Scan;
import io.relspec.ir.runtime.RuntimeProfile;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.SparkContext$;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The standalone engine runs natively without ever starting Spark in this JVM. */
class NoSparkTest {

  @Test
  void nativeExecutionCreatesNoSparkContextOrSession() {
    List<TestData.Row> rows = TestData.rows(2000);
    try (BufferAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> input = TestData.batches(allocator, rows, 500);
      try (EngineSession session =
          new CometEngine().openSession(RuntimeProfile.DEFAULT, allocator)) {
        session.registerBatches("events", TestData.EVENTS, input);
        Pipeline pipeline =
            Pipeline.of(
                Scan.of("events"),
                new Aggregate(
                    List.of(),
                    List.of(new Aggregate.AggregateCall("n", "count", List.of(), false))));
        try (QueryResult result = session.execute(pipeline, Map.of())) {
          assertThat(TestData.read(result.batches())).containsExactly(List.of(2000L));
        }
      } finally {
        input.forEach(VectorSchemaRoot::close);
      }
    }

    assertThat(SparkContext$.MODULE$.getActive().isEmpty()).as("no active SparkContext").isTrue();
    assertThat(SparkSession.getActiveSession().isEmpty()).as("no active SparkSession").isTrue();
    assertThat(SparkSession.getDefaultSession().isEmpty()).as("no default SparkSession").isTrue();
    assertThat(SparkEnv.get()).as("no SparkEnv").isNull();
    assertThat(Thread.getAllStackTraces().keySet())
        .extracting(Thread::getName)
        .as("no Spark scheduler threads")
        .noneMatch(name -> name.contains("dag-scheduler") || name.contains("spark-listener"));
  }
}
