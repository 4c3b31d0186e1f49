package dev.secureyeoman.audit;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.PostgresDatabase;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.ds.PGSimpleDataSource;

/** Helpers of the PostgreSQL red-team tests: a data source, a random key, raw SQL as the attacker, forged rows. */
final class PgAttackSupport {
  private PgAttackSupport() {}

  static PGSimpleDataSource dataSource(PostgresDatabase db) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(db.jdbcUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    return ds;
  }

  static SecretBytes key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return SecretBytes.adopt(k);
  }

  /** Runs statements in order with the nodes' own role, as an attacker holding its credentials would. */
  static void sql(PGSimpleDataSource ds, String... statements) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  /** The seqs of entries, in order. */
  static java.util.List<Long> seqs(java.util.List<AuditEntry> entries) {
    return entries.stream().map(AuditEntry::seq).toList();
  }

  /** Appends {@code n} entries by alice. */
  static void appendN(AuditStore store, int n) throws AuditException {
    for (int i = 0; i < n; i++) {
      store.append(AuditEvent.builder("test.event").actor("alice").message("entry " + i).build());
    }
  }

  /**
   * Inserts into {@code table} a copy of the entry at {@code fromSeq} (its MAC and links) with actor mallory and
   * message "forged quokka", at the seq the SQL expression {@code seqExpr} gives ({@code seq} keeps it).
   */
  static void insertForgedCopy(PGSimpleDataSource ds, String table, String seqExpr, long fromSeq)
      throws SQLException {
    sql(ds, "INSERT INTO " + table + "(seq, ts, level, event, actor, message, metadata, correlation_id, key_id,"
        + " prev_hash, hash) SELECT " + seqExpr + ", ts, level, event, 'mallory', 'forged quokka', metadata,"
        + " correlation_id, key_id, prev_hash, hash FROM audit_log WHERE seq = " + fromSeq);
  }
}
