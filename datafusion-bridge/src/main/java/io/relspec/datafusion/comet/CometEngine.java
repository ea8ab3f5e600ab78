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

  private final boolean fallbackToReference;

  /** An engine that runs the ops Comet cannot run on the JVM reference lane, op by op. */
  public CometEngine() {
    this(true);
  }

  private CometEngine(boolean fallbackToReference) {
    this.fallbackToReference = fallbackToReference;
  }

  /**
   * An engine that refuses ({@code UNSUPPORTED}, listing every op) a pipeline it cannot run
   * entirely natively: for rules that must not fall back.
   */
  public static CometEngine nativeOnly() {
    return new CometEngine(false);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public EngineSession openSession(RuntimeProfile profile, BufferAllocator allocator) {
    return new CometSession(CometJni.load(), profile, allocator, fallbackToReference);
  }
}
