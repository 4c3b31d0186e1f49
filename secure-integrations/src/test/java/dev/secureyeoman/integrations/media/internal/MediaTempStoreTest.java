package dev.secureyeoman.integrations.media.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaTempStoreTest {
  @TempDir Path tmp;

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Process child(String mode, Path root) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java, "-cp", System.getProperty("java.class.path"), TempStoreChild.class.getName(), mode, root.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static String firstLine(Process p) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    if (line == null) {
      throw new AssertionError("child printed nothing");
    }
    return line;
  }

  @Test
  void open_createsPrivateRootAndRunAndCloseRemovesEverything() throws Exception {
    Path root = tmp.resolve("a/b/media");
    MediaTempStore store = MediaTempStore.open(root, new SecureRandom());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.runDirectory())));
    MediaTempStore.NewFile f = store.create();
    f.channel().close();
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path())));
    assertTrue(store.owns(f.path()));
    assertFalse(store.owns(root.resolve("m-00000000000000000000000000000000")));
    store.close();
    assertEquals(List.of(), names(root));
  }

  @Test
  void open_looseRootTightenedSymlinkAndForeignRootRefused() throws Exception {
    Path loose = Files.createDirectory(tmp.resolve("loose"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwxrwxrwx")));
    Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rwxrwxrwx"));
    MediaTempStore.open(loose, new SecureRandom()).close();
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(loose)));

    Path link = Files.createSymbolicLink(tmp.resolve("link"), loose);
    IOException e = assertThrows(IOException.class, () -> MediaTempStore.open(link, new SecureRandom()));
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());

    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertThrows(IOException.class, () -> MediaTempStore.open(file, new SecureRandom()));

    if ("root".equals(System.getProperty("user.name"))) {
      Path foreign = Files.createDirectory(tmp.resolve("foreign"));
      Files.setAttribute(foreign, "unix:uid", 65534);
      IOException f = assertThrows(IOException.class, () -> MediaTempStore.open(foreign, new SecureRandom()));
      assertTrue(f.getMessage().contains("another user"), f.getMessage());
      assertEquals(List.of(), names(foreign)); // nothing left behind by the refused open
    }
  }

  @Test
  void sweep_crashedProcess_leftoversDeletedLiveRunsKept() throws Exception {
    Path root = tmp.resolve("media");
    MediaTempStore mine = MediaTempStore.open(root, new SecureRandom());
    MediaTempStore.NewFile myFile = mine.create();
    myFile.channel().close();
    MediaTempStore other = MediaTempStore.open(root, new SecureRandom()); // a second handler in this JVM

    Process holder = child("hold", root);
    Path childFile = Path.of(firstLine(holder));
    try {
      assertTrue(Files.exists(childFile));
      // while the child lives, neither this JVM nor another process sweeps its run
      assertEquals(0, mine.sweep());
      Process sweeper = child("sweep", root);
      assertEquals("0", firstLine(sweeper));
      assertTrue(sweeper.waitFor(30, TimeUnit.SECONDS));
      assertTrue(Files.exists(childFile));
      assertTrue(Files.exists(myFile.path()), "another process's sweep must not touch this JVM's runs");
    } finally {
      holder.destroyForcibly(); // SIGKILL: no cleanup code runs, the kernel drops its lock
      assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
    }
    assertTrue(Files.exists(childFile));
    assertEquals(1, other.sweep());
    assertFalse(Files.exists(childFile));
    assertFalse(Files.exists(childFile.getParent()));
    assertTrue(Files.exists(myFile.path()));
    // the other process's sweep above and our own opens never dropped this JVM's locks:
    Process lateSweeper = child("sweep", root);
    assertEquals("0", firstLine(lateSweeper));
    assertTrue(lateSweeper.waitFor(30, TimeUnit.SECONDS));
    assertTrue(Files.exists(myFile.path()));
    other.close();
    mine.close();
    assertEquals(List.of(), names(root));
  }

  @Test
  void sweep_orphanRunDirectoryAndPendingLock_deleted() throws Exception {
    Path root = tmp.resolve("media");
    Files.createDirectories(root);
    Path orphan = Files.createDirectory(root.resolve("run-0123456789abcdef0123456789abcdef"));
    Files.writeString(orphan.resolve("m-0123456789abcdef0123456789abcdef"), "x");
    Files.writeString(root.resolve("pending-0123456789abcdef0123456789abcdef.lock"), "");
    Files.writeString(root.resolve("unrelated.txt"), "kept");
    MediaTempStore store = MediaTempStore.open(root, new SecureRandom());
    assertFalse(Files.exists(orphan));
    assertFalse(Files.exists(root.resolve("pending-0123456789abcdef0123456789abcdef.lock")));
    assertTrue(Files.exists(root.resolve("unrelated.txt")));
    store.close();
  }
  /**
   * Attack: the same root reached through a second spelling (a symbolic link in a parent directory). The second
   * store's sweeper opened the first store's lock file — and closing that descriptor dropped this JVM's POSIX lock, so
   * another process's sweeper then deleted a live run with its files in use.
   */
  @Test
  void sweep_sameRootThroughAnAliasPath_neverDropsThisJvmsLock() throws Exception {
    Path real = Files.createDirectory(tmp.resolve("real"));
    Path alias = Files.createSymbolicLink(tmp.resolve("alias"), real);
    MediaTempStore first = MediaTempStore.open(real.resolve("media"), new SecureRandom());
    MediaTempStore.NewFile inUse = first.create();
    inUse.channel().close();
    MediaTempStore second = MediaTempStore.open(alias.resolve("media"), new SecureRandom()); // sweeps at open
    assertEquals(0, second.sweep());

    Process sweeper = child("sweep", real.resolve("media"));
    assertEquals("0", firstLine(sweeper));
    assertTrue(sweeper.waitFor(30, TimeUnit.SECONDS));
    assertTrue(Files.exists(inUse.path()), "a live run was swept by another process");
    assertTrue(Files.isDirectory(second.runDirectory()));

    second.close();
    first.close();
    assertEquals(List.of(), names(real.resolve("media")));
  }
  /**
   * Attack (misconfiguration as a weapon): {@code directory(Path.of("/tmp"))}, or any shared sticky directory, as the
   * media root. The store "tightened" it to 0700 — as root that locks every other user and service out of /tmp — and its
   * sweeper worked among other users' files.
   */
  @Test
  void open_sharedStickyDirectory_refusedAndLeftUntouched() throws Exception {
    Path shared = Files.createDirectory(tmp.resolve("shared-tmp"));
    Process chmod = new ProcessBuilder("chmod", "1777", shared.toString()).inheritIO().start();
    assertEquals(0, chmod.waitFor());
    IOException e = assertThrows(IOException.class, () -> MediaTempStore.open(shared, new SecureRandom()));
    assertTrue(e.getMessage().contains("shared"), e.getMessage());
    assertEquals(01777, ((Integer) Files.getAttribute(shared, "unix:mode")) & 07777);
    assertEquals(List.of(), names(shared));
    // the legitimate path: a private directory below it works
    MediaTempStore.open(shared.resolve("secureyeoman-media"), new SecureRandom()).close();
  }
}
