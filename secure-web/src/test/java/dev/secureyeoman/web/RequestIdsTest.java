package dev.secureyeoman.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class RequestIdsTest {
  private final RequestIds ids = new RequestIds();

  @Test
  void resolve_wellFormedId_kept_otherwiseReplacedByAValidOne() {
    String good = "0123456789abcdefABCD+/=-";
    RequestIds.RequestContext kept = ids.resolve(good, null);
    assertEquals(good, kept.requestId());
    assertTrue(kept.clientSupplied());
    for (String bad :
        new String[] {
          null, "", "short-id-19-chars-x", "a".repeat(201), "has space in it 0123456", "new\nline0123456789012",
          "under_score_0123456789", "<script>alert(1)</script>", "ünïcödé-0123456789012"
        }) {
      RequestIds.RequestContext r = ids.resolve(bad, null);
      assertFalse(r.clientSupplied(), String.valueOf(bad));
      assertNotEquals(bad, r.requestId());
      assertTrue(RequestIds.isValid(r.requestId()), r.requestId());
    }
    assertTrue(RequestIds.isValid("a".repeat(20)));
    assertTrue(RequestIds.isValid("a".repeat(200)));
    assertNotEquals(ids.generate(), ids.generate());
  }

  @Test
  void parseTraceparent_w3cExamples_validAndInvalid() {
    String valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    RequestIds.TraceParent t = RequestIds.parseTraceparent(valid).orElseThrow();
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId());
    assertEquals("00f067aa0ba902b7", t.parentId());
    assertTrue(t.sampled());
    assertEquals(
        "4bf92f3577b34da6a3ce929d0e0e4736",
        RequestIds.parseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future")
            .orElseThrow()
            .traceId(),
        "a later version is read by its first four fields");
    for (String bad :
        new String[] {
          null,
          "",
          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
          "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
          "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
          "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"
        }) {
      assertEquals(Optional.empty(), RequestIds.parseTraceparent(bad), String.valueOf(bad));
    }
  }

  @Test
  void open_putsIdsIntoTheMdc_closeRemovesThem() {
    RequestIds.RequestContext c =
        ids.resolve(null, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    try (RequestIds.Scope s = RequestIds.open(c)) {
      assertEquals(c.requestId(), MDC.get(RequestIds.MDC_REQUEST_ID));
      assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", MDC.get(RequestIds.MDC_TRACE_ID));
      assertEquals(Optional.of(c.requestId()), RequestIds.current());
    }
    assertEquals(Optional.empty(), RequestIds.current());
    assertEquals(null, MDC.get(RequestIds.MDC_TRACE_ID));
  }
}
