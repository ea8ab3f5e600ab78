package io.relspec.spark.engine;

import io.relspec.spark.SparkErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.CachedData;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.util.QueryExecutionListener;

/**
 * The physical plans a session actually executed: those of the actions run while it is open (as
 * Spark's {@link QueryExecutionListener} reports them, after the listener bus drained) and the plan
 * that materialized a persisted Dataset.
 */
public final class ExecutedPlans implements AutoCloseable {
  private static final long DRAIN_MILLIS = 30_000;

  private final SparkSession spark;
  private final List<SparkPlan> plans = new ArrayList<>();
  private final QueryExecutionListener listener =
      new QueryExecutionListener() {
        @Override
        public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
          synchronized (plans) {
            plans.add(qe.executedPlan());
          }
        }

        @Override
        public void onFailure(String funcName, QueryExecution qe, Exception exception) {}
      };

  private ExecutedPlans(SparkSession spark) {
    this.spark = spark;
    drain();
    spark.listenerManager().register(listener);
  }

  /** Delivers the events of earlier actions first, so that only later ones are recorded. */
  private void drain() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(DRAIN_MILLIS);
    } catch (TimeoutException e) {
      throw SparkErrors.internal("collect the executed plans of the run", e);
    }
  }

  /** Starts recording the plans of the actions that succeed from now on. */
  public static ExecutedPlans record(SparkSession spark) {
    return new ExecutedPlans(spark);
  }

  /** The plans of the actions that succeeded so far, once Spark has delivered their events. */
  public List<SparkPlan> plans() {
    drain();
    synchronized (plans) {
      return List.copyOf(plans);
    }
  }

  /** The executed plan that filled the cache of a persisted (and materialized) Dataset. */
  public static Optional<SparkPlan> cachedPlan(SparkSession spark, Dataset<?> persisted) {
    scala.Option<CachedData> cached =
        spark.sharedState().cacheManager().lookupCachedData(persisted);
    if (cached.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(cached.get().cachedRepresentation().cacheBuilder().cachedPlan());
  }

  @Override
  public void close() {
    spark.listenerManager().unregister(listener);
  }
}
