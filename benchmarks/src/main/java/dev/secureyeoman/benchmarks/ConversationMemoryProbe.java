package dev.secureyeoman.benchmarks;

import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.conversation.ConversationTracker;
import java.lang.management.ManagementFactory;

/**
 * Question: how much heap do 100 000 live conversation threads (5 turns of ~80 characters each, the in-memory store)
 * take? Goal: under 200 MB.
 *
 * <p>Not a JMH benchmark: it measures retained heap after full GCs, before and after populating the tracker.
 * Run: {@code java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.ConversationMemoryProbe}
 */
public final class ConversationMemoryProbe {
  private ConversationMemoryProbe() {}

  /**
   * Prints the retained heap of the populated tracker.
   *
   * @param args ignored
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    long before = retainedHeap();
    ThreadKey[] keys = ConversationTrackerBenchmark.keys(); // counted: the tracker holds these keys
    ConversationTracker tracker = ConversationTrackerBenchmark.populate(keys);
    long after = retainedHeap();
    long threads = tracker.threadCount();
    System.out.printf(
        "threads=%d turns/thread=%d retained=%.1f MB (%.0f bytes/thread)%n",
        threads,
        ConversationTrackerBenchmark.TURNS_PER_THREAD,
        (after - before) / 1e6,
        (after - before) / (double) threads);
    if (tracker.context(keys[0]).isEmpty()) {
      throw new IllegalStateException("tracker lost its threads");
    }
  }

  private static long retainedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
