package io.relspec.ir.diagnostics;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Calcite's type system with format v1's limits: decimals up to precision 38, microsecond
 * timestamps, {@code sum(int)} as int64 and {@code sum(decimal(p,s))} as {@code decimal(min(38,
 * p+10), s)}, {@code avg} as float64.
 */
final class RelspecTypeSystem extends RelDataTypeSystemImpl {
  static final RelspecTypeSystem INSTANCE = new RelspecTypeSystem();

  private RelspecTypeSystem() {}

  @Override
  public int getMaxPrecision(SqlTypeName typeName) {
    if (typeName == SqlTypeName.DECIMAL) {
      return 38;
    }
    if (typeName == SqlTypeName.TIMESTAMP) {
      return 6;
    }
    return super.getMaxPrecision(typeName);
  }

  @Override
  public int getDefaultPrecision(SqlTypeName typeName) {
    if (typeName == SqlTypeName.TIMESTAMP) {
      return 6;
    }
    return super.getDefaultPrecision(typeName);
  }

  @Override
  public int getMaxScale(SqlTypeName typeName) {
    return typeName == SqlTypeName.DECIMAL ? 38 : super.getMaxScale(typeName);
  }

  @Override
  public RelDataType deriveSumType(RelDataTypeFactory factory, RelDataType argumentType) {
    RelDataType sum;
    SqlTypeName name = argumentType.getSqlTypeName();
    if (name == SqlTypeName.DECIMAL) {
      sum =
          factory.createSqlType(
              SqlTypeName.DECIMAL,
              Math.min(38, argumentType.getPrecision() + 10),
              argumentType.getScale());
    } else if (SqlTypeName.INT_TYPES.contains(name)) {
      sum = factory.createSqlType(SqlTypeName.BIGINT);
    } else if (SqlTypeName.APPROX_TYPES.contains(name)) {
      sum = factory.createSqlType(SqlTypeName.DOUBLE);
    } else {
      return super.deriveSumType(factory, argumentType);
    }
    return factory.createTypeWithNullability(sum, argumentType.isNullable());
  }

  @Override
  public RelDataType deriveAvgAggType(RelDataTypeFactory factory, RelDataType argumentType) {
    return factory.createTypeWithNullability(
        factory.createSqlType(SqlTypeName.DOUBLE), argumentType.isNullable());
  }
}
