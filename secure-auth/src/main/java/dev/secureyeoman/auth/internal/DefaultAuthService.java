package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.AuthTokens;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.ForbiddenException;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.InvalidTokenException;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.PasswordHasher;
import dev.secureyeoman.auth.PasswordPolicyException;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.auth.UserAdministration;
import dev.secureyeoman.auth.totp.RecoveryCodes;
import dev.secureyeoman.auth.totp.TotpEnrollment;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.core.crypto.SecretStores;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link AuthService}: a thin facade over cohesive parts that share one {@link AuthContext} — {@link
 * Accounts} (users, passwords, administration), {@link Sessions} (sessions, refresh rotation, authentication), {@link
 * Challenges} and {@link SecondFactor} (MFA, enrolment, brute-force protection), {@link SigningKeys} and {@link
 * Revocations} (state coherent across instances), {@link AuthDatabase} (transactions with audit before commit) and {@link
 * AuditTrail}. SQLite by default; any JDBC {@link DataSource} speaking SQLite's dialect works.
 */
public final class DefaultAuthService implements AuthService {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultAuthService.class);

  private final AuthContext ctx;
  private final UserRepository users;
  private final Keys keys;
  private final Accounts accounts;
  private final Sessions sessions;
  private final Challenges challenges;
  private final SecondFactor secondFactor;

  /**
   * Creates the service; use {@link AuthService#builder()}.
   *
   * @param ds data source
   * @param sink audit sink
   * @param masterKey master key (owned by this service from now on)
   * @param settings settings
   * @param clock clock
   * @param random randomness
   * @param secretStore seals TOTP secrets; null for one keyed by a key derived from the master key
   * @param hasher the password hasher; null for Argon2id with {@code settings}
   * @param ticker monotonic nanoseconds (revocation poll and memory; never the wall clock)
   * @throws AuthStorageException if the database cannot be prepared
   */
  public DefaultAuthService(
      DataSource ds,
      AuditSink sink,
      SecretBytes masterKey,
      AuthSettings settings,
      Clock clock,
      SecureRandom random,
      SecretStore secretStore,
      PasswordHasher hasher,
      java.util.function.LongSupplier ticker)
      throws AuthStorageException {
    this.keys = new Keys(masterKey);
    AuditTrail audit = new AuditTrail(sink, keys.auditNameKey(), clock, settings.auditFailureWindow());
    AuthDatabase db = new AuthDatabase(ds, audit, SqlDialect.SQLITE);
    try {
      db.migrate();
      Ids ids = new Ids(random);
      SigningKeys signingKeys =
          new SigningKeys(db, keys, new JwtCodec(settings.tokenIssuer()), clock, settings.accessTokenTtl(), ids);
      Revocations revocations =
          new Revocations(
              db, clock, ticker, settings.revocationCheckInterval(),
              settings.rememberMeTtl().compareTo(settings.sessionTtl()) > 0
                  ? settings.rememberMeTtl() : settings.sessionTtl(),
              settings.accessTokenTtl(),
              signingKeys::reload);
      this.ctx =
          new AuthContext(
              db, audit, settings, clock, ids, keys,
              hasher != null
                  ? hasher
                  : PasswordHasher.argon2id(settings.hashParameters(), settings.maxConcurrentHashes(), random),
              new LoginThrottle(settings.loginRateLimitCapacity(), settings.loginRateLimitRefillPeriod(), clock),
              revocations,
              signingKeys);
      signingKeys.load();
      revocations.load();
      this.accounts = new Accounts(ctx);
    } catch (AuthStorageException e) {
      closeQuietly(db);
      throw e;
    } catch (AuthException e) {
      closeQuietly(db);
      throw new AuthStorageException("cannot prepare auth database", e);
    }
    this.users = db.repos().users();
    this.sessions = new Sessions(ctx);
    this.challenges = new Challenges(ctx);
    SecretStore store = secretStore;
    if (store == null) {
      try (SecretBytes k = keys.derive("totp-secret-envelope")) {
        store = SecretStores.withKey(k); // copies the key
      }
    }
    this.secondFactor = new SecondFactor(ctx, challenges, sessions, accounts, store);
  }

  private void closeQuietly(AuthDatabase db) {
    db.close();
    keys.close();
  }

  // ------------------------------------------------------------------------------------------------ accounts

  @Override
  public String createUser(String username, char[] password, Set<String> roles) throws AuthException {
    return accounts.create("system", username, password, roles);
  }

  @Override
  public LoginResult login(String username, char[] password, boolean rememberMe, ClientInfo client)
      throws AuthException {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(client, "client");
    StoredUser verified = accounts.passwordStep(username, password, client);
    LoginResult r =
        ctx.db().tx(
            tx -> {
              // decide on the account as it is now, in the transaction that issues the session or challenge: a 2FA
              // confirmation, reset, disable or role change that committed while the password was being verified wins
              StoredUser u = users.byId(tx, verified.id()).orElse(null);
              if (u == null || u.disabled() || u.tokenVersion() != verified.tokenVersion()
                  || !u.passwordHash().equals(verified.passwordHash())) {
                return null;
              }
              return next(tx, u, rememberMe, client, "password");
            });
    if (r == null) {
      ctx.audit().record(
          AuditTrail.event(
              AuditLevel.WARN, "auth.login.failure", verified.id(), "login failed",
              AuditTrail.client(client, "reason", "account_changed", "username", verified.username())));
      throw new InvalidCredentialsException();
    }
    return r;
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

  @Override
  public LoginResult completePasswordChange(String challengeToken, char[] newPassword, ClientInfo client)
      throws AuthException {
    Objects.requireNonNull(newPassword, "newPassword");
    Objects.requireNonNull(client, "client");
    challenges.requireWellFormed(challengeToken, Challenges.PASSWORD_CHANGE_PREFIX, client, "password_change");
    Challenges.Check c = ctx.db().tx(tx -> challenges.check(tx, challengeToken, Challenges.PURPOSE_PASSWORD_CHANGE));
    if (!c.ok()) {
      rejectPasswordChange(c, client, c.failure());
    }
    List<String> violations = new ArrayList<>(accounts.violations(newPassword));
    if (violations.isEmpty() && accounts.matchesCurrent(c.user(), newPassword)) {
      violations.add("password must differ from the one an administrator set");
    }
    if (!violations.isEmpty()) {
      throw new PasswordPolicyException(violations); // the challenge stays usable for another try
    }
    String hash = accounts.hashNew(newPassword);
    LoginResult r =
        ctx.db().tx(
            tx -> {
              StoredUser u = users.byId(tx, c.user().id()).orElse(null);
              if (u == null || u.tokenVersion() != c.challenge().tokenVersion() || !challenges.consume(tx, c.hash())) {
                tx.rollbackOnly();
                return null;
              }
              accounts.completeForcedChange(tx, u, hash);
              StoredUser changed = users.byId(tx, u.id()).orElseThrow();
              return next(tx, changed, c.challenge().rememberMe(), client, "password");
            });
    if (r == null) {
      rejectPasswordChange(c, client, "challenge_reused");
    }
    return r;
  }

  private void rejectPasswordChange(Challenges.Check c, ClientInfo client, String reason) throws AuthException {
    if (c.user() == null) {
      ctx.audit().failure(
          "auth.mfa.failure", reason, ClientAddresses.canonical(client.address()),
          () -> AuditTrail.event(
              AuditLevel.WARN, "auth.mfa.failure", "anonymous", "second step rejected",
              AuditTrail.client(client, "reason", reason, "kind", "password_change")));
    } else {
      ctx.audit().record(Challenges.failureEvent(c.user().id(), client, reason, "password_change"));
    }
    throw new InvalidCredentialsException();
  }

  @Override
  public void changePassword(Principal principal, char[] currentPassword, char[] newPassword) throws AuthException {
    accounts.changeOwn(principal, currentPassword, newPassword, "auth.password.changed");
  }

  @Override
  public void resetPassword(Principal principal, char[] currentPassword, char[] newPassword) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(currentPassword, "currentPassword");
    Objects.requireNonNull(newPassword, "newPassword");
    requireRole(principal, Principal.ROLE_ADMIN);
    accounts.changeOwn(principal, currentPassword, newPassword, "auth.password.reset");
  }

  @Override
  public void requireRole(Principal principal, String role) throws ForbiddenException {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(role, "role");
    if (!principal.hasRole(role)) {
      try {
        ctx.audit().record(
            AuditTrail.event(AuditLevel.WARN, "auth.forbidden", principal.userId(), "missing role", "role", role));
      } catch (AuthStorageException e) {
        LOG.warn("audit failed while refusing access", e);
      }
      throw new ForbiddenException(role);
    }
  }

  @Override
  public UserAdministration admin(Principal principal) throws ForbiddenException {
    requireRole(principal, Principal.ROLE_ADMIN);
    return new Administration(principal.userId(), accounts, sessions, secondFactor);
  }

  @Override
  public UserAdministration operator(String operator) {
    Objects.requireNonNull(operator, "operator");
    if (!Accounts.USERNAME.matcher(operator).matches()) {
      throw new IllegalArgumentException("operator must be 1-64 chars of [A-Za-z0-9._@-]");
    }
    return new Administration("operator:" + operator, accounts, sessions, secondFactor);
  }

  // ------------------------------------------------------------------------------------------------ sessions

  @Override
  public AuthTokens refresh(String refreshToken, ClientInfo client) throws AuthException {
    return sessions.refresh(refreshToken, client);
  }

  @Override
  public Principal authenticate(String accessToken) throws InvalidTokenException {
    return sessions.authenticate(accessToken);
  }

  @Override
  public void logout(Principal principal) throws AuthException {
    sessions.logout(principal);
  }

  @Override
  public void logoutEverywhere(Principal principal) throws AuthException {
    sessions.logoutEverywhere(principal);
  }

  @Override
  public String rotateSigningKey() throws AuthException {
    return ctx.db().tx(tx -> ctx.signingKeys().rotate(tx, ctx.revocations()));
  }

  // ------------------------------------------------------------------------------------------------ second factor

  @Override
  public LoginResult.Authenticated completeMfa(String challengeToken, String code, ClientInfo client)
      throws AuthException {
    return secondFactor.complete(challengeToken, new SecondFactor.TotpCode(code), client);
  }

  @Override
  public LoginResult.Authenticated completeMfaWithRecoveryCode(
      String challengeToken, String recoveryCode, ClientInfo client) throws AuthException {
    return secondFactor.complete(challengeToken, new SecondFactor.RecoveryCode(recoveryCode), client);
  }

  @Override
  public TotpEnrollment beginTotpEnrollment(Principal principal, char[] password) throws AuthException {
    return secondFactor.beginEnrollment(principal, password);
  }

  @Override
  public RecoveryCodes confirmTotpEnrollment(Principal principal, String code) throws AuthException {
    return secondFactor.confirmEnrollment(principal, code);
  }

  @Override
  public void disableTotp(Principal principal, char[] password, String code) throws AuthException {
    secondFactor.disable(principal, password, code, null);
  }

  @Override
  public RecoveryCodes regenerateRecoveryCodes(Principal principal, String code) throws AuthException {
    return secondFactor.regenerateRecoveryCodes(principal, code, null);
  }

  @Override
  public boolean isTotpEnabled(String userId) throws AuthException {
    return accounts.byId(userId).map(StoredUser::totpEnabled).orElse(false);
  }

  @Override
  public void close() {
    try {
      ctx.audit().close(); // pending failure summaries
    } finally {
      ctx.db().close();
      keys.close();
    }
  }
}
