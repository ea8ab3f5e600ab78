package io.relspec.ir.plan;

import io.relspec.ir.op.Derive;
import io.relspec.ir.op.Explode;
import io.relspec.ir.op.Op;
import io.relspec.ir.op.Project;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which columns still hold the same values under the same names after an op, for the ops that keep
 * every other input column as it is (filter, sort, limit, param, dedupe, and the row-local derive,
 * explode and project, which may replace, drop or rename some).
 */
public final class IntactColumns {
  private IntactColumns() {}

  /**
   * Removes from {@code columns} those {@code op} replaces, drops or renames: a derive's column, an
   * explode's list column, element and position columns, and every column a project does not pass
   * through under its own name. Other ops remove nothing.
   */
  public static void retainThrough(Op op, Set<String> columns) {
    if (op instanceof Derive derive) {
      columns.remove(derive.name());
    } else if (op instanceof Explode explode) {
      columns.remove(explode.column());
      columns.remove(explode.as());
      explode.position().ifPresent(columns::remove);
    } else if (op instanceof Project project) {
      Set<String> passed = new LinkedHashSet<>();
      for (Project.Column column : project.columns()) {
        if (column.isPassThrough()) {
          passed.add(column.name());
        }
      }
      columns.retainAll(passed);
    }
  }
}
