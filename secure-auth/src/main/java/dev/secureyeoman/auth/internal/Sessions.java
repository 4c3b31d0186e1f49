package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.AuthTokens;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidTokenException;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.auth.SessionInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions and tokens: opening a session (refresh-token family) with its first token pair, refresh-token rotation with
 * reuse detection, access-token authentication, logout, and the session listing of the administration.
 */
final class Sessions {
  private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
  static final String REFRESH_PREFIX = "syrt_";

  private static final String INSERT_SESSION =
      "INSERT INTO sessions(id, user_id, remember_me, token_version, created_at, expires_at, client_address,"
          + " user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String INSERT_REFRESH =
      "INSERT INTO refresh_tokens(token_hash, session_id, issued_at) VALUES (?, ?, ?)";
  private static final String REFRESH_LOOKUP =
      "SELECT rt.used_at, s.id AS session_id, s.user_id, u.username, u.roles, s.token_version AS session_tv,"
          + " s.expires_at, s.remember_me, s.revoked_at, u.token_version AS user_tv, u.disabled"
          + " FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id JOIN users u ON u.id = s.user_id"
          + " WHERE rt.token_hash = ?";
  private static final String USE_REFRESH =
      "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL";
  private static final String TOUCH = "UPDATE sessions SET last_used_at = ? WHERE id = ?";
  private static final String SESSION_COLUMNS =
      "SELECT s.id, s.user_id, u.username, s.remember_me, s.created_at, s.expires_at, s.last_used_at,"
          + " s.client_address, s.user_agent, s.revoked_at, s.revoke_reason FROM sessions s"
          + " JOIN users u ON u.id = s.user_id";
  private static final String LIST_ALL = SESSION_COLUMNS + " ORDER BY s.created_at DESC, s.id";
  private static final String LIST_USER = SESSION_COLUMNS + " WHERE s.user_id = ? ORDER BY s.created_at DESC, s.id";
  private static final String BY_ID = SESSION_COLUMNS + " WHERE s.id = ?";

  private enum Outcome {
    OK,
    UNKNOWN,
    REUSED,
    REVOKED,
    EXPIRED,
    OUTDATED
  }

  private record RefreshRow(
      boolean used,
      String sessionId,
      String userId,
      String username,
      Set<String> roles,
      long sessionTv,
      long userTv,
      boolean disabled,
      long expiresAt,
      boolean rememberMe,
      boolean revoked) {}

  private record Refreshed(Outcome outcome, String userId, AuthTokens tokens) {}

  private final AuthContext ctx;

  Sessions(AuthContext ctx) {
    this.ctx = ctx;
  }

  // ------------------------------------------------------------------------------------------------ open

  /**
   * Opens a session for a user whose credentials were just proven, in the caller's transaction; {@code auth.login.success}
   * is part of it.
   */
  LoginResult.Authenticated open(AuthDatabase.Tx tx, StoredUser u, boolean rememberMe, ClientInfo client, String factor)
      throws SQLException {
    Instant now = ctx.clock().instant();
    String sessionId = ctx.ids().newId(16);
    Instant sessionExpires =
        now.plus(rememberMe ? ctx.settings().rememberMeTtl() : ctx.settings().sessionTtl());
    String refresh = REFRESH_PREFIX + ctx.ids().newId(32);
    tx.update(
        INSERT_SESSION, sessionId, u.id(), rememberMe ? 1 : 0, u.tokenVersion(), now.toEpochMilli(),
        sessionExpires.toEpochMilli(), client.address(), client.userAgent().orElse(null));
    tx.update(INSERT_REFRESH, ctx.keys().refreshHash(refresh), sessionId, now.toEpochMilli());
    AuthTokens tokens =
        issue(tx, u.id(), u.username(), u.roles(), sessionId, u.tokenVersion(), sessionExpires, rememberMe, refresh);
    tx.audit(
        AuditTrail.event(
            AuditLevel.INFO, "auth.login.success", u.id(),
            factor.equals("password") ? "login succeeded" : "login succeeded with second factor",
            AuditTrail.client(client, "remember_me", rememberMe, "session", sessionId, "factor", factor)));
    long tv = u.tokenVersion();
    tx.afterCommit(() -> ctx.revocations().observed(u.id(), tv));
    return new LoginResult.Authenticated(
        tokens, new Principal(u.id(), u.username(), u.roles(), sessionId, tokens.accessTokenExpiresAt()));
  }

  /** Signs an access token with the current key (read in {@code tx}); its expiry is whole seconds, as {@code exp}. */
  private AuthTokens issue(
      AuthDatabase.Tx tx,
      String userId,
      String username,
      Set<String> roles,
      String sessionId,
      long tokenVersion,
      Instant sessionExpires,
      boolean rememberMe,
      String refresh)
      throws SQLException {
    Instant now = ctx.clock().instant();
    Instant accessExpires = now.plus(ctx.settings().accessTokenTtl());
    if (accessExpires.isAfter(sessionExpires)) {
      accessExpires = sessionExpires;
    }
    accessExpires = accessExpires.truncatedTo(ChronoUnit.SECONDS); // the JWT exp claim has second precision
    String kid = ctx.signingKeys().current(tx);
    String access =
        ctx.signingKeys()
            .issue(kid, new JwtCodec.Claims(userId, username, roles, sessionId, tokenVersion, accessExpires), now);
    return new AuthTokens(access, accessExpires, refresh, sessionExpires, rememberMe);
  }

  // ------------------------------------------------------------------------------------------------ refresh

  AuthTokens refresh(String refreshToken, ClientInfo client) throws AuthException {
    Objects.requireNonNull(client, "client");
    String clientKey = ClientAddresses.canonical(client.address());
    if (refreshToken == null || !refreshToken.startsWith(REFRESH_PREFIX) || refreshToken.length() > 128) {
      ctx.audit().failure(
          "auth.refresh.failure", "malformed", clientKey,
          () -> AuditTrail.event(
              AuditLevel.WARN, "auth.refresh.failure", "anonymous", "refresh rejected",
              AuditTrail.client(client, "reason", "malformed")));
      throw new InvalidTokenException();
    }
    byte[] hash = ctx.keys().refreshHash(refreshToken);
    String next = REFRESH_PREFIX + ctx.ids().newId(32);
    long now = ctx.clock().millis();
    Refreshed r = ctx.db().tx(tx -> refreshIn(tx, hash, next, now, client));
    if (r.outcome() == Outcome.UNKNOWN) {
      ctx.audit().failure(
          "auth.refresh.failure", "unknown", clientKey,
          () -> AuditTrail.event(
              AuditLevel.WARN, "auth.refresh.failure", "anonymous", "refresh rejected",
              AuditTrail.client(client, "reason", "unknown")));
    }
    if (r.outcome() != Outcome.OK) {
      throw new InvalidTokenException();
    }
    return r.tokens();
  }

  /**
   * One transaction: the presented token is used up, and either a new pair is issued or the failure (a reuse revokes
   * the session) is recorded. The audit events are part of the transaction: if the sink fails nothing changes and the
   * client's retry with the same token is not a reuse.
   */
  private Refreshed refreshIn(AuthDatabase.Tx tx, byte[] hash, String next, long now, ClientInfo client)
      throws SQLException {
    Optional<RefreshRow> found = tx.one(REFRESH_LOOKUP, Sessions::refreshRow, hash);
    if (found.isEmpty()) {
      return new Refreshed(Outcome.UNKNOWN, null, null);
    }
    RefreshRow row = found.get();
    if (row.used() || tx.update(USE_REFRESH, now, hash) != 1) {
      ctx.revocations().revokeSession(tx, row.userId(), row.sessionId(), "refresh_token_reuse");
      tx.audit(
          AuditTrail.event(
              AuditLevel.ERROR, "auth.refresh.reuse", row.userId(), "reuse of a rotated refresh token: session revoked",
              AuditTrail.client(client, "session", row.sessionId())));
      return new Refreshed(Outcome.REUSED, row.userId(), null);
    }
    Outcome o;
    if (row.revoked()) {
      o = Outcome.REVOKED;
    } else if (row.sessionTv() != row.userTv() || row.disabled()) {
      o = Outcome.OUTDATED;
    } else if (row.expiresAt() <= now) {
      o = Outcome.EXPIRED;
    } else {
      o = Outcome.OK;
    }
    if (o != Outcome.OK) {
      tx.audit(
          AuditTrail.event(
              AuditLevel.WARN, "auth.refresh.failure", row.userId(), "refresh rejected",
              AuditTrail.client(client, "reason", o.name().toLowerCase(Locale.ROOT), "session", row.sessionId())));
      return new Refreshed(o, row.userId(), null);
    }
    tx.update(INSERT_REFRESH, ctx.keys().refreshHash(next), row.sessionId(), now);
    tx.update(TOUCH, now, row.sessionId());
    AuthTokens tokens =
        issue(
            tx, row.userId(), row.username(), row.roles(), row.sessionId(), row.userTv(),
            Instant.ofEpochMilli(row.expiresAt()), row.rememberMe(), next);
    tx.audit(
        AuditTrail.event(
            AuditLevel.INFO, "auth.refresh", row.userId(), "tokens refreshed",
            AuditTrail.client(client, "session", row.sessionId())));
    return new Refreshed(Outcome.OK, row.userId(), tokens);
  }

  private static RefreshRow refreshRow(ResultSet rs) throws SQLException {
    return new RefreshRow(
        AuthDatabase.nullableLong(rs, "used_at") != null,
        rs.getString("session_id"),
        rs.getString("user_id"),
        rs.getString("username"),
        StoredUser.parseRoles(rs.getString("roles")),
        rs.getLong("session_tv"),
        rs.getLong("user_tv"),
        rs.getInt("disabled") == 1,
        rs.getLong("expires_at"),
        rs.getInt("remember_me") == 1,
        AuthDatabase.nullableLong(rs, "revoked_at") != null);
  }

  // ------------------------------------------------------------------------------------------------ authenticate

  Principal authenticate(String accessToken) throws InvalidTokenException {
    JwtCodec.Claims c;
    try {
      c = ctx.signingKeys().verify(accessToken, ctx.clock().instant());
    } catch (JwtCodec.Rejected e) {
      LOG.debug("access token rejected: {}", e.getMessage());
      throw new InvalidTokenException();
    }
    boolean valid;
    try {
      valid = ctx.revocations().isValid(c.userId(), c.sessionId(), c.tokenVersion());
    } catch (AuthStorageException e) {
      LOG.warn("revocation state could not be read; token rejected (fail closed)", e);
      throw new InvalidTokenException();
    }
    if (!valid) {
      LOG.debug("access token rejected: session revoked or token version outdated");
      throw new InvalidTokenException();
    }
    return new Principal(c.userId(), c.username(), c.roles(), c.sessionId(), c.expiresAt());
  }

  // ------------------------------------------------------------------------------------------------ logout

  void logout(Principal principal) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    ctx.db().tx(
        tx -> {
          ctx.revocations().revokeSession(tx, principal.userId(), principal.sessionId(), "logout");
          tx.audit(
              AuditTrail.event(
                  AuditLevel.INFO, "auth.logout", principal.userId(), "logged out", "session",
                  principal.sessionId()));
          return null;
        });
  }

  void logoutEverywhere(Principal principal) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    ctx.db().tx(
        tx -> {
          long v = ctx.revocations().revokeUser(tx, principal.userId(), "logout_everywhere");
          tx.audit(
              AuditTrail.event(
                  AuditLevel.INFO, "auth.logout.everywhere", principal.userId(), "all sessions ended",
                  "token_version", v));
          return null;
        });
  }

  // ------------------------------------------------------------------------------------------------ administration

  private static SessionInfo sessionInfo(ResultSet rs) throws SQLException {
    Long last = AuthDatabase.nullableLong(rs, "last_used_at");
    Long revoked = AuthDatabase.nullableLong(rs, "revoked_at");
    return new SessionInfo(
        rs.getString("id"),
        rs.getString("user_id"),
        rs.getString("username"),
        rs.getInt("remember_me") == 1,
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("expires_at")),
        Optional.ofNullable(last).map(Instant::ofEpochMilli),
        Optional.ofNullable(rs.getString("client_address")),
        Optional.ofNullable(rs.getString("user_agent")),
        Optional.ofNullable(revoked).map(Instant::ofEpochMilli),
        Optional.ofNullable(rs.getString("revoke_reason")));
  }

  List<SessionInfo> list(Optional<String> userId, boolean includeEnded) throws AuthStorageException {
    List<SessionInfo> all =
        userId.isPresent()
            ? ctx.db().list(LIST_USER, Sessions::sessionInfo, userId.get())
            : ctx.db().list(LIST_ALL, Sessions::sessionInfo);
    Instant now = ctx.clock().instant();
    return includeEnded ? all : all.stream().filter(s -> s.activeAt(now)).toList();
  }

  boolean revoke(String actor, String sessionId) throws AuthException {
    Objects.requireNonNull(sessionId, "sessionId");
    return ctx.db().tx(
        tx -> {
          Optional<SessionInfo> s = tx.one(BY_ID, Sessions::sessionInfo, sessionId);
          if (s.isEmpty() || !ctx.revocations().revokeSession(tx, s.get().userId(), sessionId, "admin")) {
            tx.rollbackOnly();
            return false;
          }
          tx.audit(
              AuditTrail.event(
                  AuditLevel.SECURITY, "auth.session.revoked", actor, "session revoked by an administrator",
                  "user_id", s.get().userId(), "username", s.get().username(), "session", sessionId));
          return true;
        });
  }

  void revokeAll(String actor, StoredUser u) throws AuthException {
    ctx.db().tx(
        tx -> {
          long v = ctx.revocations().revokeUser(tx, u.id(), "admin");
          tx.audit(
              Accounts.adminEvent(
                  actor, "auth.session.revoked_all", u, "every session and token of the user revoked",
                  "token_version", v));
          return null;
        });
  }
}
