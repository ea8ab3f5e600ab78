package io.relspec.spark.delegation;

import io.relspec.ir.runtime.RuntimeProfile;
import io.relspec.spark.run.RuleDelegate;
import io.relspec.spark.run.RuleDelegateProvider;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * The {@link RuleDelegateProvider} of this module (registered in {@code META-INF/services}): the
 * Spark lane's entry points that cannot depend on spark-delegation ({@code SparkRunMain}, the
 * spark-submit job) get a {@link PartitionDelegate} for the conf {@value DelegationPolicy#CONF}.
 */
public final class PartitionDelegateProvider implements RuleDelegateProvider {
  @Override
  public Optional<RuleDelegate> fromConf(SparkSession spark, RuntimeProfile profile) {
    PartitionDelegate delegate = PartitionDelegate.fromConf(spark, profile);
    return delegate.policy().none() ? Optional.empty() : Optional.of(delegate);
  }
}
