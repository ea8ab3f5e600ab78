package io.relspec.spark.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;

/**
 * Serializes a Java record through its components and rebuilds it with its canonical constructor
 * (Kryo's FieldSerializer cannot fill records' final fields). Records stay immutable and their
 * constructors' checks run again on read.
 */
final class RecordSerializer<T extends Record> extends Serializer<T> {
  private final Class<T> type;
  private final Method[] accessors;
  private final Constructor<T> constructor;

  RecordSerializer(Class<T> type) {
    super(false, true);
    this.type = type;
    RecordComponent[] components = type.getRecordComponents();
    this.accessors = new Method[components.length];
    Class<?>[] parameterTypes = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      accessors[i] = components[i].getAccessor();
      accessors[i].setAccessible(true);
      parameterTypes[i] = components[i].getType();
    }
    try {
      this.constructor = type.getDeclaredConstructor(parameterTypes);
      this.constructor.setAccessible(true);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(
          "Cannot find the canonical constructor of " + type.getName(), e);
    }
  }

  @Override
  public void write(Kryo kryo, Output output, T record) {
    try {
      for (Method accessor : accessors) {
        IrValueCodec.write(kryo, output, accessor.invoke(record));
      }
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new KryoException("Cannot serialize " + type.getName() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public T read(Kryo kryo, Input input, Class<T> ignored) {
    Object[] values = new Object[accessors.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = IrValueCodec.read(kryo, input);
    }
    try {
      return constructor.newInstance(values);
    } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new KryoException(
          "Cannot rebuild " + type.getName() + ": " + cause.getMessage(), cause);
    }
  }
}
