package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.ChildJvm;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Red team (attack18b): one node of the cluster frozen (SIGSTOP: a VM pause, a long GC, a network partition — the
 * server sees the same thing, a session idle inside its transaction) while it holds the audit write lock must not stop
 * every other node's appends for good.
 */
@ExtendWith(PostgresExtension.class)
class Attack18bFrozenNodeTest {

  /** The node that gets frozen: appends as fast as it can. Args: url user password keyHex. */
  public static final class AppendingNode {
    public static void main(String[] args) throws Exception {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(args[0]);
      ds.setUser(args[1]);
      ds.setPassword(args[2]);
      try (AuditStore store =
          PostgresAuditStore.builder(ds).macKey(SecretBytes.copyOf(HexFormat.of().parseHex(args[3]))).open()) {
        System.out.println("appending");
        System.out.flush();
        while (true) {
          CompletableFuture<?>[] group = new CompletableFuture<?>[64];
          for (int i = 0; i < group.length; i++) {
            group[i] = store.appendAsync(AuditEvent.builder("test.frozen").actor("node-a").message("m" + i).build());
          }
          CompletableFuture.allOf(group).join();
        }
      }
    }
  }

  private static boolean lockHeldByIdleInTransaction(PGSimpleDataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    + " WHERE l.locktype = 'advisory' AND l.granted AND a.state = 'idle in transaction'")) {
      rs.next();
      return rs.getLong(1) > 0;
    }
  }

  private static void signal(long pid, String sig) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      fail("kill -" + sig + " failed");
    }
  }

  @Test
  void nodeFrozenHoldingTheWriteLock_otherNodesAppendsFailOrSucceedWithinBound(PostgresDatabase db) throws Exception {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    String keyHex = HexFormat.of().formatHex(k);
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(db.jdbcUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    try (AuditStore nodeB = PostgresAuditStore.builder(ds).macKey(SecretBytes.copyOf(k)).open();
        ChildJvm nodeA =
            ChildJvm.builder(AppendingNode.class).args(db.jdbcUrl(), db.user(), db.password(), keyHex).start()) {
      nodeB.append(AuditEvent.builder("test.b").actor("node-b").message("before").build());
      nodeA.awaitStdout(Pattern.compile("appending"), Duration.ofSeconds(60));
      boolean frozenHoldingLock = false;
      for (int attempt = 0; attempt < 200 && !frozenHoldingLock; attempt++) {
        signal(nodeA.pid(), "STOP");
        Thread.sleep(50);
        frozenHoldingLock = lockHeldByIdleInTransaction(ds);
        if (!frozenHoldingLock) {
          signal(nodeA.pid(), "CONT");
          Thread.sleep(20);
        }
      }
      assertTrue(frozenHoldingLock, "could not freeze node A inside its append transaction");
      // Node B's append: it may fail (typed) or succeed once the frozen session is cut, but not wait for good.
      CompletableFuture<AuditEntry> b =
          nodeB.appendAsync(AuditEvent.builder("test.b").actor("node-b").message("while A is frozen").build());
      try {
        b.get(90, TimeUnit.SECONDS);
      } catch (ExecutionException typedFailure) {
        assertTrue(typedFailure.getCause() instanceof AuditException, typedFailure.getCause().toString());
      } catch (TimeoutException hang) {
        fail("node B's append still waits 90 s after node A froze holding the audit write lock: one frozen node"
            + " stops the audit log (and every audited request) of the whole cluster");
      } finally {
        signal(nodeA.pid(), "CONT");
      }
      // and once A is gone, B appends again
      nodeA.kill();
      nodeB.append(AuditEvent.builder("test.b").actor("node-b").message("after").build());
      assertTrue(nodeB.verify().valid());
    }
  }
}
