package dev.secureyeoman.audit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
  @Test
  void roundTrip_keepsNumberKinds() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("l", 5L);
    m.put("d", 5.0);
    m.put("neg", -0.0);
    m.put("big", 1.0e300);
    m.put("s", "q\"b\\n\n\t\r\b\f\u0001\u2028é日");
    m.put("n", null);
    m.put("b", true);
    m.put("a", Arrays.asList(1L, "x", null, false, Map.of()));
    String json = Json.write(m);
    assertEquals(m, Json.parseObject(json));
    assertEquals(Long.class, Json.parseObject("{\"x\":7}").get("x").getClass());
    assertEquals(Double.class, Json.parseObject("{\"x\":7e0}").get("x").getClass());
    assertEquals(Double.class, Json.parseObject("{\"x\":99999999999999999999}").get("x").getClass());
    assertEquals("\u00e9/", Json.parseObject("{\"x\":\"\\u00E9\\/\"}").get("x"));
    assertEquals(List.of(), Json.parse(" [ ] "));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "[]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{\"a\":01}", "{\"a\":1.}",
          "{\"a\":1e}", "{\"a\":tru}", "{\"a\":\"x}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}", "{\"a\":1,\"a\":2}",
          "{} x", "{\"a\":-}", "{\"a\":[1 2]}", "{\"a\":\"\u0001\"}", "{\"a\":1e999}", "{\"a\":\"\\uZZZZ\"}"})
  void malformed_isRejected(String s) {
    assertThrows(IllegalArgumentException.class, () -> Json.parseObject(s));
  }

  @Test
  void limits_enforced() {
    assertThrows(IllegalArgumentException.class, () -> Json.parse(null));
    assertThrows(IllegalArgumentException.class, () -> Json.parse("[".repeat(100) + "]".repeat(100)));
    assertThrows(IllegalArgumentException.class, () -> Json.parse("\"" + "x".repeat(Json.MAX_INPUT) + "\""));
    assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
  }

  @Test
  void canonical_isOrderIndependent_andTypeSensitive() {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("x", 1L);
    a.put("y", 2L);
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("y", 2L);
    b.put("x", 1L);
    byte[] prev = new byte[32];
    Row ra = new Row(1, 2, "INFO", "e", "a", "m", a, null, 1, prev, null);
    Row rb = new Row(1, 2, "INFO", "e", "a", "m", b, null, 1, prev, null);
    assertEquals(Arrays.toString(Canonical.encode(ra)), Arrays.toString(Canonical.encode(rb)));
    Row rc = new Row(1, 2, "INFO", "e", "a", "m", Map.of("x", 1.0, "y", 2L), null, 1, prev, null);
    assertNotEquals(Arrays.toString(Canonical.encode(ra)), Arrays.toString(Canonical.encode(rc)));
    // moving a character between adjacent fields changes the encoding (length prefixes)
    Row r1 = new Row(1, 2, "INFO", "ab", "c", "m", Map.of(), null, 1, prev, null);
    Row r2 = new Row(1, 2, "INFO", "a", "bc", "m", Map.of(), null, 1, prev, null);
    assertNotEquals(Arrays.toString(Canonical.encode(r1)), Arrays.toString(Canonical.encode(r2)));
    Row n1 = new Row(1, 2, "INFO", "a", "b", "m", Map.of(), null, 1, prev, null);
    Row n2 = new Row(1, 2, "INFO", "a", "b", "m", Map.of(), "", 1, prev, null);
    assertNotEquals(Arrays.toString(Canonical.encode(n1)), Arrays.toString(Canonical.encode(n2)));
    assertThrows(IllegalArgumentException.class,
        () -> Canonical.encode(new Row(1, 2, "I", "e", "a", "m", Map.of("o", new Object()), null, 1, prev, null)));
  }

  @Test
  void ftsEscape_quotesEveryWord() {
    assertEquals("\"a\" \"b\"", FtsQuery.escape("  a \t b "));
    assertEquals("\"say\"\"hi\"\"\"", FtsQuery.escape("say\"hi\""));
    assertEquals("", FtsQuery.escape("   "));
    assertEquals("\"NEAR(\"", FtsQuery.escape("NEAR("));
    assertEquals(FtsQuery.MAX_TERMS, FtsQuery.escape("w ".repeat(FtsQuery.MAX_TERMS)).split(" ").length);
    assertThrows(IllegalArgumentException.class, () -> FtsQuery.escape("w ".repeat(FtsQuery.MAX_TERMS + 1)));
    assertEquals(FtsQuery.MAX_TERMS, FtsQuery.words("w \u0000 ".repeat(FtsQuery.MAX_TERMS)).size(), "U+0000 is no word");
  }
}
