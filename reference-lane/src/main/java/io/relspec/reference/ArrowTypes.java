package io.relspec.reference;

import io.relspec.ir.plan.RelSchema;
import io.relspec.ir.type.Field;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** Checks that input Arrow columns hold the declared relspec types. */
final class ArrowTypes {
  private ArrowTypes() {}

  /**
   * Whether the Arrow field holds values of the relspec field's type (names and nullability aside).
   */
  static boolean matches(Field expected, org.apache.arrow.vector.types.pojo.Field actual) {
    return same(RelSchema.toArrow(expected.name(), expected.type(), true), actual);
  }

  private static boolean same(
      org.apache.arrow.vector.types.pojo.Field expected,
      org.apache.arrow.vector.types.pojo.Field actual) {
    ArrowType e = expected.getType();
    ArrowType a = actual.getType();
    boolean typeOk;
    if (e instanceof ArrowType.Timestamp et && a instanceof ArrowType.Timestamp at) {
      typeOk = et.getUnit() == at.getUnit();
    } else {
      typeOk = e.equals(a);
    }
    if (!typeOk) {
      return false;
    }
    List<org.apache.arrow.vector.types.pojo.Field> ec = expected.getChildren();
    List<org.apache.arrow.vector.types.pojo.Field> ac = actual.getChildren();
    if (ec.size() != ac.size()) {
      return false;
    }
    for (int i = 0; i < ec.size(); i++) {
      if (!same(ec.get(i), ac.get(i))) {
        return false;
      }
    }
    return true;
  }
}
