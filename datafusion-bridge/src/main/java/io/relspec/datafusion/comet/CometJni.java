package io.relspec.datafusion.comet;

import io.relspec.datafusion.DataFusionErrors;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.comet.CometBatchIterator;
import org.apache.comet.Native;
import org.apache.comet.serde.Config;

/**
 * Comet 0.12.0's JNI entry points, and nothing else: the only class that calls {@link Native}. Its
 * signatures changed in Comet 0.10, 0.11, 0.14 and 0.17, so {@link #verifySurface()} checks them by
 * reflection before the first call and fails with the expected signature if they moved.
 */
public final class CometJni {
  /** The Comet release the bridge is written against. */
  public static final String COMET_VERSION = "0.12.0";

  public static final String CREATE_PLAN =
      "long org.apache.comet.Native.createPlan(long id, org.apache.comet.CometBatchIterator[]"
          + " iterators, byte[] plan, byte[] configMapProto, int partitionCount,"
          + " org.apache.spark.sql.comet.CometMetricNode metrics, long metricsUpdateInterval,"
          + " org.apache.spark.CometTaskMemoryManager taskMemoryManager, java.lang.String[]"
          + " localDirs, int batchSize, boolean offHeapMode, java.lang.String memoryPoolType, long"
          + " memoryLimit, long memoryLimitPerTask, long taskAttemptId,"
          + " org.apache.comet.parquet.CometFileKeyUnwrapper keyUnwrapper)";
  public static final String EXECUTE_PLAN =
      "long org.apache.comet.Native.executePlan(int stage, int partition, long plan, long[]"
          + " arrayAddrs, long[] schemaAddrs)";
  public static final String RELEASE_PLAN = "void org.apache.comet.Native.releasePlan(long plan)";
  public static final String BATCH_ITERATOR =
      "org.apache.comet.CometBatchIterator(scala.collection.Iterator<ColumnarBatch>,"
          + " org.apache.comet.vector.NativeUtil) with int hasNext(), int next(long[], long[]),"
          + " boolean hasSelectionVectors(), int exportSelectionIndices(long[], long[])";

  private static final List<String> CREATE_PLAN_PARAMS =
      List.of(
          "long",
          "[Lorg.apache.comet.CometBatchIterator;",
          "[B",
          "[B",
          "int",
          "org.apache.spark.sql.comet.CometMetricNode",
          "long",
          "org.apache.spark.CometTaskMemoryManager",
          "[Ljava.lang.String;",
          "int",
          "boolean",
          "java.lang.String",
          "long",
          "long",
          "long",
          "org.apache.comet.parquet.CometFileKeyUnwrapper");
  private static final List<String> EXECUTE_PLAN_PARAMS = List.of("int", "int", "long", "[J", "[J");
  private static final List<String> RELEASE_PLAN_PARAMS = List.of("long");

  private static final Object LOCK = new Object();
  private static volatile Native instance;

  private CometJni() {}

  /**
   * Checks that the Comet on the classpath has exactly the 0.12.0 JNI surface the bridge calls.
   *
   * @throws io.relspec.ir.error.RelspecException naming the expected signature when it moved
   */
  public static void verifySurface() {
    checkCreatePlan(Native.class);
    checkNative(Native.class, "executePlan", EXECUTE_PLAN, EXECUTE_PLAN_PARAMS, long.class);
    checkNative(Native.class, "releasePlan", RELEASE_PLAN, RELEASE_PLAN_PARAMS, void.class);
    checkBatchIterator();
  }

  private static final String POM_PROPERTIES =
      "/META-INF/maven/org.apache.datafusion/comet-spark-spark3.5_2.12/pom.properties";

  /**
   * The Comet version on the classpath, from the Maven metadata inside its jar ("unknown" when
   * absent). Not from {@code Package}: the bridge puts one class in {@code org.apache.comet} too.
   */
  public static String classpathVersion() {
    try (java.io.InputStream in = Native.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in == null) {
        return "unknown";
      }
      java.util.Properties properties = new java.util.Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  /** Checks {@code createPlan} on {@code type} (the real {@link Native}, or a test stand-in). */
  static void checkCreatePlan(Class<?> type) {
    checkNative(type, "createPlan", CREATE_PLAN, CREATE_PLAN_PARAMS, long.class);
  }

  private static void checkNative(
      Class<?> type, String name, String expected, List<String> params, Class<?> returnType) {
    List<Method> candidates =
        Arrays.stream(type.getDeclaredMethods()).filter(m -> m.getName().equals(name)).toList();
    for (Method method : candidates) {
      if (typeNames(method.getParameterTypes()).equals(params)
          && method.getReturnType() == returnType
          && Modifier.isNative(method.getModifiers())
          && Modifier.isPublic(method.getModifiers())) {
        return;
      }
    }
    String found =
        candidates.isEmpty()
            ? "no method " + name + " (Comet " + classpathVersion() + ")"
            : candidates.stream().map(Method::toString).collect(Collectors.joining("; "))
                + " (Comet "
                + classpathVersion()
                + ")";
    throw DataFusionErrors.jniSurfaceMoved("Native." + name, expected, found);
  }

  private static void checkBatchIterator() {
    Class<?> type = CometBatchIterator.class;
    try {
      Constructor<?> constructor =
          type.getDeclaredConstructor(
              Class.forName("scala.collection.Iterator"),
              Class.forName("org.apache.comet.vector.NativeUtil"));
      if (Modifier.isPrivate(constructor.getModifiers())) {
        throw new NoSuchMethodException("the constructor is private");
      }
      requireMethod(type, "hasNext", int.class);
      requireMethod(type, "next", int.class, long[].class, long[].class);
      requireMethod(type, "hasSelectionVectors", boolean.class);
      requireMethod(type, "exportSelectionIndices", int.class, long[].class, long[].class);
      if (Modifier.isFinal(type.getModifiers())) {
        throw new NoSuchMethodException("the class is final");
      }
    } catch (ReflectiveOperationException e) {
      throw DataFusionErrors.jniSurfaceMoved(
          "CometBatchIterator",
          BATCH_ITERATOR,
          "a different class (" + e.getMessage() + ", Comet " + classpathVersion() + ")");
    }
  }

  private static void requireMethod(Class<?> type, String name, Class<?> result, Class<?>... args)
      throws NoSuchMethodException {
    Method method = type.getDeclaredMethod(name, args);
    if (method.getReturnType() != result || !Modifier.isPublic(method.getModifiers())) {
      throw new NoSuchMethodException(method.toString());
    }
  }

  private static List<String> typeNames(Class<?>[] types) {
    return Arrays.stream(types).map(Class::getName).toList();
  }

  /** Loads libcomet (once per JVM) after checking the JNI surface. */
  static Native load() {
    Native loaded = instance;
    if (loaded != null) {
      return loaded;
    }
    synchronized (LOCK) {
      if (instance == null) {
        verifySurface();
        keepArrowDefaults();
        try {
          instance = new Native();
          if (!org.apache.comet.NativeBase.isLoaded()) {
            throw new IllegalStateException("NativeBase.isLoaded() is false");
          }
        } catch (Throwable e) {
          instance = null;
          throw DataFusionErrors.engineUnavailable(CometEngine.NAME, e);
        }
      }
      return instance;
    }
  }

  /**
   * Comet's {@code NativeBase} sets the JVM-wide system properties {@code
   * arrow.enable_null_check_for_get=false} and {@code arrow.enable_unsafe_memory_access=true} when
   * they are unset. Unshaded Arrow reads the same names, so after that a null in any relspec {@code
   * VarCharVector} would read back as an empty string. Setting Arrow's own defaults first (Comet
   * keeps values that are already set) and initialising the classes that read them keeps Arrow's
   * behaviour in this JVM exactly as it was.
   */
  private static void keepArrowDefaults() {
    if (System.getProperty(ARROW_NULL_CHECK_FOR_GET) == null) {
      System.setProperty(ARROW_NULL_CHECK_FOR_GET, "true");
    }
    if (System.getProperty(ARROW_UNSAFE_MEMORY_ACCESS) == null) {
      System.setProperty(ARROW_UNSAFE_MEMORY_ACCESS, "false");
    }
    try {
      Class.forName("org.apache.arrow.vector.NullCheckingForGet");
      Class.forName("org.apache.arrow.memory.BoundsChecking");
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("Arrow Java is not on the classpath", e);
    }
  }

  static final String ARROW_NULL_CHECK_FOR_GET = "arrow.enable_null_check_for_get";
  static final String ARROW_UNSAFE_MEMORY_ACCESS = "arrow.enable_unsafe_memory_access";

  /** An empty Comet config map; Comet reads its debug and tracing switches from it. */
  static byte[] emptyConfig() {
    return Config.ConfigMap.newBuilder().build().toByteArray();
  }
}
