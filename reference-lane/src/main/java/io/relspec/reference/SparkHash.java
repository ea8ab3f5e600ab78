package io.relspec.reference;

import io.relspec.ir.expr.Bytes;
import io.relspec.ir.type.DataType;
import io.relspec.ir.type.DecimalType;
import io.relspec.ir.type.ListType;
import io.relspec.ir.type.PrimitiveType;
import io.relspec.ir.type.StructType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code stable_hash64}: exactly Spark SQL's {@code xxhash64(a, ...)} (xxHash64, seed 42). Each
 * argument is hashed with the previous hash as its seed; null arguments (and null list elements)
 * are skipped. Per type: boolean, int8/16/32 and date32 as a 4-byte int; int64 and timestamp_us as
 * an 8-byte long; float32/float64 by their IEEE bits with -0.0 hashed as 0; decimals of precision
 * up to 18 by their unscaled long, wider ones by the big-endian two's-complement bytes of the
 * unscaled value; strings as UTF-8 bytes; binary as is; lists and structs element by element.
 */
public final class SparkHash {
  public static final long SEED = 42L;

  private static final long PRIME64_1 = 0x9E3779B185EBCA87L;
  private static final long PRIME64_2 = 0xC2B2AE3D27D4EB4FL;
  private static final long PRIME64_3 = 0x165667B19E3779F9L;
  private static final long PRIME64_4 = 0x85EBCA77C2B2AE63L;
  private static final long PRIME64_5 = 0x27D4EB2F165667C5L;
  private static final int MAX_LONG_DIGITS = 18;

  private SparkHash() {}

  /** The hash of the values (canonical classes) of the given types, seed 42. */
  public static long hash(List<Object> values, List<DataType> types) {
    long hash = SEED;
    for (int i = 0; i < values.size(); i++) {
      hash = hashValue(values.get(i), types.get(i), hash);
    }
    return hash;
  }

  static long hashValue(Object value, DataType type, long seed) {
    if (value == null) {
      return seed;
    }
    if (type instanceof DecimalType decimal) {
      BigDecimal d = (BigDecimal) value;
      if (decimal.precision() <= MAX_LONG_DIGITS) {
        return hashLong(d.unscaledValue().longValue(), seed);
      }
      return hashBytes(d.unscaledValue().toByteArray(), seed);
    }
    if (type instanceof ListType list) {
      long hash = seed;
      for (Object element : (List<?>) value) {
        hash = hashValue(element, list.element(), hash);
      }
      return hash;
    }
    if (type instanceof StructType struct) {
      long hash = seed;
      List<?> fields = (List<?>) value;
      for (int i = 0; i < fields.size(); i++) {
        hash = hashValue(fields.get(i), struct.fields().get(i).type(), hash);
      }
      return hash;
    }
    PrimitiveType primitive = (PrimitiveType) type;
    return switch (primitive) {
      case BOOLEAN -> hashInt(((Boolean) value) ? 1 : 0, seed);
      case INT8, INT16, INT32 -> hashInt((int) (long) (Long) value, seed);
      case INT64, TIMESTAMP_US -> hashLong((Long) value, seed);
      case DATE32 -> hashInt((Integer) value, seed);
      case FLOAT32 -> {
        float f = (float) (double) (Double) value;
        yield hashInt(f == 0.0f ? 0 : Float.floatToIntBits(f), seed);
      }
      case FLOAT64 -> {
        double d = (Double) value;
        yield hashLong(d == 0.0d ? 0L : Double.doubleToLongBits(d), seed);
      }
      case STRING -> hashBytes(((String) value).getBytes(StandardCharsets.UTF_8), seed);
      case BINARY -> hashBytes(((Bytes) value).toByteArray(), seed);
    };
  }

  public static long hashInt(int input, long seed) {
    long hash = seed + PRIME64_5 + 4L;
    hash ^= (input & 0xFFFFFFFFL) * PRIME64_1;
    hash = Long.rotateLeft(hash, 23) * PRIME64_2 + PRIME64_3;
    return fmix(hash);
  }

  public static long hashLong(long input, long seed) {
    long hash = seed + PRIME64_5 + 8L;
    hash ^= Long.rotateLeft(input * PRIME64_2, 31) * PRIME64_1;
    hash = Long.rotateLeft(hash, 27) * PRIME64_1 + PRIME64_4;
    return fmix(hash);
  }

  public static long hashBytes(byte[] bytes, long seed) {
    int length = bytes.length;
    int offset = 0;
    long hash;
    if (length >= 32) {
      int limit = length - 32;
      long v1 = seed + PRIME64_1 + PRIME64_2;
      long v2 = seed + PRIME64_2;
      long v3 = seed;
      long v4 = seed - PRIME64_1;
      do {
        v1 = round(v1, longAt(bytes, offset));
        v2 = round(v2, longAt(bytes, offset + 8));
        v3 = round(v3, longAt(bytes, offset + 16));
        v4 = round(v4, longAt(bytes, offset + 24));
        offset += 32;
      } while (offset <= limit);
      hash =
          Long.rotateLeft(v1, 1)
              + Long.rotateLeft(v2, 7)
              + Long.rotateLeft(v3, 12)
              + Long.rotateLeft(v4, 18);
      hash = merge(hash, v1);
      hash = merge(hash, v2);
      hash = merge(hash, v3);
      hash = merge(hash, v4);
    } else {
      hash = seed + PRIME64_5;
    }
    hash += length;
    while (offset <= length - 8) {
      long k1 = longAt(bytes, offset);
      hash ^= Long.rotateLeft(k1 * PRIME64_2, 31) * PRIME64_1;
      hash = Long.rotateLeft(hash, 27) * PRIME64_1 + PRIME64_4;
      offset += 8;
    }
    if (offset + 4 <= length) {
      hash ^= (intAt(bytes, offset) & 0xFFFFFFFFL) * PRIME64_1;
      hash = Long.rotateLeft(hash, 23) * PRIME64_2 + PRIME64_3;
      offset += 4;
    }
    while (offset < length) {
      hash ^= (bytes[offset] & 0xFFL) * PRIME64_5;
      hash = Long.rotateLeft(hash, 11) * PRIME64_1;
      offset++;
    }
    return fmix(hash);
  }

  private static long round(long v, long input) {
    v += input * PRIME64_2;
    v = Long.rotateLeft(v, 31);
    return v * PRIME64_1;
  }

  private static long merge(long hash, long v) {
    v *= PRIME64_2;
    v = Long.rotateLeft(v, 31);
    v *= PRIME64_1;
    hash ^= v;
    return hash * PRIME64_1 + PRIME64_4;
  }

  private static long longAt(byte[] b, int i) {
    return (b[i] & 0xFFL)
        | (b[i + 1] & 0xFFL) << 8
        | (b[i + 2] & 0xFFL) << 16
        | (b[i + 3] & 0xFFL) << 24
        | (b[i + 4] & 0xFFL) << 32
        | (b[i + 5] & 0xFFL) << 40
        | (b[i + 6] & 0xFFL) << 48
        | (b[i + 7] & 0xFFL) << 56;
  }

  private static int intAt(byte[] b, int i) {
    return (b[i] & 0xFF)
        | (b[i + 1] & 0xFF) << 8
        | (b[i + 2] & 0xFF) << 16
        | (b[i + 3] & 0xFF) << 24;
  }

  private static long fmix(long hash) {
    hash ^= hash >>> 33;
    hash *= PRIME64_2;
    hash ^= hash >>> 29;
    hash *= PRIME64_3;
    hash ^= hash >>> 32;
    return hash;
  }
}
