package dev.secureyeoman.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CleanupTest {
  @Test
  void closeAll_registered_closedNewestFirstDespiteFailures() {
    List<String> closed = new ArrayList<>();
    AutoCloseable first = () -> closed.add("first");
    AutoCloseable failing =
        () -> {
          closed.add("failing");
          throw new IllegalStateException("boom");
        };
    AutoCloseable forgotten = () -> closed.add("forgotten");
    AutoCloseable last = () -> closed.add("last");
    Cleanup.register(first);
    Cleanup.register(failing);
    Cleanup.register(forgotten);
    Cleanup.register(last);
    Cleanup.unregister(forgotten);
    assertTrue(Cleanup.isRegistered(first));
    assertFalse(Cleanup.isRegistered(forgotten));
    try {
      Cleanup.closeAll();
      // other tests' servers may be registered too: look at ours only
      assertEquals(List.of("last", "failing", "first"), closed.stream().filter(List.of("first", "failing", "last")::contains).toList());
    } finally {
      Cleanup.unregister(first);
      Cleanup.unregister(failing);
      Cleanup.unregister(last);
    }
  }
}
