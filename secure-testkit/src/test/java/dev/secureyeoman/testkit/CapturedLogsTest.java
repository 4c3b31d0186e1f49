package dev.secureyeoman.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

class CapturedLogsTest {
  /** What a module registers to keep INFO and above. */
  static final class InfoAndAbove extends CapturedLogs {
    InfoAndAbove() {
      super(Level.INFO);
    }
  }

  @BeforeEach
  void clear() {
    CapturedLogs.clear();
  }

  @Test
  void everyLevel_formattedWithTheCauseChain_andLinesOfOneLogger() {
    Logger log = new CapturedLogs().getLoggerFactory().getLogger(CapturedLogsTest.class.getName());
    assertTrue(log.isTraceEnabled() && log.isDebugEnabled());
    log.trace("t {}", 1);
    log.debug("d {} {}", "a", "b");
    log.warn("unreachable {}", "redis://127.0.0.1:1", new IOException("outer", new IllegalStateException("inner")));
    String name = CapturedLogsTest.class.getName();
    assertEquals(
        List.of(
            "TRACE " + name + ": t 1",
            "DEBUG " + name + ": d a b",
            "WARN " + name + ": unreachable redis://127.0.0.1:1 | java.io.IOException: outer"
                + " | java.lang.IllegalStateException: inner"),
        CapturedLogs.lines());
    assertEquals(1, CapturedLogs.linesOf(CapturedLogsTest.class, "unreachable").size());
    assertTrue(CapturedLogs.linesOf(String.class, "unreachable").isEmpty(), "another logger's lines are not its");
    CapturedLogs.clear();
    assertTrue(CapturedLogs.lines().isEmpty());
  }

  @Test
  void subclass_keepsItsLowestLevelAndAbove() {
    Logger log = new InfoAndAbove().getLoggerFactory().getLogger("lib");
    assertFalse(log.isDebugEnabled());
    assertFalse(log.isTraceEnabled());
    assertTrue(log.isInfoEnabled() && log.isWarnEnabled() && log.isErrorEnabled());
    log.debug("noise");
    log.info("kept");
    log.error("also kept");
    assertEquals(List.of("INFO lib: kept", "ERROR lib: also kept"), CapturedLogs.lines());
  }

  @Test
  void providerParts_realMdc_markers_apiVersion() {
    CapturedLogs provider = new CapturedLogs();
    provider.initialize();
    provider.getMDCAdapter().put("request_id", "r-1");
    assertEquals("r-1", provider.getMDCAdapter().get("request_id"));
    provider.getMDCAdapter().clear();
    assertEquals("m", provider.getMarkerFactory().getMarker("m").getName());
    assertTrue(provider.getRequestedApiVersion().startsWith("2.0"));
    assertEquals(
        provider.getLoggerFactory().getLogger("same"), provider.getLoggerFactory().getLogger("same"), "one per name");
  }
}
