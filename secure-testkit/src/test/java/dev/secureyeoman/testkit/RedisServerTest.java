package dev.secureyeoman.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.TestkitException.Reason;
import dev.secureyeoman.testkit.internal.Ports;
import dev.secureyeoman.testkit.internal.Text;
import dev.secureyeoman.testkit.internal.WorkDirs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis through Lettuce, the client issue 18 names for Bucket4j's distributed backend: its automatic reconnect is the
 * behaviour the gateway will rely on after a Redis restart, so it is what these tests exercise.
 */
class RedisServerTest {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
  private static Path base;
  private static RedisClient client;

  @BeforeAll
  static void setUp() throws Exception {
    base = Leftovers.privateBase();
    // reconnect every 50 ms (Lettuce backs off up to 30 s by default): a restarted node is found at once
    client = RedisClient.create(ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(50))).build());
  }

  @AfterAll
  static void nothingLeft() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    try {
      Leftovers.assertNothingLeftIn(base);
    } finally {
      WorkDirs.deleteTree(base);
    }
  }

  private static RedisServer.Builder builder() {
    return RedisServer.builder().baseDirectory(base);
  }

  private static void withRedis(RedisServer redis, Consumer<RedisCommands<String, String>> body) {
    RedisURI uri = RedisURI.create(redis.uri());
    uri.setTimeout(COMMAND_TIMEOUT);
    try (StatefulRedisConnection<String, String> c = client.connect(uri)) {
      body.accept(c.sync());
    }
  }

  @Test
  void start_defaults_servesCommandsOnLoopback() {
    try (RedisServer redis = builder().start()) {
      assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri().toString());
      assertEquals("127.0.0.1", redis.host());
      assertTrue(redis.port() >= Ports.LOWEST);
      withRedis(
          redis,
          r -> {
            assertEquals("OK", r.set("k", "v"));
            assertEquals("v", r.get("k"));
            assertTrue(r.info("server").contains("redis_version:7."), "Debian 12 ships Redis 7.0");
            assertEquals("", r.configGet("save").get("save"));
            assertEquals("127.0.0.1", r.configGet("bind").get("bind"));
          });
      assertTrue(redis.toString().contains("RUNNING"));
    }
  }

  @Test
  void stop_clientsFailThenRestartOnSamePortRecoversEmpty() throws Exception {
    try (RedisServer redis = builder().start()) {
      int port = redis.port();
      RedisURI uri = RedisURI.create(redis.uri());
      uri.setTimeout(Duration.ofSeconds(2));
      try (StatefulRedisConnection<String, String> c = client.connect(uri)) {
        c.sync().set("k", "v");
        long pid = redis.pid();

        redis.stop();

        assertFalse(redis.isRunning());
        Leftovers.assertGone(List.of(pid));
        assertThrows(RedisException.class, () -> c.sync().get("k"), "the node is down: callers see an error");
        assertThrows(RedisConnectionException.class, () -> client.connect(uri));

        redis.restart();

        assertEquals(port, redis.port());
        // Lettuce reconnects the same connection by itself; without AOF the restarted node is empty
        assertNull(c.sync().get("k"));
        assertEquals("OK", c.sync().set("k", "v2"));
      }
    }
  }

  @Test
  void kill_withoutAppendOnly_dataLost_withAppendOnly_dataKept() {
    try (RedisServer cache = builder().start();
        RedisServer durable = builder().appendOnly().start()) {
      withRedis(cache, r -> r.set("k", "v"));
      withRedis(durable, r -> r.set("k", "v"));
      List<Long> pids = List.of(cache.pid(), durable.pid());

      cache.kill();
      durable.kill();

      Leftovers.assertGone(pids);
      cache.restart();
      durable.restart();
      withRedis(cache, r -> assertNull(r.get("k")));
      withRedis(durable, r -> assertEquals("v", r.get("k")));
      cache.kill();
      cache.kill(); // no-op when down
      cache.stop(); // no-op when down
    }
  }

  @Test
  void password_set_unauthenticatedRefusedUriWithPasswordAccepted() throws Exception {
    String password = "s3cr%t@#:/x";
    try (RedisServer redis = builder().password(password).start()) {
      RedisURI noAuth = RedisURI.create("redis://127.0.0.1:" + redis.port());
      noAuth.setTimeout(COMMAND_TIMEOUT);
      RedisConnectionException refused = assertThrows(RedisConnectionException.class, () -> client.connect(noAuth));
      assertTrue(refused.getCause().getMessage().startsWith("NOAUTH"), refused.getCause().getMessage());
      withRedis(redis, r -> assertEquals("OK", r.set("k", "v")));
      assertFalse(redis.toString().contains(password));
      String argv = Text.readProc(Path.of("/proc", Long.toString(redis.pid()), "cmdline"));
      assertFalse(argv.contains(password), "the password is not in argv (ps)");
      redis.restart();
      assertThrows(RedisConnectionException.class, () -> client.connect(noAuth), "still required after a restart");
      withRedis(redis, r -> assertEquals("PONG", r.ping()));
    }
  }

  @Test
  void close_running_stopsAndDeletesDirectory() {
    RedisServer redis = builder().start();
    Path dir = redis.directory();
    long pid = redis.pid();
    assertTrue(Files.exists(redis.logFile()));

    redis.close();

    Leftovers.assertGone(List.of(pid));
    assertFalse(Files.exists(dir));
    redis.close(); // idempotent
    assertThrows(IllegalStateException.class, redis::restart);
    assertThrows(IllegalStateException.class, redis::port);
  }

  @Test
  void start_portRace_retriesOnAnotherPort() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Iterator<Integer> candidates = List.of(taken.getLocalPort(), Ports.loopback().next()).iterator();
      try (RedisServer redis = builder().ports(candidates::next).start()) {
        assertNotEquals(taken.getLocalPort(), redis.port());
        withRedis(redis, r -> assertEquals("PONG", r.ping()));
      }
    }
  }

  @Test
  void start_everyCandidateTaken_failsWithPortUnavailable() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      TestkitException e = assertThrows(TestkitException.class, () -> builder().ports(taken::getLocalPort).start());
      assertEquals(Reason.PORT_UNAVAILABLE, e.reason());
    }
    Leftovers.assertNothingLeftIn(base);
  }

  @Test
  void restart_portTakenWhileDown_failsClearly() throws Exception {
    try (RedisServer redis = builder().start()) {
      int port = redis.port();
      redis.kill();
      try (ServerSocket thief = new ServerSocket()) {
        thief.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        TestkitException e = assertThrows(TestkitException.class, redis::restart);
        assertEquals(Reason.PORT_UNAVAILABLE, e.reason());
      }
      redis.restart();
      withRedis(redis, r -> assertEquals("PONG", r.ping()));
    }
  }

  @Test
  void start_tooShortTimeout_killsServerAndLeavesNothing() {
    TestkitException e =
        assertThrows(TestkitException.class, () -> builder().startTimeout(Duration.ofNanos(1)).start());
    assertEquals(Reason.TIMEOUT, e.reason());
    Leftovers.assertNothingLeftIn(base);
  }

  @Test
  void start_serverExitsAtOnce_failsWithItsLog(@TempDir Path bin) throws Exception {
    Path fake = bin.resolve("redis-server");
    Files.writeString(fake, "#!/bin/sh\necho 'FATAL: fake redis refuses to start'\nexit 3\n", StandardCharsets.UTF_8);
    assertTrue(fake.toFile().setExecutable(true));
    TestkitException e = assertThrows(TestkitException.class, () -> builder().binary(fake).start());
    assertEquals(Reason.START_FAILED, e.reason());
    assertTrue(e.getMessage().contains("exited with 3"), e.getMessage());
    assertTrue(e.getMessage().contains("fake redis refuses to start"), e.getMessage());
    Leftovers.assertNothingLeftIn(base);
  }

  @Test
  void start_missingBinary_failsNamingThePackage(@TempDir Path empty) {
    TestkitException e =
        assertThrows(TestkitException.class, () -> RedisServer.builder().binary(empty.resolve("redis-server")).start());
    assertEquals(Reason.MISSING_BINARY, e.reason());
    assertTrue(e.getMessage().contains("'redis-server'"), e.getMessage());
  }

  @Test
  void builder_optionSetTwiceOrInvalid_rejected() {
    RedisServer.Builder b =
        RedisServer.builder()
            .binary(Path.of("/x"))
            .password("p")
            .appendOnly()
            .baseDirectory(Path.of("/y"))
            .startTimeout(Duration.ofSeconds(1));
    assertThrows(IllegalStateException.class, () -> b.binary(Path.of("/x")));
    assertThrows(IllegalStateException.class, () -> b.password("p"));
    assertThrows(IllegalStateException.class, b::appendOnly);
    assertThrows(IllegalStateException.class, () -> b.baseDirectory(Path.of("/y")));
    assertThrows(IllegalStateException.class, () -> b.startTimeout(Duration.ofSeconds(1)));
    RedisServer.Builder fresh = RedisServer.builder();
    for (String bad : List.of("", "with space", "quo\"te", "back\\slash", "tab\t", "é")) {
      assertThrows(IllegalArgumentException.class, () -> fresh.password(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> fresh.startTimeout(Duration.ofSeconds(-1)));
  }
}
