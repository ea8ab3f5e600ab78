package io.relspec.ir.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.Problem;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.json.BundleWriter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuntimeProfileTest {
  @Test
  void readsEveryFieldAndDefaultsTheRest() {
    RuntimeProfile profile =
        BundleReader.readProfile(
            "{\"targetPartitions\": 4, \"memoryPool\": \"fair\", \"memoryLimitBytes\": 1073741824,"
                + " \"spillDir\": \"/tmp/spill\"}",
            "runtime.json");
    assertThat(profile)
        .isEqualTo(
            new RuntimeProfile(
                4,
                RuntimeProfile.DEFAULT_BATCH_SIZE,
                Optional.of("/tmp/spill"),
                MemoryPool.FAIR,
                Optional.of(1L << 30)));
    assertThat(BundleReader.readProfile("{}", "empty.json")).isEqualTo(RuntimeProfile.DEFAULT);
    String written = BundleWriter.toPrettyJson(BundleWriter.runtimeProfile(profile));
    assertThat(BundleReader.readProfile(written, "written.json")).isEqualTo(profile);
  }

  @Test
  void badValuesAreReportedTogetherWithTheirPaths() {
    assertThatThrownBy(
            () ->
                BundleReader.readProfile(
                    "{\"batchSize\": 0, \"memoryPool\": \"greed\", \"memoryLimitBytes\": -1, \"spill\": \"x\"}",
                    "runtime.json"))
        .isInstanceOfSatisfying(
            RelspecException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DOCUMENT);
              assertThat(e.problems())
                  .extracting(Problem::path)
                  .containsExactlyInAnyOrder(
                      "spill", "memoryPool", "memoryLimitBytes", "batchSize");
              assertThat(e.render()).contains("did you mean 'greedy'?", "did you mean 'spillDir'?");
            });
    assertThatThrownBy(() -> BundleReader.readProfile("{\"batchSize\": 0}", "runtime.json"))
        .isInstanceOf(RelspecException.class)
        .satisfies(
            e ->
                assertThat(((RelspecException) e).problems().get(0).message())
                    .contains("at least 1, found 0"));
  }

  @Test
  void withTargetPartitionsChangesThatAloneAndKeepsItsCheck() {
    RuntimeProfile profile =
        new RuntimeProfile(0, 512, Optional.of("/tmp/s"), MemoryPool.FAIR, Optional.of(1024L));
    assertThat(profile.withTargetPartitions(1))
        .isEqualTo(
            new RuntimeProfile(1, 512, Optional.of("/tmp/s"), MemoryPool.FAIR, Optional.of(1024L)));
    assertThatThrownBy(() -> profile.withTargetPartitions(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Cannot use targetPartitions -1");
  }
}
