package dev.secureyeoman.auth;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.ChildJvm;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Red team (attack18b): one auth node frozen (SIGSTOP: a VM pause, a long GC or a network partition look the same to
 * the server — a session idle in its transaction) while it holds the cluster-wide auth write lock must not stop the
 * logins of every other node for as long as it stays frozen.
 */
@ExtendWith(PostgresExtension.class)
class Attack18bFrozenAuthNodeTest {

  private static final String PASSWORD = "a long enough passphrase for attack18b";

  /** Node A: logs in again and again; its audit sink is slow so the transaction is often caught holding the lock. */
  public static final class LoggingInNode {
    public static void main(String[] args) throws Exception {
      AuditSink slowSink =
          (AuditEvent e) -> {
            if (e.event().equals("auth.login.success")) {
              System.out.println("in-tx");
              System.out.flush();
              try {
                Thread.sleep(300);
              } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
              }
            }
          };
      try (AuthDataSources.Pooled pool = AuthDataSources.postgres(args[0], args[1], args[2].toCharArray());
          AuthService auth =
              AuthService.builder()
                  .dataSource(pool)
                  .auditSink(slowSink)
                  .masterKey(SecretBytes.copyOf(HexFormat.of().parseHex(args[3])))
                  .build()) {
        while (true) {
          auth.login("node-a-user", PASSWORD.toCharArray(), false, ClientInfo.of("10.0.0.1"));
        }
      }
    }
  }

  private static boolean authLockHeldIdleInTransaction(PostgresDatabase db) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
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
  void nodeFrozenHoldingTheAuthWriteLock_otherNodesLogInAgainWithinBound(PostgresDatabase db) throws Exception {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    AuditSink quiet = e -> {};
    try (AuthDataSources.Pooled pool =
            AuthDataSources.postgres(db.jdbcUrl(), db.user(), db.password().toCharArray());
        AuthService nodeB =
            AuthService.builder().dataSource(pool).auditSink(quiet).masterKey(SecretBytes.copyOf(k)).build()) {
      nodeB.createUser("node-a-user", PASSWORD.toCharArray(), Set.of("user"));
      for (int i = 0; i < 12; i++) {
        nodeB.createUser("b" + i, PASSWORD.toCharArray(), Set.of("user"));
      }
      try (ChildJvm nodeA =
          ChildJvm.builder(LoggingInNode.class)
              .args(db.jdbcUrl(), db.user(), db.password(), HexFormat.of().formatHex(k))
              .start()) {
        boolean frozen = false;
        for (int attempt = 0; attempt < 40 && !frozen; attempt++) {
          nodeA.awaitStdout(Pattern.compile("in-tx"), Duration.ofSeconds(60));
          signal(nodeA.pid(), "STOP");
          Thread.sleep(50);
          frozen = authLockHeldIdleInTransaction(db);
          if (!frozen) {
            signal(nodeA.pid(), "CONT");
          }
        }
        assertTrue(frozen, "could not freeze node A inside its locked transaction");
        try {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
          int i = 0;
          while (true) {
            try {
              LoginResult r =
                  nodeB.login("b" + (i % 12), PASSWORD.toCharArray(), false, ClientInfo.of("10.0.1." + i));
              assertInstanceOf(LoginResult.Authenticated.class, r);
              break; // node B logs in again while A is still frozen
            } catch (AuthStorageException waitedForTheLock) {
              if (System.nanoTime() > deadline) {
                fail("node B still cannot log in 120 s after node A froze holding the auth write lock: one frozen node"
                    + " stops the logins of the whole cluster for as long as it stays frozen");
              }
            }
            i++;
          }
          assertTrue(nodeA.isAlive());
        } finally {
          signal(nodeA.pid(), "CONT");
        }
      }
    }
  }
}
