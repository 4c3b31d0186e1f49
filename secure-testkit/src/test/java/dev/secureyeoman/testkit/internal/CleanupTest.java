package dev.secureyeoman.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CleanupTest {
  @Test
  void closeAll_registered_closedNewestFirstDespiteFailures() {
    Cleanup registry = new Cleanup(); // not the JVM-exit one: other tests' servers are registered there
    List<String> closed = new ArrayList<>();
    AutoCloseable forgotten = () -> closed.add("forgotten");
    registry.add(() -> closed.add("first"));
    registry.add(
        () -> {
          closed.add("failing");
          throw new IllegalStateException("boom");
        });
    registry.add(forgotten);
    registry.add(() -> closed.add("last"));
    registry.remove(forgotten);
    assertFalse(registry.contains(forgotten));

    registry.closeAll();

    assertEquals(List.of("last", "failing", "first"), closed);
  }
}
