package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.audit.AuditEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unauthenticated client presenting made-up refresh tokens or challenges must not take the write lock (issue 18's
 * known gap: every such attempt serialised every node's logins and logouts behind it). Another connection holds the
 * engine's write lock (SQLite {@code BEGIN IMMEDIATE}; PostgreSQL the advisory lock, in {@code
 * UnknownTokenLockFreePostgresTest}) for the whole attempt: an attempt that still queued for it would end in {@link
 * AuthStorageException} after the engine's lock wait ({@code busy_timeout} / {@code lock_timeout}), so the typed
 * refusal itself proves the lock was never requested. No timing is asserted: waits are bounded by {@code get(30 s)}.
 * Tokens that exist still go through the lock (rotation, reuse detection and single use are decided there).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnknownTokenLockFreeTest {
  static final String UNKNOWN_REFRESH = "syrt_" + "A".repeat(43);
  static final String UNKNOWN_MFA = "symc_" + "B".repeat(43);
  static final String UNKNOWN_PASSWORD_CHANGE = "sypc_" + "C".repeat(43);
  static final String TEMP_PASSWORD = "temporary passphrase set by ops 1";
  static final String NEW_PASSWORD = "the passphrase bob chose himself 2";

  @TempDir Path dir;
  ExecutorService ex;

  AuthFixture newFixture(Path dir, AuthSettings settings) {
    return new AuthFixture(dir, settings);
  }

  /** Takes the engine's write lock from a connection of its own; closing releases it. */
  AutoCloseable holdWriteLock(AuthFixture f) throws Exception {
    Connection c = AuthDataSources.sqlite(f.dbFile).getConnection();
    try (Statement st = c.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
    }
    return () -> {
      try (Statement st = c.createStatement()) {
        st.execute("ROLLBACK");
      } finally {
        c.close();
      }
    };
  }

  @BeforeEach
  void executor() {
    ex = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stopExecutor() {
    ex.shutdownNow();
  }

  AuthFixture fixture() {
    return newFixture(
        dir,
        AuthSettings.builder()
            .hashParameters(AuthFixture.CHEAP)
            .loginRateLimit(1000, java.time.Duration.ofMinutes(1))
            .build());
  }

  /** Runs {@code call} on another thread and returns what it threw (bounded wait, no timing asserted). */
  Throwable thrownBy(Callable<?> call) throws Exception {
    try {
      Object r = ex.submit(call).get(30, TimeUnit.SECONDS);
      throw new AssertionError("accepted: " + r);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  /** The three unauthenticated attempts with made-up tokens: each refused with today's typed exception. */
  void unknownTokensRefused(AuthService s) throws Exception {
    assertInstanceOf(InvalidTokenException.class, thrownBy(() -> s.refresh(UNKNOWN_REFRESH, CLIENT)));
    assertInstanceOf(InvalidCredentialsException.class, thrownBy(() -> s.completeMfa(UNKNOWN_MFA, "123456", CLIENT)));
    assertInstanceOf(
        InvalidCredentialsException.class,
        thrownBy(() -> s.completeMfaWithRecoveryCode(UNKNOWN_MFA, "aaaa-bbbb-cccc", CLIENT)));
    assertInstanceOf(
        InvalidCredentialsException.class,
        thrownBy(
            () -> s.completePasswordChange(
                UNKNOWN_PASSWORD_CHANGE, "a brand new passphrase 123".toCharArray(), CLIENT)));
  }

  static List<String> reasons(AuthFixture f, String event) {
    return f.audit.named(event).stream().map(e -> (String) e.metadata().get("reason")).toList();
  }

  @Test
  void unknownRefreshAndChallenges_whileAnotherConnectionHoldsTheWriteLock_refusedAndAuditedAsBefore()
      throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens known = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      try (AutoCloseable lock = holdWriteLock(f)) {
        unknownTokensRefused(s);
        if (f.onSqlite()) {
          // control: the lock is real. A token that exists goes to the locked transaction and waits for it (here
          // until busy_timeout: a storage error, and nothing changed)
          assertInstanceOf(AuthStorageException.class, thrownBy(() -> s.refresh(known.refreshToken(), CLIENT)));
        }
      }
      // the side effects of the unknown path are those of before: one aggregated audit entry per reason and client
      assertEquals(List.of("unknown"), reasons(f, "auth.refresh.failure"));
      assertEquals(List.of("unknown_challenge"), reasons(f, "auth.mfa.failure"));
      // the known token was not used up by the attempt that could not get the lock: it rotates now
      AuthTokens next = s.refresh(known.refreshToken(), CLIENT);
      assertEquals("bob", s.authenticate(next.accessToken()).username());
    }
  }

  @Test
  void rotatedToken_existsSoItGoesThroughTheLock_reuseStillRevokesTheFamily() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens first = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      AuthTokens second = s.refresh(first.refreshToken(), CLIENT);
      assertThrows(InvalidTokenException.class, () -> s.refresh(first.refreshToken(), CLIENT));
      assertEquals(1, f.audit.named("auth.refresh.reuse").size(), f.audit.dump());
      // the reuse revoked the family: the legitimate holder's rotation is dead too
      assertThrows(InvalidTokenException.class, () -> s.refresh(second.refreshToken(), CLIENT));
      assertThrows(InvalidTokenException.class, () -> s.authenticate(second.accessToken()));
    }
  }

  @Test
  void usedOrForeignPurposeChallenge_stillRefused_usedChallengeDecidedUnderTheLock() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      byte[] secret = f.enrollTotp(s, p, USER_PASSWORD);
      f.advance(java.time.Duration.ofSeconds(30));
      String ch =
          assertInstanceOf(LoginResult.MfaRequired.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT))
              .challengeToken();
      s.completeMfa(ch, f.totp(secret), CLIENT);
      f.advance(java.time.Duration.ofSeconds(30));
      // the used challenge exists: refused in the locked transaction, audited against bob (not as an unknown one)
      assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(ch, f.totp(secret), CLIENT));
      AuditEvent reused = f.audit.named("auth.mfa.failure").get(f.audit.named("auth.mfa.failure").size() - 1);
      assertEquals("challenge_reused", reused.metadata().get("reason"));
      assertNotEquals("anonymous", reused.actor());
      // an MFA challenge presented as a password-change challenge (same random part, other prefix) is unknown there
      String asPasswordChange = "sypc_" + ch.substring("symc_".length());
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.completePasswordChange(asPasswordChange, "a brand new passphrase 123".toCharArray(), CLIENT));
    }
  }

  /**
   * A challenge that exists but can no longer be used (here: used up) is decided from the read too: the locked path
   * wrote nothing for it, so a replayed challenge of one's own account does not take the lock either. Still audited
   * against its user, with the same reason and exception as before.
   */
  @Test
  void usedMfaAndPasswordChangeChallenges_replayedWhileTheWriteLockIsHeld_refusedWithoutIt() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      byte[] secret = f.enrollTotp(s, p, USER_PASSWORD);
      f.advance(java.time.Duration.ofSeconds(30));
      s.operator("ops").resetPassword("bob", TEMP_PASSWORD.toCharArray());
      String change =
          assertInstanceOf(
                  LoginResult.PasswordChangeRequired.class,
                  s.login("bob", TEMP_PASSWORD.toCharArray(), false, CLIENT))
              .challengeToken();
      String mfa =
          assertInstanceOf(
                  LoginResult.MfaRequired.class, s.completePasswordChange(change, NEW_PASSWORD.toCharArray(), CLIENT))
              .challengeToken();
      s.completeMfa(mfa, f.totp(secret), CLIENT);
      f.advance(java.time.Duration.ofSeconds(30));
      int before = f.audit.named("auth.mfa.failure").size();
      try (AutoCloseable lock = holdWriteLock(f)) {
        assertInstanceOf(InvalidCredentialsException.class, thrownBy(() -> s.completeMfa(mfa, f.totp(secret), CLIENT)));
        assertInstanceOf(
            InvalidCredentialsException.class,
            thrownBy(() -> s.completePasswordChange(change, "yet another passphrase 456".toCharArray(), CLIENT)));
      }
      List<AuditEvent> refused = f.audit.named("auth.mfa.failure");
      assertEquals(before + 2, refused.size(), f.audit.dump());
      for (AuditEvent e : refused.subList(before, before + 2)) {
        assertEquals("challenge_reused", e.metadata().get("reason"));
        assertNotEquals("anonymous", e.actor());
      }
    }
  }
}
