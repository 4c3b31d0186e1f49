package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacker with write access to the database directory swaps the database's companion files for symlinks to a file of
 * the host user: opening the store must neither change that file's mode (the store used to chmod the symlink's target
 * to 0600 — as root, {@code /etc/passwd}) nor write to it.
 */
class SymlinkSwapTest {
  @TempDir Path dir;

  private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

  private Path victim() throws Exception {
    Path victim = Files.createDirectories(dir.resolve("elsewhere")).resolve("victim.txt");
    Files.writeString(victim, "precious data\n");
    Files.setPosixFilePermissions(victim, WORLD_READABLE);
    return victim;
  }

  @Test
  void open_walOrShmSwappedForASymlink_refusesAndLeavesTheTargetAlone() throws Exception {
    Path db = dir.resolve("db/audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      TestSupport.appendN(s, 3, "m");
    }
    Path victim = victim();
    for (String suffix : new String[] {"-wal", "-shm"}) {
      Path companion = db.resolveSibling("audit.db" + suffix);
      Files.deleteIfExists(companion);
      Files.createSymbolicLink(companion, victim);
      AuditException e = assertThrows(AuditException.class, () -> TestSupport.open(db));
      assertEquals(AuditException.Reason.STORAGE, e.reason());
      assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
      assertEquals(WORLD_READABLE, Files.getPosixFilePermissions(victim), "mode of the symlink's target changed");
      assertEquals("precious data\n", Files.readString(victim, StandardCharsets.UTF_8));
      Files.delete(companion);
      // a dangling link would make SQLite create a file wherever it points
      Path nowhere = dir.resolve("elsewhere/created-by-sqlite" + suffix);
      Files.createSymbolicLink(companion, nowhere);
      assertThrows(AuditException.class, () -> TestSupport.open(db));
      assertTrue(Files.notExists(nowhere, java.nio.file.LinkOption.NOFOLLOW_LINKS));
      Files.delete(companion);
    }
    // the legitimate path: without the planted links the store opens and the log verifies
    try (AuditStore s = TestSupport.open(db)) {
      assertTrue(s.verify().valid());
    }
  }

  @Test
  void open_databaseSwappedForASymlink_refusesWithoutChmoddingTheTarget() throws Exception {
    Path db = Files.createDirectories(dir.resolve("db")).resolve("audit.db");
    Path victim = victim();
    Files.createSymbolicLink(db, victim);
    AuditException e = assertThrows(AuditException.class, () -> TestSupport.open(db));
    assertEquals(AuditException.Reason.STORAGE, e.reason());
    assertEquals(WORLD_READABLE, Files.getPosixFilePermissions(victim), "mode of the symlink's target changed");
    assertEquals("precious data\n", Files.readString(victim, StandardCharsets.UTF_8));
  }

  @Test
  void checkpointAppend_fileIsASymlink_refusesWithoutChmoddingOrWritingTheTarget() throws Exception {
    Path victim = dir.resolve("elsewhere-empty.txt");
    Files.writeString(victim, "");
    Files.setPosixFilePermissions(victim, WORLD_READABLE);
    Path cp = Files.createDirectories(dir.resolve("checkpoints")).resolve("audit.cp");
    Files.createSymbolicLink(cp, victim);
    java.security.KeyPair keys = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));
    Checkpoint c = Checkpoint.sign("o", 0, "00".repeat(32), java.time.Instant.EPOCH, java.util.Optional.empty(), keys);
    AuditException e = assertThrows(AuditException.class, () -> CheckpointSinks.appendOnlyFile(cp).append(c));
    assertEquals(AuditException.Reason.STORAGE, e.reason());
    assertEquals(WORLD_READABLE, Files.getPosixFilePermissions(victim));
    assertEquals("", Files.readString(victim));
  }
}
