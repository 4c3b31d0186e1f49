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
import dev.secureyeoman.auth.InvalidTokenException;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.PasswordHasher;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.auth.UserAdministration;
import dev.secureyeoman.auth.totp.RecoveryCodes;
import dev.secureyeoman.auth.totp.TotpEnrollment;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.core.crypto.SecretStores;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link AuthService}: a thin facade over cohesive parts that share one {@link AuthContext} — {@link
 * Logins} (the login sequence and the forced password change), {@link Accounts} (users, passwords, administration),
 * {@link Sessions} (sessions, refresh rotation, authentication), {@link Challenges}, {@link SecondFactor}, {@link MfaGate}
 * and {@link TotpLifecycle} (MFA completion, brute-force protection, enrolment, recovery codes), {@link SigningKeys} and {@link
 * Revocations} (state coherent across instances), {@link AuthDatabase} (transactions with audit before commit) and {@link
 * AuditTrail}. SQL lives in per-concern repositories ({@link Repositories}) behind a {@link SqlDialect}, chosen from the
 * data source's engine: SQLite (the default) or PostgreSQL.
 */
public final class DefaultAuthService implements AuthService {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultAuthService.class);

  private final AuthContext ctx;
  private final Logins logins;
  private final Keys keys;
  private final Accounts accounts;
  private final Sessions sessions;
  private final SecondFactor secondFactor;
  private final TotpLifecycle totp;

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
   * @param sharedLoginBuckets the cluster's login throttle buckets; null for in-memory buckets
   * @throws AuthStorageException if the database cannot be prepared
   */
  public DefaultAuthService(
      DataSource ds,
      AuditSink sink,
      SecretBytes masterKey,
      AuthSettings settings,
      Clock clock,
      SecureRandom random,
      @Nullable SecretStore secretStore,
      @Nullable PasswordHasher hasher,
      java.util.function.LongSupplier ticker,
      dev.secureyeoman.auth.@Nullable SharedLoginBuckets sharedLoginBuckets)
      throws AuthStorageException {
    this.keys = new Keys(masterKey);
    AuditTrail audit = new AuditTrail(sink, keys.auditNameKey(), clock, settings.auditFailureWindow());
    SqlDialect dialect;
    try {
      dialect = SqlDialect.detect(ds);
    } catch (java.sql.SQLException e) {
      keys.close();
      throw new AuthStorageException("cannot open auth database", e);
    }
    AuthDatabase db = new AuthDatabase(ds, audit, dialect);
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
              new LoginThrottle(
                  settings.loginRateLimitCapacity(), settings.loginRateLimitRefillPeriod(), clock, sharedLoginBuckets),
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
    this.sessions = new Sessions(ctx);
    Challenges challenges = new Challenges(ctx);
    SecretStore store = secretStore;
    if (store == null) {
      try (SecretBytes k = keys.derive("totp-secret-envelope")) {
        store = SecretStores.withKey(k); // copies the key
      }
    }
    this.secondFactor = new SecondFactor(ctx, challenges, sessions, store);
    this.totp = new TotpLifecycle(ctx, secondFactor, accounts);
    this.logins = new Logins(ctx, accounts, challenges, secondFactor, sessions);
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
    return logins.login(username, password, rememberMe, client);
  }

  @Override
  public LoginResult completePasswordChange(String challengeToken, char[] newPassword, ClientInfo client)
      throws AuthException {
    return logins.completePasswordChange(challengeToken, newPassword, client);
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
    return new Administration(principal.userId(), accounts, sessions, totp);
  }

  @Override
  public UserAdministration operator(String operator) {
    Objects.requireNonNull(operator, "operator");
    if (!Accounts.USERNAME.matcher(operator).matches()) {
      throw new IllegalArgumentException("operator must be 1-64 chars of [A-Za-z0-9._@-]");
    }
    return new Administration("operator:" + operator, accounts, sessions, totp);
  }

  // ------------------------------------------------------------------------------------------------ sessions

  @Override
  public AuthTokens refresh(String refreshToken, ClientInfo client) throws AuthException {
    return sessions.refresh(refreshToken, client);
  }

  @Override
  public Principal authenticate(String accessToken) throws InvalidTokenException, AuthStorageException {
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
    return totp.beginEnrollment(principal, password);
  }

  @Override
  public RecoveryCodes confirmTotpEnrollment(Principal principal, String code) throws AuthException {
    return totp.confirmEnrollment(principal, code);
  }

  @Override
  public void disableTotp(Principal principal, char[] password, String code) throws AuthException {
    totp.disable(principal, password, code, null);
  }

  @Override
  public RecoveryCodes regenerateRecoveryCodes(Principal principal, String code) throws AuthException {
    return totp.regenerateRecoveryCodes(principal, code, null);
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
