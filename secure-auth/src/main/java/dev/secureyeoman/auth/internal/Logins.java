package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.PasswordPolicyException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The login sequence: the password step ({@link Accounts#passwordStep}), then — decided on the account as re-read in the
 * transaction that issues it — a forced password change (after an administrator's reset), the second factor ({@link
 * SecondFactor}) or the session ({@link Sessions}). The forced change is completed here with its own single-use
 * challenge; the second factor is completed by {@link SecondFactor#complete}.
 */
final class Logins {
  private final AuthContext ctx;
  private final Accounts accounts;
  private final Challenges challenges;
  private final SecondFactor secondFactor;
  private final Sessions sessions;
  private final UserRepository users;

  Logins(AuthContext ctx, Accounts accounts, Challenges challenges, SecondFactor secondFactor, Sessions sessions) {
    this.ctx = ctx;
    this.accounts = accounts;
    this.challenges = challenges;
    this.secondFactor = secondFactor;
    this.sessions = sessions;
    this.users = ctx.db().repos().users();
  }

  LoginResult login(String username, char[] password, boolean rememberMe, ClientInfo client)
      throws AuthException {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(client, "client");
    StoredUser verified = accounts.passwordStep(username, password, client);
    Optional<LoginResult> r =
        ctx.db().tx(
            tx -> {
              // decide on the account as it is now, in the transaction that issues the session or challenge: a 2FA
              // confirmation, reset, disable or role change that committed while the password was being verified wins
              StoredUser u = users.byId(tx, verified.id()).orElse(null);
              if (u == null || u.disabled() || u.tokenVersion() != verified.tokenVersion()
                  || !u.passwordHash().equals(verified.passwordHash())) {
                return Optional.empty();
              }
              return Optional.of(next(tx, u, rememberMe, client, "password"));
            });
    if (r.isEmpty()) {
      ctx.audit().record(
          AuditTrail.event(
              AuditLevel.WARN, "auth.login.failure", verified.id(), "login failed",
              AuditTrail.client(client, "reason", "account_changed", "username", verified.username())));
      throw new InvalidCredentialsException();
    }
    return r.get();
  }

  /** What follows a proven password: a forced password change, the second factor, or the session. */
  private LoginResult next(AuthDatabase.Tx tx, StoredUser u, boolean rememberMe, ClientInfo client, String factor)
      throws java.sql.SQLException {
    if (u.mustChangePassword()) {
      Instant expires = ctx.clock().instant().plus(ctx.settings().mfaChallengeTtl());
      String token = challenges.issue(tx, u, rememberMe, Challenges.PURPOSE_PASSWORD_CHANGE, expires);
      tx.audit(
          AuditTrail.event(
              AuditLevel.INFO, "auth.login.password_change_required", u.id(),
              "password accepted, a new password is required", AuditTrail.client(client, "remember_me", rememberMe)));
      return new LoginResult.PasswordChangeRequired(token, expires);
    }
    if (u.totpEnabled()) {
      return secondFactor.challenge(tx, u, rememberMe, client);
    }
    return sessions.open(tx, u, rememberMe, client, factor);
  }

  LoginResult completePasswordChange(String challengeToken, char[] newPassword, ClientInfo client)
      throws AuthException {
    Objects.requireNonNull(newPassword, "newPassword");
    Objects.requireNonNull(client, "client");
    challenges.requireWellFormed(challengeToken, Challenges.PASSWORD_CHANGE_PREFIX, client, "password_change");
    // read without the write lock (the transaction below re-checks the token version and uses the challenge up)
    Challenges.Check c = challenges.checkWithoutLock(challengeToken, Challenges.PURPOSE_PASSWORD_CHANGE);
    if (c.failure() != null) {
      throw rejectPasswordChange(c, client, c.failure());
    }
    StoredUser challenged = c.usableUser();
    ChallengeRepository.Stored challenge = c.usableChallenge();
    List<String> violations = new ArrayList<>(accounts.violations(newPassword));
    if (violations.isEmpty() && accounts.matchesCurrent(challenged, newPassword)) {
      violations.add("password must differ from the one an administrator set");
    }
    if (!violations.isEmpty()) {
      throw new PasswordPolicyException(violations); // the challenge stays usable for another try
    }
    String hash = accounts.hashNew(newPassword);
    Optional<LoginResult> r =
        ctx.db().tx(
            tx -> {
              StoredUser u = users.byId(tx, challenged.id()).orElse(null);
              if (u == null || u.tokenVersion() != challenge.tokenVersion() || !challenges.consume(tx, c.hash())) {
                tx.rollbackOnly();
                return Optional.empty();
              }
              accounts.completeForcedChange(tx, u, hash);
              StoredUser changed = users.byId(tx, u.id()).orElseThrow();
              return Optional.of(next(tx, changed, challenge.rememberMe(), client, "password"));
            });
    if (r.isEmpty()) {
      throw rejectPasswordChange(c, client, "challenge_reused");
    }
    return r.get();
  }

  /** Audits a rejected password-change step; returns the exception for the caller to throw. */
  private InvalidCredentialsException rejectPasswordChange(Challenges.Check c, ClientInfo client, String reason)
      throws AuthException {
    if (c.user() == null) {
      ctx.audit().failure(
          "auth.mfa.failure", reason, ClientAddresses.canonical(client.address()),
          () -> AuditTrail.event(
              AuditLevel.WARN, "auth.mfa.failure", "anonymous", "second step rejected",
              AuditTrail.client(client, "reason", reason, "kind", "password_change")));
    } else {
      ctx.audit().record(Challenges.failureEvent(c.user().id(), client, reason, "password_change"));
    }
    return new InvalidCredentialsException();
  }
}
