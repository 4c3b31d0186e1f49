package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidCredentialsException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Login challenges: the single-use, short-lived token that the password step returns when a second step is needed —
 * an MFA code ({@code symc_…}) or, after an administrator's reset, a new password ({@code sypc_…}). Stored only as an
 * HMAC, bound to the user, to the user's token version at the password step (a reset kills it) and to the remember-me
 * choice. The per-challenge cap of wrong codes is counted in the database, atomically, before a code is checked.
 */
final class Challenges {
  static final String MFA_PREFIX = "symc_";
  static final String PASSWORD_CHANGE_PREFIX = "sypc_";
  static final String PURPOSE_MFA = "mfa";
  static final String PURPOSE_PASSWORD_CHANGE = "password_change";
  private static final String UNKNOWN = "unknown_challenge";

  /**
   * A challenge checked with its user (both read together: in a transaction, or from plain reads outside the lock).
   *
   * @param failure why it cannot be used, or null when it can
   * @param hash the challenge's HMAC (its key in the table)
   * @param challenge the stored challenge, null if unknown
   * @param user its user, null if unknown
   */
  record Check(
      @Nullable String failure,
      byte[] hash,
      ChallengeRepository.@Nullable Stored challenge,
      @Nullable StoredUser user) {
    boolean ok() {
      return failure == null;
    }

    /**
     * The user of a usable challenge.
     *
     * @throws IllegalStateException if the check failed (the caller must test {@link #ok()} first)
     */
    StoredUser usableUser() {
      if (failure != null || user == null) {
        throw new IllegalStateException("challenge not usable: " + failure);
      }
      return user;
    }

    /**
     * The stored challenge of a usable check.
     *
     * @throws IllegalStateException if the check failed (the caller must test {@link #ok()} first)
     */
    ChallengeRepository.Stored usableChallenge() {
      if (failure != null || challenge == null) {
        throw new IllegalStateException("challenge not usable: " + failure);
      }
      return challenge;
    }
  }

  private final AuthContext ctx;
  private final ChallengeRepository repo;
  private final UserRepository users;

  Challenges(AuthContext ctx) {
    this.ctx = ctx;
    this.repo = ctx.db().repos().challenges();
    this.users = ctx.db().repos().users();
  }

  /** Issues a challenge in the caller's transaction. */
  String issue(AuthDatabase.Tx tx, StoredUser u, boolean rememberMe, String purpose, Instant expires)
      throws SQLException {
    String token = (purpose.equals(PURPOSE_MFA) ? MFA_PREFIX : PASSWORD_CHANGE_PREFIX) + ctx.ids().newId(32);
    repo.insert(
        tx, ctx.keys().challengeHash(token), u.id(), u.tokenVersion(), rememberMe, expires.toEpochMilli(), purpose);
    return token;
  }

  /**
   * Checks the token's form; a malformed one is an unauthenticated failure (aggregated in the audit log).
   *
   * @throws InvalidCredentialsException if malformed
   */
  void requireWellFormed(String token, String prefix, ClientInfo client, String kind) throws AuthException {
    if (token == null || !token.startsWith(prefix) || token.length() > 128) {
      ctx.audit().failure(
          "auth.mfa.failure", "malformed_challenge", ClientAddresses.canonical(client.address()),
          () -> AuditTrail.event(
              AuditLevel.WARN, "auth.mfa.failure", "anonymous", "second step rejected",
              AuditTrail.client(client, "reason", "malformed_challenge", "kind", kind)));
      throw new InvalidCredentialsException();
    }
  }

  /**
   * {@link #check Checks} a challenge from plain reads, outside any write transaction: an unusable challenge (unknown,
   * of the other purpose, used, expired, out of attempts, outdated) is refused without the write lock, so a flood of
   * guessed or replayed challenges never queues for it. That refusal needs no lock: the locked path wrote nothing for
   * an unusable challenge either, and it is what the locked path would have decided at the instant of the read (a used,
   * expired or outdated challenge stays so; an attempt refunded or an account re-enabled concurrently only means this
   * one request is refused, failing closed). A usable challenge must be checked again in the caller's transaction,
   * which decides its use, its attempts and its user under the lock. Like the transaction it replaces, writes the
   * failure summaries that were due.
   *
   * @throws AuthStorageException if the database cannot be read
   */
  Check checkWithoutLock(String token, String purpose) throws AuthStorageException {
    Check c = ctx.db().query(sql -> check(sql, token, purpose));
    ctx.audit().flushDue(false);
    return c;
  }

  /** Looks a challenge up and says whether (and why not) it can be used for {@code purpose}. */
  Check check(AuthDatabase.Sql sql, String token, String purpose) throws SQLException {
    byte[] hash = ctx.keys().challengeHash(token);
    Optional<ChallengeRepository.Stored> s = repo.find(sql, hash).filter(c -> c.purpose().equals(purpose));
    Optional<StoredUser> u = s.isEmpty() ? Optional.empty() : users.byId(sql, s.get().userId());
    if (s.isEmpty() || u.isEmpty()) {
      return new Check(UNKNOWN, hash, null, null);
    }
    ChallengeRepository.Stored c = s.get();
    StoredUser user = u.get();
    long now = ctx.clock().millis();
    String failure = null;
    if (c.used()) {
      failure = "challenge_reused";
    } else if (c.expiresAt() <= now) {
      failure = "challenge_expired";
    } else if (c.attempts() >= ctx.settings().mfaMaxAttempts()) {
      failure = "challenge_attempts_exhausted";
    } else if (c.tokenVersion() != user.tokenVersion()
        || user.disabled()
        || (purpose.equals(PURPOSE_MFA) && !user.totpEnabled())) {
      failure = "challenge_outdated";
    }
    return new Check(failure, hash, c, user);
  }

  /** Counts one attempt against the challenge's cap; false if the cap was reached (or it died) concurrently. */
  boolean claimAttempt(AuthDatabase.Tx tx, byte[] hash) throws SQLException {
    return repo.claimAttempt(tx, hash, ctx.settings().mfaMaxAttempts(), ctx.clock().millis());
  }

  /** Gives back an attempt whose (right) code could not be acted on because storage or audit failed. */
  void refundAttempt(AuthDatabase.Tx tx, byte[] hash) throws SQLException {
    repo.refundAttempt(tx, hash);
  }

  /** Uses the challenge up; false if another request did first or it expired. */
  boolean consume(AuthDatabase.Tx tx, byte[] hash) throws SQLException {
    return repo.consume(tx, hash, ctx.clock().millis());
  }

  /** Records a rejected second step of a known user (inside or outside a transaction). */
  static dev.secureyeoman.audit.AuditEvent failureEvent(
      String userId, @Nullable ClientInfo client, String reason, String kind) {
    return AuditTrail.event(
        AuditLevel.WARN, "auth.mfa.failure", userId, "second step rejected",
        AuditTrail.client(client, "reason", reason, "kind", kind));
  }
}
