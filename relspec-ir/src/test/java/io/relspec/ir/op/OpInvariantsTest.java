package io.relspec.ir.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.expr.Literal;
import io.relspec.ir.type.PrimitiveType;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpInvariantsTest {
  @Test
  void limitAcceptsZeroToTwoToThe53MinusOne() {
    assertThat(new Limit(0, 0).n()).isZero();
    assertThat(new Limit(Limit.MAX_ROWS, Limit.MAX_ROWS).offset()).isEqualTo(9007199254740991L);
  }

  @Test
  void limitRejectsNegativeAndInexactCounts() {
    assertThatThrownBy(() -> new Limit(-1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot create limit with n -1: it must be 0 to 9007199254740991");
    assertThatThrownBy(() -> new Limit(1, Limit.MAX_ROWS + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot create limit with offset 9007199254740992: it must be 0 to 9007199254740991");
  }

  @Test
  void paramDefaultMustBeANonNullLiteralOfTheParamType() {
    assertThat(
            new Param("p", PrimitiveType.INT32, Optional.of(Literal.of(1L, PrimitiveType.INT32)))
                .defaultValue())
        .isPresent();
    assertThatThrownBy(
            () ->
                new Param(
                    "p", PrimitiveType.INT32, Optional.of(Literal.nullOf(PrimitiveType.INT32))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot declare param p with a null default: a param either has a non-null default"
                + " or none");
    assertThatThrownBy(
            () ->
                new Param(
                    "p", PrimitiveType.INT32, Optional.of(Literal.of(1L, PrimitiveType.INT64))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot declare param p of type int32 with a default of type int64");
  }
}
