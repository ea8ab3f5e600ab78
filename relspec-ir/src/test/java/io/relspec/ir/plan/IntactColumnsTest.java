package io.relspec.ir.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.expr.ColumnRef;
import io.relspec.ir.expr.Literal;
import io.relspec.ir.op.Derive;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Filter;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Project;
import io.relspec.ir.type.PrimitiveType;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IntactColumnsTest {
  private static Set<String> through(Op op) {
    Set<String> columns = new LinkedHashSet<>(List.of("a", "b", "c", "d"));
    IntactColumns.retainThrough(op, columns);
    return columns;
  }

  @Test
  void rowLocalOpsRemoveTheColumnsTheyReplaceDropOrRename() {
    assertThat(through(new Derive("b", new ColumnRef("a")))).containsExactly("a", "c", "d");
    assertThat(through(new Explode("a", "b", Optional.of("c"), false))).containsExactly("d");
    // a pass-through keeps its column; a computed column or a rename does not, an absent one goes
    assertThat(
            through(
                new Project(
                    List.of(
                        Project.Column.keep("a"),
                        new Project.Column("b", Literal.of(1L, PrimitiveType.INT64)),
                        new Project.Column("x", new ColumnRef("c"))))))
        .containsExactly("a");
  }

  @Test
  void opsThatKeepEveryColumnRemoveNothing() {
    assertThat(through(new Filter(Literal.of(true, PrimitiveType.BOOLEAN))))
        .containsExactly("a", "b", "c", "d");
  }
}
