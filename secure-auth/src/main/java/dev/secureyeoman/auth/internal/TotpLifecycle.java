package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.LoginThrottledException;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.OtpAuthUri;
import dev.secureyeoman.auth.totp.QrCodes;
import dev.secureyeoman.auth.totp.RecoveryCodes;
import dev.secureyeoman.auth.totp.TotpAlgorithm;
import dev.secureyeoman.auth.totp.TotpEnrollment;
import dev.secureyeoman.auth.totp.TotpParameters;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The TOTP life cycle of an account: enrolment (password re-authentication, a pending sealed secret, confirmation with
 * the first code, recovery codes issued and the other sessions ended), disabling, recovery-code regeneration, and the
 * administrator's unlock and reset. Every code is charged, checked and redeemed through {@link SecondFactor}, so these
 * flows share the persisted brute-force protection and the replay compare-and-set of the login.
 */
final class TotpLifecycle {
  static final int RECOVERY_CODE_COUNT = 10;
  private static final int RECOVERY_CODE_BYTES = 15; // 120 bits -> 24 Base32 chars

  private final AuthContext ctx;
  private final SecondFactor secondFactor;
  private final MfaGate gate;
  private final Accounts accounts;
  private final LoginThrottle enrollmentThrottle;
  private final UserRepository users;
  private final RecoveryCodeRepository recoveryCodes;
  private final ChallengeRepository challengeRows;

  TotpLifecycle(AuthContext ctx, SecondFactor secondFactor, Accounts accounts) {
    this.ctx = ctx;
    this.secondFactor = secondFactor;
    this.gate = secondFactor.gate();
    this.accounts = accounts;
    this.users = ctx.db().repos().users();
    this.recoveryCodes = ctx.db().repos().recoveryCodes();
    this.challengeRows = ctx.db().repos().challenges();
    this.enrollmentThrottle =
        new LoginThrottle(
            ctx.settings().loginRateLimitCapacity(), ctx.settings().loginRateLimitRefillPeriod(), ctx.clock());
  }

  // ------------------------------------------------------------------------------------------------ enrollment

  TotpEnrollment beginEnrollment(Principal principal, char[] password) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(password, "password");
    StoredUser u = accounts.byId(principal.userId()).orElseThrow(InvalidCredentialsException::new);
    accounts.reauthenticate(u, password, "auth.totp.enrollment_failed", "TOTP enrollment");
    if (u.totpEnabled()) {
      throw new dev.secureyeoman.auth.AuthException("two-factor authentication is already enabled");
    }
    TotpParameters p = ctx.settings().totpParameters();
    int len = p.algorithm() == TotpAlgorithm.SHA1 ? 20 : p.algorithm() == TotpAlgorithm.SHA256 ? 32 : 64;
    byte[] secret = new byte[len];
    ctx.ids().nextBytes(secret);
    try {
      byte[] sealed = secondFactor.seal(u.id(), secret);
      Instant expires = ctx.clock().instant().plus(ctx.settings().totpEnrollmentTtl());
      ctx.db().run(
          tx -> {
            users.setPendingTotp(tx, u.id(), sealed, expires.toEpochMilli(), p);
            tx.audit(
                AuditTrail.event(
                    AuditLevel.INFO, "auth.totp.enrollment_started", u.id(), "TOTP enrollment started",
                    "algorithm", p.algorithm().name(), "digits", p.digits(), "period", p.periodSeconds()));
          });
      String uri = OtpAuthUri.build(ctx.settings().totpIssuer(), u.username(), secret, p);
      byte[] png = QrCodes.png(uri, 256);
      return new TotpEnrollment(uri, Base32.encode(secret), png, QrCodes.dataUri(png), p, expires);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /**
   * Confirms enrollment with the first code: 2FA is enabled, the code's step counts as used, 10 recovery codes are
   * issued, and every other session of the user ends (whoever held them did not prove the new factor).
   */
  RecoveryCodes confirmEnrollment(Principal principal, String code) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    StoredUser u = accounts.byId(principal.userId()).orElseThrow(InvalidCredentialsException::new);
    Duration wait = enrollmentThrottle.tryAcquire("enroll:" + u.id());
    if (!wait.isZero()) {
      ctx.audit().record(
          AuditTrail.event(
              AuditLevel.WARN, "auth.mfa.throttled", u.id(), "second factor throttled", "kind", "enrollment"));
      throw new LoginThrottledException(wait);
    }
    byte[] pending = u.pendingSecret();
    TotpParameters params = u.totpParameters();
    if (u.totpEnabled()) {
      throw enrollmentFailed(u, "already_enabled");
    } else if (pending == null || params == null) {
      throw enrollmentFailed(u, "no_pending_enrollment");
    } else if (u.pendingExpiresAt() <= ctx.clock().millis()) {
      throw enrollmentFailed(u, "enrollment_expired");
    }
    // a wrong confirmation code is a wrong second-factor code: it counts into the persisted failure count, delay and
    // lockout (a stolen access token must not guess the pending secret and enable 2FA with recovery codes of its own)
    StoredUser charged = secondFactor.charge(u.id(), null, "enrollment");
    if (charged.totpEnabled() || charged.pendingSecret() == null
        || !Arrays.equals(charged.pendingSecret(), pending)) {
      gate.refund(u.id(), null);
      throw new InvalidCredentialsException(); // changed concurrently (another confirmation or a new enrolment)
    }
    OptionalLong step = secondFactor.verifySealed(u.id(), pending, params, code);
    if (step.isEmpty()) {
      throw gate.failed(u, null, "wrong_code", "enrollment");
    }
    enrollmentThrottle.refund("enroll:" + u.id());
    long matched = step.getAsLong();
    List<String> codes = newRecoveryCodes();
    boolean enabled;
    try {
      enabled =
          ctx.db().tx(
              tx -> {
                if (!users.enableTotp(tx, u.id(), matched, pending)) {
                  tx.rollbackOnly();
                  return false;
                }
                replaceRecoveryCodes(tx, u.id(), codes);
                gate.unlock(tx, u.id());
                int ended = ctx.revocations().revokeOtherSessions(tx, u.id(), principal.sessionId(), "totp_enabled");
                tx.audit(
                    AuditTrail.event(
                        AuditLevel.SECURITY, "auth.totp.enabled", u.id(), "two-factor authentication enabled; other"
                            + " sessions ended", "recovery_codes", codes.size(), "sessions_ended", ended));
                return true;
              });
    } catch (AuthStorageException e) {
      gate.refund(u.id(), null);
      throw e;
    }
    if (!enabled) {
      gate.refund(u.id(), null);
      throw new InvalidCredentialsException();
    }
    return new RecoveryCodes(codes);
  }

  /** Audits an enrollment confirmation refused before any code was checked; returns the exception to throw. */
  private InvalidCredentialsException enrollmentFailed(StoredUser u, String reason) throws AuthException {
    ctx.audit().record(
        AuditTrail.event(
            AuditLevel.WARN, "auth.totp.enrollment_failed", u.id(), "TOTP enrollment not confirmed", "reason",
            reason));
    return new InvalidCredentialsException();
  }

  /** Disables 2FA (password and a current code); deletes the secret and codes, ends every other session. */
  void disable(Principal principal, char[] password, String code, @Nullable ClientInfo client) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(password, "password");
    StoredUser u = accounts.byId(principal.userId()).orElseThrow(InvalidCredentialsException::new);
    if (!u.totpEnabled()) {
      throw new InvalidCredentialsException();
    }
    accounts.reauthenticate(u, password, "auth.totp.disable_failed", "2FA disable");
    SecondFactor.Proof proof = secondFactor.proveCode(u, code, client, "disable");
    secondFactor.act(u, proof, client, "disable", tx -> {
      users.disableTotp(tx, u.id());
      recoveryCodes.deleteOfUser(tx, u.id());
      challengeRows.deleteOfUser(tx, u.id());
      int ended = ctx.revocations().revokeOtherSessions(tx, u.id(), principal.sessionId(), "totp_disabled");
      tx.audit(
          AuditTrail.event(
              AuditLevel.SECURITY, "auth.totp.disabled", u.id(), "two-factor authentication disabled; other sessions"
                  + " ended", "sessions_ended", ended));
    });
  }

  RecoveryCodes regenerateRecoveryCodes(Principal principal, String code, @Nullable ClientInfo client)
      throws AuthException {
    Objects.requireNonNull(principal, "principal");
    StoredUser u = accounts.byId(principal.userId()).orElseThrow(InvalidCredentialsException::new);
    if (!u.totpEnabled()) {
      throw new InvalidCredentialsException();
    }
    SecondFactor.Proof proof = secondFactor.proveCode(u, code, client, "regenerate_recovery_codes");
    List<String> codes = newRecoveryCodes();
    secondFactor.act(u, proof, client, "regenerate_recovery_codes", tx -> {
      replaceRecoveryCodes(tx, u.id(), codes);
      tx.audit(
          AuditTrail.event(
              AuditLevel.SECURITY, "auth.totp.recovery_codes_regenerated", u.id(), "recovery codes regenerated",
              "recovery_codes", codes.size()));
    });
    return new RecoveryCodes(codes);
  }

  private List<String> newRecoveryCodes() {
    List<String> out = new ArrayList<>(RECOVERY_CODE_COUNT);
    for (int i = 0; i < RECOVERY_CODE_COUNT; i++) {
      byte[] b = new byte[RECOVERY_CODE_BYTES];
      ctx.ids().nextBytes(b);
      String s = Base32.encode(b);
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < s.length(); j += 4) {
        if (j > 0) {
          sb.append('-');
        }
        sb.append(s, j, j + 4);
      }
      out.add(sb.toString());
    }
    return out;
  }

  private void replaceRecoveryCodes(AuthDatabase.Tx tx, String userId, List<String> codes) throws SQLException {
    List<byte[]> hashes = new ArrayList<>(codes.size());
    for (String code : codes) {
      String normalized = SecondFactor.normalizeRecoveryCode(code);
      if (normalized == null) {
        throw new IllegalStateException("a generated recovery code is not in recovery-code form");
      }
      hashes.add(ctx.keys().recoveryHash(userId, normalized));
    }
    recoveryCodes.replace(tx, userId, hashes);
  }

  // ------------------------------------------------------------------------------------------------ administration

  void unlock(String actor, StoredUser u) throws AuthException {
    ctx.db().run(
        tx -> {
          gate.unlock(tx, u.id());
          tx.audit(Accounts.adminEvent(actor, "auth.mfa.unlocked", u, "second-factor failures cleared and unlocked"));
        });
  }

  void reset(String actor, StoredUser u) throws AuthException {
    ctx.db().run(
        tx -> {
          users.disableTotp(tx, u.id());
          recoveryCodes.deleteOfUser(tx, u.id());
          gate.unlock(tx, u.id());
          long v = ctx.revocations().revokeUser(tx, u.id(), "totp_reset");
          tx.audit(
              Accounts.adminEvent(
                  actor, "auth.totp.reset", u, "two-factor authentication removed by an administrator; all sessions"
                      + " revoked", "token_version", v));
        });
  }
}
