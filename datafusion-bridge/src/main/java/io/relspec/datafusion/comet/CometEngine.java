package io.relspec.datafusion.comet;

import io.relspec.datafusion.DataFusionEngine;
import io.relspec.datafusion.EngineSession;
import io.relspec.ir.runtime.RuntimeProfile;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;

/**
 * DataFusion 50.3 as bundled in Apache DataFusion Comet 0.12.0, driven through Comet's JNI entry
 * points ({@link CometJni}) with no SparkSession or SparkContext. Each execution is one native plan
 * over one partition.
 */
public final class CometEngine implements DataFusionEngine {
  public static final String NAME = "datafusion-comet " + CometJni.COMET_VERSION;

  private final boolean fallbackToReference;
  private final Set<String> referenceOps;

  /**
   * An engine that runs the ops Comet cannot run on the JVM reference lane, op by op, and
   * interval_align and dedupe there too, because the reference kernels beat their native
   * translations by far (CPG bundle, 2M name references, local: 147 s with both native, 42.6 s with
   * interval_align on the reference lane, of which 27.8 s the native dedupe): interval_align's
   * sort-based sweep against a hash join on the keys that pairs every left and right row of a key
   * then ranks them in a window; dedupe's hash of winners against a sort and window over all rows
   * in one plan (Comet 0.12 has no row_number).
   */
  public CometEngine() {
    this(true, Set.of("interval_align", "dedupe"));
  }

  private CometEngine(boolean fallbackToReference, Set<String> referenceOps) {
    this.fallbackToReference = fallbackToReference;
    this.referenceOps = Set.copyOf(referenceOps);
  }

  /**
   * An engine that refuses ({@code UNSUPPORTED}, listing every op) a pipeline it cannot run
   * entirely natively: for rules that must not fall back. interval_align and dedupe are translated.
   */
  public static CometEngine nativeOnly() {
    return new CometEngine(false, Set.of());
  }

  /**
   * As {@link #CometEngine()}, but every op with a translation runs natively, interval_align and
   * dedupe included; the rest on the reference lane.
   */
  public static CometEngine nativeFirst() {
    return new CometEngine(true, Set.of());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public EngineSession openSession(RuntimeProfile profile, BufferAllocator allocator) {
    return new CometSession(CometJni.load(), profile, allocator, fallbackToReference, referenceOps);
  }
}
