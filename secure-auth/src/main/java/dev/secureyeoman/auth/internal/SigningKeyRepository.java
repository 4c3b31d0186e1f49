package dev.secureyeoman.auth.internal;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The {@code signing_keys} table: key ids and their order ({@code generation}); no key material (keys are derived from
 * the master key). Rows are read by column name.
 */
final class SigningKeyRepository {
  private static final String ALL = "SELECT kid, created_at, generation FROM signing_keys ORDER BY generation";
  private static final String CURRENT = "SELECT kid FROM signing_keys ORDER BY generation DESC LIMIT 1";
  private static final String INSERT =
      "INSERT INTO signing_keys(kid, created_at, generation)"
          + " SELECT ?, ?, coalesce(max(generation), 0) + 1 FROM signing_keys";

  /** A key id and when it was created (epoch ms). */
  record Row(String kid, long createdAt) {}

  /** Every key id, oldest generation first. */
  List<Row> all(AuthDatabase.Sql sql) throws SQLException {
    return sql.list(ALL, rs -> new Row(rs.getString("kid"), rs.getLong("created_at")));
  }

  /** The newest key id. */
  Optional<String> current(AuthDatabase.Sql sql) throws SQLException {
    return sql.one(CURRENT, rs -> rs.getString("kid"));
  }

  /** Adds a key id as the next generation. */
  void insert(AuthDatabase.Tx tx, String kid, long now) throws SQLException {
    tx.update(INSERT, kid, now);
  }
}
