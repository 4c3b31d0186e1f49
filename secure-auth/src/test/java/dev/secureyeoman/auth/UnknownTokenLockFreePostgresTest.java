package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link UnknownTokenLockFreeTest} on PostgreSQL: the lock held by the other connection is the cluster-wide advisory
 * write lock (session-level {@code pg_advisory_lock} on the key every write transaction of every node takes).
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.auth.PostgresRun#available", disabledReason = PostgresRun.MISSING)
class UnknownTokenLockFreePostgresTest extends UnknownTokenLockFreeTest {
  /** {@code PostgresDialect.WRITE_LOCK_KEY} ("SYauth18"); the blocked login below proves it is the write lock. */
  static final long WRITE_LOCK_KEY = 0x5359617574683138L;

  private PostgresRun pg;

  @BeforeEach
  void database(PostgresDatabase db) {
    pg = new PostgresRun(db);
  }

  @AfterEach
  void closePools() {
    pg.close();
  }

  @Override
  AuthFixture newFixture(Path dir, AuthSettings settings) {
    return pg.fixture(dir, settings);
  }

  @Override
  AutoCloseable holdWriteLock(AuthFixture f) throws Exception {
    Connection c = pg.pool().getConnection();
    try (Statement st = c.createStatement()) {
      st.execute("SELECT pg_advisory_lock(" + WRITE_LOCK_KEY + ")");
    }
    return () -> {
      try (Statement st = c.createStatement()) {
        st.execute("SELECT pg_advisory_unlock(" + WRITE_LOCK_KEY + ")");
      } finally {
        c.close();
      }
    };
  }

  /** Backends waiting (not granted) for the write lock, as PostgreSQL reports them. */
  private int waiters() throws Exception {
    try (Connection c = pg.pool().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    + " AND ((classid::bigint << 32) | objid::bigint) = ?")) {
      ps.setLong(1, WRITE_LOCK_KEY);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Test
  void loginBlockedBehindTheWriteLock_unknownTokensOnTheSameServiceStillRefused_loginCompletesOnRelease()
      throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Future<LoginResult> login;
      try (AutoCloseable lock = holdWriteLock(f)) {
        // a legitimate write of this very service queues for the lock (and holds the service's own writer lock)
        login = ex.submit(() -> s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
        while (waiters() == 0) {
          assertFalse(login.isDone(), "the login must wait for the write lock");
          Thread.onSpinWait();
        }
        unknownTokensRefused(s);
        assertEquals(1, waiters(), "only the login waits: no unknown attempt queued for the lock");
        assertFalse(login.isDone(), "the lock is still held: the login still waits");
      }
      assertInstanceOf(LoginResult.Authenticated.class, login.get(30, TimeUnit.SECONDS));
    }
  }

  /**
   * Red team: the lock-free read must not become a way around reuse detection. A rotated (used) token exists, so it is
   * never refused from the read: it waits for the write lock like any write, and once the lock is free the reuse is
   * detected and the whole family (the legitimate holder's newer token too) is revoked.
   */
  @Test
  void rotatedToken_notRefusedLockFree_waitsForTheLock_thenReuseRevokesTheFamily() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens first = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      AuthTokens second = s.refresh(first.refreshToken(), CLIENT);
      Future<AuthTokens> reuse;
      try (AutoCloseable lock = holdWriteLock(f)) {
        reuse = ex.submit(() -> s.refresh(first.refreshToken(), CLIENT));
        while (waiters() == 0) {
          assertFalse(reuse.isDone(), "a rotated token must be decided under the write lock");
          Thread.onSpinWait();
        }
      }
      ExecutionException e = assertThrows(ExecutionException.class, () -> reuse.get(30, TimeUnit.SECONDS));
      assertInstanceOf(InvalidTokenException.class, e.getCause());
      assertEquals(1, f.audit.named("auth.refresh.reuse").size(), f.audit.dump());
      assertThrows(InvalidTokenException.class, () -> s.refresh(second.refreshToken(), CLIENT));
    }
  }
}
