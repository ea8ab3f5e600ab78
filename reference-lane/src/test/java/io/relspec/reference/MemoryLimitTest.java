package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.runtime.MemoryPool;
import io.relspec.ir.runtime.RuntimeProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The memory limit (bytes of Arrow buffers) fails clearly and leaves nothing allocated. */
class MemoryLimitTest {
  private static final String OPS =
      """
      [{"op":"scan","dataset":"t"},{"op":"sort","keys":[{"col":"s","dir":"desc"}]}]
      """;

  private static Fixture fixture(long limit) {
    return fixture(limit, 20_000);
  }

  private static Fixture fixture(long limit, int n) {
    RuntimeProfile profile =
        new RuntimeProfile(1, 8192, Optional.empty(), MemoryPool.GREEDY, Optional.of(limit));
    Fixture f = new Fixture(profile).batchRows(4096);
    f.dataset("t", "a:int64", "s:string");
    List<Object>[] rows = newRows(n);
    f.rows("t", rows);
    return f;
  }

  @SuppressWarnings("unchecked")
  private static List<Object>[] newRows(int n) {
    List<List<Object>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(Fixture.row((long) i, "value-" + i));
    }
    return rows.toArray(new List[0]);
  }

  @Test
  void exceedingTheLimitIsInsufficientResources() {
    Fixture f = fixture(256 * 1024);
    assertThatThrownBy(() -> f.run(OPS))
        .isInstanceOf(RelspecException.class)
        .hasMessageStartingWith("Cannot run op ")
        .hasMessageContaining("memory limit of 262144 bytes of Arrow buffers was reached")
        .extracting(e -> ((RelspecException) e).code())
        .isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
    assertThat(f.lane().allocator().getAllocatedMemory()).isZero();
    f.close();
  }

  @Test
  void theSameRunFitsUnderAGenerousLimit() {
    try (Fixture f = fixture(64L * 1024 * 1024)) {
      List<List<Object>> rows = f.run(OPS);
      assertThat(rows).hasSize(20_000);
      assertThat(rows.get(0)).containsExactly(9999L, "value-9999");
    }
  }

  @Test
  void scanAndPerBatchOpsStreamSoOnlyTheirOutputCountsAgainstTheLimit() {
    String filter =
        """
        [{"op":"scan","dataset":"t"},
         {"op":"filter","predicate":{"fn":"eq","args":[
           {"fn":"mod","args":[{"col":"a"},{"lit":1000,"type":"int64"}]},{"lit":0,"type":"int64"}]}},
         {"op":"derive","name":"b","expr":{"fn":"length","args":[{"col":"s"}]}}]
        """;
    try (Fixture f = fixture(1024 * 1024, 60_000)) {
      List<List<Object>> rows = f.run(filter);
      assertThat(rows).hasSize(60);
      assertThat(rows.get(1)).containsExactly(1000L, "value-1000", 10L);
      // the same input held whole (sort) does not fit
      assertThatThrownBy(() -> f.run(OPS))
          .isInstanceOf(RelspecException.class)
          .extracting(e -> ((RelspecException) e).code())
          .isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
    }
  }
}
