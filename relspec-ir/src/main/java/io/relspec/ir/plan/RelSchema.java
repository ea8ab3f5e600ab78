package io.relspec.ir.plan;

import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.StructType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** The columns of an op's output: names unique, in order. */
public record RelSchema(List<Field> fields) {
  public RelSchema {
    fields = List.copyOf(fields);
  }

  public Optional<Field> field(String name) {
    return fields.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  public int indexOf(String name) {
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  public List<String> names() {
    return fields.stream().map(Field::name).collect(Collectors.toList());
  }

  /** {@code name type [not null], ...}, as plans print it. */
  public String describe() {
    return fields.stream()
        .map(f -> f.name() + " " + f.type().typeString() + (f.nullable() ? "" : " not null"))
        .collect(Collectors.joining(", "));
  }

  /** The schema as Apache Arrow's. */
  public Schema toArrow() {
    List<org.apache.arrow.vector.types.pojo.Field> arrow = new ArrayList<>();
    for (Field field : fields) {
      arrow.add(toArrow(field.name(), field.type(), field.nullable()));
    }
    return new Schema(arrow);
  }

  /** One relspec column as an Arrow field. */
  public static org.apache.arrow.vector.types.pojo.Field toArrow(
      String name, DataType type, boolean nullable) {
    if (type instanceof ListType list) {
      return new org.apache.arrow.vector.types.pojo.Field(
          name,
          new FieldType(nullable, ArrowType.List.INSTANCE, null),
          List.of(toArrow("element", list.element(), true)));
    }
    if (type instanceof StructType struct) {
      List<org.apache.arrow.vector.types.pojo.Field> children = new ArrayList<>();
      for (StructType.StructField child : struct.fields()) {
        children.add(toArrow(child.name(), child.type(), true));
      }
      return new org.apache.arrow.vector.types.pojo.Field(
          name, new FieldType(nullable, ArrowType.Struct.INSTANCE, null), children);
    }
    return new org.apache.arrow.vector.types.pojo.Field(
        name, new FieldType(nullable, arrowType(type), null), List.of());
  }

  /** The Arrow type of a non-nested relspec type. */
  public static ArrowType arrowType(DataType type) {
    if (type instanceof DecimalType decimal) {
      return new ArrowType.Decimal(decimal.precision(), decimal.scale(), 128);
    }
    PrimitiveType primitive = (PrimitiveType) type;
    return switch (primitive) {
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case INT8 -> new ArrowType.Int(8, true);
      case INT16 -> new ArrowType.Int(16, true);
      case INT32 -> new ArrowType.Int(32, true);
      case INT64 -> new ArrowType.Int(64, true);
      case FLOAT32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case STRING -> ArrowType.Utf8.INSTANCE;
      case BINARY -> ArrowType.Binary.INSTANCE;
      case DATE32 -> new ArrowType.Date(DateUnit.DAY);
      case TIMESTAMP_US -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
    };
  }
}
