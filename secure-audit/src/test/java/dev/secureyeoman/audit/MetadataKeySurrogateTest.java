package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metadata keys are sorted as UTF-16 for the MAC but stored as UTF-8, where an unpaired surrogate becomes {@code ?}: a key
 * like that would make the verifier encode other bytes than the writer did, so the entry would read as altered.
 */
class MetadataKeySurrogateTest {
  @TempDir Path dir;

  @Test
  void unpairedSurrogateInAKey_atAnyDepth_refused_pairedOnesVerify() throws Exception {
    for (String bad : List.of("\uD800", "a\uDC00", "x\uD83D", "\uDE00y")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> AuditEvent.builder("x.y").put(bad, "v").build());
      assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
      Map<String, Object> nested = Map.of("outer", Map.of(bad, 1));
      assertThrows(IllegalArgumentException.class, () -> AuditEvent.builder("x.y").put("m", nested).build());
    }
    try (AuditStore s = TestSupport.open(dir.resolve("audit.db"))) {
      Map<String, Object> md = new LinkedHashMap<>();
      md.put("\uD83D\uDE00 smile", "ok"); // a well-formed pair sorts the same as UTF-16 and UTF-8
      md.put("z", "\uD800 lone surrogate in a value is stored and MACed as the same '?'");
      md.put("a", 1);
      s.append(AuditEvent.builder("x.y").put("m", md).build());
      VerificationResult v = s.verify();
      assertTrue(v.valid(), v.summary());
      assertEquals(1, s.head().orElseThrow().seq());
    }
  }
}
