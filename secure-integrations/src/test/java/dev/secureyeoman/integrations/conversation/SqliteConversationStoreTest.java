package dev.secureyeoman.integrations.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.core.crypto.SecretStores;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.testkit.TestClock;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteConversationStoreTest {
  private static final Instant T0 = Instant.parse("2026-10-01T08:00:00Z");
  @TempDir Path tmp;
  private final TestClock clock = TestClock.at(T0);
  private final SecretStore sealer = SecretStores.withKey(SecretBytes.copyOf(key(1)));
  private final ThreadKey a = new ThreadKey("telegram", "-100500", "msg-10");
  private final ThreadKey b = new ThreadKey("telegram", "-100500", "msg-20");

  private static byte[] key(int seed) {
    byte[] k = new byte[32];
    new Random(seed).nextBytes(k);
    return k;
  }

  private Path db() {
    return tmp.resolve("data/conversations.db");
  }

  private ConversationTracker open(ConversationLimits limits) throws ConversationException {
    return ConversationTracker.builder()
        .limits(limits)
        .clock(clock)
        .store(SqliteConversationStore.open(db(), sealer, Duration.ofDays(30), clock))
        .build();
  }

  private ConversationTracker open() throws ConversationException {
    return open(ConversationLimits.builder().idleTimeout(Duration.ofDays(60)).build());
  }

  private Turn user(String text) {
    return Turn.user("alice-AUTHOR-CANARY", text, clock.instant());
  }

  /** The database file and its WAL/SHM companions, concatenated as raw bytes. */
  private byte[] rawFiles() throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Path p = Path.of(db() + suffix);
      if (Files.exists(p)) {
        all.write(Files.readAllBytes(p));
      }
    }
    return all.toByteArray();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private byte[] storedBody(ThreadKey key, int index) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT body FROM turns JOIN threads ON threads.id = turns.thread_id WHERE thread_key = ? ORDER BY seq"
                    + " LIMIT 1 OFFSET ?")) {
      ps.setString(1, key.canonical());
      ps.setInt(2, index);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next());
        return rs.getBytes("body");
      }
    }
  }

  @Test
  void turns_surviveRestartAndAreNeverStoredInClear() throws Exception {
    try (ConversationTracker t = open()) {
      t.record(a, user("PLAINTEXT-CANARY the door code is 4711"));
      t.record(a, Turn.assistant("bot", "ASSISTANT-CANARY noted", clock.instant()));
      t.record(b, user("other thread"));
    }
    byte[] raw = rawFiles();
    for (String canary : List.of("PLAINTEXT-CANARY", "ASSISTANT-CANARY", "AUTHOR-CANARY", "door code")) {
      assertFalse(contains(raw, canary.getBytes(StandardCharsets.UTF_8)), canary + " found in clear");
      assertFalse(contains(raw, canary.getBytes(StandardCharsets.UTF_16LE)), canary + " found in UTF-16");
    }
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Path p = Path.of(db() + suffix);
      if (Files.exists(p)) {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), suffix);
      }
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(db().getParent())));
    try (ConversationTracker t = open()) {
      ConversationContext ctx = t.context(a);
      assertEquals(
          List.of("PLAINTEXT-CANARY the door code is 4711", "ASSISTANT-CANARY noted"),
          ctx.turns().stream().map(Turn::text).toList());
      assertEquals(Turn.Role.ASSISTANT, ctx.turns().get(1).role());
      assertEquals("alice-AUTHOR-CANARY", ctx.turns().get(0).author());
      assertEquals(T0, ctx.turns().get(0).at());
    }
    // another key cannot open the bodies
    try (ConversationTracker other =
        ConversationTracker.builder()
            .clock(clock)
            .limits(ConversationLimits.builder().idleTimeout(Duration.ofDays(60)).build())
            .store(SqliteConversationStore.open(db(), SecretStores.withKey(SecretBytes.copyOf(key(2))),
                Duration.ofDays(30), clock))
            .build()) {
      assertEquals(ConversationException.Reason.TAMPERED,
          assertThrows(ConversationException.class, () -> other.context(a)).reason());
    }
  }

  @Test
  void retention_oldTurnGoneFromTheRawFileAlsoAfterRestart() throws Exception {
    byte[] oldEnvelope;
    try (ConversationTracker t = open()) {
      t.record(a, user("OLD-TURN-CANARY"));
      oldEnvelope = storedBody(a, 0);
      clock.advance(Duration.ofDays(20));
      t.record(a, user("recent turn"));
      clock.advance(Duration.ofDays(11)); // the first turn is now 31 days old, the second 11
      byte[] tail = java.util.Arrays.copyOfRange(oldEnvelope, oldEnvelope.length - 48, oldEnvelope.length);
      assertTrue(contains(rawFiles(), tail)); // present before the purge: the check below can fail
      t.maintain();
      assertEquals(List.of("recent turn"), t.context(a).turns().stream().map(Turn::text).toList());
    }
    byte[] slice = java.util.Arrays.copyOfRange(oldEnvelope, oldEnvelope.length - 48, oldEnvelope.length);
    assertFalse(contains(rawFiles(), slice), "ciphertext of the expired turn is still in the file");
    try (ConversationTracker t = open()) {
      assertEquals(1, t.context(a).turns().size());
    }
    assertFalse(contains(rawFiles(), slice));
  }

  @Test
  void retention_appliedWhenTheStoreOpensAfterDowntime() throws Exception {
    byte[] envelope;
    try (ConversationTracker t = open()) {
      t.record(b, user("BEFORE-DOWNTIME"));
      envelope = storedBody(b, 0);
    }
    byte[] slice = java.util.Arrays.copyOfRange(envelope, envelope.length - 48, envelope.length);
    assertTrue(contains(rawFiles(), slice)); // the check below can fail
    clock.advance(Duration.ofDays(31)); // the process was down; no maintain() call happens
    try (ConversationTracker t = open()) {
      assertEquals(0, t.threadCount());
      assertTrue(t.context(b).isEmpty());
    }
    assertFalse(contains(rawFiles(), slice));
    assertTrue(Files.size(db()) < 64 * 1024);
  }

  @Test
  void retention_futureDatedPlatformTime_doesNotExtendIt() throws Exception {
    try (ConversationTracker t = open()) {
      t.record(a, Turn.user("u", "from the future", T0.plus(Duration.ofDays(400))));
      clock.advance(Duration.ofDays(31));
      t.maintain();
      assertEquals(0, t.threadCount());
    }
  }

  @Test
  void tampering_movedOrSwappedBodiesRefused() throws Exception {
    try (ConversationTracker t = open()) {
      t.record(a, user("first"));
      t.record(a, user("second"));
      t.record(b, user("in b"));
    }
    byte[] first = storedBody(a, 0);
    byte[] second = storedBody(a, 1);
    byte[] inB = storedBody(b, 0);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db())) {
      try (PreparedStatement ps = c.prepareStatement("UPDATE turns SET body = ? WHERE body = ?")) {
        ps.setBytes(1, second);
        ps.setBytes(2, first);
        ps.executeUpdate();
        ps.setBytes(1, first);
        ps.setBytes(2, inB); // a's first body copied into thread b
        ps.executeUpdate();
      }
    }
    try (ConversationTracker t = open()) {
      assertEquals(ConversationException.Reason.TAMPERED,
          assertThrows(ConversationException.class, () -> t.context(a)).reason());
      assertEquals(ConversationException.Reason.TAMPERED,
          assertThrows(ConversationException.class, () -> t.context(b)).reason());
      assertTrue(t.forget(a)); // the host can drop a damaged thread and go on
      t.record(a, user("fresh"));
      assertEquals(1, t.context(a).turns().size());
    }
  }

  @Test
  void append_failingMidTransaction_leavesNothing() throws Exception {
    try (ConversationTracker t = open(ConversationLimits.builder().maxTurns(2).idleTimeout(Duration.ofDays(60)).build())) {
      t.record(a, user("one"));
      t.record(a, user("two"));
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
        Statement st = c.createStatement()) {
      // the window trim of the next append fails inside the transaction, after the insert
      st.execute("CREATE TRIGGER fail_trim BEFORE DELETE ON turns BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    }
    try (ConversationTracker t = open(ConversationLimits.builder().maxTurns(2).idleTimeout(Duration.ofDays(60)).build())) {
      ConversationException e = assertThrows(ConversationException.class, () -> t.record(a, user("three")));
      assertEquals(ConversationException.Reason.STORE_FAILED, e.reason());
      assertFalse(e.getMessage().contains("three"));
      assertEquals(List.of("one", "two"), t.context(a).turns().stream().map(Turn::text).toList());
    }
  }

  @Test
  void twoStoresOnOneFile_seeEachOthersTurns() throws Exception {
    try (ConversationTracker p1 = open();
        ConversationTracker p2 = open()) {
      p1.record(a, user("from process one"));
      p2.record(a, user("from process two"));
      assertEquals(List.of("from process one", "from process two"),
          p1.context(a).turns().stream().map(Turn::text).toList());
      assertEquals(2, p2.context(a).turns().size());
    }
  }

  @Test
  void idleExpiryAndThreadCap() throws Exception {
    ConversationLimits limits =
        ConversationLimits.builder().idleTimeout(Duration.ofMinutes(60)).maxLiveThreads(3).build();
    try (ConversationTracker t = open(limits)) {
      for (int i = 0; i < 5; i++) {
        t.record(new ThreadKey("discord", "c" + i, "main"), user("m" + i));
        clock.advance(Duration.ofMinutes(1));
      }
      assertEquals(3, t.threadCount());
      assertTrue(t.context(new ThreadKey("discord", "c0", "main")).isEmpty()); // least recently active evicted
      assertEquals(1, t.context(new ThreadKey("discord", "c4", "main")).turns().size());
      clock.advance(Duration.ofMinutes(57)); // now +62 min: c2 idle 60 min, c3 59, c4 58
      assertTrue(t.context(new ThreadKey("discord", "c2", "main")).isEmpty());
      t.record(new ThreadKey("discord", "c3", "main"), user("still here"));
      assertEquals(List.of("m3", "still here"),
          t.context(new ThreadKey("discord", "c3", "main")).turns().stream().map(Turn::text).toList());
      clock.advance(Duration.ofMinutes(61));
      assertEquals(2, t.maintain()); // c3 and c4
      assertEquals(0, t.threadCount());
    }
  }

  @Test
  void open_validatesAndRefusesOtherSchemas() throws Exception {
    assertThrows(IllegalArgumentException.class,
        () -> SqliteConversationStore.open(db(), sealer, Duration.ofMinutes(1), clock));
    Files.createDirectories(db().getParent());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
        Statement st = c.createStatement()) {
      st.execute("PRAGMA user_version = 7");
    }
    assertEquals(ConversationException.Reason.STORE_FAILED,
        assertThrows(ConversationException.class,
            () -> SqliteConversationStore.open(db(), sealer, Duration.ofDays(1), clock)).reason());
  }

  @Test
  void closedStore_refusesUse() throws Exception {
    ConversationTracker t = open();
    t.close();
    t.close();
    assertThrows(IllegalStateException.class, () -> t.record(a, user("x")));
  }

  @Test
  void open_symlinkPlantedAtTheWalFile_refusedAndItsTargetNeitherChmodedNorWritten() throws Exception {
    Files.createDirectories(db().getParent());
    Path victim = Files.writeString(tmp.resolve("victim.txt"), "not yours");
    Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
    Files.createSymbolicLink(Path.of(db() + "-wal"), victim);
    ConversationException e = assertThrows(ConversationException.class, this::open);
    assertEquals(ConversationException.Reason.STORE_FAILED, e.reason());
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
    assertEquals("not yours", Files.readString(victim));
  }

  @Test
  void open_freshDirectory_databaseFiles0600AndDirectory0700() throws Exception {
    try (ConversationTracker t = open()) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(db().getParent())));
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(db() + suffix))));
      }
    }
  }
}
