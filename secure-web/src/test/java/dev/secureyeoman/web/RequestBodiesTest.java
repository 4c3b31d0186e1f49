package dev.secureyeoman.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestBodiesTest {
  /** A login-like body. */
  record Login(@NotBlank @Size(max = 64) String username, @NotNull @Size(max = 1024) String password, Boolean rememberMe,
      @Max(10) Integer count) {}

  private final RequestBodies bodies = RequestBodies.create(256);

  @AfterEach
  void close() {
    bodies.close();
  }

  private List<String> problems(String json) {
    return assertThrows(
            RequestValidationException.class, () -> bodies.read(json.getBytes(StandardCharsets.UTF_8), Login.class))
        .details();
  }

  @Test
  void read_validBody_bound() throws Exception {
    Login l =
        bodies.read(
            "{\"username\":\"alice\",\"password\":\"pw\",\"rememberMe\":true}".getBytes(StandardCharsets.UTF_8),
            Login.class);
    assertEquals("alice", l.username());
    assertEquals(Boolean.TRUE, l.rememberMe());
  }

  @Test
  void read_malformedOrNotAnObject_400Problems() {
    assertEquals(List.of("body: malformed JSON"), problems("{\"username\":"));
    assertEquals(List.of("body: malformed JSON"), problems("{\"username\":\"a\"} trailing"));
    assertEquals(List.of("body: malformed JSON"), problems("{\"username\":\"a\",\"username\":\"b\"}"));
    assertEquals(List.of("body: must be a JSON object"), problems(""));
    assertEquals(List.of("body: must be a JSON object"), problems("[1,2]"));
    assertEquals(List.of("body: must be a JSON object"), problems("\"text\""));
    assertEquals(List.of("body: must be a JSON object"), problems("null"));
  }

  @Test
  void read_missingFields_everyViolationListed() {
    assertEquals(List.of("password: must not be null", "username: must not be blank"), problems("{}"));
  }

  @Test
  void read_wrongTypes_namedWithoutEchoingTheValue() {
    List<String> p = problems("{\"username\":\"a\",\"password\":\"p\",\"rememberMe\":\"yes-secret\"}");
    assertEquals(List.of("rememberMe: must be a boolean"), p);
    assertEquals(List.of("username: must be a string"), problems("{\"username\":12345,\"password\":\"p\"}"));
    assertEquals(List.of("username: must be a string"), problems("{\"username\":{\"a\":1},\"password\":\"p\"}"));
    assertEquals(List.of("rememberMe: must be a boolean"), problems("{\"username\":\"a\",\"password\":\"p\",\"rememberMe\":1}"));
    assertEquals(List.of("count: must be an integer"), problems("{\"username\":\"a\",\"password\":\"p\",\"count\":1.5}"));
    assertEquals(List.of("count: must be an integer"), problems("{\"username\":\"a\",\"password\":\"p\",\"count\":\"1\"}"));
    assertEquals(List.of("count: must be less than or equal to 10"), problems("{\"username\":\"a\",\"password\":\"p\",\"count\":11}"));
    assertEquals(List.of("isAdmin: unknown field"), problems("{\"username\":\"a\",\"password\":\"p\",\"isAdmin\":true}"));
    assertFalse(String.join(" ", p).contains("yes-secret"));
  }

  @Test
  void read_longOrControlCharacterFieldName_echoedCutAndNeutralised() {
    // found by Jazzer (RequestParsingFuzzTestInputs/requestBody/long-unknown-field): the whole client-chosen name came back
    String name = "k".repeat(150);
    List<String> p = problems("{\"" + name + "\":1}");
    assertEquals(List.of("k".repeat(64) + "\u2026: unknown field"), p);
    assertEquals(List.of("a?b?c: unknown field"), problems("{\"a\\u001bb\\u202ec\":1}"));
  }

  @Test
  void read_oversizedOrDeeplyNested_refused() {
    String big = "{\"username\":\"" + "a".repeat(300) + "\",\"password\":\"p\"}";
    assertEquals(List.of("body: must be at most 256 bytes"), problems(big));
    assertEquals("body: must be at most 256 bytes", bodies.tooLargeDetail());
    assertEquals(256, bodies.maxBytes());
    String deep = "{\"username\":" + "[".repeat(40) + "]".repeat(40) + "}";
    assertTrue(problems(deep).get(0).startsWith("username: "));
    assertThrows(IllegalArgumentException.class, () -> RequestBodies.create(1));
  }

  @Test
  void apiError_json_escapesAndKeepsFieldOrder() {
    String json = new ApiError("bad \"input\"", List.of("a: b"), "rid0123456789012345678").toJson();
    assertEquals("{\"error\":\"bad \\\"input\\\"\",\"details\":[\"a: b\"],\"requestId\":\"rid0123456789012345678\"}", json);
    assertEquals("{\"error\":\"x\",\"details\":[],\"requestId\":\"r\"}", ApiError.of("x", "r").toJson());
    assertThrows(IllegalArgumentException.class, () -> new RequestValidationException(List.of()));
  }
}
