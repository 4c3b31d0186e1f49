package dev.secureyeoman.benchmarks;

import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.PasswordHashParameters;
import dev.secureyeoman.core.SecretBytes;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Question: how much heap do 100 concurrent logins at the default Argon2id cost (19 MiB each) take, with the hashing bound
 * at its default (number of CPUs) and, for comparison, effectively unbounded (100)?
 *
 * <p>Not a JMH benchmark: it samples heap use while 100 threads log in at once, and reports failures. Heap "use" includes
 * garbage, so the telling run is a small heap: {@code java -Xmx128m -cp benchmarks/target/benchmarks.jar
 * dev.secureyeoman.benchmarks.LoginMemoryProbe} (the bounded round succeeds, the unbounded one runs out of memory), then
 * {@code -Xmx3g} to see what the unbounded round needs.
 */
public final class LoginMemoryProbe {
  private LoginMemoryProbe() {}

  /**
   * Runs both rounds and prints one line each.
   *
   * @param args ignored
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int cpus = Runtime.getRuntime().availableProcessors();
    for (int bound : new int[] {cpus, 100}) {
      Path dir = Files.createTempDirectory("login-mem");
      AuditSink discard = e -> {};
      char[] pw = "benchmark password that is long enough".toCharArray();
      try (AuthService s =
          AuthService.builder()
              .dataSource(AuthDataSources.sqlite(dir.resolve("auth.db")))
              .auditSink(discard)
              .masterKey(SecretBytes.copyOf(new byte[32]))
              .settings(
                  AuthSettings.builder()
                      .hashParameters(PasswordHashParameters.defaults())
                      .maxConcurrentHashes(bound)
                      .loginRateLimit(1000, Duration.ofMinutes(1))
                      .build())
              .build()) {
        s.createUser("bench", pw, Set.of());
        System.gc();
        long base = heapUsedNow();
        resetPeaks();
        ExecutorService pool = Executors.newFixedThreadPool(100);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> fs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
          String addr = "10.0.0." + i;
          fs.add(
              pool.submit(
                  () -> {
                    go.await();
                    return s.login("bench", pw, false, ClientInfo.of(addr));
                  }));
        }
        java.util.concurrent.atomic.AtomicLong sampled = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread sampler =
            new Thread(
                () -> {
                  while (running.get()) {
                    sampled.accumulateAndGet(heapUsedNow(), Math::max);
                    try {
                      Thread.sleep(2);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
        sampler.start();
        go.countDown();
        int failed = 0;
        String failure = "";
        for (Future<?> f : fs) {
          try {
            f.get();
          } catch (java.util.concurrent.ExecutionException e) {
            failed++;
            failure = " (" + e.getCause().getClass().getSimpleName() + ")";
          }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        running.set(false);
        sampler.join();
        pool.shutdown();
        System.out.printf(
            "maxConcurrentHashes=%d: heap before %d MiB; peak sampled every 2 ms %d MiB (+%d MiB); sum of pool peaks"
                + " (upper bound) %d MiB; 100 logins in %d ms; max heap %d MiB; failed %d%s%n",
            bound, base >> 20, sampled.get() >> 20, (sampled.get() - base) >> 20, peakHeap() >> 20, ms,
            Runtime.getRuntime().maxMemory() >> 20, failed, failure);
      }
    }
  }

  private static List<MemoryPoolMXBean> heapPools() {
    List<MemoryPoolMXBean> out = new ArrayList<>();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        out.add(p);
      }
    }
    return out;
  }

  private static void resetPeaks() {
    heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  private static long peakHeap() {
    return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  private static long heapUsedNow() {
    return heapPools().stream().mapToLong(p -> p.getUsage().getUsed()).sum();
  }
}
