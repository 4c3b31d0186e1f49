package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.VerificationResult.Problem;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 5: verify, search and export open the database read-only and change nothing — no file, no mode, no
 * journal, no rotation entry — on a live log, a cleanly closed evidence copy, or a crashed one.
 */
class ReadOnlyReaderTest {
  @TempDir Path dir;

  /** Name → mode, size and SHA-256 of every file in {@code d}. */
  private static Map<String, String> snapshot(Path d) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(d)) {
      for (Path p : files.toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        out.put(p.getFileName().toString(), mode + " " + Files.size(p) + " " + sha + " "
            + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return out;
  }

  private static void readEverything(AuditReader r) throws Exception {
    assertTrue(r.verify().valid());
    assertFalse(r.search("m1", 10).isEmpty());
    assertTrue(r.exportJsonl(new StringWriter()) > 0);
    assertTrue(r.head().isPresent());
    assertTrue(r.logId().isPresent());
  }

  @Test
  void evidenceCopy_closedCleanly_isLeftByteForByteAndModeForModeAsItWas() throws Exception {
    Path evidence = dir.resolve("evidence");
    Files.createDirectories(evidence);
    try (AuditStore s = TestSupport.open(evidence.resolve("audit.db"))) {
      for (int i = 0; i < 5; i++) {
        s.append(AuditEvent.builder("e").message("m" + i).build());
      }
    }
    Files.setPosixFilePermissions(evidence.resolve("audit.db"), PosixFilePermissions.fromString("rw-r--r--"));
    Map<String, String> before = snapshot(evidence);
    assertEquals(1, before.size(), before.toString());
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(evidence.resolve("audit.db")).build())) {
      readEverything(r);
      assertEquals(before, snapshot(evidence), "no -wal/-shm created while reading");
    }
    assertEquals(before, snapshot(evidence), "no file created, no mode changed, no byte written");
  }

  @Test
  void liveLog_heldOpenByAWriter_isReadWithItsNewestCommits_andNothingIsAdded() throws Exception {
    Path db = dir.resolve("live/audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      s.append(AuditEvent.builder("e").message("m1").build());
      Map<String, String> files = snapshot(db.getParent());
      try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(db).build())) {
        s.append(AuditEvent.builder("e").message("m2").build());
        assertEquals(2, r.head().orElseThrow().seq(), "sees the writer's newest commit");
        readEverything(r);
        assertEquals(files.keySet(), snapshot(db.getParent()).keySet());
      }
    }
  }

  @Test
  void crashCopy_withAJournalButNoIndex_isReadFromAPrivateCopy() throws Exception {
    Path live = dir.resolve("live/audit.db");
    Path evidence = dir.resolve("crash");
    Files.createDirectories(evidence);
    try (AuditStore s = TestSupport.open(live)) {
      s.append(AuditEvent.builder("e").message("m1").build());
      s.append(AuditEvent.builder("e").message("m2").build());
      // copy the database and its journal while the writer is alive, as a crash would leave them (no -shm)
      Files.copy(live, evidence.resolve("audit.db"), StandardCopyOption.COPY_ATTRIBUTES);
      Files.copy(live.resolveSibling("audit.db-wal"), evidence.resolve("audit.db-wal"),
          StandardCopyOption.COPY_ATTRIBUTES);
    }
    Map<String, String> before = snapshot(evidence);
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(evidence.resolve("audit.db")).build())) {
      assertEquals(2, r.head().orElseThrow().seq(), "the committed entries in the journal are read");
      readEverything(r);
      assertEquals(before, snapshot(evidence));
    }
  }

  @Test
  void verifyWithAnotherEpochsKey_appendsNothing_andTheLogStillVerifiesWithTheRightKeys() throws Exception {
    Path db = dir.resolve("rotated/audit.db");
    AuditKeyring both = AuditKeyring.builder().add(1, TestSupport.key(1)).add(2, TestSupport.key(2)).active(2).build();
    try (AuditStore s = SqliteAuditStore.open(AuditStoreOptions.builder(db).keyring(both).build())) {
      s.append(AuditEvent.builder("e").message("m1").build());
    }
    Map<String, String> before = snapshot(db.getParent());
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(db).build())) { // key 1 only
      VerificationResult v = r.verify();
      assertEquals(Problem.UNKNOWN_KEY, v.problem().orElseThrow(), v.summary());
    }
    assertEquals(before, snapshot(db.getParent()), "no audit.key_rotated entry (or anything else) written");
    AuditKeyring again = AuditKeyring.builder().add(1, TestSupport.key(1)).add(2, TestSupport.key(2)).active(2).build();
    try (AuditReader r = SqliteAuditStore.openReadOnly(AuditStoreOptions.builder(db).keyring(again).build())) {
      assertTrue(r.verify().valid());
      assertEquals(1, r.head().orElseThrow().seq());
    }
  }

  @Test
  void missingDatabase_isNotFound_andNothingIsCreated() {
    Path db = dir.resolve("nowhere/audit.db");
    AuditException e =
        assertThrows(AuditException.class, () -> SqliteAuditStore.openReadOnly(TestSupport.options(db).build()));
    assertEquals(Reason.NOT_FOUND, e.reason());
    assertFalse(Files.exists(db.getParent()));
  }

  @Test
  void closedReader_refusesReads() throws Exception {
    Path db = dir.resolve("c/audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      s.append(AuditEvent.builder("e").build());
    }
    AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(db).build());
    r.close();
    r.close();
    assertEquals(Reason.CLOSED, assertThrows(AuditException.class, r::head).reason());
    assertTrue(r.toString().contains("closed"));
  }
}
