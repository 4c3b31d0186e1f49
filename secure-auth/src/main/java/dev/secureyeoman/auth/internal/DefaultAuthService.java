package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
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
import dev.secureyeoman.auth.LoginThrottledException;
import dev.secureyeoman.auth.PasswordHasher;
import dev.secureyeoman.auth.PasswordPolicyException;
import dev.secureyeoman.auth.UserExistsException;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.OtpAuthUri;
import dev.secureyeoman.auth.totp.QrCodes;
import dev.secureyeoman.auth.totp.RecoveryCodes;
import dev.secureyeoman.auth.totp.TotpAlgorithm;
import dev.secureyeoman.auth.totp.TotpEnrollment;
import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.auth.totp.TotpService;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.EnvelopeException;
import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.core.crypto.SecretStores;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default {@link AuthService}: SQLite (or any JDBC {@link DataSource} speaking SQLite's dialect). */
public final class DefaultAuthService implements AuthService {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultAuthService.class);
  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final String REFRESH_PREFIX = "syrt_";
  private static final String CHALLENGE_PREFIX = "symc_";
  private static final int RECOVERY_CODE_COUNT = 10;
  private static final int RECOVERY_CODE_BYTES = 15; // 120 bits -> 24 Base32 chars

  private final AuditSink audit;
  private final AuthSettings settings;
  private final Clock clock;
  private final SecureRandom random;
  private final Keys keys;
  private final SecretBytes refreshKey;
  private final SecretBytes challengeKey;
  private final SecretBytes recoveryKey;
  private final SecretStore secretStore;
  private final PasswordHasher hasher;
  private final String dummyHash;
  private final JwtCodec jwt;
  private final LoginThrottle loginThrottle;
  private final LoginThrottle mfaThrottle;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ConnectionPool pool;
  private final Map<String, Long> tokenVersions = new ConcurrentHashMap<>();
  private final Set<String> revokedSessions = ConcurrentHashMap.newKeySet();

  /**
   * Creates the service; use {@link AuthService#builder()}.
   *
   * @param ds data source
   * @param audit audit sink
   * @param masterKey master key (owned by this service from now on)
   * @param settings settings
   * @param clock clock
   * @param random randomness
   * @param secretStore seals TOTP secrets; null for one keyed by a key derived from the master key
   * @throws AuthStorageException if the database cannot be prepared
   */
  public DefaultAuthService(
      DataSource ds,
      AuditSink audit,
      SecretBytes masterKey,
      AuthSettings settings,
      Clock clock,
      SecureRandom random,
      SecretStore secretStore)
      throws AuthStorageException {
    this.pool = new ConnectionPool(ds, 8);
    this.audit = audit;
    this.settings = settings;
    this.clock = clock;
    this.random = random;
    this.keys = new Keys(masterKey);
    this.refreshKey = keys.derive("refresh-token-hmac");
    this.challengeKey = keys.derive("mfa-challenge-hmac");
    this.recoveryKey = keys.derive("recovery-code-hmac");
    if (secretStore != null) {
      this.secretStore = secretStore;
    } else {
      try (SecretBytes k = keys.derive("totp-secret-envelope")) {
        this.secretStore = SecretStores.withKey(k); // copies the key
      }
    }
    this.hasher =
        PasswordHasher.argon2id(settings.hashParameters(), settings.maxConcurrentHashes(), random);
    this.jwt = new JwtCodec(settings.tokenIssuer());
    this.loginThrottle =
        new LoginThrottle(settings.loginRateLimitCapacity(), settings.loginRateLimitRefillPeriod(), clock);
    this.mfaThrottle =
        new LoginThrottle(settings.loginRateLimitCapacity(), settings.loginRateLimitRefillPeriod(), clock);
    try (Connection c = ds.getConnection()) {
      Schema.migrate(c);
    } catch (SQLException e) {
      throw new AuthStorageException("cannot prepare auth database", e);
    }
    loadSigningKeys();
    loadRevokedSessions();
    char[] dummy = new char[40];
    for (int i = 0; i < dummy.length; i++) {
      dummy[i] = (char) ('a' + random.nextInt(26));
    }
    try {
      this.dummyHash = hasher.hash(dummy);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing", e);
    }
  }

  // ---------------------------------------------------------------- JDBC helpers

  @FunctionalInterface
  private interface SqlFn<T> {
    T apply(Connection c) throws SQLException;
  }

  private <T> T read(SqlFn<T> fn) throws AuthStorageException {
    Connection c = null;
    boolean healthy = false;
    try {
      c = pool.borrow();
      T r = fn.apply(c);
      healthy = true;
      return r;
    } catch (SQLException e) {
      throw new AuthStorageException("auth database failure", e);
    } finally {
      if (c != null) {
        pool.release(c, healthy);
      }
    }
  }

  /** Runs {@code fn} in a {@code BEGIN IMMEDIATE} transaction, serialised with the other writers of this process. */
  private <T> T tx(SqlFn<T> fn) throws AuthStorageException {
    writeLock.lock();
    Connection c = null;
    boolean healthy = false;
    try {
      c = pool.borrow();
      try (Statement st = c.createStatement()) {
        st.execute("BEGIN IMMEDIATE");
        try {
          T r = fn.apply(c);
          st.execute("COMMIT");
          healthy = true;
          return r;
        } catch (SQLException | RuntimeException e) {
          try {
            st.execute("ROLLBACK");
          } catch (SQLException s) {
            e.addSuppressed(s);
          }
          throw e;
        }
      }
    } catch (SQLException e) {
      throw new AuthStorageException("auth database failure", e);
    } finally {
      if (c != null) {
        pool.release(c, healthy);
      }
      writeLock.unlock();
    }
  }

  private static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate();
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
    return ps;
  }

  // ---------------------------------------------------------------- audit

  private void audit(AuditLevel level, String event, String actor, String message, Map<String, Object> meta)
      throws AuthStorageException {
    try {
      AuditEvent.Builder b = AuditEvent.builder(event).level(level).actor(actor).message(message);
      meta.forEach(b::put);
      audit.record(b.build());
    } catch (AuditException e) {
      throw new AuthStorageException("audit log unavailable", e);
    }
  }

  private static Map<String, Object> meta(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  // ---------------------------------------------------------------- keys

  private void loadSigningKeys() throws AuthStorageException {
    List<String[]> rows =
        tx(
            c -> {
              List<String[]> out = new ArrayList<>();
              try (PreparedStatement ps =
                      c.prepareStatement("SELECT kid, created_at FROM signing_keys ORDER BY rowid");
                  ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  out.add(new String[] {rs.getString(1), Long.toString(rs.getLong(2))});
                }
              }
              if (out.isEmpty()) {
                String kid = newId(12);
                long now = clock.millis();
                update(c, "INSERT INTO signing_keys(kid, created_at) VALUES (?, ?)", kid, now);
                out.add(new String[] {kid, Long.toString(now)});
              }
              return out;
            });
    for (int i = 0; i < rows.size(); i++) {
      String kid = rows.get(i)[0];
      boolean last = i == rows.size() - 1;
      try (SecretBytes k = keys.derive("jwt-hs256/" + kid)) {
        jwt.addKey(kid, k, last);
      }
      if (!last) {
        // an older key verifies only the tokens it could have signed: until its successor is one access-TTL old
        jwt.retireAt(kid, Instant.ofEpochMilli(Long.parseLong(rows.get(i + 1)[1])).plus(settings.accessTokenTtl()));
      }
    }
  }

  @Override
  public String rotateSigningKey() throws AuthException {
    String kid = newId(12);
    Instant now = clock.instant();
    String previous = jwt.currentKid();
    tx(c -> update(c, "INSERT INTO signing_keys(kid, created_at) VALUES (?, ?)", kid, now.toEpochMilli()));
    try (SecretBytes k = keys.derive("jwt-hs256/" + kid)) {
      jwt.addKey(kid, k, true);
    }
    jwt.retireAt(previous, now.plus(settings.accessTokenTtl()));
    audit(AuditLevel.SECURITY, "auth.key.rotated", "system", "JWT signing key rotated", meta("kid", kid));
    return kid;
  }

  private void loadRevokedSessions() throws AuthStorageException {
    long now = clock.millis();
    read(
        c -> {
          try (PreparedStatement ps =
                  prepare(c, "SELECT id FROM sessions WHERE revoked_at IS NOT NULL AND expires_at > ?", now);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              revokedSessions.add(rs.getString(1));
            }
          }
          return null;
        });
  }

  // ---------------------------------------------------------------- users

  private record User(
      String id,
      String username,
      String passwordHash,
      Set<String> roles,
      long tokenVersion,
      boolean totpEnabled,
      byte[] totpSecret,
      TotpParameters totpParameters,
      byte[] pendingSecret,
      long pendingExpiresAt) {}

  private static final String USER_COLUMNS =
      "id, username, password_hash, roles, token_version, totp_enabled, totp_secret, totp_algorithm, totp_digits,"
          + " totp_period, totp_pending_secret, totp_pending_expires_at";

  private static User user(ResultSet rs) throws SQLException {
    String alg = rs.getString(8);
    TotpParameters tp =
        alg == null ? null : new TotpParameters(TotpAlgorithm.valueOf(alg), rs.getInt(9), rs.getInt(10));
    return new User(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        parseRoles(rs.getString(4)),
        rs.getLong(5),
        rs.getInt(6) == 1,
        rs.getBytes(7),
        tp,
        rs.getBytes(11),
        rs.getLong(12));
  }

  private User findUserByKey(String key) throws AuthStorageException {
    return read(
        c -> {
          try (PreparedStatement ps = prepare(c, "SELECT " + USER_COLUMNS + " FROM users WHERE username_key = ?", key);
              ResultSet rs = ps.executeQuery()) {
            return rs.next() ? user(rs) : null;
          }
        });
  }

  private User findUserById(String id) throws AuthStorageException {
    return read(
        c -> {
          try (PreparedStatement ps = prepare(c, "SELECT " + USER_COLUMNS + " FROM users WHERE id = ?", id);
              ResultSet rs = ps.executeQuery()) {
            return rs.next() ? user(rs) : null;
          }
        });
  }

  private static Set<String> parseRoles(String s) {
    return s.isEmpty() ? Set.of() : Set.of(s.split(","));
  }

  private static String usernameKey(String username) {
    return username.toLowerCase(Locale.ROOT);
  }

  @Override
  public String createUser(String username, char[] password, Set<String> roles) throws AuthException {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(roles, "roles");
    if (!USERNAME.matcher(username).matches()) {
      throw new IllegalArgumentException("username must be 1-64 chars of [A-Za-z0-9._@-]");
    }
    Set<String> all = new TreeSet<>(roles);
    all.add(Principal.ROLE_USER);
    for (String r : all) {
      if (!r.matches("[a-z][a-z0-9_-]{0,31}")) {
        throw new IllegalArgumentException("roles must match [a-z][a-z0-9_-]{0,31}, got '" + r + "'");
      }
    }
    List<String> violations = settings.passwordPolicy().violations(java.nio.CharBuffer.wrap(password));
    if (!violations.isEmpty()) {
      throw new PasswordPolicyException(violations);
    }
    // cheap pre-check so a taken name costs no Argon2id hash; the insert transaction below stays authoritative
    boolean taken =
        read(
            c -> {
              try (PreparedStatement ps = prepare(c, "SELECT 1 FROM users WHERE username_key = ?", usernameKey(username));
                  ResultSet rs = ps.executeQuery()) {
                return rs.next();
              }
            });
    if (taken) {
      throw new UserExistsException();
    }
    String hash = hashPassword(password);
    String id = newId(16);
    long now = clock.millis();
    boolean created =
        tx(
            c -> {
              try (PreparedStatement ps = prepare(c, "SELECT 1 FROM users WHERE username_key = ?", usernameKey(username));
                  ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                  return false;
                }
              }
              update(
                  c,
                  "INSERT INTO users(id, username, username_key, password_hash, roles, token_version, created_at,"
                      + " updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                  id,
                  username,
                  usernameKey(username),
                  hash,
                  String.join(",", all),
                  now,
                  now);
              return true;
            });
    if (!created) {
      throw new UserExistsException();
    }
    audit(AuditLevel.INFO, "auth.user.created", id, "user created", meta("username", username, "roles", List.copyOf(all)));
    return id;
  }

  private String hashPassword(char[] password) throws AuthException {
    try {
      return hasher.hash(password);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuthException("interrupted", e);
    }
  }

  private boolean verifyPassword(char[] password, String hash) throws AuthException {
    try {
      return hasher.verify(password, hash);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuthException("interrupted", e);
    }
  }

  // ---------------------------------------------------------------- login

  @Override
  public LoginResult login(String username, char[] password, boolean rememberMe, ClientInfo client)
      throws AuthException {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(client, "client");
    String key = usernameKey(username.length() > 64 ? username.substring(0, 64) : username);
    String userBucket = "user:" + key;
    String clientBucket = "client:" + client.address();
    Duration wait = loginThrottle.tryAcquire(userBucket, clientBucket);
    if (!wait.isZero()) {
      audit(
          AuditLevel.WARN,
          "auth.login.throttled",
          "anonymous",
          "login throttled",
          meta("username", key, "client", client.address(), "retry_after_s", wait.toSeconds()));
      throw new LoginThrottledException(wait);
    }
    User u = USERNAME.matcher(username).matches() ? findUserByKey(key) : null;
    boolean ok;
    if (u == null) {
      verifyPassword(password, dummyHash); // similar timing for unknown users
      ok = false;
    } else {
      ok = verifyPassword(password, u.passwordHash());
    }
    if (!ok) {
      audit(
          AuditLevel.WARN,
          "auth.login.failure",
          u == null ? "anonymous" : u.id(),
          "login failed",
          meta("username", key, "client", client.address(), "reason", u == null ? "unknown_user" : "bad_password"));
      throw new InvalidCredentialsException();
    }
    loginThrottle.refund(userBucket);
    loginThrottle.refund(clientBucket);
    if (hasher.needsRehash(u.passwordHash())) {
      String newHash = hashPassword(password);
      long now = clock.millis();
      tx(
          c ->
              update(
                  c,
                  "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ?",
                  newHash,
                  now,
                  u.id(),
                  u.passwordHash()));
      audit(AuditLevel.INFO, "auth.password.rehashed", u.id(), "password rehashed with stronger parameters", meta());
    }
    if (u.totpEnabled()) {
      String token = CHALLENGE_PREFIX + randomToken(32);
      Instant expires = clock.instant().plus(settings.mfaChallengeTtl());
      byte[] hash = Keys.hmac(challengeKey, token);
      tx(
          c ->
              update(
                  c,
                  "INSERT INTO mfa_challenges(challenge_hash, user_id, token_version, remember_me, expires_at)"
                      + " VALUES (?, ?, ?, ?, ?)",
                  hash,
                  u.id(),
                  u.tokenVersion(),
                  rememberMe ? 1 : 0,
                  expires.toEpochMilli()));
      audit(
          AuditLevel.INFO,
          "auth.login.mfa_required",
          u.id(),
          "password accepted, second factor required",
          meta("client", client.address(), "remember_me", rememberMe));
      return new LoginResult.MfaRequired(token, expires);
    }
    LoginResult.Authenticated result = openSession(u, rememberMe, client);
    audit(
        AuditLevel.INFO,
        "auth.login.success",
        u.id(),
        "login succeeded",
        meta("client", client.address(), "remember_me", rememberMe, "session", result.principal().sessionId()));
    return result;
  }

  private LoginResult.Authenticated openSession(User u, boolean rememberMe, ClientInfo client)
      throws AuthStorageException {
    Instant now = clock.instant();
    String sessionId = newId(16);
    Instant sessionExpires = now.plus(rememberMe ? settings.rememberMeTtl() : settings.sessionTtl());
    String refresh = REFRESH_PREFIX + randomToken(32);
    byte[] refreshHash = Keys.hmac(refreshKey, refresh);
    tx(
        c -> {
          update(
              c,
              "INSERT INTO sessions(id, user_id, remember_me, token_version, created_at, expires_at, client_address)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?)",
              sessionId,
              u.id(),
              rememberMe ? 1 : 0,
              u.tokenVersion(),
              now.toEpochMilli(),
              sessionExpires.toEpochMilli(),
              client.address());
          return update(
              c,
              "INSERT INTO refresh_tokens(token_hash, session_id, issued_at) VALUES (?, ?, ?)",
              refreshHash,
              sessionId,
              now.toEpochMilli());
        });
    tokenVersions.merge(u.id(), u.tokenVersion(), Math::max);
    AuthTokens tokens =
        issueTokens(u.id(), u.username(), u.roles(), sessionId, u.tokenVersion(), sessionExpires, rememberMe, refresh);
    return new LoginResult.Authenticated(
        tokens, new Principal(u.id(), u.username(), u.roles(), sessionId, tokens.accessTokenExpiresAt()));
  }

  private AuthTokens issueTokens(
      String userId,
      String username,
      Set<String> roles,
      String sessionId,
      long tokenVersion,
      Instant sessionExpires,
      boolean rememberMe,
      String refresh) {
    Instant now = clock.instant();
    Instant accessExpires = now.plus(settings.accessTokenTtl());
    if (accessExpires.isAfter(sessionExpires)) {
      accessExpires = sessionExpires;
    }
    String access =
        jwt.issue(
            new JwtCodec.Claims(userId, username, roles, sessionId, tokenVersion, accessExpires), now, newId(16));
    return new AuthTokens(access, accessExpires, refresh, sessionExpires, rememberMe);
  }

  // ---------------------------------------------------------------- refresh

  private enum RefreshOutcome {
    OK,
    UNKNOWN,
    REUSED,
    REVOKED,
    EXPIRED,
    OUTDATED
  }

  private record RefreshRow(
      RefreshOutcome outcome,
      String sessionId,
      String userId,
      String username,
      Set<String> roles,
      long tokenVersion,
      Instant sessionExpires,
      boolean rememberMe) {}

  @Override
  public AuthTokens refresh(String refreshToken, ClientInfo client) throws AuthException {
    Objects.requireNonNull(client, "client");
    if (refreshToken == null || !refreshToken.startsWith(REFRESH_PREFIX) || refreshToken.length() > 128) {
      audit(AuditLevel.WARN, "auth.refresh.failure", "anonymous", "refresh rejected",
          meta("client", client.address(), "reason", "malformed"));
      throw new InvalidTokenException();
    }
    byte[] hash = Keys.hmac(refreshKey, refreshToken);
    String next = REFRESH_PREFIX + randomToken(32);
    byte[] nextHash = Keys.hmac(refreshKey, next);
    long now = clock.millis();
    RefreshRow row =
        tx(
            c -> {
              RefreshRow r;
              Long usedAt;
              long sessionRevoked;
              try (PreparedStatement ps =
                      prepare(
                          c,
                          "SELECT rt.used_at, s.id, s.user_id, u.username, u.roles, s.token_version, s.expires_at,"
                              + " s.remember_me, s.revoked_at, u.token_version FROM refresh_tokens rt"
                              + " JOIN sessions s ON s.id = rt.session_id JOIN users u ON u.id = s.user_id"
                              + " WHERE rt.token_hash = ?",
                          hash);
                  ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                  return new RefreshRow(RefreshOutcome.UNKNOWN, null, "anonymous", null, Set.of(), 0, null, false);
                }
                usedAt = rs.getObject(1) == null ? null : rs.getLong(1);
                sessionRevoked = rs.getObject(9) == null ? 0 : rs.getLong(9);
                long sessionTv = rs.getLong(6);
                long userTv = rs.getLong(10);
                long expires = rs.getLong(7);
                RefreshOutcome o;
                if (usedAt != null) {
                  o = RefreshOutcome.REUSED;
                } else if (sessionRevoked != 0) {
                  o = RefreshOutcome.REVOKED;
                } else if (sessionTv != userTv) {
                  o = RefreshOutcome.OUTDATED;
                } else if (expires <= now) {
                  o = RefreshOutcome.EXPIRED;
                } else {
                  o = RefreshOutcome.OK;
                }
                r =
                    new RefreshRow(
                        o,
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        parseRoles(rs.getString(5)),
                        userTv,
                        Instant.ofEpochMilli(expires),
                        rs.getInt(8) == 1);
              }
              if (r.outcome() == RefreshOutcome.REUSED) {
                update(
                    c,
                    "UPDATE sessions SET revoked_at = ?, revoke_reason = 'refresh_token_reuse' WHERE id = ?"
                        + " AND revoked_at IS NULL",
                    now,
                    r.sessionId());
                return r;
              }
              // the presented token is used up whatever happens next
              if (update(c, "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", now, hash)
                  != 1) {
                return new RefreshRow(RefreshOutcome.REUSED, r.sessionId(), r.userId(), null, Set.of(), 0, null, false);
              }
              if (r.outcome() == RefreshOutcome.OK) {
                update(
                    c,
                    "INSERT INTO refresh_tokens(token_hash, session_id, issued_at) VALUES (?, ?, ?)",
                    nextHash,
                    r.sessionId(),
                    now);
              }
              return r;
            });
    switch (row.outcome()) {
      case OK:
        break;
      case REUSED:
        revokedSessions.add(row.sessionId());
        audit(
            AuditLevel.ERROR,
            "auth.refresh.reuse",
            row.userId(),
            "reuse of a rotated refresh token: session revoked",
            meta("session", row.sessionId(), "client", client.address()));
        throw new InvalidTokenException();
      default:
        audit(
            AuditLevel.WARN,
            "auth.refresh.failure",
            row.userId(),
            "refresh rejected",
            meta("client", client.address(), "reason", row.outcome().name().toLowerCase(Locale.ROOT)));
        throw new InvalidTokenException();
    }
    AuthTokens tokens =
        issueTokens(
            row.userId(),
            row.username(),
            row.roles(),
            row.sessionId(),
            row.tokenVersion(),
            row.sessionExpires(),
            row.rememberMe(),
            next);
    audit(
        AuditLevel.INFO,
        "auth.refresh",
        row.userId(),
        "tokens refreshed",
        meta("session", row.sessionId(), "client", client.address()));
    return tokens;
  }

  // ---------------------------------------------------------------- authenticate / logout / roles

  @Override
  public Principal authenticate(String accessToken) throws InvalidTokenException {
    JwtCodec.Claims c;
    Instant now = clock.instant();
    try {
      c = jwt.verify(accessToken, now);
    } catch (JwtCodec.Rejected e) {
      LOG.debug("access token rejected: {}", e.getMessage());
      throw new InvalidTokenException();
    }
    if (revokedSessions.contains(c.sessionId())) {
      LOG.debug("access token rejected: session revoked");
      throw new InvalidTokenException();
    }
    Long tv = tokenVersions.get(c.userId());
    if (tv == null) {
      try {
        tv = currentTokenVersion(c.userId());
      } catch (AuthStorageException e) {
        LOG.warn("token version lookup failed", e);
        throw new InvalidTokenException();
      }
    }
    if (tv == null || tv != c.tokenVersion()) {
      LOG.debug("access token rejected: outdated token version");
      throw new InvalidTokenException();
    }
    return new Principal(c.userId(), c.username(), c.roles(), c.sessionId(), c.expiresAt());
  }

  /** Reads a user's token version into the cache (never lowering a cached value). */
  private Long currentTokenVersion(String userId) throws AuthStorageException {
    Long v =
        read(
            c -> {
              try (PreparedStatement ps = prepare(c, "SELECT token_version FROM users WHERE id = ?", userId);
                  ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
              }
            });
    if (v != null) {
      tokenVersions.merge(userId, v, Math::max);
      return tokenVersions.get(userId);
    }
    return null;
  }

  @Override
  public void logout(Principal principal) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    long now = clock.millis();
    tx(
        c ->
            update(
                c,
                "UPDATE sessions SET revoked_at = ?, revoke_reason = 'logout' WHERE id = ? AND user_id = ?"
                    + " AND revoked_at IS NULL",
                now,
                principal.sessionId(),
                principal.userId()));
    revokedSessions.add(principal.sessionId());
    audit(AuditLevel.INFO, "auth.logout", principal.userId(), "logged out", meta("session", principal.sessionId()));
  }

  @Override
  public void logoutEverywhere(Principal principal) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    long v = revokeAll(principal.userId(), "logout_everywhere");
    audit(
        AuditLevel.INFO,
        "auth.logout.everywhere",
        principal.userId(),
        "all sessions ended",
        meta("token_version", v));
  }

  /** Bumps the token version and revokes every session of the user in one transaction. */
  private long revokeAll(String userId, String reason) throws AuthStorageException {
    long now = clock.millis();
    long v =
        tx(
            c -> {
              update(c, "UPDATE users SET token_version = token_version + 1, updated_at = ? WHERE id = ?", now, userId);
              update(
                  c,
                  "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL",
                  now,
                  reason,
                  userId);
              update(c, "DELETE FROM mfa_challenges WHERE user_id = ?", userId);
              try (PreparedStatement ps = prepare(c, "SELECT token_version FROM users WHERE id = ?", userId);
                  ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1L;
              }
            });
    tokenVersions.merge(userId, v, Math::max);
    return v;
  }

  @Override
  public void requireRole(Principal principal, String role) throws ForbiddenException {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(role, "role");
    if (!principal.hasRole(role)) {
      try {
        audit(AuditLevel.WARN, "auth.forbidden", principal.userId(), "missing role", meta("role", role));
      } catch (AuthStorageException e) {
        LOG.warn("audit failed while refusing access", e);
      }
      throw new ForbiddenException(role);
    }
  }

  // ---------------------------------------------------------------- password reset

  @Override
  public void resetPassword(Principal principal, char[] currentPassword, char[] newPassword) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(currentPassword, "currentPassword");
    Objects.requireNonNull(newPassword, "newPassword");
    requireRole(principal, Principal.ROLE_ADMIN);
    User u = findUserById(principal.userId());
    if (u == null) {
      throw new InvalidCredentialsException();
    }
    String bucket = "user:" + usernameKey(u.username());
    Duration wait = loginThrottle.tryAcquire(bucket);
    if (!wait.isZero()) {
      audit(AuditLevel.WARN, "auth.password.reset", u.id(), "password reset throttled",
          meta("outcome", "throttled"));
      throw new LoginThrottledException(wait);
    }
    if (!verifyPassword(currentPassword, u.passwordHash())) {
      audit(AuditLevel.WARN, "auth.password.reset", u.id(), "password reset refused: current password wrong",
          meta("outcome", "failure", "reason", "wrong_current_password"));
      throw new InvalidCredentialsException();
    }
    loginThrottle.refund(bucket);
    List<String> violations = settings.passwordPolicy().violations(java.nio.CharBuffer.wrap(newPassword));
    if (!violations.isEmpty()) {
      audit(AuditLevel.WARN, "auth.password.reset", u.id(), "password reset refused: policy",
          meta("outcome", "rejected", "reason", "policy", "violations", violations));
      throw new PasswordPolicyException(violations);
    }
    String hash = hashPassword(newPassword);
    long now = clock.millis();
    long v =
        tx(
            c -> {
              update(
                  c,
                  "UPDATE users SET password_hash = ?, token_version = token_version + 1, updated_at = ? WHERE id = ?",
                  hash,
                  now,
                  u.id());
              update(
                  c,
                  "UPDATE sessions SET revoked_at = ?, revoke_reason = 'password_reset' WHERE user_id = ?"
                      + " AND revoked_at IS NULL",
                  now,
                  u.id());
              update(c, "DELETE FROM mfa_challenges WHERE user_id = ?", u.id());
              try (PreparedStatement ps = prepare(c, "SELECT token_version FROM users WHERE id = ?", u.id());
                  ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
              }
            });
    tokenVersions.merge(u.id(), v, Math::max);
    audit(AuditLevel.SECURITY, "auth.password.reset", u.id(), "password reset; all sessions and tokens revoked",
        meta("outcome", "success", "token_version", v));
  }

  // ---------------------------------------------------------------- MFA

  private record Challenge(
      User user, long tokenVersion, boolean rememberMe, long expiresAt, int attempts, boolean used) {}

  private Challenge findChallenge(byte[] hash) throws AuthStorageException {
    return read(
        c -> {
          try (PreparedStatement ps =
                  prepare(
                      c,
                      "SELECT user_id, token_version, remember_me, expires_at, attempts, used_at FROM mfa_challenges"
                          + " WHERE challenge_hash = ?",
                      hash);
              ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              return null;
            }
            String userId = rs.getString(1);
            long tv = rs.getLong(2);
            boolean rm = rs.getInt(3) == 1;
            long exp = rs.getLong(4);
            int attempts = rs.getInt(5);
            boolean used = rs.getObject(6) != null;
            try (PreparedStatement us = prepare(c, "SELECT " + USER_COLUMNS + " FROM users WHERE id = ?", userId);
                ResultSet urs = us.executeQuery()) {
              return urs.next() ? new Challenge(user(urs), tv, rm, exp, attempts, used) : null;
            }
          }
        });
  }

  private Challenge checkChallenge(String challengeToken, ClientInfo client, String kind) throws AuthException {
    Objects.requireNonNull(client, "client");
    if (challengeToken == null || !challengeToken.startsWith(CHALLENGE_PREFIX) || challengeToken.length() > 128) {
      audit(AuditLevel.WARN, "auth.mfa.failure", "anonymous", "second factor rejected",
          meta("client", client.address(), "reason", "malformed_challenge", "kind", kind));
      throw new InvalidCredentialsException();
    }
    Challenge ch = findChallenge(Keys.hmac(challengeKey, challengeToken));
    String reason = null;
    if (ch == null) {
      reason = "unknown_challenge";
    } else if (ch.used()) {
      reason = "challenge_reused";
    } else if (ch.expiresAt() <= clock.millis()) {
      reason = "challenge_expired";
    } else if (ch.attempts() >= settings.mfaMaxAttempts()) {
      reason = "challenge_attempts_exhausted";
    } else if (ch.tokenVersion() != ch.user().tokenVersion() || !ch.user().totpEnabled()) {
      reason = "challenge_outdated";
    }
    if (reason != null) {
      audit(AuditLevel.WARN, "auth.mfa.failure", ch == null ? "anonymous" : ch.user().id(), "second factor rejected",
          meta("client", client.address(), "reason", reason, "kind", kind));
      throw new InvalidCredentialsException();
    }
    Duration wait = mfaThrottle.tryAcquire("mfa:" + ch.user().id());
    if (!wait.isZero()) {
      audit(AuditLevel.WARN, "auth.mfa.throttled", ch.user().id(), "second factor throttled",
          meta("client", client.address(), "kind", kind));
      throw new LoginThrottledException(wait);
    }
    return ch;
  }

  private void failChallenge(byte[] hash, Challenge ch, ClientInfo client, String reason, String kind)
      throws AuthException {
    tx(c -> update(c, "UPDATE mfa_challenges SET attempts = attempts + 1 WHERE challenge_hash = ?", hash));
    audit(AuditLevel.WARN, "auth.mfa.failure", ch.user().id(), "second factor rejected",
        meta("client", client.address(), "reason", reason, "kind", kind));
    throw new InvalidCredentialsException();
  }

  /** Consumes the challenge atomically; false if another request consumed it first. */
  private static boolean consumeChallenge(Connection c, byte[] hash, long now) throws SQLException {
    return update(
            c,
            "UPDATE mfa_challenges SET used_at = ? WHERE challenge_hash = ? AND used_at IS NULL AND expires_at > ?",
            now,
            hash,
            now)
        == 1;
  }

  private enum CasOutcome {
    OK,
    CODE_USED,
    CHALLENGE_USED
  }

  @Override
  public LoginResult.Authenticated completeMfa(String challengeToken, String code, ClientInfo client)
      throws AuthException {
    Challenge ch = checkChallenge(challengeToken, client, "totp");
    byte[] hash = Keys.hmac(challengeKey, challengeToken);
    User u = ch.user();
    OptionalLong step = verifyTotp(u, code);
    if (step.isEmpty()) {
      failChallenge(hash, ch, client, "wrong_code", "totp");
    }
    long now = clock.millis();
    CasOutcome outcome =
        tx(
            c -> {
              if (!advanceStep(c, u.id(), step.getAsLong())) {
                return CasOutcome.CODE_USED;
              }
              if (!consumeChallenge(c, hash, now)) {
                throw new SQLException("challenge consumed concurrently", "40001");
              }
              return CasOutcome.OK;
            },
            true);
    if (outcome != CasOutcome.OK) {
      failChallenge(hash, ch, client, outcome == CasOutcome.CODE_USED ? "code_replayed" : "challenge_reused", "totp");
    }
    return finishMfa(u, ch, client, "totp");
  }

  /** Variant of {@link #tx} that maps a concurrent challenge consumption to {@link CasOutcome#CHALLENGE_USED}. */
  private CasOutcome tx(SqlFn<CasOutcome> fn, boolean mapConflict) throws AuthStorageException {
    try {
      return tx(fn);
    } catch (AuthStorageException e) {
      if (mapConflict && e.getCause() instanceof SQLException s && "40001".equals(s.getSQLState())) {
        return CasOutcome.CHALLENGE_USED;
      }
      throw e;
    }
  }

  @Override
  public LoginResult.Authenticated completeMfaWithRecoveryCode(
      String challengeToken, String recoveryCode, ClientInfo client) throws AuthException {
    Challenge ch = checkChallenge(challengeToken, client, "recovery_code");
    byte[] hash = Keys.hmac(challengeKey, challengeToken);
    User u = ch.user();
    String normalized = normalizeRecoveryCode(recoveryCode);
    if (normalized == null) {
      failChallenge(hash, ch, client, "malformed_recovery_code", "recovery_code");
    }
    byte[] codeHash = recoveryHash(u.id(), normalized);
    long now = clock.millis();
    CasOutcome outcome =
        tx(
            c -> {
              if (update(
                      c,
                      "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
                      now,
                      u.id(),
                      codeHash)
                  != 1) {
                return CasOutcome.CODE_USED;
              }
              if (!consumeChallenge(c, hash, now)) {
                throw new SQLException("challenge consumed concurrently", "40001");
              }
              return CasOutcome.OK;
            },
            true);
    if (outcome != CasOutcome.OK) {
      failChallenge(
          hash,
          ch,
          client,
          outcome == CasOutcome.CODE_USED ? "unknown_or_used_recovery_code" : "challenge_reused",
          "recovery_code");
    }
    LoginResult.Authenticated r = finishMfa(u, ch, client, "recovery_code");
    long left =
        read(
            c -> {
              try (PreparedStatement ps =
                      prepare(c, "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", u.id());
                  ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
              }
            });
    audit(AuditLevel.WARN, "auth.mfa.recovery_code_used", u.id(), "recovery code used",
        meta("remaining", left));
    return r;
  }

  private LoginResult.Authenticated finishMfa(User u, Challenge ch, ClientInfo client, String kind)
      throws AuthException {
    mfaThrottle.refund("mfa:" + u.id());
    LoginResult.Authenticated r = openSession(u, ch.rememberMe(), client);
    audit(
        AuditLevel.INFO,
        "auth.login.success",
        u.id(),
        "login succeeded with second factor",
        meta("client", client.address(), "remember_me", ch.rememberMe(), "session", r.principal().sessionId(),
            "factor", kind));
    return r;
  }

  /** Atomic compare-and-set of the last accepted TOTP step: succeeds only for a strictly later step. */
  private static boolean advanceStep(Connection c, String userId, long step) throws SQLException {
    return update(
            c,
            "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_enabled = 1"
                + " AND (totp_last_step IS NULL OR totp_last_step < ?)",
            step,
            userId,
            step)
        == 1;
  }

  private static byte[] aad(String userId) {
    return ("totp-secret:v1:" + userId).getBytes(StandardCharsets.UTF_8);
  }

  private OptionalLong verifyTotp(User u, String code) throws AuthException {
    if (!u.totpEnabled() || u.totpSecret() == null) {
      return OptionalLong.empty();
    }
    return verifyWithSecret(u.id(), u.totpSecret(), u.totpParameters(), code);
  }

  private OptionalLong verifyWithSecret(String userId, byte[] sealed, TotpParameters params, String code)
      throws AuthException {
    byte[] secret;
    try {
      secret = secretStore.decrypt(sealed, aad(userId));
    } catch (EnvelopeException e) {
      audit(AuditLevel.ERROR, "auth.totp.secret_undecryptable", userId,
          "stored TOTP secret failed authentication (tampered, moved or wrong key)", meta());
      return OptionalLong.empty();
    }
    try {
      return TotpService.verifyAt(secret, code, params, settings.totpWindow(), clock.instant());
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private void throttleMfa(String userId, String kind) throws AuthException {
    Duration wait = mfaThrottle.tryAcquire("mfa:" + userId);
    if (!wait.isZero()) {
      audit(AuditLevel.WARN, "auth.mfa.throttled", userId, "second factor throttled", meta("kind", kind));
      throw new LoginThrottledException(wait);
    }
  }

  /** Verifies a current code of an enabled user and consumes its step. */
  private void requireFreshCode(User u, String code, String kind) throws AuthException {
    throttleMfa(u.id(), kind);
    OptionalLong step = verifyTotp(u, code);
    boolean ok = step.isPresent() && tx(c -> advanceStep(c, u.id(), step.getAsLong()));
    if (!ok) {
      audit(AuditLevel.WARN, "auth.mfa.failure", u.id(), "second factor rejected",
          meta("reason", step.isPresent() ? "code_replayed" : "wrong_code", "kind", kind));
      throw new InvalidCredentialsException();
    }
    mfaThrottle.refund("mfa:" + u.id());
  }

  @Override
  public TotpEnrollment beginTotpEnrollment(Principal principal) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    User u = findUserById(principal.userId());
    if (u == null) {
      throw new InvalidCredentialsException();
    }
    if (u.totpEnabled()) {
      throw new AuthException("two-factor authentication is already enabled");
    }
    TotpParameters p = settings.totpParameters();
    int len = p.algorithm() == TotpAlgorithm.SHA1 ? 20 : p.algorithm() == TotpAlgorithm.SHA256 ? 32 : 64;
    byte[] secret = new byte[len];
    random.nextBytes(secret);
    try {
      byte[] sealed = secretStore.encrypt(secret, aad(u.id()));
      Instant expires = clock.instant().plus(settings.totpEnrollmentTtl());
      tx(
          c ->
              update(
                  c,
                  "UPDATE users SET totp_pending_secret = ?, totp_pending_expires_at = ?, totp_algorithm = ?,"
                      + " totp_digits = ?, totp_period = ? WHERE id = ? AND totp_enabled = 0",
                  sealed,
                  expires.toEpochMilli(),
                  p.algorithm().name(),
                  p.digits(),
                  p.periodSeconds(),
                  u.id()));
      String uri = OtpAuthUri.build(settings.totpIssuer(), u.username(), secret, p);
      byte[] png = QrCodes.png(uri, 256);
      audit(AuditLevel.INFO, "auth.totp.enrollment_started", u.id(), "TOTP enrollment started",
          meta("algorithm", p.algorithm().name(), "digits", p.digits(), "period", p.periodSeconds()));
      return new TotpEnrollment(uri, Base32.encode(secret), png, QrCodes.dataUri(png), p, expires);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  @Override
  public RecoveryCodes confirmTotpEnrollment(Principal principal, String code) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    User u = findUserById(principal.userId());
    if (u == null) {
      throw new InvalidCredentialsException();
    }
    throttleMfa(u.id(), "enrollment");
    String reason = null;
    OptionalLong step = OptionalLong.empty();
    if (u.totpEnabled()) {
      reason = "already_enabled";
    } else if (u.pendingSecret() == null) {
      reason = "no_pending_enrollment";
    } else if (u.pendingExpiresAt() <= clock.millis()) {
      reason = "enrollment_expired";
    } else {
      step = verifyWithSecret(u.id(), u.pendingSecret(), u.totpParameters(), code);
      if (step.isEmpty()) {
        reason = "wrong_code";
      }
    }
    if (reason != null) {
      audit(AuditLevel.WARN, "auth.totp.enrollment_failed", u.id(), "TOTP enrollment not confirmed",
          meta("reason", reason));
      throw new InvalidCredentialsException();
    }
    mfaThrottle.refund("mfa:" + u.id());
    long matched = step.getAsLong();
    List<String> codes = newRecoveryCodes();
    boolean enabled =
        tx(
            c -> {
              int n =
                  update(
                      c,
                      "UPDATE users SET totp_secret = totp_pending_secret, totp_enabled = 1, totp_last_step = ?,"
                          + " totp_pending_secret = NULL, totp_pending_expires_at = NULL WHERE id = ?"
                          + " AND totp_enabled = 0 AND totp_pending_secret = ?",
                      matched,
                      u.id(),
                      u.pendingSecret());
              if (n != 1) {
                return false;
              }
              replaceRecoveryCodes(c, u.id(), codes);
              return true;
            });
    if (!enabled) {
      throw new InvalidCredentialsException();
    }
    audit(AuditLevel.SECURITY, "auth.totp.enabled", u.id(), "two-factor authentication enabled",
        meta("recovery_codes", codes.size()));
    return new RecoveryCodes(codes);
  }

  @Override
  public void disableTotp(Principal principal, char[] password, String code) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(password, "password");
    User u = findUserById(principal.userId());
    if (u == null || !u.totpEnabled()) {
      throw new InvalidCredentialsException();
    }
    String bucket = "user:" + usernameKey(u.username());
    Duration wait = loginThrottle.tryAcquire(bucket);
    if (!wait.isZero()) {
      throw new LoginThrottledException(wait);
    }
    if (!verifyPassword(password, u.passwordHash())) {
      audit(AuditLevel.WARN, "auth.totp.disable_failed", u.id(), "2FA disable refused", meta("reason", "bad_password"));
      throw new InvalidCredentialsException();
    }
    loginThrottle.refund(bucket);
    requireFreshCode(u, code, "disable");
    tx(
        c -> {
          update(
              c,
              "UPDATE users SET totp_enabled = 0, totp_secret = NULL, totp_last_step = NULL, totp_algorithm = NULL,"
                  + " totp_digits = NULL, totp_period = NULL WHERE id = ?",
              u.id());
          update(c, "DELETE FROM recovery_codes WHERE user_id = ?", u.id());
          return update(c, "DELETE FROM mfa_challenges WHERE user_id = ?", u.id());
        });
    audit(AuditLevel.SECURITY, "auth.totp.disabled", u.id(), "two-factor authentication disabled", meta());
  }

  @Override
  public RecoveryCodes regenerateRecoveryCodes(Principal principal, String code) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    User u = findUserById(principal.userId());
    if (u == null || !u.totpEnabled()) {
      throw new InvalidCredentialsException();
    }
    requireFreshCode(u, code, "regenerate_recovery_codes");
    List<String> codes = newRecoveryCodes();
    tx(
        c -> {
          replaceRecoveryCodes(c, u.id(), codes);
          return null;
        });
    audit(AuditLevel.SECURITY, "auth.totp.recovery_codes_regenerated", u.id(), "recovery codes regenerated",
        meta("recovery_codes", codes.size()));
    return new RecoveryCodes(codes);
  }

  @Override
  public boolean isTotpEnabled(String userId) throws AuthException {
    User u = findUserById(userId);
    return u != null && u.totpEnabled();
  }

  private List<String> newRecoveryCodes() {
    List<String> out = new ArrayList<>(RECOVERY_CODE_COUNT);
    for (int i = 0; i < RECOVERY_CODE_COUNT; i++) {
      byte[] b = new byte[RECOVERY_CODE_BYTES];
      random.nextBytes(b);
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

  private void replaceRecoveryCodes(Connection c, String userId, List<String> codes) throws SQLException {
    update(c, "DELETE FROM recovery_codes WHERE user_id = ?", userId);
    for (String code : codes) {
      update(
          c,
          "INSERT INTO recovery_codes(user_id, code_hash) VALUES (?, ?)",
          userId,
          recoveryHash(userId, normalizeRecoveryCode(code)));
    }
  }

  private byte[] recoveryHash(String userId, String normalized) {
    return Keys.hmac(recoveryKey, userId + ":" + normalized);
  }

  /** Upper-case, no dashes or spaces; null unless exactly 24 Base32 characters. */
  static String normalizeRecoveryCode(String code) {
    if (code == null || code.length() > 64) {
      return null;
    }
    String s = code.replace("-", "").replace(" ", "").toUpperCase(Locale.ROOT);
    return s.matches("[A-Z2-7]{24}") ? s : null;
  }

  // ---------------------------------------------------------------- misc

  private String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return B64URL.encodeToString(b);
  }

  private String newId(int bytes) {
    return randomToken(bytes);
  }

  @Override
  public void close() {
    refreshKey.close();
    challengeKey.close();
    recoveryKey.close();
    keys.close();
    tokenVersions.clear();
    pool.close();
  }
}
