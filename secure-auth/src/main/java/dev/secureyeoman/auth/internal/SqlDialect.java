package dev.secureyeoman.auth.internal;

import java.util.List;

/**
 * The seam between the auth service and a database engine: what is not standard SQL. Every other statement lives in a
 * per-concern repository ({@link UserRepository}, {@link SessionRepository}, {@link ChallengeRepository}, {@link
 * RecoveryCodeRepository}, {@link RevocationFeedRepository}, {@link SigningKeyRepository}) as portable SQL that reads
 * columns by name; a repository that ever needs an engine-specific statement asks its dialect for it.
 *
 * <p>What a dialect must guarantee, because the security checks rely on it:
 *
 * <ul>
 *   <li>{@link #beginWrite()} starts a transaction that holds the database's write lock from its first statement, so two
 *       processes never both read and then write (TOTP replay compare-and-set, refresh-token reuse detection and
 *       single-use challenges also hold with several instances);
 *   <li>{@link #migrations()} creates the same tables and columns (names are the contract; the repositories never read a
 *       column by position), and {@code revocations.seq} is increasing in commit order. A gap in {@code seq} makes an
 *       instance reload the authoritative tables; an engine whose sequences leave gaps on roll-back stays correct but
 *       reloads more often.
 * </ul>
 */
interface SqlDialect {
  /** SQLite (the default; also what {@link dev.secureyeoman.auth.AuthDataSources#sqlite} opens). */
  SqlDialect SQLITE = new SqliteDialect();

  /** A short name for messages. */
  String name();

  /** The statement that begins a write transaction holding the write lock from the start. */
  String beginWrite();

  /** The schema migrations: element {@code i} brings the schema from version {@code i} to {@code i + 1}. */
  List<List<String>> migrations();
}
