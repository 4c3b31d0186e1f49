package dev.secureyeoman.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditTrailTest {
  @Test
  void clean_escapesControlBidiSeparatorsAndLoneSurrogates_keepsTheRest() {
    assertEquals("a\\u000d\\u000ab", AuditTrail.clean("a\r\nb"));
    assertEquals("\\u001b[31mred", AuditTrail.clean("\u001b[31mred"));
    assertEquals("x\\u202ey\\u2066z\\u2028", AuditTrail.clean("x\u202ey\u2066z\u2028"));
    assertEquals("\\u0085\\u007f", AuditTrail.clean("\u0085\u007f"));
    assertEquals("back\\\\u000a", AuditTrail.clean("back\\u000a"), "a literal backslash cannot fake an escape");
    assertEquals("\\ud800x\\udc00", AuditTrail.clean("\ud800x\udc00"));
    String emoji = new String(Character.toChars(0x1F600));
    assertEquals("ok " + emoji + " é", AuditTrail.clean("ok " + emoji + " é"));
    String longText = "a".repeat(300);
    assertEquals("a".repeat(256) + "…(300 chars)", AuditTrail.clean(longText));
  }

  @Test
  void aggregator_firstPerWindowRecorded_restCounted_boundedKeys() {
    FailureAggregator a = new FailureAggregator(Duration.ofMinutes(1));
    FailureAggregator.Key k = new FailureAggregator.Key("auth.refresh.failure", "unknown", "192.0.2.1");
    assertEquals(k, a.admit(k, 0));
    for (int i = 1; i <= 9; i++) {
      assertNull(a.admit(k, i * 1000L));
    }
    assertEquals(List.of(), a.due(59_999, false), "window still open");
    assertEquals(k, a.admit(k, 60_000), "a new window records again");
    List<FailureAggregator.Summary> due = a.due(60_000, false);
    assertEquals(List.of(new FailureAggregator.Summary(k, 0, 9000, 9)), due);
    // beyond MAX_KEYS distinct clients, new ones share one overflow key per event and reason
    for (int i = 0; i < FailureAggregator.MAX_KEYS + 500; i++) {
      a.admit(new FailureAggregator.Key("auth.login.throttled", "throttled", "c" + i), 70_000);
    }
    List<FailureAggregator.Summary> all = a.due(70_000, true);
    assertEquals(1, all.size(), "only the overflow key suppressed anything: " + all.size());
    assertEquals(FailureAggregator.OVERFLOW_CLIENT, all.get(0).key().client());
    assertTrue(all.get(0).suppressed() >= 499);
    FailureAggregator off = new FailureAggregator(Duration.ZERO);
    assertEquals(k, off.admit(k, 0));
    assertEquals(k, off.admit(k, 0), "window 0 records every failure");
  }
}
