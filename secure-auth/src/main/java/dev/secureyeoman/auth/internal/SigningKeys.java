package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.core.SecretBytes;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JWT signing keys: key ids and their order live in the database ({@code signing_keys}, ordered by {@code
 * generation}); the HS256 key of a kid is derived from the master key, so no key material is stored.
 *
 * <p><b>Several instances.</b> Signing always uses the newest key id read inside the issuing transaction, so no instance
 * signs with a key another instance has already replaced. A token with a kid this instance has not loaded triggers a
 * reload of the key table (at most one reload per {@link #MIN_RELOAD_INTERVAL_NANOS}, so a flood of made-up kids costs
 * at most ten queries a second); rotations are also announced on the revocation feed. A key retires one access-token
 * lifetime after its successor was created: every token it signed has expired by then.
 */
final class SigningKeys {
  private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);
  static final long MIN_RELOAD_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final Pattern KID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final AuthDatabase db;
  private final SigningKeyRepository repo;
  private final Keys keys;
  private final JwtCodec jwt;
  private final Clock clock;
  private final Duration accessTokenTtl;
  private final Ids ids;
  private final Object reloadLock = new Object();
  private long lastReloadNanos;
  private boolean reloaded;

  SigningKeys(AuthDatabase db, Keys keys, JwtCodec jwt, Clock clock, Duration accessTokenTtl, Ids ids) {
    this.db = db;
    this.repo = db.repos().signingKeys();
    this.keys = keys;
    this.jwt = jwt;
    this.clock = clock;
    this.accessTokenTtl = accessTokenTtl;
    this.ids = ids;
  }

  /** Loads every key, creating the first one in an empty database. */
  void load() throws AuthException {
    List<SigningKeyRepository.Row> rows =
        db.tx(
            tx -> {
              if (repo.current(tx).isEmpty()) {
                repo.insert(tx, ids.newId(12), clock.millis());
              }
              return repo.all(tx);
            });
    apply(rows);
  }

  private void apply(List<SigningKeyRepository.Row> rows) {
    for (int i = 0; i < rows.size(); i++) {
      SigningKeyRepository.Row r = rows.get(i);
      if (!jwt.has(r.kid())) {
        try (SecretBytes k = keys.derive("jwt-hs256/" + r.kid())) {
          jwt.put(r.kid(), k);
        }
      }
      if (i + 1 < rows.size()) {
        jwt.retireAt(r.kid(), Instant.ofEpochMilli(rows.get(i + 1).createdAt()).plus(accessTokenTtl));
      }
    }
  }

  /** Re-reads the key table (single flight, rate-limited); returns whether it ran. */
  boolean reload() {
    synchronized (reloadLock) {
      long now = System.nanoTime();
      if (reloaded && now - lastReloadNanos < MIN_RELOAD_INTERVAL_NANOS) {
        return false;
      }
      reloaded = true;
      lastReloadNanos = now;
      try {
        apply(db.query(repo::all));
        return true;
      } catch (AuthStorageException e) {
        LOG.warn("signing keys could not be reloaded", e);
        return false;
      }
    }
  }

  /** The newest key id, read in the issuing transaction (loaded here if another instance created it). */
  String current(AuthDatabase.Tx tx) throws SQLException {
    String kid = repo.current(tx).orElseThrow(() -> new SQLException("no signing key"));
    if (!jwt.has(kid)) {
      apply(repo.all(tx));
    }
    return kid;
  }

  /**
   * Verifies an access token, loading a key id created by another instance on demand.
   *
   * @throws JwtCodec.Rejected if the token is not acceptable
   */
  JwtCodec.Claims verify(String token, Instant now) throws JwtCodec.Rejected {
    try {
      return jwt.verify(token, now);
    } catch (JwtCodec.Rejected e) {
      if (e.reason() != JwtCodec.Reason.UNKNOWN_KEY_ID || e.kid() == null || !KID.matcher(e.kid()).matches()) {
        throw e;
      }
      if (!reload() || !jwt.has(e.kid())) {
        throw e;
      }
      return jwt.verify(token, now);
    }
  }

  /** Signs claims with the given key id. */
  String issue(String kid, JwtCodec.Claims claims, Instant issuedAt) {
    return jwt.issue(kid, claims, issuedAt, ids.newId(16));
  }

  /** Creates a new key id in the caller's transaction; new tokens are signed with it once it commits. */
  String rotate(AuthDatabase.Tx tx, Revocations revocations) throws SQLException {
    String previous = current(tx);
    String kid = ids.newId(12);
    long now = clock.millis();
    repo.insert(tx, kid, now);
    revocations.keyAdded(tx, now);
    tx.audit(
        AuditTrail.event(
            AuditLevel.SECURITY, "auth.key.rotated", "system", "JWT signing key rotated", "kid", kid, "previous",
            previous));
    tx.afterCommit(
        () -> apply(List.of(new SigningKeyRepository.Row(previous, 0), new SigningKeyRepository.Row(kid, now))));
    return kid;
  }
}
