package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.VerificationResult.Problem;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Typed reasons on {@link AuditException}, and a wrong key told apart from tampering (issue 20). */
class AuditErrorsTest {
  @TempDir Path dir;

  private AuditStore open(Path db, int keySeed) throws AuditException {
    KeyPair keys = CheckpointKeys.deriveFromAuditKey(TestSupport.key(keySeed));
    return SqliteAuditStore.open(
        AuditStoreOptions.builder(db).macKey(TestSupport.key(keySeed))
            .checkpoints(CheckpointSinks.appendOnlyFile(dir.resolve("cp/audit.cp")), keys).build());
  }

  @Test
  void wrongKey_failsFirstEntryAndCheckpoints_andTheMessageSaysWrongKeyOrTampered() throws Exception {
    Path db = dir.resolve("db/audit.db");
    try (AuditStore s = open(db, 1)) {
      for (int i = 0; i < 4; i++) {
        s.append(AuditEvent.builder("e").build());
      }
      s.checkpoint();
    }
    try (AuditReader r = SqliteAuditStore.openReadOnly(
        AuditStoreOptions.builder(db).macKey(TestSupport.key(2))
            .checkpoints(CheckpointSinks.appendOnlyFile(dir.resolve("cp/audit.cp")),
                CheckpointKeys.deriveFromAuditKey(TestSupport.key(2))).build())) {
      VerificationResult v = r.verify();
      assertEquals(Problem.ENTRY_ALTERED, v.problem().orElseThrow(), v.summary());
      assertEquals(1, v.firstBrokenSeq().orElseThrow());
      assertTrue(v.detail().startsWith("wrong key or tampered from seq 1"), v.detail());
      VerificationResult chainOnly = r.verify(VerifyOptions.defaults().withoutCheckpoints());
      assertTrue(chainOnly.detail().startsWith("wrong key or tampered from seq 1"), chainOnly.detail());
    }
  }

  @Test
  void tamperingWithTheRightKey_isNotCalledAWrongKey() throws Exception {
    Path db = dir.resolve("db/audit.db");
    try (AuditStore s = open(db, 1)) {
      for (int i = 0; i < 4; i++) {
        s.append(AuditEvent.builder("e").message("m" + i).build());
      }
      s.checkpoint();
    }
    TestSupport.exec(db, "UPDATE audit_log SET message = 'x' WHERE seq = 1");
    try (AuditStore s = open(db, 1)) {
      VerificationResult v = s.verify();
      assertEquals(Problem.ENTRY_ALTERED, v.problem().orElseThrow());
      assertEquals("MAC mismatch: entry edited or signed with another key", v.detail());
    }
  }

  @Test
  void reasons_areTyped() throws Exception {
    assertEquals(Reason.STORAGE, new AuditException("x").reason());
    assertEquals(Reason.STORAGE, new AuditException("x", new RuntimeException()).reason());
    assertEquals(Reason.NOT_FOUND, new AuditException(Reason.NOT_FOUND, "x").reason());
    assertTrue(new AuditException("x").verification().isEmpty());
    VerificationResult failed =
        new VerificationResult(false, 1, 1, 1, 0, OptionalLong.of(1), Optional.of(Problem.ENTRY_ALTERED), "d");
    AuditException refused = AuditException.verificationFailed("refusing", failed);
    assertEquals(Reason.VERIFICATION_FAILED, refused.reason());
    assertSame(failed, refused.verification().orElseThrow());
    assertTrue(refused.getMessage().startsWith("refusing: the audit log fails verification: FAILED at seq 1"));
    AuditException copy = AuditException.rethrown(refused);
    assertEquals(Reason.VERIFICATION_FAILED, copy.reason());
    assertSame(refused, copy.getCause());
    VerificationResult ok =
        new VerificationResult(true, 1, 1, 1, 0, OptionalLong.empty(), Optional.empty(), "ok");
    assertThrows(IllegalArgumentException.class, () -> AuditException.verificationFailed("x", ok));
    AuditStore s = TestSupport.open(dir.resolve("closed.db"));
    s.close();
    assertEquals(Reason.CLOSED, assertThrows(AuditException.class, s::head).reason());
    assertEquals(Reason.CLOSED,
        assertThrows(AuditException.class, () -> s.append(AuditEvent.builder("e").build())).reason());
    TestSupport.exec(dir.resolve("closed.db"), "PRAGMA user_version = 99");
    AuditException newer = assertThrows(AuditException.class, () -> TestSupport.open(dir.resolve("closed.db")));
    assertEquals(Reason.UNSUPPORTED_SCHEMA, newer.reason());
    assertFalse(newer.getMessage().isBlank());
  }
}
