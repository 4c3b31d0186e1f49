package dev.secureyeoman.auth.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The seam between the auth service and a database engine: what is not standard SQL. Every other statement lives in a
 * per-concern repository ({@link UserRepository}, {@link SessionRepository}, {@link ChallengeRepository}, {@link
 * RecoveryCodeRepository}, {@link RevocationFeedRepository}, {@link SigningKeyRepository}) as portable SQL that reads
 * columns by name; a repository that ever needs an engine-specific statement asks its dialect for it.
 *
 * <p>What a dialect must guarantee, because the security checks rely on it:
 *
 * <ul>
 *   <li>{@link #begin(Connection)} starts a transaction that holds the database's write lock from its first statement,
 *       so two processes (nodes) never both read and then write: the TOTP replay compare-and-set, refresh-token reuse
 *       detection, single-use recovery codes and single-use challenges hold with several instances. Every write
 *       transaction takes the same lock, so they are serialised in commit order;
 *   <li>{@link #migrations()} creates the same tables and columns (names are the contract; the repositories never read a
 *       column by position). {@code revocations.seq} is assigned as {@code max + 1} under the write lock (never from an
 *       engine sequence, which on PostgreSQL skips numbers on roll-back), so it is dense and increasing in commit order;
 *       a gap then only ever means pruned rows.
 * </ul>
 */
interface SqlDialect {
  /** SQLite (the default; also what {@link dev.secureyeoman.auth.AuthDataSources#sqlite} opens). */
  SqlDialect SQLITE = new SqliteDialect();

  /** PostgreSQL 15 (what {@link dev.secureyeoman.auth.AuthDataSources#postgres} opens). */
  SqlDialect POSTGRES = new PostgresDialect();

  /** A short name for messages. */
  String name();

  /** The statement that begins a write transaction holding the write lock from the start. */
  String beginWrite();

  /** The schema migrations: element {@code i} brings the schema from version {@code i} to {@code i + 1}. */
  List<List<String>> migrations();

  /**
   * Whether the data source pools connections itself (then the auth service borrows and returns one per unit of work
   * instead of keeping its own idle connections, so the pool's validation and eviction after a server restart apply).
   */
  default boolean externallyPooled() {
    return false;
  }

  /** Begins a write transaction on {@code c} holding the write lock (default: {@link #beginWrite()}). */
  default void begin(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(beginWrite());
    }
  }

  /** Commits the transaction begun by {@link #begin}. */
  default void commit(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("COMMIT");
    }
  }

  /** Rolls back the transaction begun by {@link #begin}. */
  default void rollback(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("ROLLBACK");
    }
  }

  /**
   * The dialect of the database behind {@code ds}, from the driver's product name (one connection).
   *
   * @throws SQLException if no connection can be opened or the engine is not supported
   */
  static SqlDialect detect(DataSource ds) throws SQLException {
    String product;
    try (Connection c = ds.getConnection()) {
      product = c.getMetaData().getDatabaseProductName();
    }
    String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
    if (p.contains("postgres")) {
      return POSTGRES;
    }
    if (p.contains("sqlite")) {
      return SQLITE;
    }
    throw new SQLException("unsupported auth database engine: " + product + " (supported: SQLite, PostgreSQL)");
  }
}
