package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (attack18c): a trigger planted in the database file that silently drops some rows at insert
 * ({@code RAISE(IGNORE)}). An {@code append} that returned must be stored: the caller must not get a seq and hash for
 * an entry that never reached the table (the log would go on verifying without it).
 */
class Attack18cSilentDropTest {
  @TempDir Path dir;

  @Test
  void triggerIgnoringMallorysRows_appendFails_nothingAcknowledgedLost() throws Exception {
    Path db = dir.resolve("audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      TestSupport.appendN(s, 3, "m");
    }
    TestSupport.exec(db,
        "CREATE TRIGGER hide_mallory BEFORE INSERT ON audit_log WHEN NEW.actor = 'mallory'"
            + " BEGIN SELECT RAISE(IGNORE); END");
    try (AuditStore s = TestSupport.open(db)) {
      AuditException e =
          assertThrows(AuditException.class, () -> s.append(
              AuditEvent.builder("backup.deleted").actor("mallory").message("deleted every backup").build()),
              "an append that returned must be stored");
      assertEquals(AuditException.Reason.STORAGE, e.reason());
      // other entries are stored as before
      AuditEntry ok = s.append(AuditEvent.builder("ok").actor("alice").build());
      assertEquals(ok.seq(), s.head().orElseThrow().seq());
      assertTrue(s.verify().valid());
    }
  }
}
