package io.relspec.ir.diagnostics;

import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.StructType;
import io.relspec.ir.validate.ExprType;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.sql.type.SqlTypeName;

/** Maps relspec types to Calcite's {@link RelDataType} and back. */
public final class CalciteTypes {
  private CalciteTypes() {}

  /** The Calcite type of a relspec type. */
  public static RelDataType toCalcite(RelDataTypeFactory factory, DataType type, boolean nullable) {
    RelDataType result;
    if (type instanceof DecimalType decimal) {
      result = factory.createSqlType(SqlTypeName.DECIMAL, decimal.precision(), decimal.scale());
    } else if (type instanceof ListType list) {
      result = factory.createArrayType(toCalcite(factory, list.element(), true), -1);
    } else if (type instanceof StructType struct) {
      List<String> names = new ArrayList<>();
      List<RelDataType> types = new ArrayList<>();
      for (StructType.StructField field : struct.fields()) {
        names.add(field.name());
        types.add(toCalcite(factory, field.type(), true));
      }
      result = factory.createStructType(types, names);
    } else {
      PrimitiveType primitive = (PrimitiveType) type;
      result =
          switch (primitive) {
            case BOOLEAN -> factory.createSqlType(SqlTypeName.BOOLEAN);
            case INT8 -> factory.createSqlType(SqlTypeName.TINYINT);
            case INT16 -> factory.createSqlType(SqlTypeName.SMALLINT);
            case INT32 -> factory.createSqlType(SqlTypeName.INTEGER);
            case INT64 -> factory.createSqlType(SqlTypeName.BIGINT);
            case FLOAT32 -> factory.createSqlType(SqlTypeName.REAL);
            case FLOAT64 -> factory.createSqlType(SqlTypeName.DOUBLE);
            case STRING -> factory.createSqlType(SqlTypeName.VARCHAR);
            case BINARY -> factory.createSqlType(SqlTypeName.VARBINARY);
            case DATE32 -> factory.createSqlType(SqlTypeName.DATE);
            case TIMESTAMP_US -> factory.createSqlType(SqlTypeName.TIMESTAMP, 6);
          };
    }
    return factory.createTypeWithNullability(result, nullable);
  }

  /** A row type of relspec fields. */
  public static RelDataType rowType(RelDataTypeFactory factory, List<Field> fields) {
    RelDataTypeFactory.Builder builder = factory.builder();
    for (Field field : fields) {
      builder.add(field.name(), toCalcite(factory, field.type(), field.nullable()));
    }
    return builder.build();
  }

  /** The relspec type of a Calcite type; fails for types relspec does not have. */
  public static DataType toRelspec(RelDataType type) {
    SqlTypeName name = type.getSqlTypeName();
    switch (name) {
      case BOOLEAN:
        return PrimitiveType.BOOLEAN;
      case TINYINT:
        return PrimitiveType.INT8;
      case SMALLINT:
        return PrimitiveType.INT16;
      case INTEGER:
        return PrimitiveType.INT32;
      case BIGINT:
        return PrimitiveType.INT64;
      case REAL:
      case FLOAT:
        return PrimitiveType.FLOAT32;
      case DOUBLE:
        return PrimitiveType.FLOAT64;
      case CHAR:
      case VARCHAR:
        return PrimitiveType.STRING;
      case BINARY:
      case VARBINARY:
        return PrimitiveType.BINARY;
      case DATE:
        return PrimitiveType.DATE32;
      case TIMESTAMP:
        return PrimitiveType.TIMESTAMP_US;
      case DECIMAL:
        return new DecimalType(type.getPrecision(), type.getScale());
      case ARRAY:
        return new ListType(toRelspec(type.getComponentType()));
      case ROW:
        List<StructType.StructField> fields = new ArrayList<>();
        for (RelDataTypeField field : type.getFieldList()) {
          fields.add(new StructType.StructField(field.getName(), toRelspec(field.getType())));
        }
        return new StructType(fields);
      default:
        throw new IllegalStateException(
            "Cannot map Calcite type " + type.getFullTypeString() + " to a relspec type");
    }
  }

  /** The relspec type and nullability of a Calcite type. */
  public static ExprType exprType(RelDataType type) {
    return ExprType.of(toRelspec(type), type.isNullable());
  }

  /** The relspec fields of a Calcite row type. */
  public static List<Field> fields(RelDataType rowType) {
    List<Field> fields = new ArrayList<>();
    for (RelDataTypeField field : rowType.getFieldList()) {
      fields.add(
          new Field(field.getName(), toRelspec(field.getType()), field.getType().isNullable()));
    }
    return fields;
  }
}
