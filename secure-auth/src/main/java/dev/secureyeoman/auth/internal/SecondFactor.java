package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.LoginThrottledException;
import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.auth.totp.TotpService;
import dev.secureyeoman.core.crypto.EnvelopeException;
import dev.secureyeoman.core.crypto.SecretStore;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * Second-factor verification: TOTP and recovery codes at login (one completion path for both) and the code checks of
 * {@link TotpLifecycle} (enrolment confirmation, disabling, recovery-code regeneration). Every code takes the same
 * three steps:
 *
 * <ol>
 *   <li><b>charge</b> an attempt in the {@link MfaGate} (persisted failure count, doubling delay, lockout) before the
 *       code is looked at — at login together with the challenge's own attempt cap, in one transaction ({@link
 *       #complete}); for a logged-in user alone ({@link #charge});
 *   <li><b>check</b> the factor against the sealed secret or the recovery-code hashes ({@link #check}); a wrong code is a
 *       counted failure ({@link MfaGate#failed});
 *   <li><b>redeem</b> it ({@link #redeem}): one transaction uses the code up (TOTP replay compare-and-set, recovery
 *       code single use), clears the failure count and does the work — at login use the challenge up and open the
 *       session, otherwise the sensitive change; the audit events are part of that transaction.
 * </ol>
 *
 * <p>So 32 parallel wrong codes check at most as many codes as the limits allow, and a right code is acted on once.
 * Enrollment confirmation charges and checks the same way; its redemption is the compare-and-set that enables the
 * pending secret.
 */
final class SecondFactor {
  private static final String PASSWORD_CHANGE_REQUIRED = "password_change_required";

  /** What the user offers as second factor. */
  sealed interface Factor permits TotpCode, RecoveryCode {
    /** {@code totp} or {@code recovery_code} (audit). */
    String kind();
  }

  /** A TOTP code. */
  record TotpCode(String code) implements Factor {
    @Override
    public String kind() {
      return "totp";
    }
  }

  /** A recovery code. */
  record RecoveryCode(String code) implements Factor {
    @Override
    public String kind() {
      return "recovery_code";
    }
  }

  /** A checked factor, still to be used up atomically in the transaction that acts on it. */
  interface Proof {
    /** Uses the code up; false if it was used concurrently (a replay). */
    boolean consume(AuthDatabase.Tx tx) throws SQLException;

    /** The audit reason when {@link #consume} fails. */
    String replayReason();
  }

  private final AuthContext ctx;
  private final Challenges challenges;
  private final MfaGate gate;
  private final Sessions sessions;
  private final SecretStore secretStore;
  private final UserRepository users;
  private final RecoveryCodeRepository recoveryCodes;

  SecondFactor(AuthContext ctx, Challenges challenges, Sessions sessions, SecretStore secretStore) {
    this.ctx = ctx;
    this.users = ctx.db().repos().users();
    this.recoveryCodes = ctx.db().repos().recoveryCodes();
    this.challenges = challenges;
    this.gate = new MfaGate(ctx, challenges);
    this.sessions = sessions;
    this.secretStore = secretStore;
  }

  /** The brute-force protection every code check goes through. */
  MfaGate gate() {
    return gate;
  }

  // ------------------------------------------------------------------------------------------------ checking codes

  private static byte[] aad(String userId) {
    return ("totp-secret:v1:" + userId).getBytes(StandardCharsets.UTF_8);
  }

  /** Seals a new TOTP secret of the user (bound to the user id). */
  byte[] seal(String userId, byte[] secret) {
    return secretStore.encrypt(secret, aad(userId));
  }

  /** Verifies a code against a sealed secret; an undecryptable secret is audited and fails the code. */
  OptionalLong verifySealed(String userId, byte[] sealed, TotpParameters params, String code)
      throws AuthException {
    byte[] secret;
    try {
      secret = secretStore.decrypt(sealed, aad(userId));
    } catch (EnvelopeException e) {
      ctx.audit().record(
          AuditTrail.event(
              AuditLevel.ERROR, "auth.totp.secret_undecryptable", userId,
              "stored TOTP secret failed authentication (tampered, moved or wrong key)"));
      return OptionalLong.empty();
    }
    try {
      return TotpService.verifyAt(secret, code, params, ctx.settings().totpWindow(), ctx.clock().instant());
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** Checks a factor of an enabled user; null if wrong. */
  private @Nullable Proof check(StoredUser u, Factor f) throws AuthException {
    if (f instanceof TotpCode t) {
      byte[] sealed = u.totpSecret();
      if (!u.totpEnabled() || sealed == null) {
        return null;
      }
      TotpParameters params = u.totpParameters();
      if (params == null) { // the columns are written together: only a damaged row lacks them
        throw new IllegalStateException("user " + u.id() + " has TOTP enabled without TOTP parameters");
      }
      OptionalLong step = verifySealed(u.id(), sealed, params, t.code());
      if (step.isEmpty()) {
        return null;
      }
      long s = step.getAsLong();
      return new Proof() {
        @Override
        public boolean consume(AuthDatabase.Tx tx) throws SQLException {
          return users.advanceTotpStep(tx, u.id(), s);
        }

        @Override
        public String replayReason() {
          return "code_replayed";
        }
      };
    }
    String normalized = normalizeRecoveryCode(((RecoveryCode) f).code());
    if (normalized == null) {
      return null;
    }
    byte[] codeHash = ctx.keys().recoveryHash(u.id(), normalized);
    return new Proof() {
      @Override
      public boolean consume(AuthDatabase.Tx tx) throws SQLException {
        if (!recoveryCodes.use(tx, u.id(), codeHash, ctx.clock().millis())) {
          return false;
        }
        long left = recoveryCodes.countUnused(tx, u.id());
        tx.audit(
            AuditTrail.event(
                AuditLevel.WARN, "auth.mfa.recovery_code_used", u.id(), "recovery code used", "remaining", left));
        return true;
      }

      @Override
      public String replayReason() {
        return "unknown_or_used_recovery_code";
      }
    };
  }

  private static String wrongReason(Factor f) {
    return f instanceof TotpCode ? "wrong_code" : "unknown_or_used_recovery_code";
  }

  /** Upper-case, no dashes or spaces; null unless exactly 24 Base32 characters. */
  static @Nullable String normalizeRecoveryCode(@Nullable String code) {
    if (code == null || code.length() > 64) {
      return null;
    }
    String s = code.replace("-", "").replace(" ", "").toUpperCase(Locale.ROOT);
    return s.matches("[A-Z2-7]{24}") ? s : null;
  }

  // ------------------------------------------------------------------------------------------------ login

  /** Issues the MFA challenge of a password step (in the caller's transaction). */
  LoginResult.MfaRequired challenge(AuthDatabase.Tx tx, StoredUser u, boolean rememberMe, ClientInfo client)
      throws SQLException {
    Instant expires = ctx.clock().instant().plus(ctx.settings().mfaChallengeTtl());
    String token = challenges.issue(tx, u, rememberMe, Challenges.PURPOSE_MFA, expires);
    tx.audit(
        AuditTrail.event(
            AuditLevel.INFO, "auth.login.mfa_required", u.id(), "password accepted, second factor required",
            AuditTrail.client(client, "remember_me", rememberMe)));
    return new LoginResult.MfaRequired(token, expires);
  }

  /** A claimed attempt: a failure, or the gate's decision (charged or refused). */
  private record Claimed(@Nullable String failure, Challenges.Check check, MfaGate.@Nullable Result gate) {
    /**
     * The gate's decision of an attempt that did not fail.
     *
     * @throws IllegalStateException if the claim failed (the caller must test {@link #failure()} first)
     */
    MfaGate.Result decided() {
      if (failure != null || gate == null) {
        throw new IllegalStateException("attempt not claimed: " + failure);
      }
      return gate;
    }
  }

  /**
   * In the write transaction: re-reads the challenge and its user, then charges the user's gate and the challenge's
   * cap (both compare-and-set under the lock).
   */
  private Claimed claim(AuthDatabase.Tx tx, String challengeToken) throws SQLException {
    Challenges.Check c = challenges.check(tx, challengeToken, Challenges.PURPOSE_MFA);
    if (!c.ok()) {
      return new Claimed(c.failure(), c, null);
    }
    MfaGate.Result g = gate.charge(tx, c.usableUser().id());
    if (!g.charged()) {
      return new Claimed(null, c, g);
    }
    if (!challenges.claimAttempt(tx, c.hash())) {
      tx.rollbackOnly();
      return new Claimed("challenge_attempts_exhausted", c, null);
    }
    return new Claimed(null, c, g);
  }

  /**
   * The one completion path of a login's second step, for TOTP and recovery codes: refuse an unusable challenge from a
   * lock-free read, else claim an attempt (challenge lookup, challenge cap and user gate, atomically under the lock),
   * check the factor, then {@link #redeem} it: in one transaction use the code and the challenge up, clear the failure
   * count and open the session ({@code auth.login.success} audited in it).
   */
  LoginResult.Authenticated complete(String challengeToken, Factor factor, ClientInfo client) throws AuthException {
    Objects.requireNonNull(client, "client");
    String kind = factor.kind();
    challenges.requireWellFormed(challengeToken, Challenges.MFA_PREFIX, client, kind);
    Challenges.Check pre = challenges.checkWithoutLock(challengeToken, Challenges.PURPOSE_MFA);
    Claimed claimed =
        !pre.ok() ? new Claimed(pre.failure(), pre, null) : ctx.db().tx(tx -> claim(tx, challengeToken));
    Challenges.Check c = claimed.check();
    String failure = claimed.failure();
    if (failure != null) {
      if (c.user() == null) {
        ctx.audit().failure(
            "auth.mfa.failure", failure, ClientAddresses.canonical(client.address()),
            () -> AuditTrail.event(
                AuditLevel.WARN, "auth.mfa.failure", "anonymous", "second step rejected",
                AuditTrail.client(client, "reason", failure, "kind", kind)));
      } else {
        ctx.audit().record(Challenges.failureEvent(c.user().id(), client, failure, kind));
      }
      throw new InvalidCredentialsException();
    }
    MfaGate.Result decided = claimed.decided();
    if (!decided.charged()) {
      gate.refuse(decided, client, kind);
    }
    StoredUser u = decided.user();
    ChallengeRepository.Stored challenge = c.usableChallenge();
    Proof proof = check(u, factor);
    if (proof == null) {
      throw gate.failed(u, client, wrongReason(factor), kind);
    }
    return redeem(
        u, proof, c.hash(), client, kind,
        tx -> {
          if (!challenges.consume(tx, c.hash())) {
            return Outcome.failed("challenge_reused");
          }
          StoredUser now = users.byId(tx, u.id()).orElse(null);
          if (now == null || now.tokenVersion() != challenge.tokenVersion() || now.disabled()) {
            return Outcome.failed("challenge_outdated");
          }
          if (now.mustChangePassword()) {
            // a password change became required after the password step (e.g. an operator's bulk UPDATE): the second
            // factor never skips it; the next login asks for the new password first. The code was right: not a
            // failure of the second factor
            return Outcome.refused(PASSWORD_CHANGE_REQUIRED);
          }
          return Outcome.ok(sessions.open(tx, now, challenge.rememberMe(), client, kind));
        });
  }

  /**
   * Charges one second-factor attempt of a logged-in user (persisted count, delay, lockout) before a code is checked.
   *
   * @return the user as re-read in the charging transaction
   * @throws dev.secureyeoman.auth.AccountLockedException if the second factor is locked
   * @throws LoginThrottledException while the delay after the last failure runs
   */
  StoredUser charge(String userId, @Nullable ClientInfo client, String kind) throws AuthException {
    MfaGate.Result g = ctx.db().tx(tx -> gate.charge(tx, userId));
    if (!g.charged()) {
      gate.refuse(g, client, kind);
    }
    return g.user();
  }

  /**
   * Checks a current code of a logged-in user for a sensitive action and returns it unused: the caller uses it up in
   * the transaction that performs the action ({@link #redeem}).
   */
  Proof proveCode(StoredUser u, String code, @Nullable ClientInfo client, String kind) throws AuthException {
    StoredUser charged = charge(u.id(), client, kind);
    Proof p = check(charged, new TotpCode(code));
    if (p == null) {
      throw gate.failed(charged, client, "wrong_code", kind);
    }
    return p;
  }

  /** What the work of {@link #redeem} decided: a value to commit, or a reason to roll back. */
  private record Outcome<T>(@Nullable T value, @Nullable String failure, boolean refund) {
    /**
     * The value of an outcome without failure.
     *
     * @throws IllegalStateException if the outcome failed
     */
    T committed() {
      if (failure != null || value == null) {
        throw new IllegalStateException("outcome failed: " + failure);
      }
      return value;
    }

    static <T> Outcome<T> ok(T value) {
      return new Outcome<>(value, null, false);
    }

    /** A failure of the second factor (counted, may lock). */
    static <T> Outcome<T> failed(String reason) {
      return new Outcome<>(null, reason, false);
    }

    /** Refused although the code was right: the attempt is given back, the refusal audited. */
    static <T> Outcome<T> refused(String reason) {
      return new Outcome<>(null, reason, true);
    }
  }

  @FunctionalInterface
  private interface Work<T> {
    Outcome<T> run(AuthDatabase.Tx tx) throws SQLException;
  }

  /**
   * The last step every checked code takes, at login and for sensitive actions alike: in one transaction the code is
   * used up (the TOTP replay compare-and-set, or the recovery code's single use), the user's failure count cleared and
   * {@code work} done; a replay or a refusal of {@code work} rolls all of it back. If storage or the audit sink fails,
   * the attempt (and the challenge's, when {@code challengeHash} is given) is refunded: the code was right.
   */
  private <T> T redeem(
      StoredUser u,
      Proof proof,
      byte @Nullable [] challengeHash,
      @Nullable ClientInfo client,
      String kind,
      Work<T> work)
      throws AuthException {
    Outcome<T> o;
    try {
      o =
          ctx.db().tx(
              tx -> {
                Outcome<T> r;
                if (!proof.consume(tx)) {
                  r = Outcome.failed(proof.replayReason());
                } else {
                  gate.clear(tx, u.id());
                  r = work.run(tx);
                }
                if (r.failure() != null) {
                  tx.rollbackOnly();
                }
                return r;
              });
    } catch (AuthStorageException e) {
      gate.refund(u.id(), challengeHash);
      throw e;
    }
    String failure = o.failure();
    if (failure == null) {
      return o.committed();
    }
    if (o.refund()) {
      gate.refund(u.id(), challengeHash);
      ctx.audit().record(Challenges.failureEvent(u.id(), client, failure, kind));
      throw new InvalidCredentialsException();
    }
    throw gate.failed(u, client, failure, kind);
  }

  /** A sensitive change made with a checked code. */
  @FunctionalInterface
  interface Action {
    void run(AuthDatabase.Tx tx) throws SQLException;
  }

  /** Uses the proof up and performs {@code action} in one transaction; a replayed code changes nothing. */
  void act(StoredUser u, Proof proof, @Nullable ClientInfo client, String kind, Action action) throws AuthException {
    redeem(
        u, proof, null, client, kind,
        tx -> {
          action.run(tx);
          return Outcome.ok(Boolean.TRUE);
        });
  }
}
