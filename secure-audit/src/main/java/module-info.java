/**
 * SecureYeoman audit: a tamper-evident, retention-aware audit log on SQLite (or PostgreSQL, several nodes sharing one
 * chain).
 *
 * <p>Exports only the API package; the SQLite implementation lives in {@code dev.secureyeoman.audit.internal}.
 */
module dev.secureyeoman.audit {
  requires transitive org.jspecify; // @NullMarked/@Nullable appear in the API
  requires transitive dev.secureyeoman.core;
  requires transitive java.sql; // javax.sql.DataSource appears in the API (PostgresAuditStore)
  requires org.slf4j;
  requires org.xerial.sqlitejdbc;

  exports dev.secureyeoman.audit;
}
