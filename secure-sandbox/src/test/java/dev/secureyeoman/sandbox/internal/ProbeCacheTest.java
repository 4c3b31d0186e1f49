package dev.secureyeoman.sandbox.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.sandbox.NamespaceRunner;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cross-JVM probe cache: used only when fresh, matching and owned by this user alone. */
class ProbeCacheTest {
  private static final int UID = Identity.currentEffectiveUid();

  @Test
  void roundTrip_fingerprintMismatch_expiry(@TempDir Path tmp) {
    Path file = tmp.resolve("cache/probe.properties");
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    ProbeCache cache = new ProbeCache(file, Clock.fixed(t0, ZoneOffset.UTC), UID);
    cache.store("fp", Map.of("bwrap.failure", ""));
    assertEquals(Optional.of(""), cache.load("fp").map(m -> m.get("bwrap.failure")));
    assertEquals(Optional.empty(), cache.load("other"));
    ProbeCache later = new ProbeCache(file, Clock.fixed(t0.plus(ProbeCache.TTL).plusSeconds(1), ZoneOffset.UTC), UID);
    assertEquals(Optional.empty(), later.load("fp"));
    ProbeCache earlier = new ProbeCache(file, Clock.fixed(t0.minusSeconds(1), ZoneOffset.UTC), UID);
    assertEquals(Optional.empty(), earlier.load("fp"), "an entry from the future is not trusted");
    cache.invalidate();
    assertFalse(Files.exists(file));
  }

  @Test
  void writableByOthers_orForeignOwner_isIgnored(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("cache/probe.properties");
    ProbeCache cache = new ProbeCache(file, Clock.systemUTC(), UID);
    cache.store("fp", Map.of());
    assertTrue(cache.load("fp").isPresent());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertEquals(Optional.empty(), cache.load("fp"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
    assertEquals(Optional.empty(), cache.load("fp"));
    Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwx------"));
    assertEquals(Optional.empty(), new ProbeCache(file, Clock.systemUTC(), UID + 1).load("fp"));
  }

  @Test
  void fingerprint_changesWithTheTools(@TempDir Path tmp) throws Exception {
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Path tool = Files.writeString(bin.resolve("bwrap"), "#!/bin/sh\n");
    tool.toFile().setExecutable(true);
    Tools tools = new Tools(List.of(bin));
    String a = ProbeCache.fingerprint(tools, List.of("bwrap", "unshare"), "x");
    assertEquals(a, ProbeCache.fingerprint(tools, List.of("bwrap", "unshare"), "x"));
    Files.writeString(tool, "#!/bin/sh\n# upgraded\n");
    assertNotEquals(a, ProbeCache.fingerprint(tools, List.of("bwrap", "unshare"), "x"));
    assertNotEquals(a, ProbeCache.fingerprint(tools, List.of("bwrap", "unshare"), "y"));
  }

  @Test
  void runner_secondJvmStyleRunner_usesTheCache_andRunsUnderIt(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("probe.properties");
    NamespaceRunner first = NamespaceRunner.builder().probeCache(file).build();
    assertEquals(SandboxBackend.BWRAP, first.probe().bestIsolatingBackend().orElseThrow());
    assertFalse(first.probeWasCached());
    assertTrue(Files.exists(file));
    NamespaceRunner second = NamespaceRunner.builder().probeCache(file).build();
    assertEquals(first.probe().toJson(), second.probe().toJson());
    assertTrue(second.probeWasCached());
    assertEquals(0, second.run(SandboxPolicy.builder("/usr/bin/true").timeout(Duration.ofSeconds(20)).build())
        .exitCode());
    assertFalse(second.reprobe().backends().isEmpty());
    assertFalse(second.probeWasCached());
  }
}
