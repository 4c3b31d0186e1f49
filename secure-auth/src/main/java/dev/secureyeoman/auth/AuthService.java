package dev.secureyeoman.auth;

import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.auth.internal.DefaultAuthService;
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

/**
 * Accounts, password login, sessions with remember-me, refresh-token rotation, password changes and resets, account
 * administration and TOTP 2FA, persisted through a {@link DataSource}: SQLite by default ({@link
 * AuthDataSources#sqlite}), or PostgreSQL shared by several nodes ({@link AuthDataSources#postgres}); the engine is
 * detected from the data source and the guarantees below hold on both.
 *
 * <p><b>Token model.</b> An access token is a JWT (HS256 only, with {@code kid}, {@code typ: at+jwt}) that lives {@link
 * AuthSettings#accessTokenTtl()} (15 min) but never past its session. A refresh token is 256 random bits, stored only as
 * an HMAC, single-use: each refresh returns a new one. All refresh tokens of a session form a family; presenting an
 * already-used one revokes the whole session (audited as {@code auth.refresh.reuse}). A session lasts 30 days with
 * remember-me and 24 h without, fixed at login and unchanged by refreshes.
 *
 * <p><b>Revocation.</b> Each user has a persisted token version, embedded in access tokens and sessions. Password
 * changes and resets, {@link #logoutEverywhere}, disabling, deleting or re-roling a user increment it, so every earlier
 * token of that user is rejected, also after a restart. <b>Several instances</b> may share one database: a revocation or
 * key rotation made by one is enforced by every other within {@link AuthSettings#revocationCheckInterval()} (default
 * 1 s), and tokens issued by another instance after a reset or rotation are accepted at once.
 *
 * <p><b>Security guarantees.</b> Generic errors for unknown users and wrong passwords with a dummy hash for similar
 * timing; login throttling per user name and per client (IPv6 by /64); a persisted second-factor failure count with a
 * doubling delay and a lockout; passwords of at most 1 024 code points, well-formed UTF-16, normalised with NFKC. Every
 * state change and its audit event form one unit: the event is recorded before the database commits, and if the {@link
 * AuditSink} fails the change is rolled back and the caller gets {@link AuthStorageException}. Unauthenticated failures
 * are aggregated per client and window (the first is recorded, the rest counted); unknown user names are stored only as
 * keyed hashes; never a password, token or code.
 *
 * <p>Thread-safe. Obtain one with {@link #builder()}.
 */
public interface AuthService extends AutoCloseable {

  /**
   * Creates a user after checking the password policy.
   *
   * @param username 1–64 chars of {@code [A-Za-z0-9._@-]}; unique ignoring case
   * @param password the password (not retained; the caller wipes it)
   * @param roles roles such as {@link Principal#ROLE_ADMIN}; {@link Principal#ROLE_USER} is always added
   * @return the new user id
   * @throws PasswordPolicyException if the password violates the policy
   * @throws UserExistsException if the user name is taken
   * @throws AuthException if storage fails
   */
  String createUser(String username, char[] password, Set<String> roles) throws AuthException;

  /**
   * Password step of a login.
   *
   * @param username the user name
   * @param password the password (not retained)
   * @param rememberMe whether the session should last {@link AuthSettings#rememberMeTtl()}
   * @param client where the request came from (keys the per-client throttle)
   * @return tokens, or an MFA challenge when the user has 2FA enabled
   * @throws InvalidCredentialsException for an unknown user or a wrong password (same message)
   * @throws LoginThrottledException when the user name or the client is over its limit
   * @throws AuthException if storage or audit fails
   */
  LoginResult login(String username, char[] password, boolean rememberMe, ClientInfo client) throws AuthException;

  /**
   * Completes a login that returned {@link LoginResult.PasswordChangeRequired}: sets the new password (policy applies,
   * and it must differ from the one the administrator set) and continues the login.
   *
   * @param challengeToken the token from {@link LoginResult.PasswordChangeRequired}
   * @param newPassword the new password (not retained)
   * @param client where the request came from
   * @return tokens, or {@link LoginResult.MfaRequired} when the user has 2FA enabled
   * @throws InvalidCredentialsException for an unknown, expired or used challenge
   * @throws PasswordPolicyException if the new password is refused (the challenge stays usable until it expires)
   * @throws AuthException if storage or audit fails
   */
  LoginResult completePasswordChange(String challengeToken, char[] newPassword, ClientInfo client)
      throws AuthException;

  /**
   * Second step of a login with a TOTP code.
   *
   * @param challengeToken the token from {@link LoginResult.MfaRequired}
   * @param code the current TOTP code
   * @param client where the request came from
   * @return the tokens (with the remember-me choice of the password step)
   * @throws InvalidCredentialsException for an unknown, expired or used challenge or a wrong or replayed code
   * @throws LoginThrottledException while the delay after a wrong code runs
   * @throws AccountLockedException when the user's second factor is locked
   * @throws AuthException if storage or audit fails
   */
  LoginResult.Authenticated completeMfa(String challengeToken, String code, ClientInfo client) throws AuthException;

  /**
   * Second step of a login with a single-use recovery code.
   *
   * @param challengeToken the token from {@link LoginResult.MfaRequired}
   * @param recoveryCode one of the user's unused recovery codes (dashes, spaces and case ignored)
   * @param client where the request came from
   * @return the tokens
   * @throws InvalidCredentialsException for an unknown, expired or used challenge or an unknown or used code
   * @throws LoginThrottledException while the delay after a wrong code runs
   * @throws AccountLockedException when the user's second factor is locked
   * @throws AuthException if storage or audit fails
   */
  LoginResult.Authenticated completeMfaWithRecoveryCode(String challengeToken, String recoveryCode, ClientInfo client)
      throws AuthException;

  /**
   * Exchanges a refresh token for new tokens; works when the access token has expired. The presented token is used up.
   *
   * @param refreshToken the current refresh token
   * @param client where the request came from
   * @return new tokens; the session expiry is unchanged
   * @throws InvalidTokenException if unknown, reused (the family is then revoked), revoked, expired or outdated
   * @throws AuthException if storage or audit fails
   */
  AuthTokens refresh(String refreshToken, ClientInfo client) throws AuthException;

  /**
   * Verifies an access token: signature (HS256 only), key id, type, issuer, expiry, session and token version.
   *
   * @param accessToken the compact JWT
   * @return the principal
   * @throws InvalidTokenException if the token is rejected for any reason
   * @throws AuthStorageException if the revocation state cannot be read (the database is unreachable): the token is
   *     not accepted, but it is not known to be invalid either, so hosts answer 503 rather than 401 and clients keep it
   */
  Principal authenticate(String accessToken) throws InvalidTokenException, AuthStorageException;

  /**
   * Ends the principal's session: its refresh tokens and access tokens stop working.
   *
   * @param principal from {@link #authenticate}
   * @throws AuthException if storage or audit fails
   */
  void logout(Principal principal) throws AuthException;

  /**
   * Ends every session of the principal's user and invalidates all their tokens.
   *
   * @param principal from {@link #authenticate}
   * @throws AuthException if storage or audit fails
   */
  void logoutEverywhere(Principal principal) throws AuthException;

  /**
   * Changes the principal's own password: verifies the current password (per-user throttle applies), enforces the
   * policy, persists the new hash and invalidates every token and session of the user, durably and on every instance.
   * Audited as {@code auth.password.changed} with outcome.
   *
   * @param principal the user, from {@link #authenticate}
   * @param currentPassword the current password
   * @param newPassword the new password
   * @throws InvalidCredentialsException if the current password is wrong
   * @throws PasswordPolicyException if the new password violates the policy
   * @throws AuthException if storage or audit fails
   */
  void changePassword(Principal principal, char[] currentPassword, char[] newPassword) throws AuthException;

  /**
   * {@link #changePassword} restricted to administrators (DESIGN §3), audited as {@code auth.password.reset}. To set
   * another user's password use {@link UserAdministration#resetPassword}.
   *
   * @param principal an admin, from {@link #authenticate}
   * @param currentPassword the current password
   * @param newPassword the new password
   * @throws ForbiddenException if the principal is not an admin
   * @throws InvalidCredentialsException if the current password is wrong
   * @throws PasswordPolicyException if the new password violates the policy
   * @throws AuthException if storage or audit fails
   */
  void resetPassword(Principal principal, char[] currentPassword, char[] newPassword) throws AuthException;

  /**
   * Checks a role.
   *
   * @param principal the principal
   * @param role the required role
   * @throws ForbiddenException if the role is missing (audited)
   */
  void requireRole(Principal principal, String role) throws ForbiddenException;

  /**
   * Account administration acting as an authenticated administrator (audited with their user id).
   *
   * @param principal an admin, from {@link #authenticate}
   * @return the administration
   * @throws ForbiddenException if the principal is not an admin (audited)
   */
  UserAdministration admin(Principal principal) throws ForbiddenException;

  /**
   * Account administration for a local operator who has access to the database and keys (the {@code secureyeoman auth}
   * command): no principal, audited as {@code operator:<name>}. Hosts must not expose it to remote callers.
   *
   * @param operator who acts, 1–64 chars of {@code [A-Za-z0-9._@-]} (e.g. the OS user name)
   * @return the administration
   */
  UserAdministration operator(String operator);

  /**
   * Creates a new signing key id and signs new tokens with it (on every instance sharing the database); earlier keys
   * keep verifying tokens they signed until those expire.
   *
   * @return the new key id
   * @throws AuthException if storage or audit fails
   */
  String rotateSigningKey() throws AuthException;

  /**
   * Starts TOTP enrollment after re-authentication by password (a stolen access token alone cannot enrol an
   * authenticator): a new pending secret (encrypted at rest), valid for {@link AuthSettings#totpEnrollmentTtl()}.
   *
   * @param principal the user enrolling
   * @param password the user's current password (not retained)
   * @return URI, manual key and QR code to show once
   * @throws InvalidCredentialsException if the password is wrong
   * @throws LoginThrottledException if the user's login bucket is empty
   * @throws AuthException if 2FA is already enabled, or storage or audit fails
   */
  TotpEnrollment beginTotpEnrollment(Principal principal, char[] password) throws AuthException;

  /**
   * Confirms enrollment with the first code: 2FA is enabled, the code counts as used, 10 recovery codes are issued, and
   * every other session of the user ends.
   *
   * @param principal the user enrolling
   * @param code the first code from the app
   * @return the recovery codes (shown once)
   * @throws InvalidCredentialsException if the code is wrong or the pending secret expired or is missing
   * @throws AuthException if storage or audit fails
   */
  RecoveryCodes confirmTotpEnrollment(Principal principal, String code) throws AuthException;

  /**
   * Disables 2FA; requires the password and a current code. Deletes the secret and recovery codes and ends every other
   * session of the user.
   *
   * @param principal the user
   * @param password the user's password
   * @param code a current TOTP code
   * @throws InvalidCredentialsException if either is wrong
   * @throws LoginThrottledException while the delay after a wrong password or code runs
   * @throws AccountLockedException when the user's second factor is locked
   * @throws AuthException if storage or audit fails
   */
  void disableTotp(Principal principal, char[] password, String code) throws AuthException;

  /**
   * Issues 10 new recovery codes and invalidates the old set; requires a current TOTP code.
   *
   * @param principal the user
   * @param code a current TOTP code
   * @return the new codes (shown once)
   * @throws InvalidCredentialsException if the code is wrong or 2FA is not enabled
   * @throws AuthException if storage or audit fails
   */
  RecoveryCodes regenerateRecoveryCodes(Principal principal, String code) throws AuthException;

  /**
   * Whether the user has 2FA enabled.
   *
   * @param userId the user id
   * @return true if enabled
   * @throws AuthException if storage fails
   */
  boolean isTotpEnabled(String userId) throws AuthException;

  /** Writes pending audit summaries and releases in-memory state; the database is owned by the caller. */
  @Override
  void close();

  /**
   * Starts a builder.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link AuthService}; {@code dataSource}, {@code auditSink} and {@code masterKey} are required. */
  final class Builder {
    private @Nullable DataSource dataSource;
    private @Nullable AuditSink auditSink;
    private @Nullable SecretBytes masterKey;
    private AuthSettings settings = AuthSettings.defaults();
    private Clock clock = Clock.systemUTC();
    private @Nullable SecureRandom random;
    private @Nullable SecretStore secretStore;
    private @Nullable PasswordHasher passwordHasher;
    private java.util.function.LongSupplier ticker = System::nanoTime;
    private @Nullable SharedLoginBuckets sharedLoginBuckets;

    private Builder() {}

    /**
     * Makes login throttling (per user name and per client) use buckets shared by every node, e.g. in Redis, instead of
     * per-process memory: N nodes then allow the guesses of one. When the store does not answer, logins <b>fail
     * closed</b> with {@link AuthStorageException} (cause {@link SharedBucketsUnavailableException}); there is no
     * fallback to in-memory buckets. The TOTP enrolment throttle stays per process. See {@code docs/scale-out.md}.
     *
     * @param buckets the shared buckets
     * @return this builder
     */
    public Builder sharedLoginBuckets(SharedLoginBuckets buckets) {
      this.sharedLoginBuckets = Objects.requireNonNull(buckets, "sharedLoginBuckets");
      return this;
    }

    /**
     * Sets the monotonic time source, in nanoseconds, that schedules work which must not depend on the wall clock
     * (default {@link System#nanoTime()}): the revocation poll and how long a revoked session is remembered. A wall
     * clock stepped back or forward neither suspends the poll nor forgets a revocation early. Tests inject a fake one.
     *
     * @param nanoTime a monotonic nanosecond counter (only differences are used)
     * @return this builder
     */
    public Builder ticker(java.util.function.LongSupplier nanoTime) {
      this.ticker = Objects.requireNonNull(nanoTime, "ticker");
      return this;
    }

    /**
     * Sets the password hasher (default: {@link PasswordHasher#argon2id} with {@link AuthSettings#hashParameters()} and
     * {@link AuthSettings#maxConcurrentHashes()}). A host that shares one hasher between this service and another
     * component (for example a Spring {@code PasswordEncoder}) passes it here.
     *
     * @param passwordHasher the hasher
     * @return this builder
     */
    public Builder passwordHasher(PasswordHasher passwordHasher) {
      this.passwordHasher = Objects.requireNonNull(passwordHasher, "passwordHasher");
      return this;
    }

    /**
     * Sets the store that seals TOTP secrets (associated data {@code "totp-secret:v1:" + userId}). Default: {@link
     * SecretStores#withKey} with a key derived from the master key. Pass the host's own store to keep TOTP secrets under
     * its key management (rekey/rotate).
     *
     * @param secretStore the store
     * @return this builder
     */
    public Builder secretStore(SecretStore secretStore) {
      this.secretStore = Objects.requireNonNull(secretStore, "secretStore");
      return this;
    }

    /**
     * Sets where users, sessions, tokens and 2FA state persist.
     *
     * @param dataSource {@link AuthDataSources#sqlite} or {@link AuthDataSources#postgres} (any SQLite or PostgreSQL
     *     data source; the engine is detected from it)
     * @return this builder
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * Sets where auth events go.
     *
     * @param auditSink the sink (the SQLite audit store in production)
     * @return this builder
     */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    /**
     * Sets the 256-bit master key from which the JWT signing keys, the refresh-token and recovery-code HMAC keys and the
     * TOTP secret encryption key are derived (HMAC-SHA256 with distinct labels). It must persist across restarts; the
     * host chooses where it comes from (key file, env var via its own key source). The builder copies it.
     *
     * @param masterKey exactly 32 bytes
     * @return this builder
     */
    public Builder masterKey(SecretBytes masterKey) {
      Objects.requireNonNull(masterKey, "masterKey");
      if (masterKey.length() != 32) {
        throw new IllegalArgumentException("masterKey must be 32 bytes, got " + masterKey.length());
      }
      byte[] k = masterKey.toByteArray();
      this.masterKey = SecretBytes.adopt(k);
      return this;
    }

    /**
     * Sets the settings (default {@link AuthSettings#defaults()}).
     *
     * @param settings the settings
     * @return this builder
     */
    public Builder settings(AuthSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /**
     * Sets the clock (default system UTC); tests inject a fake one.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the randomness source (default {@code new SecureRandom()}).
     *
     * @param random the source
     * @return this builder
     */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Builds the service, creating or migrating the schema.
     *
     * @return the service
     * @throws AuthStorageException if the database cannot be opened or has a newer schema
     * @throws IllegalStateException if a required option is missing
     */
    public AuthService build() throws AuthStorageException {
      if (dataSource == null) {
        throw new IllegalStateException("dataSource is required");
      }
      if (auditSink == null) {
        throw new IllegalStateException("auditSink is required");
      }
      if (masterKey == null) {
        throw new IllegalStateException("masterKey is required");
      }
      // each service owns (and wipes on close) its own copy of the master key
      byte[] k = masterKey.toByteArray();
      SecretBytes own = SecretBytes.copyOf(k);
      java.util.Arrays.fill(k, (byte) 0);
      return new DefaultAuthService(
          dataSource,
          auditSink,
          own,
          settings,
          clock,
          random == null ? new SecureRandom() : random,
          secretStore,
          passwordHasher,
          ticker,
          sharedLoginBuckets);
    }
  }
}
