package dev.secureyeoman.auth;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL runs of the shared auth suites: a fresh database per test on the testkit's server (Debian's PostgreSQL 15
 * binaries) and HikariCP pools on it. Without the binaries the {@code *PostgresTest} classes are skipped with {@link
 * #MISSING} as the reason, except under CI (env {@code CI} set), where the testkit then fails them: CI installs the
 * binaries, so there they must run.
 */
public final class PostgresRun implements AutoCloseable {
  static final String MISSING =
      "PostgreSQL 15 binaries missing under /usr/lib/postgresql/15/bin (apt-get install postgresql):"
          + " the PostgreSQL run of this suite is skipped";

  private final PostgresDatabase db;
  private final List<AuthDataSources.Pooled> pools = new ArrayList<>();

  PostgresRun(PostgresDatabase db) {
    this.db = db;
  }

  /** For {@code @EnabledIf}: the binaries are there, or CI must run (and fail loudly) anyway. */
  public static boolean available() {
    return PostgresServer.shouldRun();
  }

  /** A new pool on this test's database (a "node"); closed with this run. */
  AuthDataSources.Pooled pool() {
    AuthDataSources.Pooled p = AuthDataSources.postgres(db.jdbcUrl(), db.user(), db.password().toCharArray());
    pools.add(p);
    return p;
  }

  /** A fixture whose services run on a pool of this test's database. */
  AuthFixture fixture(Path dir, AuthSettings settings) {
    AuthFixture f = new AuthFixture(dir, settings);
    f.dataSource = pool();
    f.postgres = new String[] {db.jdbcUrl(), db.user(), db.password()};
    return f;
  }

  PostgresDatabase database() {
    return db;
  }

  @Override
  public void close() {
    pools.forEach(AuthDataSources.Pooled::close);
  }
}
