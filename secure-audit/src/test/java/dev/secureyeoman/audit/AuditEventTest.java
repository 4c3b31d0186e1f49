package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditEventTest {

  @Test
  void builder_buildsDefaults() {
    AuditEvent e = AuditEvent.builder("auth.login.success").actor("alice").put("ip", "127.0.0.1").build();
    assertEquals(AuditLevel.INFO, e.level());
    assertEquals("alice", e.actor());
    assertEquals(Map.of("ip", "127.0.0.1"), e.metadata());
    assertEquals(Optional.empty(), e.correlationId());
  }

  @Test
  void metadata_isDeepCopiedAndUnmodifiable() {
    Map<String, Object> inner = new HashMap<>();
    inner.put("n", 1);
    List<Object> list = new ArrayList<>(List.of("a"));
    Map<String, Object> meta = new HashMap<>();
    meta.put("inner", inner);
    meta.put("list", list);
    AuditEvent e = new AuditEvent(AuditLevel.WARN, "x", "a", "m", meta, Optional.of("req-1"));
    inner.put("n", 2);
    list.add("b");
    assertEquals(1L, ((Map<?, ?>) e.metadata().get("inner")).get("n"), "ints normalised to long, copy isolated");
    assertEquals(List.of("a"), e.metadata().get("list"));
    assertThrows(UnsupportedOperationException.class, () -> e.metadata().put("y", 1));
  }

  @Test
  void invalidFields_rejectedWithReason() {
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.builder("Bad Event").build());
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.builder("").build());
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.builder("e").actor("x".repeat(257)).build());
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.builder("e").message("x".repeat(4097)).build());
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.builder("e").put("o", new Object()).build());
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.builder("e").put("d", Double.NaN).build());
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.builder("e").correlationId("").build());
  }

  @Test
  void metadata_depthBounded() {
    Map<String, Object> deep = new HashMap<>();
    Map<String, Object> cur = deep;
    for (int i = 0; i < AuditEvent.MAX_METADATA_DEPTH + 1; i++) {
      Map<String, Object> next = new HashMap<>();
      cur.put("k", next);
      cur = next;
    }
    assertThrows(IllegalArgumentException.class,
        () -> new AuditEvent(AuditLevel.INFO, "e", "a", "m", deep, Optional.empty()));
  }
}
