package dev.secureyeoman.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class SecurityMetricsTest {

  @Test
  void record_countsPerEvent_everyEventRegisteredAtZero() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SecurityMetrics m = new SecurityMetrics(registry);
    for (SecurityMetrics.Event e : SecurityMetrics.Event.values()) {
      assertNotNull(registry.find(SecurityMetrics.METER).tag("event", e.tag()).counter(), e.tag());
      assertEquals(0, m.count(e));
    }
    m.record(SecurityMetrics.Event.LOGIN_FAILURE);
    m.record(SecurityMetrics.Event.LOGIN_FAILURE);
    m.record(SecurityMetrics.Event.REFRESH_REUSE);
    assertEquals(2, m.count(SecurityMetrics.Event.LOGIN_FAILURE));
    assertEquals(1, m.count(SecurityMetrics.Event.REFRESH_REUSE));
    assertEquals(
        2.0, registry.find(SecurityMetrics.METER).tag("event", "login_failure").counter().count());
  }
}
