package io.relspec.datafusion;

import io.relspec.ir.runtime.RuntimeProfile;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A single-node DataFusion engine for relspec plans: the whole boundary between relspec and a
 * DataFusion binding. Implementations hide every version-specific detail of their binding behind
 * it. The first implementation is {@code io.relspec.datafusion.comet.CometEngine} (DataFusion 50.3
 * inside Apache DataFusion Comet 0.12.0, driven through its JNI entry points, no Spark); a future
 * {@code datafusion-java} binding (SessionContext, DataFrame.collect to an ArrowReader) would be a
 * second.
 */
public interface DataFusionEngine {
  /** Name and version, e.g. {@code datafusion-comet 0.12.0}, as reports and manifests show it. */
  String name();

  /**
   * Opens a session. Output batches are allocated from {@code allocator}; the session never closes
   * it.
   *
   * @throws io.relspec.ir.error.RelspecException if the engine cannot start (native library)
   */
  EngineSession openSession(RuntimeProfile profile, BufferAllocator allocator);
}
