package io.relspec.ir.type;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.ir.validate.ExprType;
import io.relspec.ir.validate.FunctionRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class TypeRulesTest {
  private static DataType t(String type) {
    return TypeParser.of(type);
  }

  @Test
  void wideningFollowsTheSpec() {
    assertThat(TypeRules.commonType(t("int8"), t("int32"))).contains(t("int32"));
    assertThat(TypeRules.commonType(t("int64"), t("float32"))).contains(t("float64"));
    assertThat(TypeRules.commonType(t("int32"), t("decimal(5,2)"))).contains(t("decimal(12,2)"));
    assertThat(TypeRules.commonType(t("int64"), t("decimal(5,2)"))).contains(t("decimal(22,2)"));
    assertThat(TypeRules.commonType(t("decimal(5,2)"), t("float32"))).contains(t("float64"));
    assertThat(TypeRules.commonType(t("string"), t("int32"))).isEmpty();
    assertThat(TypeRules.commonType(t("date32"), t("timestamp_us"))).isEmpty();
    assertThat(TypeRules.canWiden(t("int32"), t("int64"))).isTrue();
    assertThat(TypeRules.canWiden(t("int64"), t("int32"))).isFalse();
  }

  @Test
  void decimalArithmeticFollowsSpark() throws Exception {
    // Values checked against Spark 3.5's DecimalPrecision with allowPrecisionLoss=true.
    assertThat(resolve("add", "decimal(12,2)", "decimal(10,4)").type())
        .isEqualTo(t("decimal(15,4)"));
    assertThat(resolve("mul", "decimal(12,2)", "decimal(10,4)").type())
        .isEqualTo(t("decimal(23,6)"));
    assertThat(resolve("div", "decimal(12,2)", "decimal(10,4)").type())
        .isEqualTo(t("decimal(27,13)"));
    assertThat(resolve("mul", "decimal(38,10)", "decimal(38,10)").type())
        .isEqualTo(t("decimal(38,6)"));
    assertThat(resolve("div", "decimal(38,10)", "decimal(38,10)").type())
        .isEqualTo(t("decimal(38,6)"));
    assertThat(resolve("mod", "decimal(12,2)", "decimal(10,4)").type())
        .isEqualTo(t("decimal(10,4)"));
    assertThat(resolve("add", "int32", "decimal(5,2)").type()).isEqualTo(t("decimal(13,2)"));
    assertThat(
            FunctionRegistry.resolveAggregate("sum", List.of(ExprType.of(t("decimal(30,2)"), true)))
                .result()
                .type())
        .isEqualTo(t("decimal(38,2)"));
  }

  @Test
  void integerDivisionStaysIntegerAndIsNullable() throws Exception {
    ExprType div = resolve("div", "int32", "int64");
    assertThat(div.type()).isEqualTo(t("int64"));
    assertThat(div.nullable()).isTrue();
    assertThat(resolve("add", "int32", "int64").nullable()).isFalse();
  }

  private static ExprType resolve(String fn, String a, String b) throws Exception {
    return FunctionRegistry.resolve(fn, List.of(ExprType.of(t(a), false), ExprType.of(t(b), false)))
        .result();
  }
}
