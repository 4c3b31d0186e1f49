package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointTest {
  @TempDir Path dir;

  private final KeyPair keys = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));

  private Path db() {
    return new TestSupport.Checkpointed(dir).db;
  }

  private Path cpFile() {
    return new TestSupport.Checkpointed(dir).cpFile;
  }

  private AuditStore open() throws AuditException {
    return new TestSupport.Checkpointed(dir).open();
  }

  private static void appendN(AuditStore s, int n) throws AuditException {
    TestSupport.appendN(s, n, "m");
  }

  @Test
  void checkpoint_isSignedAppendedAndVerified() throws Exception {
    try (AuditStore s = open()) {
      appendN(s, 5);
      Checkpoint cp = s.checkpoint();
      assertEquals(5, cp.seq());
      assertEquals(s.head().orElseThrow().hash(), cp.headHash());
      assertTrue(cp.verifySignature(keys.getPublic()));
      appendN(s, 3);
      s.checkpoint();
      VerificationResult v = s.verify();
      assertTrue(v.valid(), v.summary());
      assertEquals(3, v.checkpointsChecked(), "the log's first checkpoint (seq 0) was signed when it was created");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cpFile())));
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cpFile().getParent())));
      List<Checkpoint> all = CheckpointSinks.appendOnlyFile(cpFile()).readAll();
      assertEquals(List.of(0L, 5L, 8L), all.stream().map(Checkpoint::seq).toList());
      assertEquals(s.logId(), all.get(1).logId(), "every checkpoint names the log");
    }
  }

  @ParameterizedTest(name = "delete newest {0}")
  @ValueSource(ints = {1, 2, 7})
  void deletingNewestEntries_isDetectedOnlyWithACheckpoint(int n) throws Exception {
    try (AuditStore s = open()) {
      appendN(s, 10);
      s.checkpoint();
    }
    TestSupport.exec(db(), "DELETE FROM audit_log WHERE seq > " + (10 - n));
    try (AuditStore s = open()) {
      assertTrue(s.verify(VerifyOptions.defaults().withoutCheckpoints()).valid(), "a chain alone cannot see this");
      VerificationResult v = s.verify();
      assertFalse(v.valid());
      assertEquals(Problem.TRUNCATED, v.problem().orElseThrow());
      assertEquals(10 - n + 1, v.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void restoringAnOlderDatabaseCopy_isDetected_evenAfterNewAppends() throws Exception {
    Path old = dir.resolve("old-copy.db");
    try (AuditStore s = open()) {
      appendN(s, 4);
    }
    Files.copy(db(), old);
    try (AuditStore s = open()) {
      appendN(s, 4);
      s.checkpoint();
    }
    Files.copy(old, db(), StandardCopyOption.REPLACE_EXISTING);
    try (AuditStore s = open()) {
      VerificationResult v = s.verify();
      assertEquals(Problem.TRUNCATED, v.problem().orElseThrow(), v.summary());
      // the failed verification made the store read-only; the host resumes explicitly (issue 17)
      s.acknowledgeTampering("test: the rolled-back copy keeps recording");
      appendN(s, 10); // the rolled-back log grows past the checkpoint again, but forks from it
      VerificationResult v2 = s.verify();
      assertEquals(Problem.CHECKPOINT_MISMATCH, v2.problem().orElseThrow(), v2.summary());
      assertEquals(8, v2.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void forgedCheckpoint_isRejected() throws Exception {
    KeyPair attacker = CheckpointKeys.generate(new SecureRandom());
    try (AuditStore s = open()) {
      appendN(s, 3);
      Checkpoint forged = Checkpoint.sign("secureyeoman-audit", 1, s.head().orElseThrow().hash(), Instant.now(), attacker);
      VerificationResult v = s.verify(VerifyOptions.defaults().withCheckpoints(List.of(forged), keys.getPublic()));
      assertEquals(Problem.CHECKPOINT_SIGNATURE_INVALID, v.problem().orElseThrow());
      Checkpoint good = s.checkpoint();
      Checkpoint edited = new Checkpoint(good.origin(), good.seq() - 1, good.headHash(), good.time(), good.signature());
      assertFalse(edited.verifySignature(keys.getPublic()));
      assertTrue(s.verify(VerifyOptions.defaults().withCheckpoints(List.of(good), keys.getPublic())).valid());
    }
  }

  @Test
  void checkpointOfPurgedEntry_stillVerifies() throws Exception {
    try (AuditStore s = open()) {
      appendN(s, 10);
      s.checkpoint();
      appendN(s, 10);
      s.enforceRetention(RetentionPolicy.maxEntries(5));
      VerificationResult v = s.verify();
      assertTrue(v.valid(), v.summary());
      assertEquals(2, v.checkpointsChecked());
    }
  }

  @Test
  void checkpointText_roundTrips_andRejectsMalformed() {
    Checkpoint cp = Checkpoint.sign("log-a", 42, "ab".repeat(32), Instant.parse("2026-01-01T00:00:00.123Z"), keys);
    String text = cp.toText();
    assertTrue(text.startsWith("log-a\n42\n"), text);
    assertTrue(text.contains("\n\n\u2014 log-a "), text);
    assertEquals(cp, Checkpoint.parse(text));
    assertTrue(Checkpoint.parse(text).verifySignature(keys.getPublic()));
    assertThrows(IllegalArgumentException.class, () -> Checkpoint.parse("garbage"));
    assertThrows(IllegalArgumentException.class, () -> Checkpoint.parse(text.replace("\n42\n", "\nxx\n")));
    assertThrows(IllegalArgumentException.class, () -> Checkpoint.parse(text.replace("\u2014 log-a", "\u2014 other")));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("a b", 1, "00".repeat(32), Instant.EPOCH, ""));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("a", -1, "00".repeat(32), Instant.EPOCH, ""));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("a", 1, "00", Instant.EPOCH, ""));
    assertFalse(new Checkpoint("a", 1, "00".repeat(32), Instant.EPOCH, "!!").verifySignature(keys.getPublic()));
  }

  @Test
  void keys_deriveDeterministically_andEncode() {
    KeyPair again = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));
    assertEquals(
        CheckpointKeys.encodePublicKey(keys.getPublic()), CheckpointKeys.encodePublicKey(again.getPublic()));
    String b64 = CheckpointKeys.encodePublicKey(keys.getPublic());
    assertEquals(keys.getPublic(), CheckpointKeys.decodePublicKey(b64));
    Checkpoint cp = Checkpoint.sign("x", 0, "00".repeat(32), Instant.EPOCH, again);
    assertTrue(cp.verifySignature(CheckpointKeys.decodePublicKey(b64)));
    assertFalse(
        cp.verifySignature(CheckpointKeys.deriveFromAuditKey(TestSupport.key(2)).getPublic()), "other key rejected");
    assertThrows(IllegalArgumentException.class, () -> CheckpointKeys.decodePublicKey("AAAA"));
    assertThrows(IllegalArgumentException.class, () -> CheckpointKeys.fromSeed(TestSupport.key(1).length() == 32
        ? dev.secureyeoman.core.SecretBytes.copyOf(new byte[31]) : null));
    assertThrows(
        IllegalArgumentException.class,
        () -> CheckpointKeys.deriveFromAuditKey(dev.secureyeoman.core.SecretBytes.copyOf(new byte[8])));
  }

  @Test
  void checkpointFileInsideDbDirectory_isRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TestSupport.options(db())
                    .checkpoints(CheckpointSinks.appendOnlyFile(db().resolveSibling("cp.txt")), keys)
                    .build());
    assertTrue(e.getMessage().contains("outside"), e.getMessage());
  }

  @Test
  void checkpointWithoutSink_isMisuse() throws Exception {
    try (AuditStore s = TestSupport.open(dir.resolve("plain.db"))) {
      assertThrows(IllegalStateException.class, s::checkpoint);
      Checkpoint cp = Checkpoint.sign("x", 0, "00".repeat(32), Instant.EPOCH, keys);
      assertThrows(IllegalArgumentException.class,
          () -> s.verify(new VerifyOptions(VerificationProgress.NONE, List.of(cp), java.util.Optional.empty(), false)));
    }
  }

  @Test
  void emptyLogCheckpoint_thenWipedLog() throws Exception {
    try (AuditStore s = open()) {
      assertEquals(0, s.checkpoint().seq());
      appendN(s, 2);
      s.checkpoint();
    }
    TestSupport.exec(db(), "DELETE FROM audit_log");
    try (AuditStore s = open()) {
      VerificationResult v = s.verify();
      assertEquals(Problem.TRUNCATED, v.problem().orElseThrow());
      assertEquals(1, v.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void malformedCheckpointFile_isReported() throws Exception {
    Files.createDirectories(cpFile().getParent());
    Files.writeString(cpFile(), "not a checkpoint\n\u2014 secureyeoman-audit AAAA\n");
    try (AuditStore s = open()) {
      AuditException e = assertThrows(AuditException.class, s::verify);
      assertEquals(AuditException.Reason.CHECKPOINT_FILE_MALFORMED, e.reason());
    }
  }
}
