package dev.secureyeoman.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.TestkitException;
import dev.secureyeoman.testkit.TestkitException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirsTest {
  @Test
  void create_newDirectory_privateWithOwnerFileAndNotStale(@TempDir Path base) throws Exception {
    Path dir = WorkDirs.create(base, "x");
    assertTrue(dir.getFileName().toString().startsWith("secure-testkit-x-"));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    assertFalse(WorkDirs.isStale(dir));
    assertEquals(List.of(), WorkDirs.sweepStale(base));
    assertTrue(Files.isDirectory(dir));
  }

  @Test
  void isStale_deadOwnerOrReusedPid_true_noOwnerFile_false(@TempDir Path base) throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path dead = owned(base, "dead", gone.pid(), "");
    Path reused = owned(base, "reused", ProcessHandle.current().pid(), "1970-01-01T00:00:00Z");
    Path garbage = owned(base, "garbage", -1, "");
    Files.writeString(garbage.resolve("owner"), "pid=notanumber\n", StandardCharsets.UTF_8);
    Path foreign = Files.createDirectory(base.resolve(WorkDirs.PREFIX + "foreign"));
    Files.writeString(dead.resolve("server.pid"), "1", StandardCharsets.US_ASCII); // pid 1 does not run in it

    List<Path> swept = WorkDirs.sweepStale(base);

    assertEquals(2, swept.size(), swept.toString());
    assertTrue(swept.containsAll(List.of(dead, reused)));
    assertTrue(Files.isDirectory(foreign), "no owner file: not ours to delete");
    assertTrue(Files.isDirectory(garbage), "unreadable owner: left alone");
    assertTrue(ProcessHandle.of(1).isPresent(), "pid 1 untouched");
  }

  private static Path owned(Path base, String name, long pid, String start) throws Exception {
    Path dir = Files.createDirectory(base.resolve(WorkDirs.PREFIX + name));
    Files.writeString(dir.resolve("owner"), "pid=" + pid + "\nstart=" + start + "\n", StandardCharsets.UTF_8);
    return dir;
  }

  @Test
  void defaultBase_propertySet_usesIt(@TempDir Path base) {
    String before = System.getProperty(WorkDirs.BASE_PROPERTY);
    System.setProperty(WorkDirs.BASE_PROPERTY, base.toString());
    try {
      assertEquals(base, WorkDirs.defaultBase());
    } finally {
      if (before == null) {
        System.clearProperty(WorkDirs.BASE_PROPERTY);
      } else {
        System.setProperty(WorkDirs.BASE_PROPERTY, before);
      }
    }
    assertTrue(Files.isDirectory(WorkDirs.defaultBase()));
  }

  @Test
  void checkTraversable_privateAncestor_failsNamingIt(@TempDir Path base) throws Exception {
    Path closed = Files.createDirectory(base.resolve("closed"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path inside = Files.createDirectory(closed.resolve("inside"));
    RunAs nobody = new RunAs("nobody", 65534, 65534);
    TestkitException e = assertThrows(TestkitException.class, () -> WorkDirs.checkTraversable(inside, nobody));
    assertEquals(Reason.START_FAILED, e.reason());
    assertTrue(e.getMessage().contains(closed.toString()), e.getMessage());
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx--x--x"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
    WorkDirs.checkTraversable(inside, nobody);
  }

  @Test
  void deleteTree_missingDirectory_fine(@TempDir Path base) {
    WorkDirs.deleteTree(base.resolve("never"));
    assertFalse(Files.exists(base.resolve("never")));
  }
}
