package io.relspec.datafusion.comet;

import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.StructType;
import java.util.Optional;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.comet.serde.Types;

/** relspec types as Comet 0.12's protobuf {@code DataType}, and Arrow fields as relspec types. */
final class CometTypes {
  private CometTypes() {}

  static Types.DataType proto(DataType type) {
    Types.DataType.Builder builder = Types.DataType.newBuilder();
    if (type instanceof DecimalType decimal) {
      return builder
          .setTypeId(Types.DataType.DataTypeId.DECIMAL)
          .setTypeInfo(
              Types.DataType.DataTypeInfo.newBuilder()
                  .setDecimal(
                      Types.DataType.DecimalInfo.newBuilder()
                          .setPrecision(decimal.precision())
                          .setScale(decimal.scale())))
          .build();
    }
    if (type instanceof ListType list) {
      return builder
          .setTypeId(Types.DataType.DataTypeId.LIST)
          .setTypeInfo(
              Types.DataType.DataTypeInfo.newBuilder()
                  .setList(
                      Types.DataType.ListInfo.newBuilder()
                          .setElementType(proto(list.element()))
                          .setContainsNull(true)))
          .build();
    }
    if (type instanceof StructType struct) {
      Types.DataType.StructInfo.Builder info = Types.DataType.StructInfo.newBuilder();
      for (StructType.StructField field : struct.fields()) {
        info.addFieldNames(field.name()).addFieldDatatypes(proto(field.type()));
        info.addFieldNullable(true);
      }
      return builder
          .setTypeId(Types.DataType.DataTypeId.STRUCT)
          .setTypeInfo(Types.DataType.DataTypeInfo.newBuilder().setStruct(info))
          .build();
    }
    PrimitiveType primitive = (PrimitiveType) type;
    Types.DataType.DataTypeId id =
        switch (primitive) {
          case BOOLEAN -> Types.DataType.DataTypeId.BOOL;
          case INT8 -> Types.DataType.DataTypeId.INT8;
          case INT16 -> Types.DataType.DataTypeId.INT16;
          case INT32 -> Types.DataType.DataTypeId.INT32;
          case INT64 -> Types.DataType.DataTypeId.INT64;
          case FLOAT32 -> Types.DataType.DataTypeId.FLOAT;
          case FLOAT64 -> Types.DataType.DataTypeId.DOUBLE;
          case STRING -> Types.DataType.DataTypeId.STRING;
          case BINARY -> Types.DataType.DataTypeId.BYTES;
          case DATE32 -> Types.DataType.DataTypeId.DATE;
          case TIMESTAMP_US -> Types.DataType.DataTypeId.TIMESTAMP;
        };
    return builder.setTypeId(id).build();
  }

  /** The relspec type of an Arrow field, if it has one. */
  static Optional<DataType> fromArrow(Field field) {
    ArrowType type = field.getType();
    if (type instanceof ArrowType.Bool) {
      return Optional.of(PrimitiveType.BOOLEAN);
    }
    if (type instanceof ArrowType.Int integer && integer.getIsSigned()) {
      return switch (integer.getBitWidth()) {
        case 8 -> Optional.of(PrimitiveType.INT8);
        case 16 -> Optional.of(PrimitiveType.INT16);
        case 32 -> Optional.of(PrimitiveType.INT32);
        case 64 -> Optional.of(PrimitiveType.INT64);
        default -> Optional.empty();
      };
    }
    if (type instanceof ArrowType.FloatingPoint floating) {
      if (floating.getPrecision() == FloatingPointPrecision.SINGLE) {
        return Optional.of(PrimitiveType.FLOAT32);
      }
      if (floating.getPrecision() == FloatingPointPrecision.DOUBLE) {
        return Optional.of(PrimitiveType.FLOAT64);
      }
      return Optional.empty();
    }
    if (type instanceof ArrowType.Utf8) {
      return Optional.of(PrimitiveType.STRING);
    }
    if (type instanceof ArrowType.Binary) {
      return Optional.of(PrimitiveType.BINARY);
    }
    if (type instanceof ArrowType.Date date && date.getUnit() == DateUnit.DAY) {
      return Optional.of(PrimitiveType.DATE32);
    }
    if (type instanceof ArrowType.Timestamp ts
        && ts.getUnit() == TimeUnit.MICROSECOND
        && "UTC".equals(ts.getTimezone())) {
      return Optional.of(PrimitiveType.TIMESTAMP_US);
    }
    if (type instanceof ArrowType.Decimal decimal && decimal.getBitWidth() == 128) {
      return Optional.of(new DecimalType(decimal.getPrecision(), decimal.getScale()));
    }
    if (type instanceof ArrowType.List && field.getChildren().size() == 1) {
      return fromArrow(field.getChildren().get(0)).map(ListType::new);
    }
    return Optional.empty();
  }
}
