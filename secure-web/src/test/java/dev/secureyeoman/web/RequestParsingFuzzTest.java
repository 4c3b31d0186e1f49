package dev.secureyeoman.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Jazzer fuzz tests of the two request parsers; regression inputs under RequestParsingFuzzTestInputs/. */
class RequestParsingFuzzTest {
  /** A small body type. */
  record Body(@NotBlank @Size(max = 64) String name, Boolean flag) {}

  private static final RequestBodies BODIES = RequestBodies.create(4096);
  private static final RequestIds IDS = new RequestIds();

  /** Property: any bytes either bind to a valid Body or give problems that never echo a long input. */
  @FuzzTest(maxDuration = "30s")
  void requestBody(byte @NotNull [] input) {
    try {
      Body b = BODIES.read(input, Body.class);
      assertTrue(b.name() != null && !b.name().isBlank() && b.name().length() <= 64);
    } catch (RequestValidationException e) {
      assertFalse(e.details().isEmpty());
      for (String d : e.details()) {
        assertTrue(d.contains(": "), d);
        assertTrue(d.length() < 200, d);
      }
    }
  }

  /** Property: a kept request id is always a valid one, and a parsed traceparent has lower-hex ids of fixed length. */
  @FuzzTest(maxDuration = "30s")
  void requestIdAndTraceparent(@NotNull String requestId, @NotNull String traceparent) {
    RequestIds.RequestContext c = IDS.resolve(requestId, traceparent);
    assertTrue(RequestIds.isValid(c.requestId()));
    c.traceParent()
        .ifPresent(
            t -> {
              assertTrue(t.traceId().matches("[0-9a-f]{32}"), t.traceId());
              assertTrue(t.parentId().matches("[0-9a-f]{16}"), t.parentId());
            });
  }
}
