package dev.secureyeoman.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerOnlyFilesTest {
  @TempDir Path dir;

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  /** Runs {@link OwnerOnlyFilesChild} with {@code umask 000}, optionally under strace writing to {@code trace}. */
  private static void runChildWithUmask000(Path work, Path trace) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String child =
        "umask 000; exec '" + java + "' -cp '" + System.getProperty("java.class.path") + "' "
            + OwnerOnlyFilesChild.class.getName() + " '" + work + "'";
    List<String> cmd =
        trace == null
            ? List.of("/bin/sh", "-c", child)
            // -ff: one file per thread, so no call is split into "<unfinished ...>" and "<... resumed>" lines when
            // two threads interleave (CI saw the atomic temp file's open split that way and not counted)
            : List.of("strace", "-ff", "-qq", "-e", "trace=open,openat,mkdir,mkdirat,chmod,fchmod,fchmodat",
                "-o", trace.toString(), "/bin/sh", "-c", child);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
  }

  private static boolean straceWorks() {
    try {
      Process p = new ProcessBuilder("strace", "-qq", "-e", "trace=none", "/bin/true").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @Test
  void create_underUmask000InChildProcess_filesAre0600AndDirectories0700() throws Exception {
    runChildWithUmask000(dir, null);
    assertEquals("rw-------", mode(dir.resolve("created.key")));
    assertEquals("rw-------", mode(dir.resolve("absent.db")));
    assertEquals("rw-------", mode(dir.resolve("atomic.bin")));
    assertEquals("rwx------", mode(dir.resolve("outer")));
    assertEquals("rwx------", mode(dir.resolve("outer/inner")));
  }

  /**
   * The kernel's view: every file and directory the helper creates is created by {@code open(O_CREAT|O_EXCL, 0600)} or
   * {@code mkdir(0700)} — never with a wider mode narrowed later by {@code chmod}, which would leave a window in which
   * another user could open it (the umask is 000 here, so nothing else narrows the mode).
   */
  @Test
  void create_underUmask000_kernelSeesTheOwnerOnlyModeAtCreationAndNoChmod() throws Exception {
    assumeTrue(straceWorks(), "strace is not usable here");
    Path work = Files.createDirectory(dir.resolve("work"));
    Path trace = dir.resolve("trace.txt");
    runChildWithUmask000(work, trace);
    List<String> all = new java.util.ArrayList<>();
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("trace.txt.")).sorted().toList()) {
        all.addAll(Files.readAllLines(f));
      }
    }
    assertFalse(all.isEmpty(), "strace wrote its per-thread files");
    assertTrue(all.stream().noneMatch(l -> l.contains("unfinished") || l.contains("resumed")), "no split calls");
    // no chmod of any kind in the whole child run (fchmod takes a descriptor, so the path filter below would miss it)
    assertEquals(List.of(), all.stream().filter(l -> l.matches("^f?chmod(at)?\\(.*")).toList());
    List<String> calls = all.stream().filter(l -> l.contains(work.toString())).toList();
    Pattern open = Pattern.compile("open(at)?\\(.*\"([^\"]+)\", ([A-Z_|]+), (0[0-7]+)\\)");
    Pattern mkdir = Pattern.compile("mkdir(at)?\\(.*\"([^\"]+)\", (0[0-7]+)\\)");
    int filesCreated = 0;
    int dirsCreated = 0;
    for (String line : calls) {
      Matcher m = open.matcher(line);
      if (m.find() && m.group(3).contains("O_CREAT")) {
        assertTrue(m.group(3).contains("O_EXCL"), "created without O_EXCL: " + line);
        assertEquals("0600", m.group(4), line);
        filesCreated++;
      }
      Matcher d = mkdir.matcher(line);
      if (d.find()) {
        assertEquals("0700", d.group(3), line);
        dirsCreated += line.endsWith("= 0") ? 1 : 0; // a first attempt fails with ENOENT, then the parent is made
      }
    }
    assertEquals(3, filesCreated, "created.key, absent.db and the atomic temp file: " + calls);
    assertEquals(2, dirsCreated, "outer and inner, created once each: " + calls);
  }

  @Test
  void createFile_existingFile_refusedAndLeftUntouched() throws IOException {
    Path f = dir.resolve("existing");
    Files.writeString(f, "keep");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThrows(FileAlreadyExistsException.class, () -> OwnerOnlyFiles.createFile(f));
    assertEquals("keep", Files.readString(f));
    assertEquals("rw-r--r--", mode(f));
  }

  @Test
  void createFile_danglingSymlink_refusedAndTargetNotCreated() throws IOException {
    Path target = dir.resolve("elsewhere");
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    assertThrows(FileAlreadyExistsException.class, () -> OwnerOnlyFiles.createFile(link));
    assertFalse(Files.exists(target));
  }

  @Test
  void createFileIfAbsent_newThenExisting_createsOnceAndNarrowsAWiderMode() throws IOException {
    Path f = dir.resolve("store.db");
    assertTrue(OwnerOnlyFiles.createFileIfAbsent(f));
    assertEquals("rw-------", mode(f));
    Files.writeString(f, "data");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertFalse(OwnerOnlyFiles.createFileIfAbsent(f));
    assertEquals("rw-------", mode(f));
    assertEquals("data", Files.readString(f), "an existing file keeps its content");
  }

  @Test
  void createFileIfAbsent_symlink_refusedEvenWhenDangling() throws IOException {
    Path target = dir.resolve("victim");
    Files.writeString(target, "x");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    Path link = Files.createSymbolicLink(dir.resolve("planted"), target);
    assertThrows(IOException.class, () -> OwnerOnlyFiles.createFileIfAbsent(link));
    assertEquals("rw-r--r--", mode(target), "the link's target was not chmod-ed");
    Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
    assertThrows(IOException.class, () -> OwnerOnlyFiles.createFileIfAbsent(dangling));
    assertFalse(Files.exists(dir.resolve("nowhere")));
  }

  @Test
  void createDirectories_existingDirectory_leftWithItsMode() throws IOException {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertEquals(shared.resolve("own"), OwnerOnlyFiles.createDirectories(shared.resolve("own")));
    assertEquals("rwxr-xr-x", mode(shared));
    assertEquals("rwx------", mode(shared.resolve("own")));
    assertEquals(shared, OwnerOnlyFiles.createDirectories(shared));
  }

  @Test
  void createDirectories_pathThroughAFile_throws() throws IOException {
    Path file = Files.writeString(dir.resolve("plain"), "x");
    assertThrows(IOException.class, () -> OwnerOnlyFiles.createDirectories(file.resolve("sub")));
  }

  @Test
  void createTempFile_inDirectory_isEmptyAnd0600() throws IOException {
    Path tmp = OwnerOnlyFiles.createTempFile(dir, "pre-", ".tmp");
    assertEquals(dir, tmp.getParent());
    assertTrue(tmp.getFileName().toString().startsWith("pre-"));
    assertEquals(0, Files.size(tmp));
    assertEquals("rw-------", mode(tmp));
  }

  @Test
  void nullArguments_rejected() {
    assertThrows(IllegalArgumentException.class, () -> OwnerOnlyFiles.createFile(null));
    assertThrows(IllegalArgumentException.class, () -> OwnerOnlyFiles.createFileIfAbsent(null));
    assertThrows(IllegalArgumentException.class, () -> OwnerOnlyFiles.createDirectories(null));
    assertThrows(IllegalArgumentException.class, () -> OwnerOnlyFiles.createTempFile(null, "a", "b"));
  }
}
