package dev.secureyeoman.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.TestkitException.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Pattern READY = Pattern.compile("^ready");
  private static final Pattern GRANDCHILD = Pattern.compile("grandchild=(\\d+)");

  @Test
  void run_echo_passesArgsOptionsEnvAndDirectoryAndCapturesBothStreams(@TempDir Path dir) {
    ChildJvm.Result r =
        ChildJvm.builder(ChildMain.class)
            .args("echo", "a b", "c")
            .jvmOptions("-Dtestkit.prop=p1", "-Xmx64m")
            .env("TESTKIT_ENV", "e1")
            .env("TESTKIT_EXIT", "7")
            .workingDirectory(dir)
            .run(START);
    assertEquals(7, r.exitCode());
    assertTrue(r.stdout().contains("args=a b,c\n"), r.stdout());
    assertTrue(r.stdout().contains("prop=p1\n"), r.stdout());
    assertTrue(r.stdout().contains("env=e1\n"), r.stdout());
    assertTrue(r.stdout().contains("dir=" + dir + "\n"), r.stdout());
    assertEquals("err-line\n", r.stderr());
  }

  @Test
  void start_thisJdk_nativeAccessFlagExactlyFromJdk22() {
    ChildJvm.Result r = ChildJvm.builder(ChildMain.class).args("echo").run(START);
    boolean flag = r.stdout().contains("--enable-native-access=ALL-UNNAMED");
    assertEquals(Runtime.version().feature() >= 22, flag, r.stdout());
    assertEquals(List.of(), ChildJvm.nativeAccessOptions(17));
    assertEquals(List.of(), ChildJvm.nativeAccessOptions(21));
    assertEquals(List.of("--enable-native-access=ALL-UNNAMED"), ChildJvm.nativeAccessOptions(22));
    assertEquals(List.of("--enable-native-access=ALL-UNNAMED"), ChildJvm.nativeAccessOptions(25));
  }

  @Test
  void awaitStdout_readyLine_returnsMatchThenKillEndsWith137() {
    try (ChildJvm child = ChildJvm.builder(ChildMain.class).args("echo").env("TESTKIT_EXIT", "0").start()) {
      MatchResult m = child.awaitStdout(Pattern.compile("ready pid=(\\d+)"), START);
      assertEquals(child.pid(), Long.parseLong(m.group(1)));
      assertEquals(0, child.waitFor(START).exitCode());
      assertFalse(child.isAlive());
    }
    try (ChildJvm child = ChildJvm.builder(ChildMain.class).args("hang").start()) {
      child.awaitStdout(READY, START);
      ChildJvm.Result killed = child.kill();
      assertEquals(137, killed.exitCode());
      assertEquals("ready\n", killed.stdout());
      Leftovers.assertGone(List.of(child.pid()));
      assertTrue(child.toString().contains(Long.toString(child.pid())));
    }
  }

  @Test
  void kill_childWithGrandchild_bothGone() {
    try (ChildJvm child = ChildJvm.builder(ChildMain.class).args("spawn-sleep").start()) {
      long grandchild = Long.parseLong(child.awaitStdout(GRANDCHILD, START).group(1));
      assertTrue(ProcessHandle.of(grandchild).isPresent());
      child.kill();
      Leftovers.assertGone(List.of(child.pid(), grandchild));
    }
  }

  @Test
  void close_aliveChild_killsIt() {
    ChildJvm child = ChildJvm.builder(ChildMain.class).args("hang").start();
    child.awaitStdout(READY, START);
    child.close();
    Leftovers.assertGone(List.of(child.pid()));
    child.close(); // idempotent
  }

  @Test
  void parentJvmKilled_itsChildJvmDiesToo() {
    try (ChildJvm child = ChildJvm.builder(ChildMain.class).args("child-jvm").start()) {
      long grandchild = Long.parseLong(child.awaitStdout(GRANDCHILD, START).group(1));
      assertFalse(Leftovers.tree(child.pid()).isEmpty());
      child.kill(); // SIGKILL of the middle JVM only: the kernel kills its child through the parent-death signal
      Leftovers.assertGone(List.of(grandchild));
    }
  }

  @Test
  void waitFor_childHangs_timesOutKillsItAndQuotesItsOutput() {
    try (ChildJvm child = ChildJvm.builder(ChildMain.class).args("hang").start()) {
      child.awaitStdout(READY, START);
      TestkitException e = assertThrows(TestkitException.class, () -> child.waitFor(Duration.ofMillis(100)));
      assertEquals(Reason.TIMEOUT, e.reason());
      assertTrue(e.getMessage().contains("stdout: ready"), e.getMessage());
      Leftovers.assertGone(List.of(child.pid()));
    }
  }

  @Test
  void awaitStdout_childExitsWithoutTheLine_failsAsExited() {
    try (ChildJvm child = ChildJvm.builder(ChildMain.class).args("silent").start()) {
      TestkitException e = assertThrows(TestkitException.class, () -> child.awaitStdout(READY, START));
      assertEquals(Reason.PROCESS_EXITED, e.reason());
    }
  }

  @Test
  void awaitStdout_lineNeverComes_timesOutAndChildKeepsRunning() {
    try (ChildJvm child = ChildJvm.builder(ChildMain.class).args("hang").start()) {
      child.awaitStdout(READY, START);
      TestkitException e =
          assertThrows(TestkitException.class, () -> child.awaitStdout(Pattern.compile("never"), Duration.ofMillis(50)));
      assertEquals(Reason.TIMEOUT, e.reason());
      assertTrue(child.isAlive());
      assertEquals("", child.stderr());
      assertEquals("ready\n", child.stdout());
    }
  }

  @Test
  void start_classPathWithoutTheClass_childFailsToLoadIt(@TempDir Path empty) {
    ChildJvm.Result r = ChildJvm.builder("dev.secureyeoman.testkit.ChildMain").classPath(empty.toString()).run(START);
    assertEquals(1, r.exitCode());
    assertTrue(r.stderr().contains("ClassNotFoundException") || r.stderr().contains("Could not find or load main class"), r.stderr());
  }

  @Test
  void builder_invalidOrRepeatedOptions_rejected() {
    ChildJvm.Builder b = ChildJvm.builder(ChildMain.class).classPath("x").workingDirectory(Path.of("/")).env("A", "1");
    assertThrows(IllegalStateException.class, () -> b.classPath("y"));
    assertThrows(IllegalStateException.class, () -> b.workingDirectory(Path.of("/")));
    assertThrows(IllegalStateException.class, () -> b.env("A", "2"));
    assertThrows(IllegalArgumentException.class, () -> b.env("", "1"));
    assertThrows(IllegalArgumentException.class, () -> b.env("A=B", "1"));
    assertThrows(IllegalArgumentException.class, () -> b.jvmOptions("Xmx1g"));
    assertThrows(IllegalArgumentException.class, () -> ChildJvm.builder(" "));
    assertThrows(NullPointerException.class, () -> ChildJvm.builder((Class<?>) null));
    assertThrows(NullPointerException.class, () -> b.args((String) null));
  }
}
