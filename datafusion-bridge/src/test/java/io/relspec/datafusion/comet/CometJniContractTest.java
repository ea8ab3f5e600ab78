package io.relspec.datafusion.comet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import org.junit.jupiter.api.Test;

/**
 * Pins the JNI surface of Apache DataFusion Comet 0.12.0 that the bridge calls. If this fails after
 * a dependency change, Comet's internal API moved: port {@link CometJni} (and {@code
 * org.apache.comet.RelspecBatchIterator}) to the new signatures, then update the expected ones
 * here.
 */
class CometJniContractTest {

  @Test
  void classpathHasComet0120() {
    assertThat(CometJni.classpathVersion())
        .as("comet-spark-spark3.5_2.12 version; the bridge is pinned to 0.12.0")
        .isEqualTo("0.12.0");
  }

  @Test
  void nativeEntryPointsHaveThe0120Signatures() {
    assertThatCode(CometJni::verifySurface)
        .as(
            "Comet's JNI surface moved. Expected:%n%s%n%s%n%s%n%s",
            CometJni.CREATE_PLAN,
            CometJni.EXECUTE_PLAN,
            CometJni.RELEASE_PLAN,
            CometJni.BATCH_ITERATOR)
        .doesNotThrowAnyException();
  }

  /** A stand-in for a future Comet whose createPlan gained a parameter. */
  static class MovedNative {
    public native long createPlan(long id, byte[] plan, int extra);
  }

  @Test
  void aMovedSignatureFailsNamingTheExpectedOne() {
    assertThatThrownBy(() -> CometJni.checkCreatePlan(MovedNative.class))
        .isInstanceOf(RelspecException.class)
        .satisfies(e -> assertThat(((RelspecException) e).code()).isEqualTo(ErrorCode.INTERNAL))
        .hasMessageContaining("built for Comet 0.12.0")
        .hasMessageContaining(CometJni.CREATE_PLAN)
        .hasMessageContaining("public native long")
        .hasMessageContaining("MovedNative.createPlan(long,byte[],int)");
  }

  static class NoNative {}

  @Test
  void aMissingEntryPointFailsNamingTheExpectedOne() {
    assertThatThrownBy(() -> CometJni.checkCreatePlan(NoNative.class))
        .isInstanceOf(RelspecException.class)
        .hasMessageContaining("no method createPlan")
        .hasMessageContaining(CometJni.CREATE_PLAN);
  }
}
