package io.relspec.spark.compile;

import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.Field;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.StructType;
import io.relspec.spark.SparkErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;

/**
 * Maps format v1 types to Spark SQL types and back, and holds the v1 typing rules (implicit
 * widening, decimal results) the compiler needs to make every coercion explicit.
 */
public final class SparkTypes {
  private SparkTypes() {}

  /** The Spark type of a v1 type. */
  public static org.apache.spark.sql.types.DataType toSpark(DataType type) {
    if (type instanceof DecimalType d) {
      return DataTypes.createDecimalType(d.precision(), d.scale());
    }
    if (type instanceof ListType l) {
      return DataTypes.createArrayType(toSpark(l.element()), true);
    }
    if (type instanceof StructType s) {
      List<org.apache.spark.sql.types.StructField> fields = new ArrayList<>();
      for (StructType.StructField f : s.fields()) {
        fields.add(DataTypes.createStructField(f.name(), toSpark(f.type()), true));
      }
      return DataTypes.createStructType(fields);
    }
    PrimitiveType p = (PrimitiveType) type;
    return switch (p) {
      case BOOLEAN -> DataTypes.BooleanType;
      case INT8 -> DataTypes.ByteType;
      case INT16 -> DataTypes.ShortType;
      case INT32 -> DataTypes.IntegerType;
      case INT64 -> DataTypes.LongType;
      case FLOAT32 -> DataTypes.FloatType;
      case FLOAT64 -> DataTypes.DoubleType;
      case STRING -> DataTypes.StringType;
      case BINARY -> DataTypes.BinaryType;
      case DATE32 -> DataTypes.DateType;
      case TIMESTAMP_US -> DataTypes.TimestampType;
    };
  }

  /** The Spark schema of a v1 schema. */
  public static org.apache.spark.sql.types.StructType toSpark(List<Field> schema) {
    List<org.apache.spark.sql.types.StructField> fields = new ArrayList<>();
    for (Field f : schema) {
      fields.add(
          new org.apache.spark.sql.types.StructField(
              f.name(), toSpark(f.type()), f.nullable(), Metadata.empty()));
    }
    return DataTypes.createStructType(fields);
  }

  /** The v1 type of a Spark type; {@code what} names the column for the error message. */
  public static DataType fromSpark(org.apache.spark.sql.types.DataType type, String what) {
    if (type instanceof org.apache.spark.sql.types.DecimalType d) {
      return new DecimalType(d.precision(), d.scale());
    }
    if (type instanceof org.apache.spark.sql.types.ArrayType a) {
      return new ListType(fromSpark(a.elementType(), what));
    }
    if (type instanceof org.apache.spark.sql.types.StructType s) {
      List<StructType.StructField> fields = new ArrayList<>();
      for (org.apache.spark.sql.types.StructField f : s.fields()) {
        fields.add(new StructType.StructField(f.name(), fromSpark(f.dataType(), what)));
      }
      return new StructType(fields);
    }
    if (type.equals(DataTypes.BooleanType)) {
      return PrimitiveType.BOOLEAN;
    } else if (type.equals(DataTypes.ByteType)) {
      return PrimitiveType.INT8;
    } else if (type.equals(DataTypes.ShortType)) {
      return PrimitiveType.INT16;
    } else if (type.equals(DataTypes.IntegerType)) {
      return PrimitiveType.INT32;
    } else if (type.equals(DataTypes.LongType)) {
      return PrimitiveType.INT64;
    } else if (type.equals(DataTypes.FloatType)) {
      return PrimitiveType.FLOAT32;
    } else if (type.equals(DataTypes.DoubleType)) {
      return PrimitiveType.FLOAT64;
    } else if (type.equals(DataTypes.StringType)) {
      return PrimitiveType.STRING;
    } else if (type.equals(DataTypes.BinaryType)) {
      return PrimitiveType.BINARY;
    } else if (type.equals(DataTypes.DateType)) {
      return PrimitiveType.DATE32;
    } else if (type.equals(DataTypes.TimestampType)) {
      return PrimitiveType.TIMESTAMP_US;
    }
    throw SparkErrors.unsupportedType(what, type.simpleString());
  }

  /** The v1 schema of a Spark schema. */
  public static List<Field> fromSpark(org.apache.spark.sql.types.StructType schema) {
    List<Field> fields = new ArrayList<>();
    for (org.apache.spark.sql.types.StructField f : schema.fields()) {
      fields.add(
          new Field(f.name(), fromSpark(f.dataType(), "column '" + f.name() + "'"), f.nullable()));
    }
    return fields;
  }

  /** Integers as decimals per the spec: int8/16/32 as decimal(10,0), int64 as decimal(20,0). */
  public static DecimalType asDecimal(DataType type) {
    if (type instanceof DecimalType d) {
      return d;
    }
    return type == PrimitiveType.INT64 ? new DecimalType(20, 0) : new DecimalType(10, 0);
  }

  /**
   * The type two operands are widened to before they are combined (arithmetic, comparison, case
   * branches, union columns), or empty when v1 allows no implicit widening between them.
   */
  public static Optional<DataType> common(DataType a, DataType b) {
    if (a.equals(b)) {
      return Optional.of(a);
    }
    if (a.isInteger() && b.isInteger()) {
      int wa = ((PrimitiveType) a).integerWidth();
      int wb = ((PrimitiveType) b).integerWidth();
      return Optional.of(wa >= wb ? a : b);
    }
    if (!a.isNumeric() || !b.isNumeric()) {
      return Optional.empty();
    }
    if (a.isFloating() || b.isFloating()) {
      return Optional.of(PrimitiveType.FLOAT64);
    }
    DecimalType da = asDecimal(a);
    DecimalType db = asDecimal(b);
    int scale = Math.max(da.scale(), db.scale());
    int range = Math.max(da.precision() - da.scale(), db.precision() - db.scale());
    return Optional.of(new DecimalType(Math.min(DecimalType.MAX_PRECISION, range + scale), scale));
  }

  /** True when {@code from} widens implicitly to {@code to} (a cast that never fails). */
  public static boolean widens(DataType from, DataType to) {
    if (from.equals(to)) {
      return true;
    }
    if (from.isInteger() && to.isInteger()) {
      return ((PrimitiveType) from).integerWidth() <= ((PrimitiveType) to).integerWidth();
    }
    if (from.isNumeric() && to == PrimitiveType.FLOAT64) {
      return true;
    }
    if ((from.isInteger() || from instanceof DecimalType) && to instanceof DecimalType target) {
      DecimalType source = asDecimal(from);
      return target.scale() >= source.scale()
          && target.precision() - target.scale() >= source.precision() - source.scale();
    }
    return false;
  }

  /** The result type of decimal arithmetic as Spark 3.5 computes it, precision loss allowed. */
  public static DecimalType decimalResult(String fn, DecimalType a, DecimalType b) {
    int p1 = a.precision();
    int s1 = a.scale();
    int p2 = b.precision();
    int s2 = b.scale();
    return switch (fn) {
      case "add", "sub" ->
          adjust(Math.max(s1, s2) + Math.max(p1 - s1, p2 - s2) + 1, Math.max(s1, s2));
      case "mul" -> adjust(p1 + p2 + 1, s1 + s2);
      case "div" -> {
        int scale = Math.max(6, s1 + p2 + 1);
        yield adjust(p1 - s1 + s2 + scale, scale);
      }
      default -> adjust(Math.min(p1 - s1, p2 - s2) + Math.max(s1, s2), Math.max(s1, s2));
    };
  }

  private static DecimalType adjust(int precision, int scale) {
    if (precision <= DecimalType.MAX_PRECISION) {
      return new DecimalType(precision, scale);
    }
    int intDigits = precision - scale;
    int minScale = Math.min(scale, 6);
    int adjustedScale = Math.max(DecimalType.MAX_PRECISION - intDigits, minScale);
    return new DecimalType(DecimalType.MAX_PRECISION, adjustedScale);
  }
}
