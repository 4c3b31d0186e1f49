package dev.secureyeoman.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.TestkitException.Reason;
import dev.secureyeoman.testkit.internal.Ports;
import dev.secureyeoman.testkit.internal.RunAs;
import dev.secureyeoman.testkit.internal.SysvShm;
import dev.secureyeoman.testkit.internal.WorkDirs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {
  private static Path base;

  @BeforeAll
  static void privateBase() throws IOException {
    // the per-JVM initdb template lives where the first server is created: not in the base whose emptiness we assert
    PostgresServer.start().close();
    base = Leftovers.privateBase();
  }

  @AfterAll
  static void nothingLeft() {
    try {
      Leftovers.assertNothingLeftIn(base);
    } finally {
      WorkDirs.deleteTree(base);
    }
  }

  private static PostgresServer.Builder builder() {
    return PostgresServer.builder().baseDirectory(base);
  }

  private static Connection connect(PostgresServer pg) throws SQLException {
    return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getString(1);
    }
  }

  @Test
  void start_defaults_servesJdbcOnLoopbackWithTestSettings() throws Exception {
    try (PostgresServer pg = builder().start();
        Connection c = connect(pg)) {
      assertTrue(query(c, "SELECT version()").startsWith("PostgreSQL 15."));
      assertEquals("test", query(c, "SELECT current_user"));
      assertEquals("127.0.0.1", query(c, "SHOW listen_addresses"));
      assertEquals("off", query(c, "SHOW fsync"));
      assertEquals("on", query(c, "SHOW synchronous_commit"));
      assertEquals("UTF8", query(c, "SHOW server_encoding"));
      assertEquals("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", pg.jdbcUrl());
      assertTrue(pg.port() >= Ports.LOWEST, "port " + pg.port());
      assertTrue(pg.directory().startsWith(base));
      assertTrue(pg.toString().contains("RUNNING"));
    }
  }

  @Test
  void start_asRoot_serverRunsAsPostgresUser() throws Exception {
    try (PostgresServer pg = builder().start()) {
      String status = Files.readString(Path.of("/proc", Long.toString(pg.pid()), "status"), StandardCharsets.UTF_8);
      String uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
      if (RunAs.currentIsRoot()) {
        assertEquals(Integer.toString(RunAs.lookUp("postgres", "test").uid()), uid);
      } else {
        assertEquals(Long.toString(uidOfSelf()), uid);
      }
    }
  }

  private static long uidOfSelf() throws IOException {
    return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
  }

  @Test
  void kill_committedRowsSurvive_restartRecoversOnSamePort() throws Exception {
    try (PostgresServer pg = builder().start()) {
      int port = pg.port();
      try (Connection c = connect(pg);
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (v int)");
        s.execute("INSERT INTO t VALUES (1)");
      }
      Connection open = connect(pg);
      open.setAutoCommit(false);
      try (Statement s = open.createStatement()) {
        s.execute("INSERT INTO t VALUES (2)"); // never committed
      }
      List<Long> before = Leftovers.tree(pg.pid());
      assertTrue(before.size() > 3, "postmaster and its background processes: " + before);

      pg.kill();

      assertFalse(pg.isRunning());
      Leftovers.assertGone(before);
      assertThrows(SQLException.class, () -> query(open, "SELECT 1"));
      assertThrows(SQLException.class, () -> connect(pg));
      open.close();

      pg.restart();

      assertEquals(port, pg.port());
      try (Connection c = connect(pg)) {
        assertEquals("1", query(c, "SELECT string_agg(v::text, ',') FROM t"));
      }
      assertTrue(
          Files.readString(pg.logFile(), StandardCharsets.UTF_8).contains("automatic recovery in progress"),
          "the restart ran crash recovery");
    }
  }

  @Test
  void stop_openConnection_disconnectsPromptlyAndRestartServesAgain() throws Exception {
    try (PostgresServer pg = builder().start()) {
      Connection open = connect(pg);
      open.setAutoCommit(false);
      query(open, "SELECT 1"); // a transaction in progress: a smart shutdown would wait for it forever
      long pid = pg.pid();

      pg.stop();

      assertFalse(pg.isRunning());
      Leftovers.assertGone(List.of(pid));
      assertThrows(SQLException.class, () -> query(open, "SELECT 1"));
      open.close();
      assertThrows(IllegalStateException.class, pg::pid);
      pg.stop(); // no-op when stopped
      pg.kill(); // no-op when stopped

      pg.restart();
      try (Connection c = connect(pg)) {
        assertEquals("2", query(c, "SELECT 1 + 1"));
      }
      pg.restart(); // also from running
      assertTrue(pg.isRunning());
    }
  }

  @Test
  void close_afterKill_removesSegmentDirectoryAndProcesses() throws Exception {
    PostgresServer pg = builder().start();
    Path dir = pg.directory();
    SysvShm.Segment segment = SysvShm.postgresSegment(pg.dataDirectory()).orElseThrow();
    List<Long> pids = Leftovers.tree(pg.pid());
    pg.kill();
    assertTrue(SysvShm.attachCount(segment).isPresent(), "a killed postmaster leaves its SysV segment");
    assertTrue(Files.isDirectory(dir));

    pg.close();

    assertTrue(SysvShm.attachCount(segment).isEmpty(), "segment removed");
    assertFalse(Files.exists(dir));
    Leftovers.assertGone(pids);
    pg.close(); // idempotent
    assertThrows(IllegalStateException.class, pg::restart);
    assertThrows(IllegalStateException.class, pg::port);
    assertThrows(IllegalStateException.class, () -> pg.createDatabase("x"));
  }

  @Test
  void close_running_stopsAndDeletesEverything() throws Exception {
    PostgresServer pg = builder().start();
    Path dir = pg.directory();
    SysvShm.Segment segment = SysvShm.postgresSegment(pg.dataDirectory()).orElseThrow();
    List<Long> pids = Leftovers.tree(pg.pid());

    pg.close();

    Leftovers.assertGone(pids);
    assertFalse(Files.exists(dir));
    assertTrue(SysvShm.attachCount(segment).isEmpty());
  }

  @Test
  void createDatabase_twoDatabases_isolatedAndDroppedOnClose() throws Exception {
    try (PostgresServer pg = builder().start()) {
      PostgresDatabase a = pg.createDatabase("alpha");
      try (PostgresDatabase b = pg.createDatabase();
          Connection ca = DriverManager.getConnection(a.jdbcUrl(), a.user(), a.password());
          Connection cb = DriverManager.getConnection(b.jdbcUrl(), b.user(), b.password())) {
        assertEquals("alpha", query(ca, "SELECT current_database()"));
        assertEquals(b.name(), query(cb, "SELECT current_database()"));
        assertNotEquals(a.name(), b.name());
        ca.createStatement().execute("CREATE TABLE only_in_alpha (v int)");
        assertThrows(SQLException.class, () -> query(cb, "SELECT count(*) FROM only_in_alpha"));
        assertTrue(a.toString().contains("alpha"));
        assertEquals(pg, a.server());

        a.close(); // a client is still connected: dropped anyway (FORCE)

        assertFalse(pg.databaseExists("alpha"));
        assertThrows(SQLException.class, () -> query(ca, "SELECT 1"));
      }
      assertFalse(pg.databaseExists("db_1"), "closed by try-with-resources");
    }
  }

  @Test
  void createDatabase_badOrTakenName_rejected() {
    try (PostgresServer pg = builder().start()) {
      for (String bad : List.of("", "Upper", "1st", "a-b", "x;drop database postgres", "a".repeat(64))) {
        assertThrows(IllegalArgumentException.class, () -> pg.createDatabase(bad), bad);
      }
      assertThrows(NullPointerException.class, () -> pg.createDatabase(null));
      pg.createDatabase("taken");
      TestkitException e = assertThrows(TestkitException.class, () -> pg.createDatabase("taken"));
      assertEquals(Reason.COMMAND_FAILED, e.reason());
      assertTrue(e.getMessage().contains("already exists"), e.getMessage());
      pg.dropDatabase("never_created"); // fine
      pg.createDatabase("db_1"); // the name createDatabase() would pick first
      assertEquals("db_2", pg.createDatabase().name());
      pg.stop();
      PostgresDatabase gone = new PostgresDatabase(pg, "taken");
      gone.close(); // server down: nothing to drop, no error
    }
  }

  @Test
  void password_set_wrongPasswordRefusedRightOneAcceptedAcrossRestart() throws Exception {
    String password = "pa's$w0rd \"x\"";
    try (PostgresServer pg = builder().password(password).start()) {
      assertEquals(password, pg.password());
      SQLException wrong =
          assertThrows(SQLException.class, () -> DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "nope"));
      assertEquals("28P01", wrong.getSQLState(), "invalid_password");
      assertThrows(SQLException.class, () -> DriverManager.getConnection(pg.jdbcUrl(), pg.user(), ""));
      assertFalse(pg.toString().contains(password));
      try (Connection c = connect(pg)) {
        assertEquals("test", query(c, "SELECT current_user"));
      }
      pg.restart();
      try (Connection c = connect(pg)) {
        assertEquals("1", query(c, "SELECT 1"));
      }
    }
  }

  @Test
  void setting_override_appliedAfterTestkitDefaults() throws Exception {
    try (PostgresServer pg = builder().setting("max_connections", "23").setting("fsync", "on").start();
        Connection c = connect(pg)) {
      assertEquals("23", query(c, "SHOW max_connections"));
      assertEquals("on", query(c, "SHOW fsync"));
    }
  }

  @Test
  void start_portRace_retriesOnAnotherPort() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Iterator<Integer> candidates = List.of(taken.getLocalPort(), freePort()).iterator();
      try (PostgresServer pg = builder().ports(candidates::next).start();
          Connection c = connect(pg)) {
        assertNotEquals(taken.getLocalPort(), pg.port());
        assertEquals("1", query(c, "SELECT 1"));
        assertTrue(Files.readString(pg.logFile(), StandardCharsets.UTF_8).contains("Address already in use"));
      }
    }
  }

  @Test
  void start_everyCandidateTaken_failsWithPortUnavailable() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      TestkitException e =
          assertThrows(TestkitException.class, () -> builder().ports(taken::getLocalPort).start());
      assertEquals(Reason.PORT_UNAVAILABLE, e.reason());
      assertTrue(e.getMessage().contains("5 times"), e.getMessage());
    }
    Leftovers.assertNothingLeftIn(base);
  }

  @Test
  void restart_portTakenWhileDown_failsClearlyThenRecoversWhenFreed() throws Exception {
    try (PostgresServer pg = builder().start()) {
      int port = pg.port();
      pg.stop();
      try (ServerSocket thief = new ServerSocket()) {
        thief.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        TestkitException e = assertThrows(TestkitException.class, pg::restart);
        assertEquals(Reason.PORT_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains(Integer.toString(port)), e.getMessage());
      }
      pg.restart();
      assertEquals(port, pg.port());
      try (Connection c = connect(pg)) {
        assertEquals("1", query(c, "SELECT 1"));
      }
    }
  }

  @Test
  void start_badSetting_failsWithLogAndLeavesNothing() {
    TestkitException e =
        assertThrows(TestkitException.class, () -> builder().setting("shared_buffers", "lots").start());
    assertEquals(Reason.START_FAILED, e.reason());
    assertTrue(e.getMessage().contains("shared_buffers"), e.getMessage());
    Leftovers.assertNothingLeftIn(base);
  }

  @Test
  void start_tooShortTimeout_killsServerAndLeavesNothing() {
    TestkitException e =
        assertThrows(TestkitException.class, () -> builder().startTimeout(Duration.ofMillis(1)).start());
    assertEquals(Reason.TIMEOUT, e.reason());
    Leftovers.assertNothingLeftIn(base);
  }

  @Test
  void start_missingBinaries_failsNamingThePackage(@TempDir Path empty) {
    TestkitException e =
        assertThrows(TestkitException.class, () -> PostgresServer.builder().binDirectory(empty).start());
    assertEquals(Reason.MISSING_BINARY, e.reason());
    assertTrue(e.getMessage().contains("'postgresql'"), e.getMessage());
    assertTrue(e.getMessage().contains(empty.resolve("postgres").toString()), e.getMessage());
  }

  @Test
  void start_binPropertyPointsNowhere_failsNamingThatDirectory(@TempDir Path empty) {
    String before = System.getProperty(PostgresServer.BIN_PROPERTY);
    System.setProperty(PostgresServer.BIN_PROPERTY, empty.toString());
    try {
      TestkitException e = assertThrows(TestkitException.class, PostgresServer::start);
      assertEquals(Reason.MISSING_BINARY, e.reason());
      assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    } finally {
      if (before == null) {
        System.clearProperty(PostgresServer.BIN_PROPERTY);
      } else {
        System.setProperty(PostgresServer.BIN_PROPERTY, before);
      }
    }
  }

  @Test
  void start_runAsUnknownUser_failsWithMissingUserWhenRoot() throws Exception {
    PostgresServer.Builder b = builder().runAs("no_such_user_testkit");
    if (RunAs.currentIsRoot()) {
      TestkitException e = assertThrows(TestkitException.class, b::start);
      assertEquals(Reason.MISSING_USER, e.reason());
      assertTrue(e.getMessage().contains("no_such_user_testkit"), e.getMessage());
    } else {
      try (PostgresServer pg = b.start()) { // not root: runs as this user, runAs is ignored
        assertTrue(pg.isRunning());
      }
    }
  }

  @Test
  void builder_optionSetTwiceOrInvalid_rejected() {
    PostgresServer.Builder b =
        PostgresServer.builder()
            .binDirectory(Path.of("/x"))
            .baseDirectory(Path.of("/y"))
            .runAs("postgres")
            .password("p")
            .startTimeout(Duration.ofSeconds(5))
            .setting("work_mem", "4MB");
    assertThrows(IllegalStateException.class, () -> b.binDirectory(Path.of("/x")));
    assertThrows(IllegalStateException.class, () -> b.baseDirectory(Path.of("/y")));
    assertThrows(IllegalStateException.class, () -> b.runAs("postgres"));
    assertThrows(IllegalStateException.class, () -> b.password("p"));
    assertThrows(IllegalStateException.class, () -> b.startTimeout(Duration.ofSeconds(5)));
    assertThrows(IllegalStateException.class, () -> b.setting("work_mem", "8MB"));
    PostgresServer.Builder fresh = PostgresServer.builder();
    assertThrows(IllegalArgumentException.class, () -> fresh.password(""));
    assertThrows(IllegalArgumentException.class, () -> fresh.password("a\0b"));
    assertThrows(IllegalArgumentException.class, () -> fresh.startTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> fresh.setting("Bad-Name", "1"));
    assertThrows(IllegalArgumentException.class, () -> fresh.setting("work_mem", "1\n2"));
    assertThrows(NullPointerException.class, () -> fresh.binDirectory(null));
  }

  private static int freePort() {
    return Ports.loopback().next();
  }
}
