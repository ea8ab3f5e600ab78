package io.relspec.datafusion.comet;

import io.relspec.datafusion.DataFusionEngine;
import io.relspec.datafusion.EngineSession;
import io.relspec.ir.runtime.RuntimeProfile;
import org.apache.arrow.memory.BufferAllocator;

/**
 * DataFusion 50.3 as bundled in Apache DataFusion Comet 0.12.0, driven through Comet's JNI entry
 * points ({@link CometJni}) with no SparkSession or SparkContext. Each execution is one native plan
 * over one partition.
 */
public final class CometEngine implements DataFusionEngine {
  public static final String NAME = "datafusion-comet " + CometJni.COMET_VERSION;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public EngineSession openSession(RuntimeProfile profile, BufferAllocator allocator) {
    return new CometSession(CometJni.load(), profile, allocator);
  }
}
