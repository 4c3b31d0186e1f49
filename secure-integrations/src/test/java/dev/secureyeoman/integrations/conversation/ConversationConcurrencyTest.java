package dev.secureyeoman.integrations.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.SecretStores;
import dev.secureyeoman.integrations.ThreadKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 16 workers record into 100 thread keys at once; every window must stay consistent. */
class ConversationConcurrencyTest {
  private static final int WORKERS = 16;
  private static final int KEYS = 100;
  private static final int MAX_TURNS = 8;

  @TempDir Path tmp;

  @Test
  void inMemory_16WorkersInto100Threads_windowsConsistent() throws Exception {
    try (ConversationTracker t =
        ConversationTracker.builder().limits(ConversationLimits.builder().maxTurns(MAX_TURNS).build()).build()) {
      run(t, 400);
    }
  }

  @Test
  void sqlite_16WorkersInto100Threads_windowsConsistent() throws Exception {
    byte[] key = new byte[32];
    new Random(3).nextBytes(key);
    try (ConversationTracker t =
        ConversationTracker.builder()
            .limits(ConversationLimits.builder().maxTurns(MAX_TURNS).build())
            .store(
                SqliteConversationStore.open(
                    tmp.resolve("c.db"), SecretStores.withKey(SecretBytes.copyOf(key)),
                    SqliteConversationStore.DEFAULT_RETENTION, java.time.Clock.systemUTC()))
            .build()) {
      run(t, 25);
    }
  }

  /** Each worker appends {@code perWorker} turns "w<worker>:<n>" to seeded-random keys, with n increasing. */
  private static void run(ConversationTracker tracker, int perWorker) throws Exception {
    List<ThreadKey> keys = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      keys.add(new ThreadKey("slack", "C" + (i % 7), "t" + i));
    }
    AtomicIntegerArray appended = new AtomicIntegerArray(KEYS);
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      int worker = w;
      futures.add(
          pool.submit(
              () -> {
                Random random = new Random(worker);
                start.await();
                for (int n = 0; n < perWorker; n++) {
                  int k = random.nextInt(KEYS);
                  tracker.record(keys.get(k), Turn.user("w" + worker, "w" + worker + ":" + n, Instant.now()));
                  appended.incrementAndGet(k);
                  if (n % 5 == 0) {
                    checkWindow(tracker.context(keys.get(random.nextInt(KEYS))));
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    int total = 0;
    for (int k = 0; k < KEYS; k++) {
      ConversationContext ctx = tracker.context(keys.get(k));
      checkWindow(ctx);
      assertEquals(Math.min(appended.get(k), MAX_TURNS), ctx.turns().size(), "window size of key " + k);
      total += appended.get(k);
    }
    assertEquals(WORKERS * perWorker, total);
  }

  /** A window holds at most MAX_TURNS turns of its own key, each worker's turns in the order it recorded them. */
  private static void checkWindow(ConversationContext ctx) {
    assertTrue(ctx.turns().size() <= MAX_TURNS, "window too large: " + ctx.turns().size());
    Map<String, Integer> lastSeen = new HashMap<>();
    int tokens = 0;
    for (Turn t : ctx.turns()) {
      String[] parts = t.text().split(":");
      assertEquals(t.author(), parts[0]);
      int n = Integer.parseInt(parts[1]);
      Integer prev = lastSeen.put(parts[0], n);
      assertTrue(prev == null || prev < n, "turns of " + parts[0] + " out of order in " + ctx.thread().canonical());
      tokens += ConversationLimits.CHARS_DIV_4.applyAsInt(t);
    }
    assertEquals(tokens, ctx.approxTokens());
  }
}
