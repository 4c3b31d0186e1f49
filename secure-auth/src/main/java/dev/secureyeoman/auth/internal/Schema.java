package dev.secureyeoman.auth.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned schema of the auth database; each migration runs in one transaction. The DDL comes from the {@link
 * SqlDialect} (types and {@code AUTOINCREMENT} differ between engines; table and column names do not).
 */
final class Schema {
  static final int VERSION = 2;

  private Schema() {}

  /** Creates or migrates the schema; refuses a database written by a newer version. */
  static void migrate(Connection c, SqlDialect dialect) throws SQLException {
    List<List<String>> migrations = dialect.migrations();
    if (migrations.size() != VERSION) {
      throw new IllegalStateException(
          dialect.name() + " dialect has " + migrations.size() + " migrations, expected " + VERSION);
    }
    dialect.begin(c);
    try (Statement st = c.createStatement()) {
      try {
        st.execute("CREATE TABLE IF NOT EXISTS auth_schema(version INTEGER NOT NULL)");
        int current = 0;
        try (ResultSet rs = st.executeQuery("SELECT max(version) AS v FROM auth_schema")) {
          if (rs.next()) {
            current = rs.getInt("v");
          }
        }
        if (current > VERSION) {
          throw new SQLException("auth database schema version " + current + " is newer than supported " + VERSION);
        }
        for (int v = current + 1; v <= VERSION; v++) {
          for (String sql : migrations.get(v - 1)) {
            st.execute(sql);
          }
          st.execute("INSERT INTO auth_schema(version) VALUES (" + v + ")");
        }
        dialect.commit(c);
      } catch (SQLException e) {
        dialect.rollback(c);
        throw e;
      }
    }
  }
}
