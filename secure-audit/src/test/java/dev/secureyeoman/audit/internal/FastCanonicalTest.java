package dev.secureyeoman.audit.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The verifier's fast canonical encoder produces exactly {@link Canonical}'s bytes, or declines. */
class FastCanonicalTest {
  private static final byte[] LOG_ID = new byte[16];
  private static final String ASCII = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_-./:@ ";

  static {
    Arrays.fill(LOG_ID, (byte) 7);
  }

  private static String word(Random r, boolean plain) {
    int len = r.nextInt(8);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      if (!plain && r.nextInt(6) == 0) {
        sb.append("\"\\\n\té€😀\u2028\u0001".charAt(r.nextInt(10)));
      } else {
        sb.append(ASCII.charAt(r.nextInt(ASCII.length())));
      }
    }
    return sb.toString();
  }

  private static Object value(Random r, int depth, boolean plain) {
    int k = r.nextInt(depth > 3 ? 5 : 8);
    return switch (k) {
      case 0 -> null;
      case 1 -> r.nextBoolean();
      case 2 -> r.nextInt(4) == 0 ? (r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE) : r.nextLong() >> r.nextInt(64);
      case 3 -> word(r, plain);
      case 4 -> plain ? (Object) (long) r.nextInt(100) : (Object) (r.nextDouble() * 1e6);
      case 5, 6 -> map(r, depth + 1, plain);
      default -> {
        List<Object> l = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          l.add(value(r, depth + 1, plain));
        }
        yield l;
      }
    };
  }

  private static Map<String, Object> map(Random r, int depth, boolean plain) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = r.nextInt(5); i > 0; i--) {
      m.put(word(r, plain), value(r, depth + 1, plain));
    }
    return m;
  }

  /** Encodes a row both ways; returns whether the fast path took it (and then the bytes are asserted equal). */
  private static boolean sameOrDeclined(String json, String message, String correlation) {
    // what the original path parses: the text as stored (a lone surrogate was written as '?' by the UTF-8 encoder)
    Map<String, Object> parsed;
    try {
      parsed = Json.parseObject(new String(json.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      FastCanonical f = new FastCanonical();
      f.start(null);
      assertFalse(f.metadata(json.getBytes(StandardCharsets.UTF_8)), "what the parser rejects is declined: " + e);
      return false;
    }
    byte[] prev = new byte[32];
    prev[3] = 9;
    Row row = new Row(42, 1_700_000_000_123L, "WARN", "auth.login", "alice", message, parsed, correlation, 3, prev, null);
    byte[] expected = Canonical.encode(row, LOG_ID);
    FastCanonical f = new FastCanonical();
    f.start(LOG_ID);
    f.i64(42);
    f.i64(1_700_000_000_123L);
    f.i32(3);
    for (String s : new String[] {"WARN", "auth.login", "alice", message}) {
      f.bytes(s.getBytes(StandardCharsets.UTF_8));
    }
    if (correlation == null) {
      f.u8(0);
    } else {
      f.u8(1);
      f.bytes(correlation.getBytes(StandardCharsets.UTF_8));
    }
    if (!f.metadata(json.getBytes(StandardCharsets.UTF_8))) {
      return false;
    }
    f.bytes(prev);
    assertArrayEquals(expected, Arrays.copyOf(f.buffer(), f.length()), () -> json.replaceAll("[^ -~]", "?"));
    return true;
  }

  @Test
  void plainMetadata_isEncodedExactlyLikeCanonical() {
    Random r = new Random(17);
    int taken = 0;
    for (int i = 0; i < 3000; i++) {
      String json = Json.write(map(r, 0, true));
      if (sameOrDeclined(json, "message é " + i, i % 2 == 0 ? null : "req-" + i)) {
        taken++;
      }
    }
    assertTrue(taken > 2900, "plain ASCII metadata takes the fast path: " + taken);
  }

  @Test
  void anyMetadata_isEncodedExactlyLikeCanonical_orDeclined() {
    Random r = new Random(18);
    for (int i = 0; i < 3000; i++) {
      sameOrDeclined(Json.write(map(r, 0, false)), "m", null);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":\"\\n\"}", "{\"a\":\"é\"}", "{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":1,\"a\":2}", "{ \"a\":1}",
        "{\"a\":1} ", "{\"a\":9223372036854775808}", "{\"a\":01}", "{\"b\":1,\"a\":{\"x\":1,\"x\":2}}",
        "{\"b\":1,\"a\":2,\"b\":3}"
      })
  void unusualMetadata_isDeclined(String json) {
    FastCanonical f = new FastCanonical();
    f.start(null);
    boolean taken;
    try {
      Json.parseObject(json);
      taken = sameOrDeclined(json, "m", null);
    } catch (IllegalArgumentException rejectedByTheParser) {
      taken = f.metadata(json.getBytes(StandardCharsets.UTF_8));
    }
    assertFalse(taken, json);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}", "{\"a\":[]}", "{\"z\":1,\"a\":{\"y\":[1,{\"q\":null,\"b\":true}],\"b\":false}}", "{\"a\":-0}",
        "{\"a\":-9223372036854775808}", "{\"a\":9223372036854775807}"
      })
  void edgeCases_takeTheFastPath_withCanonicalBytes(String json) {
    assertTrue(sameOrDeclined(json, "m", "c"), json);
  }

  @Test
  void writerMac_feedsExactlyTheCanonicalEncoding() throws Exception {
    Random r = new Random(19);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256"));
    for (int i = 0; i < 500; i++) {
      Map<String, Object> md = map(r, 0, false);
      byte[] prev = new byte[32];
      r.nextBytes(prev);
      String corr = i % 3 == 0 ? null : word(r, false);
      Row row = new Row(i + 1, 1_700_000_000_000L + i, "INFO", "e" + i, word(r, false), word(r, false), md, corr, 2,
          prev, null);
      byte[] body = Canonical.body(row.level(), row.event(), row.actor(), row.message(), corr, md);
      assertArrayEquals(
          mac.doFinal(Canonical.encode(row, LOG_ID)),
          Canonical.mac(mac, LOG_ID, row.seq(), row.timestampMillis(), 2, body, prev));
    }
  }
}
