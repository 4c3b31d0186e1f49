package dev.secureyeoman.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a failure looks like in a log line: the reason stays, the password and the URL do not. */
class LettuceBucketStoreTest {

  @Test
  void describe_messageQuotingUrlAndPassword_bothRedacted_reasonKept() {
    LettuceBucketStore store =
        new LettuceBucketStore(
            "redis://:pw-7f3a@127.0.0.1:1/3", Duration.ofMillis(50), Duration.ofMillis(50), Clock.systemUTC(), "t");
    try {
      String d =
          store.describe(
              new IllegalStateException(
                  "cannot reach redis://:pw-7f3a@127.0.0.1:1/3\nnow",
                  new RuntimeException("WRONGPASS for pw-7f3a")));
      assertFalse(d.contains("pw-7f3a"), d);
      assertFalse(d.contains("\n"), d);
      assertEquals(
          "IllegalStateException: cannot reach redis://127.0.0.1:1/3 now; cause: RuntimeException: WRONGPASS for \u2588\u2588",
          d);
      assertTrue(store.describe(new RuntimeException("x".repeat(1000))).length() <= 300);
      assertEquals("RuntimeException", store.describe(new RuntimeException()));
    } finally {
      store.close();
    }
    assertThrows(
        IllegalStateException.class,
        () -> store.tryConsume(new byte[] {1}, new dev.secureyeoman.web.BucketLimit(1, Duration.ofSeconds(1)), 1));
  }

  @Test
  void constructor_urlWithoutHost_refusedWithoutEchoingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new LettuceBucketStore("redis://:pw-x@/0", Duration.ofMillis(50), Duration.ofMillis(50), Clock.systemUTC(), "t"));
    assertFalse(e.getMessage().contains("pw-x"), e.getMessage());
  }
}
