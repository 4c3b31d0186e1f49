package dev.secureyeoman.benchmarks;

import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.conversation.ConversationContext;
import dev.secureyeoman.integrations.conversation.ConversationLimits;
import dev.secureyeoman.integrations.conversation.ConversationTracker;
import dev.secureyeoman.integrations.conversation.Turn;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Question: with 100 000 live threads (each holding 5 turns of ~80 characters), what do {@code record} + {@code context}
 * on a random thread cost in the default in-memory {@link ConversationTracker}, at the median and at p99, and how does
 * that compare with the raw baseline — a {@link ConcurrentHashMap} of synchronised {@link ArrayDeque}s trimmed to the
 * same number of turns and copied out — in the same run? Goal: p99 below 50 µs.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ConversationTrackerBenchmark -f 1 -wi 3 -i 5 -w 2 -r 2}
 * (sample mode reports p0.99). The heap figure comes from {@link ConversationMemoryProbe}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ConversationTrackerBenchmark {
  static final int THREADS = 100_000;
  static final int TURNS_PER_THREAD = 5;
  static final String TEXT = "Could you summarise what we said about the deployment window and the rollback plan?";

  private ConversationTracker tracker;
  private ThreadKey[] keys;
  private ConcurrentHashMap<ThreadKey, ArrayDeque<Turn>> raw;
  private Turn turn;

  /** Fills both stores with 100 000 threads. */
  @Setup
  public void setup() throws Exception {
    keys = keys();
    tracker = populate(keys);
    turn = Turn.user("user-1234", TEXT, Instant.now());
    raw = new ConcurrentHashMap<>();
    for (ThreadKey k : keys) {
      ArrayDeque<Turn> d = new ArrayDeque<>();
      for (int t = 0; t < TURNS_PER_THREAD; t++) {
        d.add(turn);
      }
      raw.put(k, d);
    }
  }

  static ThreadKey[] keys() {
    ThreadKey[] keys = new ThreadKey[THREADS];
    for (int i = 0; i < THREADS; i++) {
      keys[i] = new ThreadKey("slack", "T0123456:C" + (1_000_000 + i / 10), "17000000" + i + ".000100");
    }
    return keys;
  }

  static ConversationTracker populate(ThreadKey[] keys) throws Exception {
    ConversationTracker t =
        ConversationTracker.builder().limits(ConversationLimits.builder().maxLiveThreads(THREADS * 2).build()).build();
    Instant now = Instant.now();
    for (ThreadKey k : keys) {
      for (int i = 0; i < TURNS_PER_THREAD; i++) {
        t.record(k, Turn.user("user-" + (i % 7), TEXT + " #" + i, now));
      }
    }
    return t;
  }

  /**
   * Records one turn into a random thread and reads its context.
   *
   * @return the context (consumed by JMH)
   * @throws Exception never in practice
   */
  @Benchmark
  public ConversationContext trackerRecordAndContext() throws Exception {
    ThreadKey k = keys[ThreadLocalRandom.current().nextInt(THREADS)];
    tracker.record(k, turn);
    return tracker.context(k);
  }

  /**
   * Baseline: the same work on a bare concurrent map of deques (no limits object, no token budget, no expiry).
   *
   * @return a copy of the window
   */
  @Benchmark
  public List<Turn> rawMapOfDeques() {
    ThreadKey k = keys[ThreadLocalRandom.current().nextInt(THREADS)];
    ArrayDeque<Turn> d = raw.get(k);
    synchronized (d) {
      d.addLast(turn);
      while (d.size() > 20) {
        d.removeFirst();
      }
      return List.copyOf(d);
    }
  }
}
