package dev.secureyeoman.auth.internal;

import dev.secureyeoman.auth.AuthStorageException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Revocation state that {@code authenticate} checks without a database read on its hot path, kept coherent across
 * every instance sharing the database.
 *
 * <p><b>Writes</b> (in the caller's transaction): revoking a session or bumping a user's token version also appends a
 * row to the {@code revocations} feed; the in-memory caches follow after {@code COMMIT}, so this instance enforces its
 * own revocations at once.
 *
 * <p><b>Bound for other instances.</b> Before a check, when more than {@code checkInterval} has passed since the last
 * poll, the feed rows after the last seen sequence number are read (one indexed range query) and applied. So a
 * revocation committed by any instance is enforced here at most {@code checkInterval} later (default 1 s; 0 polls on
 * every check). Independently, a token whose token version is newer than the cached one makes the cache re-read that
 * user at once (a reset elsewhere never makes this instance reject the newer tokens). If a due poll fails, the check
 * fails (closed).
 *
 * <p><b>Time.</b> The feed cursor is the sequence number (commit order: writers hold the database's write lock), never a
 * timestamp, so a row written by an instance whose clock is behind is read like any other. The poll is scheduled on a
 * monotonic ticker; it is also due when the wall clock moved forward by the interval, so a wall clock stepped back
 * never suspends it. A revoked session is forgotten only when the wall clock says it expired <em>and</em> the access
 * token lifetime has passed on the ticker since this instance learned of the revocation (every access token of a
 * revoked session was signed before the revocation): a forward glitch alone forgets nothing.
 *
 * <p><b>Pruning.</b> Feed rows older than the longest session lifetime plus a day are deleted, never the newest row.
 * Sequence numbers are dense (assigned as {@code max + 1} under the write lock on every engine; a rolled-back insert
 * leaves no gap, unlike a PostgreSQL sequence), so a poll whose
 * first row is not {@code lastSeq + 1} knows rows it never saw were pruned (by age, or by an instance with a wrong
 * clock) and reloads the authoritative tables instead of trusting the feed; so does an instance that has not polled
 * for the retention period on its ticker.
 */
final class Revocations {
  static final String KIND_SESSION = "session";
  static final String KIND_USER = "user";
  static final String KIND_KEY = "key";
  static final int MAX_CACHED_USERS = 100_000;
  private static final int PRUNE_EVERY = 256;

  /** A revoked session: its expiry (wall ms) and when this instance learned of it (ticker ns). */
  private record Revoked(long expiresAt, long learnedAtNanos) {}

  private final AuthDatabase db;
  private final UserRepository users;
  private final SessionRepository sessions;
  private final ChallengeRepository challenges;
  private final RevocationFeedRepository feed;
  private final Clock clock;
  private final LongSupplier ticker;
  private final long intervalMillis;
  private final long intervalNanos;
  private final long retentionMillis;
  private final long retentionNanos;
  private final long accessTtlNanos;
  private final Runnable onKeyAdded;
  private final Map<String, Long> tokenVersions = new ConcurrentHashMap<>();
  private final Map<String, Revoked> revokedSessions = new ConcurrentHashMap<>();
  private final Object pollLock = new Object();
  private final AtomicInteger inserts = new AtomicInteger();
  /** Bumped whenever {@link #tokenVersions} is cleared: a version read before a clear must not be cached after it. */
  private final java.util.concurrent.atomic.AtomicLong epoch = new java.util.concurrent.atomic.AtomicLong();
  private volatile long lastPollNanos;
  private volatile long lastPollAt;
  private long lastSeq;

  /**
   * @param ticker monotonic nanoseconds (scheduling and memory of revoked sessions)
   * @param checkInterval the bound for other instances' revocations
   * @param longestSession the longest session lifetime (feed rows older than this plus a day are pruned)
   * @param accessTokenTtl the access token lifetime (how long a revoked session must be remembered at least)
   * @param onKeyAdded called when the feed announces a new signing key
   */
  Revocations(
      AuthDatabase db, Clock clock, LongSupplier ticker, Duration checkInterval, Duration longestSession,
      Duration accessTokenTtl, Runnable onKeyAdded) {
    this.db = db;
    this.users = db.repos().users();
    this.sessions = db.repos().sessions();
    this.challenges = db.repos().challenges();
    this.feed = db.repos().revocationFeed();
    this.clock = clock;
    this.ticker = ticker;
    this.intervalMillis = checkInterval.toMillis();
    this.intervalNanos = checkInterval.toNanos();
    this.retentionMillis = longestSession.plus(Duration.ofDays(1)).toMillis();
    this.retentionNanos = longestSession.plus(Duration.ofDays(1)).toNanos();
    this.accessTtlNanos = accessTokenTtl.toNanos();
    this.onKeyAdded = onKeyAdded;
  }

  /** Loads the revoked sessions that have not expired and the current feed position. */
  void load() throws AuthStorageException {
    synchronized (pollLock) {
      reloadAll(clock.millis());
    }
  }

  /**
   * Re-reads the authoritative state (start, a gap in the feed, or a long pause). Revoked sessions already known stay
   * known; those expired by up to the retention period are loaded too, so a wall clock running ahead at this moment
   * does not drop one whose access tokens are still alive in real time.
   */
  private void reloadAll(long now) throws AuthStorageException {
    record Loaded(long seq, List<SessionRepository.Revoked> sessions) {}
    Loaded l =
        db.query(
            sql -> new Loaded(feed.maxSeq(sql), sessions.revokedExpiringAfter(sql, now - retentionMillis)));
    long learned = ticker.getAsLong();
    epoch.incrementAndGet();
    tokenVersions.clear();
    for (SessionRepository.Revoked s : l.sessions()) {
      revokedSessions.putIfAbsent(s.sessionId(), new Revoked(s.expiresAt(), learned));
    }
    lastSeq = l.seq();
    lastPollAt = now;
    lastPollNanos = learned;
  }

  // ---------------------------------------------------------------------------------------------- writes (in a Tx)

  /** Revokes one session of a user; false if it was unknown or already ended. */
  boolean revokeSession(AuthDatabase.Tx tx, String userId, String sessionId, String reason) throws SQLException {
    long now = clock.millis();
    if (!sessions.revoke(tx, userId, sessionId, reason, now)) {
      return false;
    }
    long expires = sessions.expiresAt(tx, sessionId).orElse(now);
    append(tx, KIND_SESSION, userId, sessionId, null, now);
    tx.afterCommit(() -> revokedSessions.put(sessionId, new Revoked(expires, ticker.getAsLong())));
    return true;
  }

  /** Revokes every active session of a user except {@code keep}; returns how many. */
  int revokeOtherSessions(AuthDatabase.Tx tx, String userId, String keep, String reason) throws SQLException {
    List<String> ids = sessions.activeExcept(tx, userId, keep, clock.millis());
    int n = 0;
    for (String id : ids) {
      if (revokeSession(tx, userId, id, reason)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Bumps the user's token version (every access token, session and refresh token of the user dies, also after a
   * restart and on every instance), revokes the sessions and deletes pending challenges.
   *
   * @return the new token version
   */
  long revokeUser(AuthDatabase.Tx tx, String userId, String reason) throws SQLException {
    long now = clock.millis();
    if (!users.bumpTokenVersion(tx, userId, now)) {
      throw new SQLException("no user " + userId);
    }
    sessions.revokeAllOfUser(tx, userId, reason, now);
    challenges.deleteOfUser(tx, userId);
    long v = users.tokenVersion(tx, userId).orElseThrow();
    append(tx, KIND_USER, userId, null, v, now);
    tx.afterCommit(() -> tokenVersions.merge(userId, v, Math::max));
    return v;
  }

  /** Announces a new signing key to the other instances. */
  void keyAdded(AuthDatabase.Tx tx, long now) throws SQLException {
    append(tx, KIND_KEY, null, null, null, now);
  }

  private void append(
      AuthDatabase.Tx tx, String kind, @Nullable String userId, @Nullable String sessionId, @Nullable Long tv, long now)
      throws SQLException {
    feed.append(tx, kind, userId, sessionId, tv, now);
    if (inserts.incrementAndGet() % PRUNE_EVERY == 0) {
      feed.prune(tx, now - retentionMillis);
    }
  }

  // ---------------------------------------------------------------------------------------------- reads

  /** The cache generation, for {@link #observedSince}: read it before reading a token version from the database. */
  long epoch() {
    return epoch.get();
  }

  /**
   * Notes a token version this instance read or issued (never lowers the cached value), unless the cache was cleared
   * since {@code sinceEpoch}: a version read before a clear may be older than a revocation whose feed row the clear's
   * reload skipped, so it is not kept (it is read again on demand).
   *
   * @return whether the value was kept
   */
  boolean observedSince(long sinceEpoch, String userId, long tokenVersion) {
    remember(userId, tokenVersion);
    if (epoch.get() != sinceEpoch) {
      tokenVersions.remove(userId, tokenVersion);
      return false;
    }
    return true;
  }

  /** Notes a token version (never lowers the cached value); clearing the bounded cache starts a new epoch. */
  private void remember(String userId, long tokenVersion) {
    if (tokenVersions.size() >= MAX_CACHED_USERS && !tokenVersions.containsKey(userId)) {
      epoch.incrementAndGet();
      tokenVersions.clear(); // bounded: entries are re-read on demand
    }
    tokenVersions.merge(userId, tokenVersion, Math::max);
  }

  /**
   * Whether a token of this session and token version is still valid here.
   *
   * @throws AuthStorageException if a due poll or a needed read fails (the caller rejects the token)
   */
  boolean isValid(String userId, String sessionId, long tokenVersion) throws AuthStorageException {
    pollIfDue();
    if (revokedSessions.containsKey(sessionId)) {
      return false;
    }
    Long cached = tokenVersions.get(userId);
    if (cached == null || tokenVersion > cached) {
      // the value read may be overtaken by a revocation before it is cached: a feed row applied meanwhile is kept by
      // remember's max (apply caches every user's bump), a reload meanwhile is caught by the epoch (read again)
      boolean kept = false;
      for (int attempt = 0; attempt < 3 && !kept; attempt++) {
        long since = epoch.get();
        Optional<Long> current = db.query(sql -> users.tokenVersion(sql, userId));
        if (current.isEmpty()) {
          return false;
        }
        kept = observedSince(since, userId, current.get());
      }
      if (!kept) {
        return false; // the cache keeps being cleared under us: reject (fail closed)
      }
      cached = tokenVersions.get(userId);
    }
    return cached != null && cached == tokenVersion;
  }

  /** Due when the interval passed on the ticker, or the wall clock moved forward by it (a fake clock in tests). */
  private boolean due(long nowNanos, long nowMillis) {
    return nowNanos - lastPollNanos >= intervalNanos || nowMillis - lastPollAt >= intervalMillis;
  }

  private void pollIfDue() throws AuthStorageException {
    if (!due(ticker.getAsLong(), clock.millis())) {
      return;
    }
    synchronized (pollLock) {
      long nowNanos = ticker.getAsLong();
      long now = clock.millis();
      if (!due(nowNanos, now)) {
        return; // another thread polled while this one waited
      }
      if (nowNanos - lastPollNanos > retentionNanos) {
        reloadAll(now); // feed rows this instance never saw may have been pruned
        onKeyAdded.run();
        return;
      }
      List<RevocationFeedRepository.Row> rows;
      do {
        long from = lastSeq;
        rows = db.query(sql -> feed.after(sql, from));
        if (!rows.isEmpty() && rows.get(0).seq() != from + 1) {
          // rows after our position were pruned before we read them: the feed cannot be trusted, the tables can
          reloadAll(now);
          onKeyAdded.run();
          return;
        }
        for (RevocationFeedRepository.Row r : rows) {
          apply(r, now, nowNanos);
          lastSeq = r.seq();
        }
      } while (rows.size() == RevocationFeedRepository.PAGE);
      revokedSessions.values().removeIf(r -> r.expiresAt() <= now && nowNanos - r.learnedAtNanos() >= accessTtlNanos);
      lastPollAt = now;
      lastPollNanos = nowNanos;
    }
  }

  private void apply(RevocationFeedRepository.Row r, long now, long nowNanos) {
    switch (r.kind()) {
      case KIND_SESSION ->
          // a session deleted with its user has no expiry left to read: keep it until the longest lifetime passes
          revokedSessions.putIfAbsent(
              r.sessionId(), new Revoked(r.expiresAt() != null ? r.expiresAt() : now + retentionMillis, nowNanos));
      // cached even for a user this instance has not seen yet: a token version read from the database just before
      // this row committed, and cached after this poll, must not win over the row (max keeps the newer one)
      case KIND_USER -> {
        String userId = r.userId();
        Long tv = r.tokenVersion();
        if (userId != null && tv != null) { // written by revokeUser with both; a row without them raises nothing
          remember(userId, tv);
        }
      }
      case KIND_KEY -> onKeyAdded.run();
      default -> {
        // a kind written by a newer version: nothing this version caches
      }
    }
  }
}
