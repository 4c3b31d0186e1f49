package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {
  @TempDir Path dir;

  @Test
  void eightThreadsTimesTenThousand_formOneLinearChain_noneLost() throws Exception {
    int threads = 8;
    int perThread = 10_000;
    ConcurrentLinkedQueue<AuditEntry> returned = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    try (AuditStore s = TestSupport.open(dir.resolve("conc.db"))) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread th =
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                      returned.add(s.append(AuditEvent.builder("conc").actor("t" + id).message(id + ":" + i).build()));
                    }
                  } catch (Throwable e) {
                    errors.add(e);
                  }
                });
        th.start();
        ts.add(th);
      }
      start.countDown();
      for (Thread th : ts) {
        th.join();
      }
      assertTrue(errors.isEmpty(), () -> "append failed: " + errors.peek());
      long total = (long) threads * perThread;
      assertEquals(total, returned.size());
      Set<Long> seqs = new HashSet<>();
      Set<String> messages = new HashSet<>();
      for (AuditEntry e : returned) {
        seqs.add(e.seq());
        messages.add(e.message());
      }
      assertEquals(total, seqs.size(), "every append got its own seq");
      assertEquals(total, messages.size());
      assertEquals(1L, seqs.stream().mapToLong(Long::longValue).min().orElseThrow());
      assertEquals(total, seqs.stream().mapToLong(Long::longValue).max().orElseThrow(), "dense: 1..total");
      VerificationResult v = s.verify();
      assertTrue(v.valid(), v.summary());
      assertEquals(total, v.entriesChecked(), "one linear chain holding every entry");
      // what was returned is what is stored
      List<AuditEntry> page = s.query(AuditQuery.builder().actor("t3").limit(AuditQuery.MAX_LIMIT).build());
      assertEquals(perThread, page.size());
      for (int i = 1; i < page.size(); i++) {
        String prev = page.get(i - 1).message();
        String cur = page.get(i).message();
        assertTrue(
            Integer.parseInt(prev.substring(2)) < Integer.parseInt(cur.substring(2)), "per-thread order kept");
      }
    }
  }
}
