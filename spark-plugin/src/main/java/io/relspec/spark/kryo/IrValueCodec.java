package io.relspec.spark.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.relspec.ir.expr.Bytes;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the values an IR record holds (nested records and enums, Optional, List, Map, boxed
 * scalars, BigDecimal, LocalDate, Instant, Bytes) with a one-byte tag. JDK collection classes are
 * written by shape, not by class, so only relspec's own classes need Kryo registrations.
 */
final class IrValueCodec {
  private static final byte RELSPEC = 1;
  private static final byte OPTIONAL_EMPTY = 2;
  private static final byte OPTIONAL_PRESENT = 3;
  private static final byte LIST = 4;
  private static final byte MAP = 5;
  private static final byte STRING = 6;
  private static final byte LONG = 7;
  private static final byte INT = 8;
  private static final byte BOOLEAN = 9;
  private static final byte DOUBLE = 10;
  private static final byte DECIMAL = 11;
  private static final byte DATE = 12;
  private static final byte INSTANT = 13;
  private static final byte BYTES = 14;

  private IrValueCodec() {}

  static void write(Kryo kryo, Output output, Object value) {
    if (value instanceof Optional<?> optional) {
      if (optional.isEmpty()) {
        output.writeByte(OPTIONAL_EMPTY);
      } else {
        output.writeByte(OPTIONAL_PRESENT);
        write(kryo, output, optional.get());
      }
    } else if (value instanceof List<?> list) {
      output.writeByte(LIST);
      output.writeVarInt(list.size(), true);
      for (Object element : list) {
        write(kryo, output, element);
      }
    } else if (value instanceof Map<?, ?> map) {
      output.writeByte(MAP);
      output.writeVarInt(map.size(), true);
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        write(kryo, output, entry.getKey());
        write(kryo, output, entry.getValue());
      }
    } else if (value instanceof String text) {
      output.writeByte(STRING);
      output.writeString(text);
    } else if (value instanceof Long l) {
      output.writeByte(LONG);
      output.writeLong(l);
    } else if (value instanceof Integer i) {
      output.writeByte(INT);
      output.writeInt(i);
    } else if (value instanceof Boolean b) {
      output.writeByte(BOOLEAN);
      output.writeBoolean(b);
    } else if (value instanceof Double d) {
      output.writeByte(DOUBLE);
      output.writeDouble(d);
    } else if (value instanceof BigDecimal decimal) {
      output.writeByte(DECIMAL);
      output.writeString(decimal.toString());
    } else if (value instanceof LocalDate date) {
      output.writeByte(DATE);
      output.writeLong(date.toEpochDay());
    } else if (value instanceof Instant instant) {
      output.writeByte(INSTANT);
      output.writeLong(instant.getEpochSecond());
      output.writeInt(instant.getNano());
    } else if (value instanceof Bytes bytes) {
      output.writeByte(BYTES);
      byte[] raw = bytes.toByteArray();
      output.writeVarInt(raw.length, true);
      output.writeBytes(raw);
    } else if (value instanceof Record || value instanceof Enum<?>) {
      output.writeByte(RELSPEC);
      kryo.writeClassAndObject(output, value);
    } else {
      throw new KryoException(
          "Cannot serialize relspec IR value of "
              + (value == null ? "null" : value.getClass().getName())
              + ": the IR holds no such values. This is a bug in relspec.");
    }
  }

  static Object read(Kryo kryo, Input input) {
    byte tag = input.readByte();
    switch (tag) {
      case RELSPEC:
        return kryo.readClassAndObject(input);
      case OPTIONAL_EMPTY:
        return Optional.empty();
      case OPTIONAL_PRESENT:
        return Optional.of(read(kryo, input));
      case LIST:
        {
          int size = input.readVarInt(true);
          List<Object> list = new ArrayList<>(size);
          for (int i = 0; i < size; i++) {
            list.add(read(kryo, input));
          }
          return List.copyOf(list);
        }
      case MAP:
        {
          int size = input.readVarInt(true);
          Map<Object, Object> map = new LinkedHashMap<>();
          for (int i = 0; i < size; i++) {
            Object key = read(kryo, input);
            map.put(key, read(kryo, input));
          }
          return map;
        }
      case STRING:
        return input.readString();
      case LONG:
        return input.readLong();
      case INT:
        return input.readInt();
      case BOOLEAN:
        return input.readBoolean();
      case DOUBLE:
        return input.readDouble();
      case DECIMAL:
        return new BigDecimal(input.readString());
      case DATE:
        return LocalDate.ofEpochDay(input.readLong());
      case INSTANT:
        return Instant.ofEpochSecond(input.readLong(), input.readInt());
      case BYTES:
        return Bytes.copyOf(input.readBytes(input.readVarInt(true)));
      default:
        throw new KryoException(
            "Cannot read relspec IR value: unknown tag "
                + tag
                + ". The data was not written by this relspec version.");
    }
  }
}
