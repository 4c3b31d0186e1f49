package dev.secureyeoman.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisExtensionTest {
  private static Path firstDirectory;
  private static long firstPid;

  @Test
  @Order(1)
  void resolve_twoParameters_twoServersOwnedByTheTest(RedisServer a, RedisServer b) {
    assertNotEquals(a.port(), b.port());
    a.kill(); // the test owns them
    assertFalse(a.isRunning());
    assertTrue(b.isRunning());
    firstDirectory = b.directory();
    firstPid = b.pid();
  }

  @Test
  @Order(2)
  void resolve_afterPreviousTest_itsServersWereClosed(RedisServer fresh) {
    Leftovers.assertGone(List.of(firstPid));
    assertFalse(Files.exists(firstDirectory));
    assertTrue(fresh.isRunning());
  }
}
