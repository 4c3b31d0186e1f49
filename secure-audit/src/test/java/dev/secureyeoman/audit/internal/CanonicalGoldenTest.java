package dev.secureyeoman.audit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Freezes the MAC input format (issue 20, "one JSON writer"). Every stored entry's HMAC is computed over {@link
 * Canonical}'s bytes, whose metadata part is written by {@link Json}; existing logs verify only while these bytes stay
 * exactly the same. The expected digests below were taken from the format as of commit e19869e (2026-12-02; unchanged since the
 * schema-2 log identity) and must never be updated to
 * follow a code change: a replacement writer (Jackson or another) has to reproduce them, or ship a format version and
 * a migration that re-verifies under the old format first (docs/audit.md).
 */
class CanonicalGoldenTest {

  private static final byte[] LOG_ID = "golden-log-id-16".getBytes(StandardCharsets.US_ASCII);

  /** Rows chosen to exercise every branch of the encoding: escapes, non-ASCII, numbers, nesting, nulls. */
  private static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    byte[] prev = new byte[32];
    Map<String, Object> plain = new LinkedHashMap<>();
    plain.put("ip", "203.0.113.7");
    plain.put("attempt", 3L);
    plain.put("ok", false);
    rows.add(new Row(1, 1_700_000_000_000L, "INFO", "auth.login", "alice", "login ok", plain, null, 1, prev, null));

    Map<String, Object> exotic = new LinkedHashMap<>();
    exotic.put("zeta", "line\nbreak\ttab \"quote\" back\\slash \u0001 \u007f \u2028 \u202e");
    exotic.put("alpha", "é 😀 中文 \u00a0");
    exotic.put("big", Long.MAX_VALUE);
    exotic.put("small", Long.MIN_VALUE);
    exotic.put("double", 1234.5625d);
    exotic.put("tiny", 1.0e-7d);
    exotic.put("nothing", null);
    exotic.put("yes", true);
    exotic.put("list", Arrays.asList(1L, "two", null, List.of(), Map.of()));
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("b", Map.of("deep", List.of(Map.of("x", 0L))));
    nested.put("a", "");
    exotic.put("nested", nested);
    byte[] prev2 = new byte[32];
    Arrays.fill(prev2, (byte) 0xA5);
    rows.add(
        new Row(
            2, 1_700_000_000_123L, "WARN", "audit.tamper", "bob 🚀", "msg with \u0000 nul", exotic, "req-42", 7, prev2,
            null));

    rows.add(
        new Row(
            Long.MAX_VALUE, 0L, "ERROR", "e", "", "", new LinkedHashMap<>(), "", Integer.MAX_VALUE, prev2, null));
    return rows;
  }

  @Test
  void canonicalBytes_ofFixedRows_matchTheReleasedFormat() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (Row row : rows()) {
      byte[] bytes = Canonical.encode(row, LOG_ID);
      sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
      sha.update(bytes);
    }
    assertEquals(
        "f394e0b5f953f419cd9b9d5a8064fcb38b2f318b5107f9fbb36dcf03e30b502c",
        HexFormat.of().formatHex(sha.digest()),
        "the canonical MAC input changed: existing audit logs would no longer verify");
  }

  @Test
  void canonicalBytes_withoutLogId_matchTheReleasedFormat() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (Row row : rows()) {
      sha.update(Canonical.encode(row));
    }
    assertEquals(
        "63e00db6987e7e5f75dca1c5f96a1d08b04f0fcfa8261948ad28366b09d472ac", HexFormat.of().formatHex(sha.digest()));
  }

  @Test
  void metadataJson_ofFixedValues_matchesTheReleasedText() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("z", "a\"b\\c\n\u0001é😀\u2028");
    m.put("a", List.of(1L, -2L, 2.5d, true, false));
    m.put("m", Map.of("k", "v"));
    m.put("n", null);
    assertEquals(
        "{\"z\":\"a\\\"b\\\\c\\n\\u0001é😀\\u2028\",\"a\":[1,-2,2.5,true,false],\"m\":{\"k\":\"v\"},\"n\":null}",
        Json.write(m));
  }
}
