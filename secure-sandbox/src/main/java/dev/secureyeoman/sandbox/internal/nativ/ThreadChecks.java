package dev.secureyeoman.sandbox.internal.nativ;

import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/** Guards for thread-scoped kernel restrictions. */
public final class ThreadChecks {
  private static final @Nullable Method IS_VIRTUAL = findIsVirtual();

  private ThreadChecks() {}

  private static @Nullable Method findIsVirtual() {
    try {
      return Thread.class.getMethod("isVirtual"); // Java 21+
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /**
   * Refuses virtual threads: a thread-scoped filter or ruleset would land on the carrier thread, a pooled platform
   * thread that runs other virtual threads afterwards.
   *
   * @param thread the thread about to be restricted
   * @param what what is being applied, for the message
   * @throws IllegalStateException on a virtual thread
   */
  public static void requirePlatformThread(Thread thread, String what) {
    if (IS_VIRTUAL == null) {
      return;
    }
    boolean virtual;
    try {
      virtual = (Boolean) IS_VIRTUAL.invoke(thread);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot tell whether " + thread + " is virtual", e);
    }
    if (virtual) {
      throw new IllegalStateException(what + " must run on a dedicated platform thread, not a virtual thread: it "
          + "would restrict the carrier thread and every virtual thread it later runs");
    }
  }
}
