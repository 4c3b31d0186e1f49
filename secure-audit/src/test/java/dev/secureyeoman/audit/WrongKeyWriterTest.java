package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer opened with the wrong audit key must not append on top of the log: entries MACed under that key would make
 * the log fail verification from there on, for good (found by the red team through {@code audit append} with another
 * key). Nor may it lock the log for the right key (no persisted read-only state).
 */
class WrongKeyWriterTest {
  @TempDir Path dir;

  private Path db() {
    return dir.resolve("db/audit.db");
  }

  @Test
  void wrongKey_appendPurgeCheckpointAndAcknowledge_refused_logStillVerifiesWithTheRightKey() throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      TestSupport.appendN(s, 3, "m");
    }
    try (AuditStore wrong = SqliteAuditStore.open(AuditStoreOptions.builder(db()).macKey(TestSupport.key(2)).build())) {
      AuditException e = assertThrows(AuditException.class, () -> wrong.append(AuditEvent.builder("x.y").build()));
      assertEquals(AuditException.Reason.KEY_MISMATCH, e.reason());
      assertTrue(e.getMessage().contains("seq 3"), e.getMessage());
      assertEquals(
          AuditException.Reason.KEY_MISMATCH,
          assertThrows(AuditException.class, () -> wrong.enforceRetention(RetentionPolicy.maxEntries(2))).reason());
      assertEquals(
          AuditException.Reason.KEY_MISMATCH,
          assertThrows(AuditException.class, () -> wrong.acknowledgeTampering("not mine")).reason());
    }
    try (AuditStore right = TestSupport.open(db())) {
      assertEquals(3, right.head().orElseThrow().seq(), "nothing was appended or purged under the wrong key");
      assertTrue(right.verify().valid());
      assertFalse(right.tamperingDetected().isPresent(), "the wrong key left no read-only state behind");
      assertEquals(4, right.append(AuditEvent.builder("x.y").build()).seq());
      assertTrue(right.verify().valid());
    }
  }
}
