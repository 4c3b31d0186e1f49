package dev.secureyeoman.core.killswitch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KillSwitchTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path tmp;

  private KillSwitch open(Path file, List<KillSwitchChange> audit) {
    return KillSwitch.builder(file).clock(CLOCK).listener(audit::add).build();
  }

  @Test
  void engage_persistsAcrossInstances_auditedOnce_releaseToo() throws Exception {
    Path f = tmp.resolve("kill-switch.json");
    List<KillSwitchChange> audit = new ArrayList<>();
    KillSwitch ks = open(f, audit);
    assertEquals(KillSwitchState.NEVER_SET, ks.state());
    assertFalse(ks.isEngaged());
    KillSwitchState on = ks.engage("admin-1", "spam wave");
    assertTrue(on.engaged());
    assertEquals(Instant.parse("2026-03-01T12:00:00Z"), on.changedAt());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertEquals(on, ks.engage("admin-2", "again"), "already engaged: unchanged");
    assertEquals(1, audit.size(), "a no-op is not audited");
    assertEquals(KillSwitchState.NEVER_SET, audit.get(0).previous());
    // "restart": a new instance on the same file
    KillSwitch restarted = open(f, audit);
    assertTrue(restarted.isEngaged());
    assertEquals("admin-1", restarted.state().changedBy());
    assertEquals("spam wave", restarted.state().reason());
    assertFalse(restarted.release("admin-1", "over").engaged());
    assertFalse(ks.isEngaged(), "the first instance re-reads the changed file");
    assertEquals(2, audit.size());
  }

  @Test
  void engage_listenerFails_nothingWritten() throws Exception {
    Path f = tmp.resolve("ks.json");
    KillSwitch ks =
        KillSwitch.builder(f)
            .listener(
                c -> {
                  throw new IOException("audit sink down");
                })
            .build();
    KillSwitchException e = assertThrows(KillSwitchException.class, () -> ks.engage("admin", ""));
    assertEquals(KillSwitchException.Reason.LISTENER_FAILED, e.reason());
    assertFalse(Files.exists(f));
    assertFalse(ks.isEngaged());
  }

  @Test
  void isEngaged_corruptOrOversizedFile_failsClosed_stateThrows() throws Exception {
    Path f = tmp.resolve("ks.json");
    KillSwitch ks = KillSwitch.builder(f).build();
    for (String bad :
        new String[] {
          "not json", "{}", "{\"version\":2,\"engaged\":false,\"changed_at\":\"x\",\"changed_by\":\"a\",\"reason\":\"\"}",
          "{\"version\":1,\"engaged\":false,\"changed_at\":\"yesterday\",\"changed_by\":\"a\",\"reason\":\"\"}",
          "{\"version\":1,\"engaged\":\"no\",\"changed_at\":\"2026-01-01T00:00:00Z\",\"changed_by\":\"a\",\"reason\":\"\"}",
          " ".repeat(20_000)
        }) {
      Files.writeString(f, bad);
      assertTrue(ks.isEngaged(), bad.strip());
      assertEquals(
          KillSwitchException.Reason.CORRUPT, assertThrows(KillSwitchException.class, ks::state).reason());
      // a writer refuses to build on a state it cannot read
      assertThrows(KillSwitchException.class, () -> ks.release("admin", "fix"));
    }
    Files.delete(f);
    assertFalse(ks.isEngaged());
  }

  @Test
  void engage_fromAnotherProcess_seenWithoutRestart_andTheOtherWay() throws Exception {
    Path f = tmp.resolve("shared.json");
    KillSwitch here = KillSwitch.builder(f).build();
    assertFalse(here.isEngaged());
    assertEquals("true", child(f, "engage", "bot-operator"));
    assertTrue(here.isEngaged(), "the other process's change is read, not a stale cache");
    assertEquals("bot-operator", here.state().changedBy());
    here.release("admin", "resume");
    assertEquals("false", child(f, "state", "x"));
  }

  @Test
  void set_invalidActorOrReason_refusedBeforeAnyIo() {
    KillSwitch ks = KillSwitch.builder(tmp.resolve("k.json")).build();
    assertThrows(IllegalArgumentException.class, () -> ks.engage("", "r"));
    assertThrows(IllegalArgumentException.class, () -> ks.engage("a\nb", "r"));
    assertThrows(IllegalArgumentException.class, () -> ks.engage("a", "x".repeat(1025)));
    assertThrows(IllegalArgumentException.class, () -> ks.engage("a", "line\u001b[2J"));
    assertThrows(IllegalStateException.class, () -> KillSwitch.builder(tmp).listener(c -> {}).listener(c -> {}));
    assertEquals(tmp.resolve("k.json").toAbsolutePath(), ks.file());
    assertInstanceOf(KillSwitchState.class, KillSwitchState.NEVER_SET);
  }

  private static String child(Path file, String op, String actor) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                KillSwitchChild.class.getName(),
                file.toString(),
                op,
                actor)
            .redirectErrorStream(true)
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child finished");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  @Test
  void twoInstancesOneFile_sameJvm_concurrentChanges_noFailure_andTheyAgree() throws Exception {
    Path f = tmp.resolve("kill-switch.json");
    List<KillSwitchChange> audit = java.util.Collections.synchronizedList(new ArrayList<>());
    KillSwitch a = open(f, audit);
    KillSwitch b = open(f, audit);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        KillSwitch ks = i % 2 == 0 ? a : b;
        boolean engage = (i / 2) % 2 == 0;
        String reason = "r" + "x".repeat(i % 7);
        done.add(
            pool.submit(
                () -> {
                  KillSwitchState seen = engage ? ks.engage("ops", reason) : ks.release("ops", reason);
                  assertEquals(engage, seen.engaged());
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> d : done) {
        d.get(60, TimeUnit.SECONDS); // an OverlappingFileLockException would surface here
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(a.state(), b.state());
    assertEquals(a.state(), open(f, new ArrayList<>()).state(), "both agree with the file");
    // every change was audited exactly once: engaged/released alternate
    for (int i = 1; i < audit.size(); i++) {
      assertEquals(!audit.get(i - 1).next().engaged(), audit.get(i).next().engaged(), "change " + i);
    }
    // and a change through one is seen by the other at once, however quickly it follows
    for (int i = 0; i < 50; i++) {
      a.engage("ops", "abc");
      assertTrue(b.isEngaged());
      a.release("ops", "ab"); // same file size as the engaged state
      assertFalse(b.isEngaged());
    }
  }
}
