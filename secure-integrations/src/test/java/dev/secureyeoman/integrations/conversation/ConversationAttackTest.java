package dev.secureyeoman.integrations.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.core.crypto.SecretStores;
import dev.secureyeoman.integrations.ThreadKey;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Red-team: conversation context under several writers, hostile thread ids and hostile authors. */
class ConversationAttackTest {
  private static final Instant T0 = Instant.parse("2026-10-01T08:00:00Z");
  @TempDir Path tmp;
  private final ThreadKey key = new ThreadKey("slack", "T1:C1", "1700000000.000100");

  /** A clock that runs an action once, at its n-th reading after being armed: a deterministic interleaving point. */
  static final class HookClock extends Clock {
    private final AtomicInteger countdown = new AtomicInteger(-1);
    private volatile Runnable action;

    void armAtReading(int n, Runnable a) {
      action = a;
      countdown.set(n);
    }

    @Override
    public Instant instant() {
      if (countdown.get() > 0 && countdown.decrementAndGet() == 0) {
        action.run();
      }
      return T0;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private static SecretStore sealer() {
    byte[] k = new byte[32];
    new Random(7).nextBytes(k);
    return SecretStores.withKey(SecretBytes.copyOf(k));
  }

  private static void record(ConversationTracker t, ThreadKey k, Turn turn) {
    try {
      t.record(k, turn);
    } catch (ConversationException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Attack: a second writer (another process on the shared SQLite file, or a plain {@code record} in this one) slips
   * a message in between {@code exchange}'s record and its context read. The responder was then asked to answer the
   * <em>other</em> message — the incoming one was never answered, and the other one answered twice.
   */
  @Test
  void exchange_secondWriterBetweenRecordAndRead_responderStillAnswersTheIncomingTurn() throws Exception {
    Path db = tmp.resolve("conv.db");
    SecretStore sealer = sealer();
    HookClock clockA = new HookClock();
    Clock fixed = Clock.fixed(T0, ZoneOffset.UTC);
    try (ConversationTracker a =
            ConversationTracker.builder().clock(clockA)
                .store(SqliteConversationStore.open(db, sealer, Duration.ofDays(30), fixed)).build();
        ConversationTracker b =
            ConversationTracker.builder().clock(fixed)
                .store(SqliteConversationStore.open(db, sealer, Duration.ofDays(30), fixed)).build()) {
      List<ConversationContext> seen = new ArrayList<>();
      AiResponder model = ctx -> {
        seen.add(ctx);
        return Optional.of("answer to " + ctx.latest().text());
      };
      clockA.armAtReading(2, () -> record(b, key, Turn.user("mallory", "message via instance B", T0)));
      Optional<Turn> reply = a.exchange(key, Turn.user("alice", "message via instance A", T0), model);
      assertEquals("message via instance A", seen.get(0).latest().text());
      assertEquals("answer to message via instance A", reply.orElseThrow().text());
    }

    // the same interleaving inside one instance with the in-memory store
    HookClock clock = new HookClock();
    try (ConversationTracker t = ConversationTracker.builder().clock(clock).build()) {
      List<ConversationContext> seen = new ArrayList<>();
      clock.armAtReading(2, () -> record(t, key, Turn.user("mallory", "interleaved", T0)));
      t.exchange(key, Turn.user("alice", "incoming", T0), ctx -> {
        seen.add(ctx);
        return Optional.empty();
      });
      assertEquals("incoming", seen.get(0).latest().text());
    }
  }
}
