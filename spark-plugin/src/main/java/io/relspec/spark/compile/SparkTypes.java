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
}
