package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.auth.AccountLockedException;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.LoginThrottledException;
import java.sql.SQLException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persisted brute-force protection of the second factor (RFC 4226 §7.3; Keycloak's brute-force detection is the
 * model). Every code check of a user first takes an attempt in one database transaction ({@link #charge}): refused when
 * the user is locked, or while the doubling delay after the last failure runs; otherwise the user's failure count is
 * charged <em>before</em> the code is checked, so concurrent guesses are counted too. A correct code clears the count
 * ({@link #clear}); a wrong one at the threshold locks the second factor until an administrator unlocks it ({@link
 * #failed}, {@link #unlock}); an attempt whose right code could not be acted on is refunded ({@link #refund}). Counts
 * live in the {@code users} row: restarts and other instances share them.
 */
final class MfaGate {
  private static final Logger LOG = LoggerFactory.getLogger(MfaGate.class);

  /** What {@link #charge} decided. */
  enum Outcome {
    CHARGED,
    LOCKED,
    THROTTLED
  }

  /** The decision, the wait (when throttled) and the user as re-read in the charging transaction. */
  record Result(Outcome outcome, Duration retryAfter, StoredUser user) {
    boolean charged() {
      return outcome == Outcome.CHARGED;
    }
  }

  private final AuthContext ctx;
  private final Challenges challenges;
  private final UserRepository users;

  MfaGate(AuthContext ctx, Challenges challenges) {
    this.ctx = ctx;
    this.challenges = challenges;
    this.users = ctx.db().repos().users();
  }

  /** Charges one attempt of {@code userId} (re-read in {@code tx}) unless locked or waiting. */
  Result charge(AuthDatabase.Tx tx, String userId) throws SQLException {
    StoredUser u = users.byId(tx, userId).orElseThrow(() -> new SQLException("no user"));
    if (u.mfaLocked()) {
      return new Result(Outcome.LOCKED, Duration.ZERO, u);
    }
    long now = ctx.clock().millis();
    if (u.mfaFailures() >= ctx.settings().mfaLockoutThreshold()) {
      // that many attempts are in flight: wait for them to be judged
      return new Result(Outcome.THROTTLED, Duration.ofSeconds(1), u);
    }
    if (u.mfaFailures() > 0 && u.mfaLastFailureAt() != null) {
      long allowedAt = u.mfaLastFailureAt() + delayAfter(u.mfaFailures()).toMillis();
      if (now < allowedAt) {
        return new Result(Outcome.THROTTLED, Duration.ofMillis(allowedAt - now), u);
      }
    }
    users.chargeMfaFailure(tx, u.id(), now);
    return new Result(Outcome.CHARGED, Duration.ZERO, u);
  }

  /** {@code min(max, delay × 2^(failures-1))}. */
  Duration delayAfter(int failures) {
    Duration base = ctx.settings().mfaFailureDelay();
    Duration max = ctx.settings().mfaMaxFailureDelay();
    if (base.isZero() || failures < 1) {
      return Duration.ZERO;
    }
    int shift = Math.min(failures - 1, 40);
    Duration d = base.multipliedBy(1L << shift);
    return d.compareTo(max) > 0 || d.isNegative() ? max : d;
  }

  private static long roundUpSeconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  /** Acts on a refused gate: audits (aggregated per user) and throws. */
  void refuse(Result g, @Nullable ClientInfo client, String kind) throws AuthException {
    String userId = g.user().id();
    if (g.outcome() == Outcome.LOCKED) {
      ctx.audit().failure(
          "auth.mfa.failure", "locked", userId,
          () -> Challenges.failureEvent(userId, client, "locked", kind));
      throw new AccountLockedException();
    }
    Duration wait = Duration.ofSeconds(roundUpSeconds(g.retryAfter()));
    ctx.audit().failure(
        "auth.mfa.throttled", "delay", userId,
        () -> AuditTrail.event(
            AuditLevel.WARN, "auth.mfa.throttled", userId, "second factor throttled",
            AuditTrail.client(client, "kind", kind, "retry_after_s", wait.toSeconds())));
    throw new LoginThrottledException(wait);
  }

  /**
   * Gives back an attempt charged for a code that was right but whose transaction failed (database or audit sink
   * down): the user's retry is then neither delayed nor counted. Best effort; a failure here only keeps the charge.
   */
  void refund(String userId, byte @Nullable [] challengeHash) {
    try {
      ctx.db().run(
          tx -> {
            users.refundMfaFailure(tx, userId);
            if (challengeHash != null) {
              challenges.refundAttempt(tx, challengeHash);
            }
          });
    } catch (AuthException e) {
      LOG.warn("second-factor attempt could not be refunded", e);
    }
  }

  /** A code was wrong: audits it and locks the user when the threshold is reached, in one transaction. */
  InvalidCredentialsException failed(StoredUser u, @Nullable ClientInfo client, String reason, String kind)
      throws AuthException {
    long now = ctx.clock().millis();
    int threshold = ctx.settings().mfaLockoutThreshold();
    ctx.db().run(
        tx -> {
          tx.audit(Challenges.failureEvent(u.id(), client, reason, kind));
          if (users.lockMfa(tx, u.id(), now, threshold)) {
            tx.audit(
                AuditTrail.event(
                    AuditLevel.SECURITY, "auth.mfa.locked", u.id(),
                    "second factor locked after " + threshold + " consecutive failures; an administrator must unlock",
                    "threshold", threshold));
          }
        });
    return new InvalidCredentialsException();
  }


  /** A correct code: the count starts again (in the transaction that acts on the code). */
  void clear(AuthDatabase.Tx tx, String userId) throws SQLException {
    users.clearMfaFailures(tx, userId);
  }

  /** Clears the count and the lock (enrolment, administrator). */
  void unlock(AuthDatabase.Tx tx, String userId) throws SQLException {
    users.unlockMfa(tx, userId);
  }
}
