package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRotationTest {
  @TempDir Path dir;

  private static AuditKeyring ring(int active, int... ids) {
    AuditKeyring.Builder b = AuditKeyring.builder();
    for (int id : ids) {
      b.add(id, TestSupport.key(id));
    }
    return b.active(active).build();
  }

  private AuditStore open(Path db, AuditKeyring ring) throws AuditException {
    return SqliteAuditStore.open(AuditStoreOptions.builder(db).keyring(ring).build());
  }

  @Test
  void rotation_keepsOldEntriesVerifiable_acrossRestarts() throws Exception {
    Path db = dir.resolve("rot.db");
    try (AuditStore s = open(db, ring(1, 1))) {
      s.append(AuditEvent.builder("before").build());
    }
    try (AuditStore s = open(db, ring(2, 1, 2))) {
      AuditEntry rotated = s.head().orElseThrow();
      assertEquals("audit.key_rotated", rotated.event(), "rotation itself is recorded in the chain");
      assertEquals(2, rotated.keyId());
      s.append(AuditEvent.builder("after").build());
    }
    try (AuditStore s = open(db, ring(2, 1, 2))) {
      List<AuditEntry> all = s.query(AuditQuery.builder().build());
      assertEquals(List.of(1, 2, 2), all.stream().map(AuditEntry::keyId).toList());
      VerificationResult v = s.verify();
      assertTrue(v.valid(), v.summary());
    }
    try (AuditStore s = open(db, ring(2, 2))) {
      VerificationResult v = s.verify();
      assertFalse(v.valid(), "old epoch missing: cannot vouch for it");
      assertEquals(Problem.UNKNOWN_KEY, v.problem().orElseThrow());
      assertEquals(1, v.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void entrySignedWithRightKeyButRelabelledEpoch_isDetected() throws Exception {
    Path db = dir.resolve("relabel.db");
    try (AuditStore s = open(db, ring(2, 1, 2))) {
      s.append(AuditEvent.builder("x").build());
    }
    TestSupport.exec(db, "UPDATE audit_log SET key_id = 1");
    try (AuditStore s = open(db, ring(2, 1, 2))) {
      assertEquals(Problem.ENTRY_ALTERED, s.verify().problem().orElseThrow());
    }
  }

  @Test
  void entryRelabelledToKeyIdIntMin_isReportedAsUnknownKey_notANullPointerException() throws Exception {
    // found by NullAway: the verifier's fast path cached "no MAC yet" as key id Integer.MIN_VALUE, so a first row
    // relabelled to that id reused the null cached Mac and verify() threw NullPointerException instead of a result
    Path db = dir.resolve("intmin.db");
    try (AuditStore s = open(db, ring(1, 1))) {
      s.append(AuditEvent.builder("x").build());
      s.append(AuditEvent.builder("y").build());
      assertTrue(s.verify().valid(), "the untouched log verifies");
    }
    TestSupport.exec(db, "UPDATE audit_log SET key_id = " + Integer.MIN_VALUE + " WHERE seq = 1");
    try (AuditStore s = open(db, ring(1, 1))) {
      VerificationResult v = s.verify();
      assertFalse(v.valid());
      assertEquals(Problem.UNKNOWN_KEY, v.problem().orElseThrow(), v.summary());
      assertEquals(1, v.firstBrokenSeq().orElseThrow());
      AuditException e = assertThrows(AuditException.class, () -> s.append(AuditEvent.builder("z").build()));
      assertEquals(AuditException.Reason.TAMPERED, e.reason(), "the failed verification fails the log closed");
    }
  }

  @Test
  void keyring_validates_andHidesKeys() {
    assertThrows(IllegalStateException.class, () -> AuditKeyring.builder().build());
    assertThrows(IllegalArgumentException.class, () -> AuditKeyring.builder().add(0, TestSupport.key(1)));
    assertThrows(IllegalArgumentException.class, () -> AuditKeyring.builder().add(1, null));
    assertThrows(IllegalStateException.class,
        () -> AuditKeyring.builder().add(1, TestSupport.key(1)).add(1, TestSupport.key(2)));
    assertThrows(IllegalStateException.class, () -> AuditKeyring.builder().add(1, TestSupport.key(1)).active(3).build());
    assertThrows(IllegalStateException.class, () -> AuditKeyring.builder().active(1).active(1));
    AuditKeyring r = AuditKeyring.builder().add(1, TestSupport.key(1)).add(5, TestSupport.key(5)).build();
    assertEquals(5, r.activeKeyId(), "defaults to the newest epoch");
    assertEquals(java.util.Set.of(1, 5), r.keyIds());
    assertFalse(r.toString().matches(".*[0-9a-f]{16}.*"));
    r.close();
  }
}
