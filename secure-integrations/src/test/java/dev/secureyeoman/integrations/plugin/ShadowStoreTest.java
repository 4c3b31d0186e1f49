package dev.secureyeoman.integrations.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShadowStoreTest {
  @TempDir Path tmp;

  @Test
  void open_otherProcessAliveThenKilled_itsCopiesKeptThenSwept() throws Exception {
    Path root = tmp.resolve("shadow");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(List.of(java, "-cp", cp, ShadowStoreHolder.class.getName(), root.toString()))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String line = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
      assertNotNull(line, "the holder process did not start");
      Path childRun = Path.of(line);
      assertTrue(Files.isDirectory(childRun));

      try (ShadowStore mine = ShadowStore.open(root)) {
        assertTrue(Files.isDirectory(childRun), "a live process's shadow copies are never swept");
        child.destroyForcibly(); // a crash: no cleanup, the kernel releases the lock
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Files.isDirectory(childRun), "left behind by the crash");
        try (ShadowStore next = ShadowStore.open(root)) {
          assertFalse(Files.exists(childRun), "a dead process's copies are swept");
          assertTrue(Files.isDirectory(mine.runDirectory()), "a live store in this JVM is kept");
          assertTrue(Files.isDirectory(next.runDirectory()));
        }
      }
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  void open_rootWritableByOthersOrSymlink_refused() throws Exception {
    Path shared = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    PluginException e = assertThrows(PluginException.class, () -> ShadowStore.open(shared));
    assertEquals(Reason.IO_ERROR, e.reason());
    assertTrue(e.getMessage().contains("writable by group or others"), e.getMessage());
    Path foreign = Files.createDirectory(tmp.resolve("foreign"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    java.nio.file.attribute.UserPrincipal nobody = foreign.getFileSystem().getUserPrincipalLookupService()
        .lookupPrincipalByName("nobody");
    if (!Files.getOwner(foreign).equals(nobody)) {
      try {
        Files.setOwner(foreign, nobody);
      } catch (java.io.IOException notRoot) {
        // only root can hand a directory to another user; the check below then cannot be staged
      }
    }
    if (Files.getOwner(foreign).equals(nobody)) {
      assertTrue(assertThrows(PluginException.class, () -> ShadowStore.open(foreign)).getMessage()
          .contains("belongs to another user"));
      try (var s = Files.list(foreign)) {
        assertEquals(0, s.count(), "the probe run directory is removed again");
      }
    }
    Path target = Files.createDirectory(tmp.resolve("target"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
    assertTrue(assertThrows(PluginException.class, () -> ShadowStore.open(link)).getMessage()
        .contains("is not a directory (or is a symbolic link)"));
  }

  @Test
  void copy_oversizedFileStopsAtLimitAndLeavesNothing() throws Exception {
    Path big = Files.write(tmp.resolve("big.jar"), new byte[5000]);
    try (ShadowStore store = ShadowStore.open(tmp.resolve("s"))) {
      PluginException e = assertThrows(PluginException.class, () -> store.copy(big, "big.jar", 4096));
      assertEquals(Reason.TOO_LARGE, e.reason());
      try (var s = Files.list(store.runDirectory())) {
        assertEquals(List.of(".lock"), s.map(p -> p.getFileName().toString()).toList());
      }
      ShadowStore.ShadowCopy ok = store.copy(big, "big.jar", 5000);
      assertEquals(5000, ok.size());
      assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ok.jar())));
      assertThrows(IllegalArgumentException.class,
          () -> store.delete(new ShadowStore.ShadowCopy(big, tmp, "", 0, new byte[0])));
    }
  }

  private static Process holder(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", cp, ShadowStoreHolder.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static String firstLine(Process p) throws Exception {
    String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertNotNull(line, "the holder process did not start");
    return line;
  }

  @Test
  void open_secondStoreInSameJvm_doesNotDropTheFirstStoresLock() throws Exception {
    Path root = tmp.resolve("shadow");
    try (ShadowStore first = ShadowStore.open(root)) {
      Path copy = first.copy(Files.write(tmp.resolve("a.jar"), new byte[] {'P', 'K', 3, 4}), "a.jar", 1024).jar();
      // a second store in this JVM sweeps the root: it must not open (and, closing, release) the first one's lock
      try (ShadowStore second = ShadowStore.open(root)) {
        Process other = holder(root.toString()); // another host process sweeping the same root
        try {
          firstLine(other);
          assertTrue(Files.exists(copy), "a live store's shadow copy is never swept by another process");
          assertTrue(Files.isDirectory(first.runDirectory()));
        } finally {
          other.destroyForcibly();
          other.waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void pluginLoader_secondHostOnSameDirectory_refusedWhileTheFirstLives() throws Exception {
    Path root = tmp.resolve("shadow");
    Path plugins = Files.createDirectory(tmp.resolve("plugins"));
    Process first = holder(root.toString(), plugins.toString());
    try {
      assertEquals("loader", firstLine(first));
      PluginException e = assertThrows(PluginException.class,
          () -> PluginLoader.builder().directory(plugins).shadowDirectory(root).build());
      assertEquals(Reason.LOCKED, e.reason(), e.getMessage());
      // a read-only check (the CLI) does not take the host lock
      PluginLoader.builder().directory(plugins).shadowDirectory(root).exclusive(false).build().close();
    } finally {
      first.destroyForcibly();
      assertTrue(first.waitFor(30, TimeUnit.SECONDS));
    }
    try (PluginLoader host = PluginLoader.builder().directory(plugins).shadowDirectory(root).build()) {
      assertEquals(Reason.LOCKED, assertThrows(PluginException.class,
          () -> PluginLoader.builder().directory(plugins).shadowDirectory(root).build()).reason(),
          "a second host in the same JVM is refused too");
      Process second = holder(root.toString(), plugins.toString());
      try {
        assertEquals("refused locked", firstLine(second), "and in another process");
      } finally {
        second.destroyForcibly();
        second.waitFor(30, TimeUnit.SECONDS);
      }
      assertTrue(Files.isDirectory(root), "the host's lock survived the refused attempts: " + host);
    }
    PluginLoader.builder().directory(plugins).shadowDirectory(root).build().close();
  }

  @Test
  void open_rootInDirectoryOthersCanWriteOrOwnedByAnotherUser_refused() throws Exception {
    // a parent others can write without the sticky bit: they could rename the private root away and put their own
    // directory (or a symlink) in its place after the checks, and substitute shadow copies
    Path shared = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    PluginException e = assertThrows(PluginException.class, () -> ShadowStore.open(shared.resolve("shadow")));
    assertEquals(Reason.IO_ERROR, e.reason());
    assertTrue(e.getMessage().contains("writable by others without the sticky bit"), e.getMessage());
    // the same with the sticky bit (as /tmp has) is safe
    Files.setAttribute(shared, "unix:mode", 01777);
    ShadowStore.open(shared.resolve("shadow")).close();

    // a root readable by others was not created by us: refused
    Path loose = Files.createDirectory(tmp.resolve("loose"));
    Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rwxr-x---"));
    assertTrue(assertThrows(PluginException.class, () -> ShadowStore.open(loose)).getMessage()
        .contains("must be accessible by its owner only"));

    // a parent owned by another user (who could do the same) is refused when it can be staged (as root)
    Path foreignParent = Files.createDirectory(tmp.resolve("foreign-parent"));
    java.nio.file.attribute.UserPrincipal nobody = foreignParent.getFileSystem().getUserPrincipalLookupService()
        .lookupPrincipalByName("nobody");
    try {
      Files.setOwner(foreignParent, nobody);
    } catch (java.io.IOException notRoot) {
      return; // only root can hand a directory to another user
    }
    assertTrue(assertThrows(PluginException.class, () -> ShadowStore.open(foreignParent.resolve("shadow")))
        .getMessage().contains("belongs to another user"));
  }
}
