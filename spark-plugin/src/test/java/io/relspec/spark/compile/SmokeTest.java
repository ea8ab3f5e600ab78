package io.relspec.spark.compile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmokeTest extends CompilerTestSupport {
  @Test
  void filterAndProject() {
    register("t", table("a int32, b string", row(1, "x"), row(2, null), row(null, "z")));
    assertThat(
            run(
                """
                [{"op": "scan", "dataset": "t"},
                 {"op": "filter", "predicate": {"fn": "gt", "args": [{"col": "a"}, {"lit": 1, "type": "int32"}]}},
                 {"op": "project", "columns": ["b", {"name": "c", "expr": {"fn": "add", "args": [{"col": "a"}, {"lit": 10, "type": "int64"}]}}]}]
                """))
        .containsExactly(r(null, 12L));
  }
}
