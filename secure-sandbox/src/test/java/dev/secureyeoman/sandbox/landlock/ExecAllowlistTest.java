package dev.secureyeoman.sandbox.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.secureyeoman.sandbox.seccomp.SeccompProfiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kernel-enforced: the ruleset is applied on a fresh platform thread that dies after each test. */
class ExecAllowlistTest {
  @TempDir Path dir;

  @BeforeAll
  static void requireLandlock() {
    assumeTrue(ExecAllowlist.availableAbi().isPresent(), "capability probe: Landlock unavailable");
  }

  static <T> T onDedicatedThread(Callable<T> body) throws Exception {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    AtomicReference<Error> error = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        result.set(body.call());
      } catch (Exception e) {
        failure.set(e);
      } catch (Error e) {
        error.set(e);
      }
    }, "landlock-test");
    t.start();
    t.join();
    if (failure.get() != null) {
      throw failure.get();
    }
    if (error.get() != null) {
      throw error.get();
    }
    return result.get();
  }

  private static int run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("did not finish: " + String.join(" ", cmd));
    }
    return p.exitValue();
  }

  private static String output(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out + "exit=" + p.exitValue();
  }

  @Test
  void apply_allowedBinaryRuns_shellFailsWithEacces() throws Exception {
    ExecAllowlist allow = ExecAllowlist.builder().allowExecute(Path.of("/bin/true"), Path.of("/usr/bin/env")).build();
    String[] results = onDedicatedThread(() -> {
      LandlockStatus status = allow.applyToCurrentThread();
      assertTrue(status.abi() >= 1);
      int trueExit = run("/bin/true");
      IOException shell = assertThrows(IOException.class, () -> run("/bin/sh", "-c", "true"));
      // an allowed binary cannot launch a forbidden one either: the restriction is inherited
      String viaEnv = output("/usr/bin/env", "/bin/sh", "-c", "echo escaped");
      return new String[] {String.valueOf(trueExit), shell.getMessage(), viaEnv};
    });
    assertEquals("0", results[0]);
    assertTrue(results[1].matches("(?s).*error(=|: )13\\b.*"), results[1]); // EACCES: JDK 17 says "error=13", JDK 25 "error: 13"
    assertTrue(results[2].contains("Permission denied") && !results[2].contains("escaped"), results[2]);
    // control: the same commands from an unrestricted thread
    assertEquals(0, run("/bin/sh", "-c", "true"));
    assertTrue(output("/usr/bin/env", "/bin/sh", "-c", "echo escaped").contains("escaped"));
  }

  @Test
  void apply_withSeccompAllowList_bothLayersHoldOnOneThread() throws Exception {
    ExecAllowlist allow = ExecAllowlist.builder().allowExecute(Path.of("/bin/true"), Path.of("/usr/bin/unshare"))
        .build();
    String[] results = onDedicatedThread(() -> {
      SeccompProfiles.defaultAllowListWithoutNetwork().applyToCurrentThread();
      allow.applyToCurrentThread();
      return new String[] {String.valueOf(run("/bin/true")),
          assertThrows(IOException.class, () -> run("/bin/sh", "-c", "true")).getMessage(),
          output("/usr/bin/unshare", "--user", "/bin/true")};
    });
    assertEquals("0", results[0]);
    assertTrue(results[1].matches("(?s).*error(=|: )13\\b.*"), results[1]); // JDK 17 "error=13", JDK 25 "error: 13"
    // unshare(1) may run (Landlock allows it) but its unshare(CLONE_NEWUSER) is refused by seccomp
    assertTrue(results[2].contains("Operation not permitted") && !results[2].endsWith("exit=0"), results[2]);
  }

  @Test
  void apply_writesOutsideAllowedDirectories_fail() throws Exception {
    Path allowed = Files.createDirectory(dir.resolve("allowed"));
    Path outside = dir.resolve("outside.txt");
    Path existing = Files.writeString(dir.resolve("existing.txt"), "original");
    ExecAllowlist allow = ExecAllowlist.builder().allowExecute(Path.of("/usr/bin/touch")).allowWrite(allowed).build();
    int[] exits = onDedicatedThread(() -> {
      allow.applyToCurrentThread();
      Files.writeString(allowed.resolve("in.txt"), "ok");
      assertThrows(AccessDeniedException.class, () -> Files.writeString(outside, "no"));
      assertThrows(AccessDeniedException.class, () -> Files.writeString(existing, "overwritten"));
      assertThrows(AccessDeniedException.class, () -> Files.delete(existing));
      assertEquals("original", Files.readString(existing)); // reads are not restricted
      return new int[] {run("/usr/bin/touch", allowed.resolve("child.txt").toString()),
          run("/usr/bin/touch", dir.resolve("child-outside.txt").toString())};
    });
    assertEquals(0, exits[0]);
    assertEquals(1, exits[1]);
    assertTrue(Files.exists(allowed.resolve("in.txt")));
    assertTrue(Files.exists(allowed.resolve("child.txt")));
    assertFalse(Files.exists(outside));
    assertFalse(Files.exists(dir.resolve("child-outside.txt")));
    assertEquals("original", Files.readString(existing));
    // control: an unrestricted thread writes there
    Files.writeString(outside, "fine");
  }

  @Test
  void apply_writesUnrestricted_onlyExecIsLimited() throws Exception {
    Path file = dir.resolve("free.txt");
    ExecAllowlist allow = ExecAllowlist.builder().allowExecute(Path.of("/bin/true")).restrictWrites(false).build();
    LandlockStatus status = onDedicatedThread(() -> {
      LandlockStatus s = allow.applyToCurrentThread();
      Files.writeString(file, "written");
      assertThrows(IOException.class, () -> run("/bin/sh", "-c", "true"));
      return s;
    });
    assertFalse(status.writesRestricted());
    assertEquals(1L, status.handledAccessFs());
    assertEquals("written", Files.readString(file));
  }

  @Test
  void apply_missingPath_failsBeforeRestricting() throws Exception {
    ExecAllowlist allow = ExecAllowlist.builder().allowExecute(dir.resolve("missing")).build();
    LandlockException e = onDedicatedThread(() -> {
      LandlockException ex = assertThrows(LandlockException.class, allow::applyToCurrentThread);
      assertEquals(0, run("/bin/sh", "-c", "true")); // nothing was applied
      return ex;
    });
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void effectiveExecutables_includeLoaderAndSpawnHelper() {
    ExecAllowlist allow = ExecAllowlist.builder().allowExecute(Path.of("/bin/true")).build();
    assertTrue(allow.effectiveExecutables().stream().anyMatch(p -> p.getFileName().toString().startsWith("ld-linux")),
        allow.effectiveExecutables().toString());
    assertTrue(allow.effectiveExecutables().stream().anyMatch(p -> p.endsWith("jspawnhelper")));
    ExecAllowlist bare = allow.toBuilder().build();
    assertEquals(allow.effectiveExecutables(), bare.effectiveExecutables());
    ExecAllowlist none = ExecAllowlist.builder().allowExecute(Path.of("/bin/true")).implicitHelpers(false).build();
    assertEquals(1, none.effectiveExecutables().size());
  }

  @Test
  void builder_misuse_isRejectedWithTheOptionName() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> ExecAllowlist.builder().allowExecute(Path.of("bin/true"))).getMessage().contains("allowExecute"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> ExecAllowlist.builder().allowWrite((Path) null)).getMessage().contains("allowWrite"));
    assertThrows(IllegalStateException.class, () -> ExecAllowlist.builder().restrictWrites(true).restrictWrites(false));
    assertThrows(IllegalStateException.class, () -> ExecAllowlist.builder().implicitHelpers(true)
        .implicitHelpers(true));
    assertThrows(IllegalStateException.class, () -> ExecAllowlist.builder().allowWrite(Path.of("/tmp"))
        .restrictWrites(false).build());
    assertTrue(ExecAllowlist.builder().build().toString().contains("ExecAllowlist"));
  }
}
