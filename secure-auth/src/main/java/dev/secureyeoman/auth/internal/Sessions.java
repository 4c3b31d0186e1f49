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
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions and tokens: opening a session (refresh-token family) with its first token pair, refresh-token rotation with
 * reuse detection, access-token authentication, logout, and the session listing of the administration.
 */
final class Sessions {
  private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
  static final String REFRESH_PREFIX = "syrt_";

  private enum Outcome {
    OK,
    UNKNOWN,
    REUSED,
    REVOKED,
    EXPIRED,
    OUTDATED
  }

  private record Refreshed(Outcome outcome, @Nullable String userId, @Nullable AuthTokens tokens) {}

  private final AuthContext ctx;
  private final SessionRepository repo;

  Sessions(AuthContext ctx) {
    this.ctx = ctx;
    this.repo = ctx.db().repos().sessions();
  }

  // ------------------------------------------------------------------------------------------------ open

  /**
   * Opens a session for a user whose credentials were just proven, in the caller's transaction; {@code auth.login.success}
   * is part of it.
   */
  LoginResult.Authenticated open(AuthDatabase.Tx tx, StoredUser u, boolean rememberMe, ClientInfo client, String factor)
      throws SQLException {
    long epoch = ctx.revocations().epoch();
    Instant now = ctx.clock().instant();
    String sessionId = ctx.ids().newId(16);
    Instant sessionExpires =
        now.plus(rememberMe ? ctx.settings().rememberMeTtl() : ctx.settings().sessionTtl());
    String refresh = REFRESH_PREFIX + ctx.ids().newId(32);
    repo.insert(
        tx, sessionId, u.id(), rememberMe, u.tokenVersion(), now.toEpochMilli(), sessionExpires.toEpochMilli(),
        client.address(), client.userAgent().orElse(null));
    repo.insertRefreshToken(tx, ctx.keys().refreshHash(refresh), sessionId, now.toEpochMilli());
    AuthTokens tokens =
        issue(tx, u.id(), u.username(), u.roles(), sessionId, u.tokenVersion(), sessionExpires, rememberMe, refresh);
    tx.audit(
        AuditTrail.event(
            AuditLevel.INFO, "auth.login.success", u.id(),
            factor.equals("password") ? "login succeeded" : "login succeeded with second factor",
            AuditTrail.client(client, "remember_me", rememberMe, "session", sessionId, "factor", factor)));
    long tv = u.tokenVersion();
    tx.afterCommit(() -> ctx.revocations().observedSince(epoch, u.id(), tv));
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
    // lock-free first: a token that matches no row (a guess, a garbage token) is refused from a plain read, so an
    // unauthenticated flood never queues behind (or in front of) the cluster-wide write lock; a token that exists is
    // decided in the locked transaction, which reads it again (a concurrent rotation or a reuse is decided there)
    Refreshed r =
        ctx.db().query(sql -> repo.refreshToken(sql, hash)).isEmpty()
            ? unknown()
            : ctx.db().tx(tx -> refreshIn(tx, hash, next, now, client));
    if (r.outcome() == Outcome.UNKNOWN) {
      ctx.audit().failure(
          "auth.refresh.failure", "unknown", clientKey,
          () -> AuditTrail.event(
              AuditLevel.WARN, "auth.refresh.failure", "anonymous", "refresh rejected",
              AuditTrail.client(client, "reason", "unknown")));
    }
    AuthTokens tokens = r.tokens();
    if (r.outcome() != Outcome.OK || tokens == null) { // an OK refresh always carries the new tokens
      throw new InvalidTokenException();
    }
    return tokens;
  }

  /**
   * The refusal of a token that matches no row, without a write transaction. What the empty transaction of the locked
   * path did besides reading is kept: it wrote the failure summaries that were due (at most once a second).
   */
  private Refreshed unknown() {
    ctx.audit().flushDue(false);
    return new Refreshed(Outcome.UNKNOWN, null, null);
  }

  /**
   * One transaction: the presented token is used up, and either a new pair is issued or the failure (a reuse revokes
   * the session) is recorded. The audit events are part of the transaction: if the sink fails nothing changes and the
   * client's retry with the same token is not a reuse.
   */
  private Refreshed refreshIn(AuthDatabase.Tx tx, byte[] hash, String next, long now, ClientInfo client)
      throws SQLException {
    Optional<SessionRepository.RefreshRow> found = repo.refreshToken(tx, hash);
    if (found.isEmpty()) {
      return new Refreshed(Outcome.UNKNOWN, null, null);
    }
    SessionRepository.RefreshRow row = found.get();
    if (row.used() || !repo.useRefreshToken(tx, hash, now)) {
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
    repo.insertRefreshToken(tx, ctx.keys().refreshHash(next), row.sessionId(), now);
    repo.touch(tx, row.sessionId(), now);
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

  // ------------------------------------------------------------------------------------------------ authenticate

  Principal authenticate(String accessToken) throws InvalidTokenException, AuthStorageException {
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
      // fail closed, but not as "invalid": the token may be perfectly good once the database answers again
      LOG.warn("revocation state could not be read; token not accepted (fail closed): {}", e.toString());
      throw e;
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
    ctx.db().run(
        tx -> {
          ctx.revocations().revokeSession(tx, principal.userId(), principal.sessionId(), "logout");
          tx.audit(
              AuditTrail.event(
                  AuditLevel.INFO, "auth.logout", principal.userId(), "logged out", "session",
                  principal.sessionId()));
        });
  }

  void logoutEverywhere(Principal principal) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    ctx.db().run(
        tx -> {
          long v = ctx.revocations().revokeUser(tx, principal.userId(), "logout_everywhere");
          tx.audit(
              AuditTrail.event(
                  AuditLevel.INFO, "auth.logout.everywhere", principal.userId(), "all sessions ended",
                  "token_version", v));
        });
  }

  // ------------------------------------------------------------------------------------------------ administration

  List<SessionInfo> list(Optional<String> userId, boolean includeEnded) throws AuthStorageException {
    List<SessionInfo> all = ctx.db().query(sql -> repo.list(sql, userId));
    Instant now = ctx.clock().instant();
    return includeEnded ? all : all.stream().filter(s -> s.activeAt(now)).toList();
  }

  boolean revoke(String actor, String sessionId) throws AuthException {
    Objects.requireNonNull(sessionId, "sessionId");
    return ctx.db().tx(
        tx -> {
          Optional<SessionInfo> s = repo.info(tx, sessionId);
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
    ctx.db().run(
        tx -> {
          long v = ctx.revocations().revokeUser(tx, u.id(), "admin");
          tx.audit(
              Accounts.adminEvent(
                  actor, "auth.session.revoked_all", u, "every session and token of the user revoked",
                  "token_version", v));
        });
  }
}
