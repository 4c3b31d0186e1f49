package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 4: a second writer process (another host, or {@code secureyeoman audit append}) appends while this
 * process holds the store open. Every commit re-reads the head inside {@code BEGIN IMMEDIATE}, so the host keeps
 * appending to one linear chain instead of failing with a primary-key error until it restarts.
 */
class MultiProcessWriterTest {
  @TempDir Path dir;

  @Test
  void appendFromAnotherProcess_whileHostHoldsStore_hostKeepsAppendingOneChain() throws Exception {
    Path db = dir.resolve("shared.db");
    try (AuditStore host = TestSupport.open(db)) {
      host.append(AuditEvent.builder("host.append").message("before").build());
      TestSupport.runChild(WriterChild.class, db.toString(), "1", "child"); // the second writer, in its own JVM
      AuditEntry after = host.append(AuditEvent.builder("host.append").message("after").build());
      assertEquals(3, after.seq(), "the host chained onto the child's entry");
      List<AuditEntry> all = TestSupport.all(host);
      assertEquals(List.of("before", "child-0", "after"), all.stream().map(AuditEntry::message).toList());
      assertEquals(all.get(1).hash(), all.get(2).prevHash());
      VerificationResult v = host.verify();
      assertTrue(v.valid(), v.summary());
    }
  }

  @Test
  void concurrentWritersInTwoProcesses_interleaveIntoOneVerifiedChain() throws Exception {
    Path db = dir.resolve("concurrent.db");
    int perWriter = 150;
    try (AuditStore host = TestSupport.open(db)) {
      Process child = TestSupport.startChild(WriterChild.class, db.toString(), Integer.toString(perWriter), "child");
      for (int i = 0; i < perWriter; i++) {
        host.append(AuditEvent.builder("host.append").message("host-" + i).build());
      }
      String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), out);
      assertEquals(0, child.exitValue(), out);
      host.append(AuditEvent.builder("host.append").message("last").build());
      List<AuditEntry> all = TestSupport.all(host);
      assertEquals(2 * perWriter + 1, all.size());
      for (int i = 0; i < all.size(); i++) {
        assertEquals(i + 1, all.get(i).seq(), "dense seqs");
      }
      assertEquals(perWriter, all.stream().filter(e -> e.actor().equals("child")).count());
      VerificationResult v = host.verify();
      assertTrue(v.valid(), v.summary());
    }
  }
}
