package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.LastAdministratorException;
import dev.secureyeoman.auth.LoginThrottledException;
import dev.secureyeoman.auth.NoSuchUserException;
import dev.secureyeoman.auth.PasswordPolicy;
import dev.secureyeoman.auth.PasswordPolicyException;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.auth.UserExistsException;
import dev.secureyeoman.auth.UserInfo;
import java.nio.CharBuffer;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Users and passwords: creation, the password step of a login (throttling, dummy hash for unknown names, rehash),
 * password re-authentication, password changes, and the account administration (disable, enable, delete, roles, forced
 * reset).
 */
final class Accounts {
  static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

  private final AuthContext ctx;
  private final UserRepository users;
  private final String dummyHash;

  Accounts(AuthContext ctx) throws AuthException {
    this.ctx = ctx;
    this.users = ctx.db().repos().users();
    char[] dummy = new char[40];
    byte[] r = new byte[dummy.length];
    ctx.ids().nextBytes(r);
    for (int i = 0; i < dummy.length; i++) {
      dummy[i] = (char) ('a' + (r[i] & 0xff) % 26);
    }
    this.dummyHash = hash(dummy);
  }

  // ------------------------------------------------------------------------------------------------ lookups

  Optional<StoredUser> byId(String id) throws AuthStorageException {
    return ctx.db().query(sql -> users.byId(sql, id));
  }

  Optional<StoredUser> byName(String username) throws AuthStorageException {
    Objects.requireNonNull(username, "username");
    if (!USERNAME.matcher(username).matches()) {
      return Optional.empty();
    }
    return ctx.db().query(sql -> users.byKey(sql, StoredUser.key(username)));
  }

  StoredUser requireByName(String username) throws AuthException {
    return byName(username).orElseThrow(NoSuchUserException::new);
  }

  static UserInfo info(StoredUser u) {
    return new UserInfo(
        u.id(), u.username(), u.roles(), !u.disabled(), u.totpEnabled(), u.mustChangePassword(), u.mfaLocked(),
        Instant.ofEpochMilli(u.createdAt()), Instant.ofEpochMilli(u.updatedAt()));
  }

  List<UserInfo> list() throws AuthStorageException {
    List<UserInfo> out = new ArrayList<>();
    for (StoredUser u : ctx.db().query(users::all)) {
      out.add(info(u));
    }
    return out;
  }

  /**
   * How an attempted user name appears in the audit log: the account's id and name when it exists, otherwise only a
   * keyed hash (the "name" may be a password typed into the wrong field).
   */
  Object[] describeName(String attempted) throws AuthStorageException {
    Optional<StoredUser> u = byName(attempted);
    return u.isPresent()
        ? new Object[] {"user_id", u.get().id(), "username", u.get().username()}
        : new Object[] {"username_hash", ctx.audit().nameHash(StoredUser.key(attempted))};
  }

  // ------------------------------------------------------------------------------------------------ passwords

  private String hash(char[] password) throws AuthException {
    try {
      return ctx.hasher().hash(password);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuthException("interrupted", e);
    }
  }

  private boolean verify(char[] password, String hash) throws AuthException {
    try {
      return ctx.hasher().verify(password, hash);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuthException("interrupted", e);
    }
  }

  /** The policy's reasons against a new password, judged on the form that is hashed (NFKC). */
  List<String> violations(char[] password) {
    PasswordText.Problem p = PasswordText.check(password);
    if (p == PasswordText.Problem.TOO_LONG) {
      return List.of("password must be at most " + PasswordPolicy.MAX_LENGTH + " characters");
    }
    if (p == PasswordText.Problem.MALFORMED_UTF16) {
      return List.of("password contains an unpaired surrogate (malformed UTF-16)");
    }
    char[] n = PasswordText.nfkc(password);
    try {
      return ctx.settings().passwordPolicy().violations(CharBuffer.wrap(n));
    } finally {
      if (n != password) {
        Arrays.fill(n, '\0');
      }
    }
  }

  /** Checks the policy and hashes a new password. */
  String hashNew(char[] password) throws AuthException {
    List<String> v = violations(password);
    if (!v.isEmpty()) {
      throw new PasswordPolicyException(v);
    }
    return hash(password);
  }

  /**
   * Re-authenticates a logged-in user by password (for sensitive changes): the per-user login bucket applies, a wrong
   * password is audited as {@code failureEvent}.
   *
   * @throws InvalidCredentialsException if the password is wrong
   * @throws LoginThrottledException if the user's bucket is empty
   */
  void reauthenticate(StoredUser u, char[] password, String failureEvent, String what) throws AuthException {
    String bucket = "user:" + StoredUser.key(u.username());
    Duration wait = ctx.loginThrottle().tryAcquire(bucket);
    if (!wait.isZero()) {
      ctx.audit().record(
          AuditTrail.event(AuditLevel.WARN, failureEvent, u.id(), what + " throttled", "outcome", "throttled"));
      throw new LoginThrottledException(wait);
    }
    if (PasswordText.check(password) != null || !verify(password, u.passwordHash())) {
      ctx.audit().record(
          AuditTrail.event(
              AuditLevel.WARN, failureEvent, u.id(), what + " refused: current password wrong", "outcome", "failure",
              "reason", "wrong_current_password"));
      throw new InvalidCredentialsException();
    }
    ctx.loginThrottle().refund(bucket);
  }

  // ------------------------------------------------------------------------------------------------ login

  /**
   * The password step: throttling per user name and per client, one Argon2id hash whether or not the user exists, the
   * generic error for every failure, rehash when parameters rose.
   *
   * @return the verified, enabled user
   */
  StoredUser passwordStep(String username, char[] password, ClientInfo client) throws AuthException {
    String key = StoredUser.key(username.length() > 64 ? username.substring(0, 64) : username);
    String clientKey = ClientAddresses.canonical(client.address());
    String userBucket = "user:" + key;
    String clientBucket = "client:" + clientKey;
    Duration wait;
    try {
      wait = ctx.loginThrottle().tryAcquire(userBucket, clientBucket);
    } catch (AuthStorageException e) {
      // the shared buckets do not answer: refused (fail closed), before any hash; audited once per client and window
      ctx.audit().failure(
          "auth.throttle.unavailable", "shared_buckets_unavailable", clientKey,
          () -> AuditTrail.event(
              AuditLevel.ERROR, "auth.throttle.unavailable", "anonymous", "login refused: login throttle unavailable",
              concat(AuditTrail.client(client, "reason", "shared_buckets_unavailable"), describeName(username))));
      throw e;
    }
    if (!wait.isZero()) {
      ctx.audit().failure(
          "auth.login.throttled", "throttled", clientKey,
          () -> AuditTrail.event(
              AuditLevel.WARN, "auth.login.throttled", "anonymous", "login throttled",
              concat(AuditTrail.client(client, "retry_after_s", wait.toSeconds()), describeName(username))));
      throw new LoginThrottledException(wait);
    }
    if (PasswordText.check(password) != null) {
      ctx.audit().failure(
          "auth.login.failure", "malformed_password", clientKey,
          () -> AuditTrail.event(
              AuditLevel.WARN, "auth.login.failure", "anonymous", "login failed",
              concat(AuditTrail.client(client, "reason", "malformed_password"), describeName(username))));
      throw new InvalidCredentialsException();
    }
    StoredUser u = byName(username).orElse(null);
    boolean ok;
    if (u == null) {
      verify(password, dummyHash); // similar timing for unknown users
      ok = false;
    } else {
      ok = verify(password, u.passwordHash());
    }
    if (u == null) {
      // recorded one by one like a wrong password (never aggregated): the same synchronous audit write on both paths,
      // so the response time does not tell whether the name exists (the login throttle bounds the volume)
      ctx.audit().record(
          AuditTrail.event(
              AuditLevel.WARN, "auth.login.failure", "anonymous", "login failed",
              AuditTrail.client(client, "reason", "unknown_user", "username_hash", ctx.audit().nameHash(key))));
      throw new InvalidCredentialsException();
    }
    if (!ok || u.disabled()) {
      ctx.audit().record(
          AuditTrail.event(
              AuditLevel.WARN, "auth.login.failure", u.id(), "login failed",
              AuditTrail.client(client, "reason", ok ? "disabled" : "bad_password", "username", u.username())));
      throw new InvalidCredentialsException();
    }
    ctx.loginThrottle().refund(userBucket);
    ctx.loginThrottle().refund(clientBucket);
    if (ctx.hasher().needsRehash(u.passwordHash())) {
      String newHash = hash(password);
      long now = ctx.clock().millis();
      boolean rehashed =
          ctx.db().tx(
              tx -> {
                if (users.rehash(tx, u.id(), u.passwordHash(), newHash, now)) {
                  tx.audit(
                      AuditTrail.event(
                          AuditLevel.INFO, "auth.password.rehashed", u.id(),
                          "password rehashed with stronger parameters"));
                  return true;
                }
                return false;
              });
      if (rehashed) {
        return u.withPasswordHash(newHash);
      }
    }
    return u;
  }

  static Object[] concat(Object[] a, Object[] b) {
    Object[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  // ------------------------------------------------------------------------------------------------ changes

  private static Set<String> roles(Set<String> roles) {
    Set<String> all = new TreeSet<>(roles);
    all.add(Principal.ROLE_USER);
    for (String r : all) {
      if (!ROLE.matcher(r).matches()) {
        throw new IllegalArgumentException("roles must match [a-z][a-z0-9_-]{0,31}, got '" + r + "'");
      }
    }
    return all;
  }

  /** Creates a user; {@code actor} is who is audited as creating it. */
  String create(String actor, String username, char[] password, Set<String> roles) throws AuthException {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(roles, "roles");
    if (!USERNAME.matcher(username).matches()) {
      throw new IllegalArgumentException("username must be 1-64 chars of [A-Za-z0-9._@-]");
    }
    Set<String> all = roles(roles);
    List<String> violations = violations(password);
    if (!violations.isEmpty()) {
      throw new PasswordPolicyException(violations);
    }
    String key = StoredUser.key(username);
    // cheap pre-check so a taken name costs no Argon2id hash; the insert transaction below stays authoritative
    if (ctx.db().query(sql -> users.existsKey(sql, key))) {
      throw new UserExistsException();
    }
    String hash = hash(password);
    String id = ctx.ids().newId(16);
    long now = ctx.clock().millis();
    return ctx.db().tx(
        tx -> {
          if (users.existsKey(tx, key)) {
            throw new UserExistsException();
          }
          users.insert(tx, id, username, key, hash, StoredUser.formatRoles(all), now);
          tx.audit(
              AuditTrail.event(
                  AuditLevel.INFO, "auth.user.created", actor.equals("system") ? id : actor, "user created",
                  "user_id", id, "username", username, "roles", List.copyOf(all)));
          return id;
        });
  }

  /**
   * A user changes their own password: the current one is verified, the policy enforced, and every session and token of
   * the user dies (on every instance, also after a restart).
   *
   * @param event {@code auth.password.changed} or, for the admin-only API of DESIGN §3, {@code auth.password.reset}
   */
  void changeOwn(Principal principal, char[] current, char[] newPassword, String event) throws AuthException {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(current, "currentPassword");
    Objects.requireNonNull(newPassword, "newPassword");
    StoredUser u = byId(principal.userId()).orElseThrow(InvalidCredentialsException::new);
    reauthenticate(u, current, event, "password change");
    List<String> violations = violations(newPassword);
    if (!violations.isEmpty()) {
      ctx.audit().record(
          AuditTrail.event(
              AuditLevel.WARN, event, u.id(), "password change refused: policy", "outcome", "rejected", "reason",
              "policy", "violations", violations));
      throw new PasswordPolicyException(violations);
    }
    String hash = hash(newPassword);
    ctx.db().run(
        tx -> {
          users.setPassword(tx, u.id(), hash, false, ctx.clock().millis());
          long v = ctx.revocations().revokeUser(tx, u.id(), event.equals("auth.password.reset") ? "password_reset"
              : "password_change");
          tx.audit(
              AuditTrail.event(
                  AuditLevel.SECURITY, event, u.id(), "password changed; all sessions and tokens revoked", "outcome",
                  "success", "token_version", v));
        });
  }

  /** Sets the password chosen at a forced change (the challenge is consumed by the caller in the same transaction). */
  void completeForcedChange(AuthDatabase.Tx tx, StoredUser u, String hash) throws SQLException {
    users.setPassword(tx, u.id(), hash, false, ctx.clock().millis());
    tx.audit(
        AuditTrail.event(
            AuditLevel.SECURITY, "auth.password.changed", u.id(), "password changed at login after an administrator's"
                + " reset", "outcome", "success", "forced", true));
  }

  /** Whether a candidate equals the current password (a forced change must choose a new one). */
  boolean matchesCurrent(StoredUser u, char[] candidate) throws AuthException {
    return verify(candidate, u.passwordHash());
  }

  // ------------------------------------------------------------------------------------------------ administration

  void adminResetPassword(String actor, String username, char[] newPassword) throws AuthException {
    StoredUser u = requireByName(username);
    String hash = hashNew(newPassword);
    ctx.db().run(
        tx -> {
          users.setPassword(tx, u.id(), hash, true, ctx.clock().millis());
          long v = ctx.revocations().revokeUser(tx, u.id(), "admin_password_reset");
          tx.audit(adminEvent(actor, "auth.password.reset", u, "password reset by an administrator; change forced at"
              + " next login", "outcome", "success", "forced_change", true, "token_version", v));
        });
  }

  void setDisabled(String actor, String username, boolean disabled) throws AuthException {
    StoredUser u = requireByName(username);
    ctx.db().run(
        tx -> {
          boolean wasAdmin = isEnabledAdmin(tx, u.id());
          users.setDisabled(tx, u.id(), disabled, ctx.clock().millis());
          if (disabled) {
            ctx.revocations().revokeUser(tx, u.id(), "account_disabled");
            requireEnabledAdmin(tx, wasAdmin);
          }
          tx.audit(adminEvent(actor, disabled ? "auth.user.disabled" : "auth.user.enabled", u,
              disabled ? "account disabled; all sessions and tokens revoked" : "account enabled"));
        });
  }

  void delete(String actor, String username) throws AuthException {
    StoredUser u = requireByName(username);
    ctx.db().run(
        tx -> {
          boolean wasAdmin = isEnabledAdmin(tx, u.id());
          ctx.revocations().revokeUser(tx, u.id(), "account_deleted");
          users.delete(tx, u.id());
          requireEnabledAdmin(tx, wasAdmin);
          tx.audit(adminEvent(actor, "auth.user.deleted", u, "account deleted"));
        });
  }

  void setRoles(String actor, String username, Set<String> roles) throws AuthException {
    Objects.requireNonNull(roles, "roles");
    Set<String> all = roles(roles);
    StoredUser u = requireByName(username);
    ctx.db().run(
        tx -> {
          boolean wasAdmin = isEnabledAdmin(tx, u.id());
          users.setRoles(tx, u.id(), StoredUser.formatRoles(all), ctx.clock().millis());
          long v = ctx.revocations().revokeUser(tx, u.id(), "roles_changed");
          requireEnabledAdmin(tx, wasAdmin);
          tx.audit(adminEvent(actor, "auth.user.roles_changed", u, "roles changed; tokens with the old roles revoked",
              "roles", List.copyOf(all), "previous_roles", List.copyOf(new TreeSet<>(u.roles())), "token_version", v));
        });
  }

  /** Whether the user is, as read in {@code tx} before the change, an enabled administrator. */
  private boolean isEnabledAdmin(AuthDatabase.Tx tx, String userId) throws SQLException {
    return users.byId(tx, userId)
        .map(u -> !u.disabled() && u.roles().contains(Principal.ROLE_ADMIN))
        .orElse(false);
  }

  /**
   * Refuses (rolling the caller's transaction back) a change of an enabled administrator that leaves none. Both reads
   * run in the write transaction, so two administrators removing each other concurrently cannot both succeed; a change
   * of a user who was no enabled administrator is never refused (also when the database has none).
   */
  private void requireEnabledAdmin(AuthDatabase.Tx tx, boolean targetWasAdmin)
      throws SQLException, LastAdministratorException {
    if (!targetWasAdmin) {
      return;
    }
    for (Set<String> roles : users.enabledRoles(tx)) {
      if (roles.contains(Principal.ROLE_ADMIN)) {
        return;
      }
    }
    throw new LastAdministratorException();
  }

  static dev.secureyeoman.audit.AuditEvent adminEvent(
      String actor, String event, StoredUser target, String message, Object... more) {
    return AuditTrail.event(
        AuditLevel.SECURITY, event, actor, message,
        concat(new Object[] {"user_id", target.id(), "username", target.username()}, more));
  }
}
